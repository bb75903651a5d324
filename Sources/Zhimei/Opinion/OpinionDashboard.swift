import Fluent
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

    static func build(scope: TenantScope, on db: any Database, now: Date) async throws -> DTO {
        let since = now.addingTimeInterval(-24 * 3600)
        let posts = try await scope.query(OpinionPost.self, on: db).filter(\.$postedAt >= since).sort(\.$postedAt, .descending).limit(20_000)
            .field(\.$postedAt).field(\.$sentiment).field(\.$keywords).all()
        var volume = (0..<24).map { OpinionAnalysis.Bucket(at: since.addingTimeInterval(Double($0) * 3600), total: 0, positive: 0, neutral: 0, negative: 0) }
        var perWord: [String: [Double]] = [:]
        for p in posts {
            let i = min(23, max(0, Int(p.postedAt.timeIntervalSince(since) / 3600)))
            volume[i].total += 1
            switch p.sentiment {
            case "positive": volume[i].positive += 1
            case "negative": volume[i].negative += 1
            default: volume[i].neutral += 1
            }
            for k in p.keywords.prefix(5) {
                if perWord[k] == nil { perWord[k] = [Double](repeating: 0, count: 24) }
                perWord[k]![i] += 1
            }
        }
        let hot = perWord.map { word, series -> HotKeyword in
            let b = Trend.burst(series)
            return HotKeyword(word: word, count: Int(series.reduce(0, +)), zScore: b.zScore.isFinite ? b.zScore : 0, burst: b.isBurst)
        }.sorted { ($0.burst ? 1 : 0, $0.zScore, $0.count, $1.word) > ($1.burst ? 1 : 0, $1.zScore, $1.count, $0.word) }.prefix(30)
        let events = try await scope.query(OpinionEvent.self, on: db).filter(\.$status == "open").sort(\.$risk, .descending).sort(\.$lastAt, .descending).limit(10).all()
        let alerts = try await scope.query(OpinionAlert.self, on: db).sort(\.$createdAt, .descending).limit(10).all()
        let total = try await scope.query(OpinionPost.self, on: db).count()
        return DTO(volume: volume, hotKeywords: Array(hot), events: events.map(OpinionEventDTO.init), alerts: alerts.map(OpinionAlertDTO.init), totalPosts: total)
    }
}
