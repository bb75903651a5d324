import Fluent
import Vapor
import ZhimeiText

/// Shared, lazily built processing state: the post analyzer (text engine + sentiment model), built once; and the
/// webhook rate limit (per source and client address, every request counts, as for the Leads webhook).
actor OpinionServices {
    private var analyzer: PostAnalyzer?
    private let textDirectory: String
    let webhookThrottle: LoginThrottle

    init(textDirectory: String) {
        self.textDirectory = textDirectory
        let limit = Environment.get("ZHIMEI_OPINION_WEBHOOK_RATE_LIMIT").flatMap(Int.init).map { max(1, $0) } ?? 120
        webhookThrottle = LoginThrottle(limit: limit, window: 60)
    }

    func analyzer(_ app: Application) async throws -> PostAnalyzer {
        if let analyzer { return analyzer }
        let engine = try await app.text.engine()
        let built = PostAnalyzer(engine: engine, directory: textDirectory)
        analyzer = built
        return built
    }
}

extension Application {
    private struct OpinionServicesKey: StorageKey { typealias Value = OpinionServices }

    var opinion: OpinionServices {
        get { storage[OpinionServicesKey.self]! }
        set { storage[OpinionServicesKey.self] = newValue }
    }
}

/// Monitoring schemes: validation and the matchers ingest applies.
enum OpinionSchemes {
    /// Every enabled scheme of the tenant (`OpinionLimits.schemesPerTenant` at most are kept).
    static func matchers(tenantID: UUID, on db: any Database) async throws -> [SchemeMatcher] {
        try await OpinionScheme.query(on: db).filter(\.$tenantID == tenantID).filter(\.$enabled == true).all().compactMap(matcher)
    }

    /// The matcher of one scheme; nil when its stored rule no longer parses.
    static func matcher(_ s: OpinionScheme) -> SchemeMatcher? {
        guard let id = s.id, let rule = try? SchemeRule.parse(s.rule) else { return nil }
        return SchemeMatcher(id: id, rule: rule, regions: s.regions, platforms: s.platforms, exclusions: s.exclusions.map { $0.lowercased() },
                             sources: Set(s.sourceIDs ?? []))
    }

    /// A clean list: trimmed, NUL-free, non-empty, unique, at most `max` items of at most 100 characters.
    static func list(_ raw: [String]?, field: String, max: Int = 50) throws -> [String] {
        guard let raw else { return [] }
        guard raw.count <= max else { throw AppError.invalid(field, zh: "\(field) 最多 \(max) 项", en: "\(field): at most \(max) items") }
        var out: [String] = []
        for item in raw {
            let v = PostRecord.clean(item, 100)
            if !v.isEmpty, !out.contains(v) { out.append(v) }
        }
        return out
    }

    static func validRule(_ raw: String?) throws -> String {
        let rule = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try SchemeRule.parse(rule)
        } catch let e as SchemeRule.ParseError {
            throw AppError.invalid("rule", zh: "关键词规则无效：\(e.zh)", en: "Invalid keyword rule: \(e.en)")
        }
        return rule
    }
}
