import Foundation
import Vapor

/// Reads a search from query parameters (API and page alike) or from a JSON body, validating every value.
enum SearchRequestParser {
    /// Longest accepted `q` (longer text is refused; up to this, only the first `SearchQuery.maxInput` characters count).
    static let maxQ = 20_000
    /// Longest `q` the GET operation documents. The server's HTTP parser refuses a request head over 80 KiB by closing
    /// the connection without a response, so the documented URL must fit with every other filter at its longest
    /// (12 bytes per percent-encoded character; `SystemTests.testEveryDocumentedQueryStringFitsInARequestHead` checks
    /// every operation). Longer text goes by POST.
    static let maxQInURL = 3_000

    /// The filters, as query parameters of `GET /api/v1/search`.
    static let query: [(name: String, schema: Schema, description: String)] = [
        ("q", .string(maxLength: maxQInURL), "Search text: words, \"phrases\", -exclusion, OR, 标题:/title:, 作者:/author:, tag:. Longer text: POST /api/v1/search"),
        ("type", .string(maxLength: 200), "Document types, comma-separated (story, lead, topic, published, …)"),
        ("tenant_id", .uuid, "Only this tenant (platform users may search every tenant they administer)"),
        ("state", .string(maxLength: 200), "States, comma-separated"), ("channel", .string(maxLength: 200), "Channels, comma-separated"),
        ("author", .string(maxLength: 200), "Author name contains"), ("tag", .string(maxLength: 200), "Has this tag"),
        ("category", .string(maxLength: 200), "Categories, comma-separated"), ("language", .string(maxLength: 200), "Languages, comma-separated"),
        ("from", .string(maxLength: 40), "Date from (yyyy-MM-dd or ISO 8601)"), ("to", .string(maxLength: 40), "Date until"),
        ("sort", .enumeration(["relevance", "time"]), "Sort by relevance (default) or time"),
        ("recency", .enumeration(["true", "false"]), "Boost recent items"),
        ("limit", .integer(minimum: 1, maximum: 100), "Page size (default 20)"), ("offset", .integer(minimum: 0, maximum: 10_000), "Offset"),
    ]

    /// The same filters as the JSON body of `POST /api/v1/search`, where `q` may be as long as `maxQ`.
    static let body: Schema = .object(query.map { item in
        switch item.name {
        case "q": return ("q", .string(maxLength: maxQ))
        case "recency": return ("recency", .boolean)
        default: return (item.name, item.schema)
        }
    }, required: [])

    /// `POST /api/v1/search`'s body (snake_case keys, as in the query string).
    struct Body: Content {
        var q, type, state, channel, author, tag, category, language, from, to, sort: String?
        var tenantId: UUID?
        var recency: Bool?
        var limit, offset: Int?

        /// The body as the query string would carry it, so both are validated by the same code.
        var values: [String: String] {
            var v: [String: String] = [:]
            for (key, value) in [("q", q), ("type", type), ("state", state), ("channel", channel), ("author", author), ("tag", tag),
                                 ("category", category), ("language", language), ("from", from), ("to", to), ("sort", sort),
                                 ("tenant_id", tenantId?.uuidString), ("recency", recency.map { String($0) }),
                                 ("limit", limit.map { String($0) }), ("offset", offset.map { String($0) })] {
                if let value { v[key] = value }
            }
            return v
        }
    }

    /// Where a parameter's raw value comes from: the query string or a decoded body.
    typealias Values = (String) -> String?

    static func values(_ req: Request) -> Values {
        { key in (try? req.query.get(String?.self, at: key)) ?? nil }
    }

    /// Control characters (NUL included, which PostgreSQL text cannot hold) become spaces.
    static func clean(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        return String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    static func text(_ req: Request, _ key: String, max: Int = 200) throws -> String? {
        try text(values(req), key, max: max)
    }

    static func text(_ values: Values, _ key: String, max: Int = 200) throws -> String? {
        guard let value = values(key) else { return nil }
        let trimmed = clean(value).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        guard trimmed.count <= max else { throw AppError.invalid(key, zh: "\(key) 过长（上限 \(max) 字）", en: "\(key) is too long (\(max) characters)") }
        return trimmed
    }

    static func list(_ values: Values, _ key: String) throws -> [String] {
        guard let raw = try text(values, key) else { return [] }
        return Array(raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.prefix(20))
    }

    static func int(_ values: Values, _ key: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
        guard let raw = try text(values, key, max: 20) else { return value }
        guard let n = Int(raw), range.contains(n) else {
            throw AppError.invalid(key, zh: "\(key) 须在 \(range.lowerBound)–\(range.upperBound) 之间", en: "\(key) must be \(range.lowerBound)–\(range.upperBound)")
        }
        return n
    }

    /// The search described by these parameter values.
    static func parse(_ values: Values, kinds: [String]) throws -> SearchRequest {
        var r = SearchRequest()
        r.query = SearchQuery.parse(try text(values, "q", max: maxQ) ?? "")
        r.kinds = try list(values, "type")
        for k in r.kinds where !kinds.contains(k) {
            throw AppError.invalid("type", zh: "未知类型：\(String(k.prefix(40)))", en: "Unknown type: \(String(k.prefix(40)))")
        }
        if let raw = try text(values, "tenant_id", max: 40) {
            guard let id = UUID(uuidString: raw) else { throw AppError.invalid("tenant_id", zh: "单位 ID 无效", en: "Invalid tenant_id") }
            r.tenants = [id]
        }
        r.states = try list(values, "state")
        r.channels = try list(values, "channel")
        r.categories = try list(values, "category").map(SearchFacetSpelling.category)
        r.languages = try list(values, "language").map(SearchFacetSpelling.language)
        if let a = try text(values, "author") { r.authors = [a] }
        if let t = try text(values, "tag") { r.tags = [t] }
        for key in ["from", "to"] {
            guard let raw = try text(values, key, max: 40) else { continue }
            guard let date = QueryParams.date(raw, endOfDay: key == "to") else {
                throw AppError.invalid(key, zh: "日期格式无效（yyyy-MM-dd 或 ISO 8601）", en: "Invalid date (yyyy-MM-dd or ISO 8601)")
            }
            if key == "from" { r.from = date } else { r.to = date }
        }
        if let raw = try text(values, "sort", max: 20) {
            guard let s = SearchRequest.Sort(rawValue: raw) else { throw AppError.invalid("sort", zh: "sort 只能是 relevance 或 time", en: "sort must be relevance or time") }
            r.sort = s
        }
        if let raw = try text(values, "recency", max: 10) {
            guard ["true", "false"].contains(raw) else { throw AppError.invalid("recency", zh: "recency 只能是 true 或 false", en: "recency must be true or false") }
            r.recency = raw == "true"
        }
        r.limit = try int(values, "limit", 1...100, default: 20)
        r.offset = try int(values, "offset", 0...10_000, default: 0)
        return r
    }
}
