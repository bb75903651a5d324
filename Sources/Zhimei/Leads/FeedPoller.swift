import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import NIOHTTP1
import Vapor
import ZhimeiText

/// Polls feed sources: conditional GET (ETag / Last-Modified, 304 handled), a response size cap that stops
/// reading as soon as it is crossed (a feed of hundreds of MB is never held in memory), timeouts, backoff after
/// failures and the health figures the sources page shows.
enum FeedPoller {
    /// Largest feed accepted; `ZHIMEI_FEED_MAX_BYTES` overrides (tests, operators).
    static var maxBytes: Int { Environment.get("ZHIMEI_FEED_MAX_BYTES").flatMap(Int.init) ?? 20 * 1_048_576 }
    static let timeout: TimeAmount = .seconds(30)
    static let maxBackoff: TimeInterval = 24 * 3600

    enum FetchResult: Sendable {
        case notModified
        case body(Data, contentType: String?, etag: String?, lastModified: String?)
    }

    /// After `failures` consecutive failures the next poll waits interval·2^failures (at most a day).
    static func nextInterval(base: Int, failures: Int) -> TimeInterval {
        min(maxBackoff, TimeInterval(max(60, base)) * pow(2, Double(min(failures, 10))))
    }

    /// One conditional GET with a byte limit.
    static func fetch(_ url: String, etag: String?, lastModified: String?, client: HTTPClient, limit: Int = maxBytes) async throws -> FetchResult {
        guard let url = OutboundURL.validated(url) else { throw FeedError.network("invalid URL / 地址无效") }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "Zhimei-Leads/1.0 (+feed poller)")
        request.headers.add(name: "Accept", value: "application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml, text/xml;q=0.9, */*;q=0.5")
        if let etag { request.headers.add(name: "If-None-Match", value: etag) }
        if let lastModified { request.headers.add(name: "If-Modified-Since", value: lastModified) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw FeedError.network(String(describing: error).prefix(200).description)
        }
        if response.status == .notModified { return .notModified }
        guard response.status == .ok else { throw FeedError.http(Int(response.status.code)) }
        if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > limit {
            throw FeedError.tooLarge(limit: limit)
        }
        var collected = ByteBuffer()
        do {
            for try await var chunk in response.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else { throw FeedError.tooLarge(limit: limit) }
                collected.writeBuffer(&chunk)
            }
        } catch let error as FeedError {
            throw error
        } catch {
            throw FeedError.network(String(describing: error).prefix(200).description)
        }
        return .body(Data(buffer: collected), contentType: response.headers.first(name: "Content-Type"),
                     etag: response.headers.first(name: "ETag"), lastModified: response.headers.first(name: "Last-Modified"))
    }

    struct Outcome: Sendable {
        var status: String   // ok, not_modified, error, skipped
        var newLeads: Int
        var error: String?
    }

    /// Polls one source now and records its health. Failures are recorded, not thrown (the schedule retries later).
    @discardableResult
    static func poll(sourceID: UUID, app: Application, db: any Database, now: Date = Date()) async throws -> Outcome {
        guard let source = try await LeadSource.find(sourceID, on: db) else { return Outcome(status: "skipped", newLeads: 0) }
        guard source.kind == .feed, let url = source.url else { return Outcome(status: "skipped", newLeads: 0) }
        source.lastPolledAt = now
        do {
            let result = try await fetch(url, etag: source.etag, lastModified: source.lastModified, client: app.http.client.shared)
            var created = 0
            switch result {
            case .notModified:
                source.lastStatus = 304
            case .body(let data, let contentType, let etag, let lastModified):
                let feed: ParsedFeed
                do { feed = try FeedParser.parse(data, contentType: contentType, now: now) } catch let e as FeedError { throw e }
                let engine = try? await app.text.engine()
                let items = feed.items.map { item in
                    IncomingLead(title: item.title, text: item.html, isHTML: true, link: item.link, publishedAt: item.date, guid: item.guid,
                                 origin: .feed, sourceID: sourceID, sourceName: source.name)
                }
                created = try await LeadIngest.ingest(items, tenantID: source.tenantID, engine: engine, on: db, now: now).count
                source.etag = etag
                source.lastModified = lastModified
                source.lastStatus = 200
            }
            source.lastSuccessAt = now
            source.failureCount = 0
            source.itemsFetched += created
            source.nextPollAt = now.addingTimeInterval(nextInterval(base: source.intervalSeconds, failures: 0))
            source.updatedAt = now
            try await source.save(on: db)
            return Outcome(status: created == 0 && source.lastStatus == 304 ? "not_modified" : "ok", newLeads: created)
        } catch let error as FeedError {
            let app = error.appError
            source.failureCount += 1
            source.lastError = String(app.reason.prefix(1000))
            source.lastErrorAt = now
            if case .http(let status) = error { source.lastStatus = status } else { source.lastStatus = nil }
            source.nextPollAt = now.addingTimeInterval(nextInterval(base: source.intervalSeconds, failures: source.failureCount))
            source.updatedAt = now
            try await source.save(on: db)
            return Outcome(status: "error", newLeads: 0, error: app.reason)
        }
    }

    struct PollPayload: Codable { var sourceId: UUID
        enum CodingKeys: String, CodingKey { case sourceId = "source_id" } }

    /// Enqueues a poll of one source; the key makes repeated enqueues of the same slot one job.
    @discardableResult
    static func enqueuePoll(_ source: LeadSource, slot: String, runAt: Date = Date(), createdBy: UUID? = nil, on db: any Database) async throws -> Job {
        let id = try source.requireID()
        let payload = String(decoding: try JSONEncoder().encode(PollPayload(sourceId: id)), as: UTF8.self)
        return try await JobQueue.enqueue(kind: "leads.poll_source", payload: payload, tenantID: source.tenantID,
                                          idempotencyKey: "leads.poll:\(id.uuidString):\(slot)", runAt: runAt, maxAttempts: 2, createdBy: createdBy, on: db)
    }

    /// Makes sure the scheduler job for the next minute exists.
    static func ensureScheduler(on db: any Database, now: Date = Date()) async throws {
        let minute = Int(now.timeIntervalSince1970 / 60) + 1
        try await JobQueue.enqueue(kind: "leads.schedule", tenantID: nil, idempotencyKey: "leads.schedule:\(minute)",
                                   runAt: Date(timeIntervalSince1970: TimeInterval(minute * 60)), maxAttempts: 3, on: db)
    }

    /// Enqueues one poll per due source (idempotent per source and due slot); returns how many.
    /// Every due source is read, in pages by id, so none waits behind a thousand others.
    static func enqueueDue(on db: any Database, now: Date = Date(), pageSize: Int = 500) async throws -> Int {
        var count = 0
        var after: UUID?
        while true {
            var q = LeadSource.query(on: db).filter(\.$kind == .feed).filter(\.$enabled == true)
                .group(.or) { $0.filter(\.$nextPollAt == nil).filter(\.$nextPollAt <= now) }
            if let after { q = q.filter(\.$id > after) }
            let due = try await q.sort(\.$id).limit(pageSize).all()
            for source in due {
                let slot = Int(source.nextPollAt?.timeIntervalSince1970 ?? 0)
                try await enqueuePoll(source, slot: String(slot), on: db)
            }
            count += due.count
            guard due.count == pageSize, let last = due.last?.id else { return count }
            after = last
        }
    }

    static func registerJobs(_ app: Application) {
        app.zhimei.jobs.register("leads.poll_source") { ctx in
            let payload = try ctx.decode(PollPayload.self)
            try await ctx.progress("fetching", 30)
            let outcome = try await poll(sourceID: payload.sourceId, app: ctx.application, db: ctx.db)
            try await ctx.progress(outcome.status, 100)
            return "\(outcome.status): \(outcome.newLeads) new" + (outcome.error.map { " — \($0)" } ?? "")
        }
        // The scheduler: enqueue due polls, then schedule itself for the next minute.
        app.zhimei.jobs.register("leads.schedule") { ctx in
            let count = try await enqueueDue(on: ctx.db)
            try await ensureScheduler(on: ctx.db)
            return "\(count) due"
        }
    }
}

/// Starts the scheduler when the application boots and feed sources exist (best effort).
struct LeadsScheduleLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        do {
            if try await LeadSource.query(on: application.db).filter(\.$kind == .feed).count() > 0 {
                try await FeedPoller.ensureScheduler(on: application.db)
            }
        } catch {
            application.logger.debug("leads scheduler not started: \(error)")
        }
    }
}
