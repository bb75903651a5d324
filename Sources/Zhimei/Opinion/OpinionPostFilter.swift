import Fluent
import Vapor

/// The filters of the post list (信息列表), read from the query alike by the API and the page: event, scheme,
/// sentiment, platform, source, text and a time range. Malformed values are bilingual 422s.
struct OpinionPostFilter {
    var eventID: UUID?
    var schemeID: UUID?
    var sentiment: String?
    var platform: String?
    var sourceID: UUID?
    var q: String?
    var from: Date?
    var to: Date?

    /// The query parameters, for the OpenAPI document.
    static let parameters: [(name: String, schema: Schema, description: String)] = [
        ("event_id", .uuid, "Event"), ("scheme_id", .uuid, "Scheme"), ("sentiment", .enumeration(OpinionSchemas.sentiments), "Sentiment"),
        ("platform", .string(maxLength: 40), "Platform code (weibo, wechat, news …)"), ("source_id", .uuid, "Source"),
        ("q", .string(maxLength: 200), "Text contains"),
        ("from", .string(maxLength: 40), "Posted from (yyyy-MM-dd, China time, or ISO 8601)"), ("to", .string(maxLength: 40), "Posted until (a day: its end)"),
    ]

    init(_ req: Request) throws {
        eventID = try OpinionParams.uuid(req, "event_id")
        schemeID = try OpinionParams.uuid(req, "scheme_id")
        sentiment = try OpinionParams.choice(req, "sentiment", OpinionSchemas.sentiments)
        platform = try OpinionParams.text(req, "platform", max: 40)?.lowercased()
        sourceID = try OpinionParams.uuid(req, "source_id")
        q = try OpinionParams.text(req, "q", max: 200)
        from = try QueryParams.date(req, "from", endOfDay: false)
        to = try QueryParams.date(req, "to", endOfDay: true)
    }

    /// The posts the actor may read that pass every given filter.
    func query(_ req: Request) throws -> QueryBuilder<OpinionPost> {
        let q = try req.scope(for: .opinionRead).query(OpinionPost.self, on: req.db)
        if let eventID { q.filter(\.$eventID == eventID) }
        if let sentiment { q.filter(\.$sentiment == sentiment) }
        if let platform { q.filter(\.$platform == platform) }
        if let sourceID { q.filter(\.$sourceID == sourceID) }
        if let text = self.q { q.filter(\.$textSimplified ~~ text) }
        if let from { q.filter(\.$postedAt >= from) }
        if let to { q.filter(\.$postedAt <= to) }
        // Scheme membership in the database (before 2026-12-06: the newest 5,000 posts filtered in memory).
        if let schemeID { q.filter(.sql(embed: OpinionSQLDialect(try OpinionIngest.sqlDatabase(req.db)).holds("scheme_ids", schemeID.uuidString))) }
        return q
    }

    /// The given filters as query items, for links that keep them (the pager, the export); the dates as they were written.
    func queryItems(_ req: Request) -> [URLQueryItem] {
        [.init(name: "q", value: q), .init(name: "sentiment", value: sentiment), .init(name: "platform", value: platform),
         .init(name: "source_id", value: sourceID?.uuidString), .init(name: "scheme_id", value: schemeID?.uuidString),
         .init(name: "event_id", value: eventID?.uuidString),
         .init(name: "from", value: QueryParams.raw(req, "from")), .init(name: "to", value: QueryParams.raw(req, "to"))]
    }

    /// The titles of the posts' events (an event of a post the person may read is of the same tenant).
    static func eventTitles(of posts: [OpinionPost], on db: any Database) async throws -> [UUID: String] {
        let ids = Array(Set(posts.compactMap(\.eventID)))
        guard !ids.isEmpty else { return [:] }
        let events = try await OpinionEvent.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$title).all()
        return Dictionary(events.compactMap { e in e.id.map { ($0, e.title) } }, uniquingKeysWith: { a, _ in a })
    }
}
