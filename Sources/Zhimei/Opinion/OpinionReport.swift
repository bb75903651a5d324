import Fluent
import Foundation
import SQLKit
import Vapor

/// Daily and weekly reports per scheme (日报/周报): a self-contained HTML page with server-side SVG charts, and a
/// PDF printed from that HTML by headless Chromium (`chromium`, `chromium-browser` or `$ZHIMEI_CHROMIUM`) when
/// installed — otherwise a clear 503 (the HTML report always works).
enum OpinionReport {
    /// A report's figures, counted by the database over every post of the scheme in the period. Before, the period's
    /// first 50,000 posts of the whole tenant were read and filtered in Swift, so a busy tenant's report missed the
    /// rest of its day (and took seconds to read them).
    struct Data {
        var schemeName: String
        var period: String
        var from: Date
        var to: Date
        var posts: Int
        var events: Int
        var volume: [OpinionAnalysis.Bucket]
        var sources: [OpinionAnalysis.Count]
        var keywords: [OpinionAnalysis.Term]
        var keyPosts: [OpinionPost]
    }

    static func load(_ scheme: OpinionScheme, period: String, now: Date, on db: any Database) async throws -> Data {
        let span: TimeInterval = period == "weekly" ? 7 * 86_400 : 86_400
        let from = now.addingTimeInterval(-span)
        let sql = try OpinionIngest.sqlDatabase(db)
        let dialect = OpinionSQLDialect(sql)
        let inPeriod: SQLQueryString = "WHERE p.tenant_id = \(bind: scheme.tenantID) AND p.posted_at >= \(bind: from) AND "
            + dialect.holds("p.scheme_ids", scheme.id!.uuidString)
        let posts = "FROM opinion_posts p " + inPeriod
        let volume = try OpinionAnalysis.buckets(rows: try await sql.raw(
            "SELECT \(unsafeRaw: dialect.hour("p.posted_at")) AS hour, p.sentiment AS sentiment, COUNT(*) AS n " + posts + " GROUP BY 1, 2").all())
        let events = try await sql.raw("SELECT COUNT(DISTINCT p.event_id) AS n " + posts).first()?.decode(column: "n", as: Int.self) ?? 0
        let sources = try await sql.raw("SELECT p.platform AS name, COUNT(*) AS n " + posts + " GROUP BY 1 ORDER BY n DESC, name ASC LIMIT 8").all()
            .map { OpinionAnalysis.Count(name: try $0.decode(column: "name", as: String.self), count: try $0.decode(column: "n", as: Int.self)) }
        let keywords = try await sql.raw("SELECT \(unsafeRaw: dialect.element("k")) AS word, COUNT(*) AS n FROM opinion_posts p, \(unsafeRaw: dialect.elements("p.keywords", as: "k")) "
                                         + inPeriod + " GROUP BY 1 ORDER BY n DESC, word ASC LIMIT 40").all()
            .map { OpinionAnalysis.Term(word: try $0.decode(column: "word", as: String.self), weight: Double(try $0.decode(column: "n", as: Int.self))) }
        let keyIDs = try await sql.raw("SELECT p.id AS id " + posts + " AND p.duplicate_of IS NULL ORDER BY p.reposts + p.comments DESC, p.posted_at ASC LIMIT 10").all()
            .map { try $0.decode(column: "id", as: UUID.self) }
        let byID = Dictionary(try await OpinionPost.query(on: db).filter(\.$id ~~ keyIDs).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        return Data(schemeName: scheme.name, period: period, from: from, to: now, posts: volume.map(\.total).reduce(0, +), events: events,
                    volume: volume, sources: sources, keywords: keywords, keyPosts: keyIDs.compactMap { byID[$0] })
    }

    static func html(_ d: Data) -> String {
        let e = OpinionCharts.esc
        let neg = d.volume.map(\.negative).reduce(0, +), pos = d.volume.map(\.positive).reduce(0, +)
        let f = DateFormatter()
        f.locale = Locale(identifier: "zh_CN"); f.timeZone = TimeZone(identifier: "Asia/Shanghai"); f.dateFormat = "yyyy-MM-dd HH:mm"
        let kind = d.period == "weekly" ? "周报 Weekly report" : "日报 Daily report"
        var body = "<h1>\(e(d.schemeName)) · \(kind)</h1>"
        body += "<p>\(f.string(from: d.from)) — \(f.string(from: d.to))（北京时间 China time）</p>"
        body += "<p>信息 \(d.posts) 条 posts · 事件 \(d.events) events · 正面 positive \(pos) · 负面 negative \(neg)</p>"
        body += OpinionCharts.line(d.volume.map { Double($0.total) }, title: "声量（每小时）Volume per hour")
        body += OpinionCharts.sentiment(d.volume, title: "情感分布 Sentiment")
        body += OpinionCharts.bars(d.sources, title: "来源 Sources")
        body += OpinionCharts.wordCloud(d.keywords, title: "热词 Word cloud")
        body += "<h2>重点信息 Key posts</h2><ol>"
        for p in d.keyPosts { body += "<li>\(e(p.author))（\(e(p.platform))，\(f.string(from: p.postedAt))）：\(e(String(p.text.prefix(200))))</li>" }
        body += "</ol>"
        return "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>\(e(d.schemeName)) \(kind)</title>"
            + "<style>body{font-family:sans-serif;max-width:760px;margin:24px auto;color:#222}svg{display:block;margin:12px 0}</style></head><body>\(body)</body></html>"
    }

    static func chromium() -> String? {
        let candidates = [Environment.get("ZHIMEI_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Prints the HTML to PDF with headless Chromium (60 s limit).
    static func pdf(_ html: String) async throws -> Foundation.Data {
        guard let browser = chromium() else {
            throw AppError(.serviceUnavailable, "pdf_unavailable", zh: "服务器未安装 Chromium，无法生成 PDF；请使用 HTML 报告或安装 chromium",
                           en: "PDF needs Chromium on the server (not installed); use the HTML report or install chromium")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("report.html"), output = dir.appendingPathComponent("report.pdf")
        try html.write(to: input, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(dir.path)/profile",
                       "--print-to-pdf=\(output.path)", input.absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 100_000_000) }
        if p.isRunning { p.terminate() }
        guard let data = try? Foundation.Data(contentsOf: output), data.starts(with: Array("%PDF".utf8)) else {
            throw AppError(.serviceUnavailable, "pdf_failed", zh: "PDF 生成失败，请使用 HTML 报告", en: "PDF rendering failed; use the HTML report")
        }
        return data
    }
}
