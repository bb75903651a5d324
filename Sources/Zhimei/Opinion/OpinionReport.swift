import Fluent
import Foundation
import Vapor

/// Daily and weekly reports per scheme (日报/周报): a self-contained HTML page with server-side SVG charts, and a
/// PDF printed from that HTML by headless Chromium (`chromium`, `chromium-browser` or `$ZHIMEI_CHROMIUM`) when
/// installed — otherwise a clear 503 (the HTML report always works).
enum OpinionReport {
    struct Data {
        var schemeName: String
        var period: String
        var from: Date
        var to: Date
        var posts: [OpinionPost]
    }

    static func load(_ scheme: OpinionScheme, period: String, now: Date, on db: any Database) async throws -> Data {
        let span: TimeInterval = period == "weekly" ? 7 * 86_400 : 86_400
        let from = now.addingTimeInterval(-span)
        let id = scheme.id!.uuidString
        let posts = try await OpinionPost.query(on: db).filter(\.$tenantID == scheme.tenantID).filter(\.$postedAt >= from)
            .sort(\.$postedAt).limit(50_000).all().filter { $0.schemeIDs.contains(id) }
        return Data(schemeName: scheme.name, period: period, from: from, to: now, posts: posts)
    }

    static func html(_ d: Data) -> String {
        let e = OpinionCharts.esc
        let buckets = OpinionAnalysis.hourly(d.posts)
        var terms: [String: Double] = [:]
        for p in d.posts { for k in p.keywords { terms[k, default: 0] += 1 } }
        let cloud = terms.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(40).map { OpinionAnalysis.Term(word: $0.key, weight: $0.value) }
        let neg = d.posts.filter { $0.sentiment == "negative" }.count, pos = d.posts.filter { $0.sentiment == "positive" }.count
        let f = DateFormatter()
        f.locale = Locale(identifier: "zh_CN"); f.timeZone = TimeZone(identifier: "Asia/Shanghai"); f.dateFormat = "yyyy-MM-dd HH:mm"
        let kind = d.period == "weekly" ? "周报 Weekly report" : "日报 Daily report"
        var events: [UUID: Int] = [:]
        for p in d.posts { if let id = p.eventID { events[id, default: 0] += 1 } }
        let topPosts = d.posts.filter { $0.duplicateOf == nil }.sorted { ($0.reposts &+ $0.comments, $1.postedAt) > ($1.reposts &+ $1.comments, $0.postedAt) }.prefix(10)
        var body = "<h1>\(e(d.schemeName)) · \(kind)</h1>"
        body += "<p>\(f.string(from: d.from)) — \(f.string(from: d.to))（北京时间 China time）</p>"
        body += "<p>信息 \(d.posts.count) 条 posts · 事件 \(events.count) events · 正面 positive \(pos) · 负面 negative \(neg)</p>"
        body += OpinionCharts.line(buckets.map { Double($0.total) }, title: "声量（每小时）Volume per hour")
        body += OpinionCharts.sentiment(buckets, title: "情感分布 Sentiment")
        body += OpinionCharts.bars(OpinionAnalysis.top(d.posts.map(\.platform), 8), title: "来源 Sources")
        body += OpinionCharts.wordCloud(cloud, title: "热词 Word cloud")
        body += "<h2>重点信息 Key posts</h2><ol>"
        for p in topPosts { body += "<li>\(e(p.author))（\(e(p.platform))，\(f.string(from: p.postedAt))）：\(e(String(p.text.prefix(200))))</li>" }
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
