import Fluent
import Vapor

/// RSS/Atom/JSON Feed sources of posts: polled by a job that reuses the Leads module's fetcher (conditional GET,
/// size cap, timeouts) and parser — nothing copied. Each item becomes a post (title + plain text, link, date).
enum OpinionFeeds {
    static let kind = "opinion.poll_feed"

    struct Payload: Codable { var sourceId: UUID }

    static func register(_ app: Application) {
        app.zhimei.jobs.register(kind) { ctx in
            let payload = try JSONDecoder().decode(Payload.self, from: Data(ctx.payload.utf8))
            return try await poll(payload.sourceId, app: ctx.application, on: ctx.db, logger: ctx.logger)
        }
    }

    /// Enqueues a poll; `slot` (the scheduler's due time) makes repeated enqueues of one slot one job.
    static func enqueue(_ source: OpinionSource, slot: String? = nil, createdBy: UUID?, on db: any Database) async throws -> Job {
        let payload = String(decoding: try JSONEncoder().encode(Payload(sourceId: source.id!)), as: UTF8.self)
        return try await JobQueue.enqueue(kind: kind, payload: payload, tenantID: source.tenantID,
                                          idempotencyKey: "\(kind):\(source.id!.uuidString):\(slot ?? String(Int(Date().timeIntervalSince1970)))", maxAttempts: 3,
                                          createdBy: createdBy, on: db)
    }

    /// Polls a feed and records how it went on the source (time, outcome or error); a switched-off or deleted source is
    /// not fetched.
    static func poll(_ sourceID: UUID, app: Application, on db: any Database, logger: Logger?) async throws -> String {
        guard let source = try await OpinionSource.find(sourceID, on: db), source.kind == "feed", let url = source.url else { return "not a feed source" }
        guard source.isLive else { return "source switched off" }
        do {
            let outcome = try await fetchAndIngest(source, url: url, app: app, on: db, logger: logger)
            try await record(sourceID, outcome: outcome, error: nil, on: db)
            return outcome
        } catch {
            let reason = (error as? FeedError)?.appError.reason ?? (error as? AppError)?.reason ?? String(describing: error)
            try? await record(sourceID, outcome: nil, error: String(reason.prefix(1000)), on: db)
            throw error
        }
    }

    /// Stores the poll's outcome on a fresh copy of the source (ingest has moved its post count on meanwhile).
    static func record(_ sourceID: UUID, outcome: String?, error: String?, on db: any Database) async throws {
        guard let source = try await OpinionSource.find(sourceID, on: db) else { return }
        source.lastPolledAt = Date()
        if let outcome { source.lastOutcome = outcome }
        source.lastError = error
        try await source.save(on: db)
    }

    static func fetchAndIngest(_ source: OpinionSource, url: String, app: Application, on db: any Database, logger: Logger?) async throws -> String {
        let sourceID = try source.requireID()
        let fetched = try await FeedPoller.fetch(url, etag: nil, lastModified: nil, client: app.http.client.shared)
        guard case .body(let data, let contentType, _, _) = fetched else { return "not modified" }
        let feed = try FeedParser.parse(data, contentType: contentType)
        let posts = feed.items.prefix(500).compactMap { item -> IncomingPost? in
            let text = [item.title, HTMLText.plainText(item.html, limit: PostRecord.maxText)].filter { !$0.isEmpty }.joined(separator: "\n")
            guard !text.isEmpty else { return nil }
            return IncomingPost(externalID: item.guid ?? item.link, author: feed.title.isEmpty ? source.name : String(feed.title.prefix(200)),
                                postedAt: item.date, text: String(text.prefix(PostRecord.maxText)), repostOf: nil, replyTo: nil, likes: 0, reposts: 0,
                                comments: 0, url: item.link, platform: source.platform, region: nil)
        }
        let analyzer = try await app.opinion.analyzer(app)
        let result = try await OpinionIngest.ingest(posts, tenantID: source.tenantID, sourceID: sourceID, analyzer: analyzer, on: db)
        try await OpinionAlerts.evaluate(eventIDs: result.eventIDs, tenantID: source.tenantID, on: db, logger: logger)
        return "items \(feed.items.count), imported \(result.imported), duplicates \(result.duplicates)"
    }
}
