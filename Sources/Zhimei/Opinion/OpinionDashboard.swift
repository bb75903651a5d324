import Fluent
import SQLKit
import Vapor

/// The dashboard's figures (大屏): hourly volume and sentiment of the last 24 hours, keyword bursts against the
/// earlier hours, the riskiest events and the latest alerts. The page polls this every 30 seconds.
enum OpinionDashboard {
    struct HotKeyword: Content { var word: String; var count: Int; var zScore: Double; var burst: Bool }
    struct DTO: Content {
        var volume: [OpinionAnalysis.Bucket]
        var hotKeywords: [HotKeyword]
        var events: [OpinionEventDTO]
        var alerts: [OpinionAlertDTO]
        var totalPosts: Int
    }

    /// The figures at `now`: the 24 clock hours up to the current one, from the hourly counts (so every post of the
    /// day counts, however many there are); posts stated up to the ingest's tolerance ahead count in the last hour.
    static func build(scope: TenantScope, on db: any Database, now: Date) async throws -> DTO {
        let last = OpinionHourlyCounts.hour(now), first = last - 23 * 3600
        let counts = try await OpinionHourlyCounts.read(scope, from: first, through: last + 3600, on: db)
        var volume = (0..<24).map { OpinionAnalysis.Bucket(at: Date(timeIntervalSince1970: Double(first + Int64($0) * 3600)), total: 0, positive: 0, neutral: 0, negative: 0) }
        var perWord: [String: [Double]] = [:]
        for (hour, byKey) in counts {
            let i = min(23, Int((hour - first) / 3600))
            for (key, n) in byKey {
                if key.hasPrefix("k:") {
                    perWord[String(key.dropFirst(2)), default: [Double](repeating: 0, count: 24)][i] += Double(n)
                    continue
                }
                volume[i].total += n
                switch key {
                case OpinionHourlyCounts.key(sentiment: "positive"): volume[i].positive += n
                case OpinionHourlyCounts.key(sentiment: "negative"): volume[i].negative += n
                default: volume[i].neutral += n
                }
            }
        }
        let hot = perWord.map { word, series -> HotKeyword in
            let b = Trend.burst(series)
            return HotKeyword(word: word, count: Int(series.reduce(0, +)), zScore: b.zScore.isFinite ? b.zScore : 0, burst: b.isBurst)
        }.sorted { ($0.burst ? 1 : 0, $0.zScore, $0.count, $1.word) > ($1.burst ? 1 : 0, $1.zScore, $1.count, $0.word) }.prefix(30)
        let events = try await scope.query(OpinionEvent.self, on: db).filter(\.$status == "open").sort(\.$risk, .descending).sort(\.$lastAt, .descending).limit(10).all()
        let alerts = try await scope.query(OpinionAlert.self, on: db).sort(\.$createdAt, .descending).limit(10).all()
        // COUNT(*) from the tenant's time index; Fluent's count() counts `id`, which read every post's row (0.3 s at 1,000,000).
        let total = try await OpinionIngest.sqlDatabase(db).raw("SELECT COUNT(*) AS n FROM opinion_posts WHERE " + scope.condition(column: "tenant_id"))
            .first()?.decode(column: "n", as: Int.self) ?? 0
        return DTO(volume: volume, hotKeywords: Array(hot), events: events.map(OpinionEventDTO.init), alerts: alerts.map(OpinionAlertDTO.init), totalPosts: total)
    }
}
