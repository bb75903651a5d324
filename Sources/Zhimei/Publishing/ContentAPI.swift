import Fluent
import Foundation
import Vapor

/// The public, read-only content API (app channel): published items with pagination, ETag/If-None-Match and
/// Cache-Control; killed items answer 410 with a JSON tombstone. Also ninjs 2.2/3.1 per item.
struct ContentAPI {
    static let schemas: [(String, Schema)] = [
        ("ContentItem", .object([
            ("id", .uuid), ("version", .integer), ("url", .string), ("headline", .string), ("subtitle", .string), ("summary", .string),
            ("byline", .string), ("tags", .array(.string)), ("categories", .array(.string)), ("location", .string), ("language", .string),
            ("published_at", .dateTime), ("updated_at", .dateTime), ("correction", .nullable(.string)), ("ai_generated", .boolean),
            ("credit", .string), ("body_html", .string), ("body_text", .string),
        ], required: ["id", "version", "url", "headline", "subtitle", "summary", "byline", "tags", "categories", "location", "language",
                      "published_at", "updated_at", "ai_generated", "credit", "body_html", "body_text"])),
        ("ContentPage", .object([("items", .array(.ref("ContentItem"))), ("page", .integer), ("per_page", .integer), ("total", .integer)],
                                required: ["items", "page", "per_page", "total"])),
    ]

    static let listQuery: [(name: String, schema: Schema, description: String)] = [
        ("page", .integer(minimum: 1, maximum: 10_000), "Page (from 1)"), ("per_page", .integer(minimum: 1, maximum: 100), "Items per page"),
        ("category", .string(maxLength: 100), "Only this category"), ("tag", .string(maxLength: 100), "Only this tag"),
    ]

    func register(_ api: RoutesBuilder) {
        let content = api.grouped("public", ":tenantSlug")
        content.endpoint(.GET, "items", access: .anonymous,
                         doc: .init("Published items, newest first (ETag, Cache-Control) / 已发布稿件列表", tag: "content",
                                    response: .ref("ContentPage"), query: Self.listQuery), use: list)
        content.endpoint(.GET, "items", ":storyID", access: .anonymous,
                         doc: .init("One published item; 410 with a tombstone when killed / 单篇稿件（撤稿返回 410）", tag: "content",
                                    response: .ref("ContentItem")), use: item)
        content.endpoint(.GET, "items", ":storyID", "ninjs", access: .anonymous,
                         doc: .init("One published item as IPTC ninjs (version=2.2 or 3.1) / ninjs 格式", tag: "content",
                                    response: .object([("uri", .string)], required: ["uri"]),
                                    query: [("version", .enumeration(["2.2", "3.1"]), "ninjs version (default 3.1)")]), use: ninjs)
    }

    static let json = "application/json; charset=utf-8"

    @Sendable func list(_ req: Request) async throws -> Response {
        if let cached = PublicSite.hit(req) { return cached }
        let (tenant, context) = try await PublicSite.tenant(req)
        let page = try Self.intQuery(req, "page", default: 1, range: 1...10_000)
        let perPage = try Self.intQuery(req, "per_page", default: 20, range: 1...100)
        let category = try Self.textQuery(req, "category")
        let tag = try Self.textQuery(req, "tag")
        return try await PublicSite.cached(req, tenant: tenant, contentType: Self.json, maxAge: 30) {
            var items = try await PublicSite.live(try tenant.requireID(), channel: .app, context: context, limit: PublicSite.scanLimit * 4, on: req.db)
            if let category { items = items.filter { $0.snapshot.categories.contains(category) } }
            if let tag { items = items.filter { $0.snapshot.tags.contains(tag) } }
            let start = min((page - 1) * perPage, items.count)
            let slice = items[start..<min(start + perPage, items.count)].map(ContentItem.init)
            return (ChannelRenderer.json(ContentPage(items: Array(slice), page: page, perPage: perPage, total: items.count)), .ok)
        }
    }

    /// The newest publication of a story on a channel: live, or killed (answered with a tombstone); 404 when never published.
    enum Found { case live(Publication), killed(Publication) }

    static func find(_ req: Request, tenant: Tenant, channel: ChannelKind) async throws -> Found {
        guard let storyID = req.parameters.get("storyID", as: UUID.self) else { throw AppError.notFound }
        let rows = try await Publication.query(on: req.db).filter(\.$tenantID == tenant.requireID()).filter(\.$storyID == storyID)
            .filter(\.$channel == channel).sort(\.$storyVersion, .descending).all()
        if let live = rows.first(where: { $0.state == .published }) { return .live(live) }
        if let killed = rows.first(where: { $0.state == .killed }) { return .killed(killed) }
        throw AppError.notFound
    }

    /// The 410 body of a killed item (cached like any answer, with `Cache-Control: no-cache`; a kill or a new
    /// publication drops it with the tenant's other entries).
    static func tombstone(_ p: Publication) -> (String, HTTPResponseStatus) {
        (ChannelRenderer.json(ContentTombstone(id: p.storyID, state: "killed", killedAt: p.killedAt, reason: p.killReason ?? "")), .gone)
    }

    @Sendable func item(_ req: Request) async throws -> Response {
        if let cached = PublicSite.hit(req) { return cached }
        let (tenant, context) = try await PublicSite.tenant(req)
        return try await PublicSite.cached(req, tenant: tenant, contentType: Self.json, maxAge: 30) {
            switch try await Self.find(req, tenant: tenant, channel: .app) {
            case .live(let p): return (ChannelRenderer.json(ContentItem(context.input(p))), .ok)
            case .killed(let p): return Self.tombstone(p)
            }
        }
    }

    @Sendable func ninjs(_ req: Request) async throws -> Response {
        if let cached = PublicSite.hit(req) { return cached }
        let version = try Self.textQuery(req, "version") ?? "3.1"
        guard version == "2.2" || version == "3.1" else {
            throw AppError.invalid("version", zh: "ninjs 版本只能是 2.2 或 3.1", en: "version must be 2.2 or 3.1")
        }
        let (tenant, context) = try await PublicSite.tenant(req)
        return try await PublicSite.cached(req, tenant: tenant, contentType: Self.json, maxAge: 30) {
            switch try await Self.find(req, tenant: tenant, channel: version == "2.2" ? .ninjs2 : .ninjs3) {
            case .live(let p):
                let input = context.input(p)
                return (ChannelRenderer.json(version == "2.2" ? NinjsRenderer.ninjs22(input) : NinjsRenderer.ninjs31(input)), .ok)
            case .killed(let p): return Self.tombstone(p)
            }
        }
    }

    static func intQuery(_ req: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = req.query[String.self, at: name] else { return value }
        guard let n = Int(raw), range.contains(n) else {
            throw AppError.invalid(name, zh: "\(name) 应为 \(range.lowerBound)–\(range.upperBound) 的整数", en: "\(name) must be an integer \(range.lowerBound)–\(range.upperBound)")
        }
        return n
    }

    static func textQuery(_ req: Request, _ name: String) throws -> String? {
        guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return nil }
        guard raw.count <= 100, !raw.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw AppError.invalid(name, zh: "\(name) 参数无效", en: "Invalid \(name)")
        }
        return raw
    }
}
