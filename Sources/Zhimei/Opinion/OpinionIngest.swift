import Fluent
import Foundation
import SQLKit
import Vapor
import ZhimeiText

/// Turns incoming posts into processed, de-duplicated, clustered posts of one tenant, then raises alerts.
///
/// Per batch: posts whose (platform, ID) the tenant already has — or that repeat inside the batch — are counted
/// as duplicates and skipped; a time more than 5 minutes in the future is replaced by the arrival time and flagged;
/// exact duplicates (same content hash) and near duplicates (SimHash ≤ 3) are kept but point at the earlier post
/// and join its event; the rest are clustered online against the tenant's events of the last 72 hours.
enum OpinionIngest {
    struct Result: Sendable {
        var imported = 0
        var duplicates = 0
        var futureTimes = 0
        var ids: [UUID] = []
        var eventIDs: Set<UUID> = []
    }

    static let clusterWindow: TimeInterval = 72 * 3600
    static let futureTolerance: TimeInterval = 300

    /// Analysis tasks per batch: one per core (at most 8); the analysis is pure CPU, the database part is serial.
    static let analysisWorkers = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// One tenant's batches, one at a time.
    static let queue = PerKeySerialQueue()

    /// Ingests one batch; batches of one tenant run one at a time (`queue`).
    static func ingest(_ items: [IncomingPost], tenantID: UUID, sourceID: UUID?, analyzer: PostAnalyzer,
                       on db: any Database, now: Date = Date()) async throws -> Result {
        try await queue.run(tenantID) {
            try await ingestUnqueued(items, tenantID: tenantID, sourceID: sourceID, analyzer: analyzer, on: db, now: now)
        }
    }

    /// One batch without the in-process queue, as another process would run it beside this one.
    static func ingestUnqueued(_ items: [IncomingPost], tenantID: UUID, sourceID: UUID?, analyzer: PostAnalyzer,
                               on db: any Database, now: Date = Date()) async throws -> Result {
        do {
            return try await ingestAlone(items, tenantID: tenantID, sourceID: sourceID, analyzer: analyzer, on: db, now: now)
        } catch {
            // Another process stored some of these posts first and the unique index (migration 094) refused the
            // batch: read it again, and what was stored meanwhile counts as duplicates. Any other error stands.
            guard try await anyStored(items, tenantID: tenantID, on: db) else { throw error }
            return try await ingestAlone(items, tenantID: tenantID, sourceID: sourceID, analyzer: analyzer, on: db, now: now)
        }
    }

    /// A post's identity: its ID, or one generated from the content when the export has none.
    static func identity(_ item: IncomingPost) -> String {
        item.externalID ?? ("h" + String(PostAnalyzer.contentHash(item.author + "|" + item.text), radix: 16))
    }

    /// A post's key within its tenant: platform and identity.
    static func key(platform: String, identity: String) -> String { platform + "\u{1}" + identity }

    /// The keys of the tenant's stored posts among these (platform, identity) pairs.
    /// Looked up per platform through the whole unique key (tenant, platform, external_id): with the tenant alone the
    /// index range was every post of the tenant, read once per 300 identities (0.18 s at 1,100,000 posts, so an import
    /// into a big tenant slowed with its size).
    static func storedKeys(_ posts: [(platform: String, identity: String)], tenantID: UUID, on db: any Database) async throws -> Set<String> {
        var stored = Set<String>()
        let byPlatform = Dictionary(grouping: posts, by: \.platform).mapValues { Array(Set($0.map(\.identity))).sorted() }
        for (platform, identities) in byPlatform.sorted(by: { $0.key < $1.key }) {
            for chunk in identities.chunked(300) {
                for row in try await sqlDatabase(db).raw(storedIdentities(tenantID: tenantID, platform: platform, among: chunk)).all() {
                    stored.insert(key(platform: platform, identity: try row.decode(column: "external_id", as: String.self)))
                }
            }
        }
        return stored
    }

    /// The statement of `storedKeys` for one platform: which of these identities the tenant has stored.
    static func storedIdentities(tenantID: UUID, platform: String, among identities: [String]) -> SQLQueryString {
        let ids: [any Encodable & Sendable] = identities
        return """
            SELECT external_id FROM opinion_posts
            WHERE tenant_id = \(bind: tenantID) AND platform = \(bind: platform) AND external_id IN (\(binds: ids))
            """
    }

    /// Whether the tenant already has any of these posts.
    static func anyStored(_ items: [IncomingPost], tenantID: UUID, on db: any Database) async throws -> Bool {
        let stored = try await storedKeys(items.map { ($0.platform, identity($0)) }, tenantID: tenantID, on: db)
        return items.contains { stored.contains(key(platform: $0.platform, identity: identity($0))) }
    }

    private static func ingestAlone(_ items: [IncomingPost], tenantID: UUID, sourceID: UUID?, analyzer: PostAnalyzer,
                                    on db: any Database, now: Date) async throws -> Result {
        var result = Result()
        guard !items.isEmpty else { return result }
        // 1. Identity: generated from the content when the export has no ID.
        var seen = Set<String>()
        var fresh: [(IncomingPost, String)] = []
        let identities = items.map(identity)
        let existing = try await storedKeys(zip(items, identities).map { ($0.platform, $1) }, tenantID: tenantID, on: db)
        for (item, identity) in zip(items, identities) {
            let postKey = key(platform: item.platform, identity: identity)
            if existing.contains(postKey) || !seen.insert(postKey).inserted { result.duplicates += 1; continue }
            fresh.append((item, identity))
        }
        guard !fresh.isEmpty else { return result }

        // 2. Analysis (CPU only), with the tenant's fact-base names and scheme terms as whole words.
        let schemes = try await OpinionSchemes.matchers(tenantID: tenantID, on: db)
        let facts = try await OpinionFactEntities.load(tenantID: tenantID, on: db)
        let tenantAnalyzer = analyzer.adding(words: facts.words + schemes.flatMap { $0.rule.terms.map { (word: $0, tag: "nz") } })
        let analyses = await tenantAnalyzer.analyze(fresh.map { (text: $0.0.text, regionHint: $0.0.region) }, workers: analysisWorkers)

        // 3. State: recent events and fingerprints of the tenant, exact-duplicate hashes, schemes.
        var clusterer = EventClusterer()
        var events: [OpinionEvent] = []
        let recent = try await OpinionEvent.query(on: db).filter(\.$tenantID == tenantID).filter(\.$status == "open")
            .filter(\.$lastAt >= now.addingTimeInterval(-clusterWindow)).sort(\.$lastAt, .descending).limit(300).all()
        var eventIndex: [UUID: Int] = [:]
        var fingerprintsByEvent: [UUID: [UInt64]] = [:]
        var postIndexOwner: [UUID] = []   // clusterer post index → post ID (seeded posts first)
        if !recent.isEmpty {
            let rows = try await newestPosts(of: recent.compactMap(\.id), on: sqlDatabase(db))
            var postsByEvent: [UUID: [UUID]] = [:]
            for row in rows {
                let event = try row.decode(column: "event_id", as: UUID.self)
                fingerprintsByEvent[event, default: []].append(UInt64(bitPattern: try row.decode(column: "simhash", as: Int64.self)))
                postsByEvent[event, default: []].append(try row.decode(column: "id", as: UUID.self))
            }
            for e in recent {
                guard let id = e.id else { continue }
                eventIndex[id] = clusterer.seed(terms: e.termWeights, count: e.postCount, fingerprints: fingerprintsByEvent[id] ?? [])
                events.append(e)
                postIndexOwner += postsByEvent[id] ?? []
            }
        }
        var hashOwner: [String: (UUID, UUID?)] = [:]
        let hashes = Array(Set(analyses.map { String($0.contentHash, radix: 16) }))
        for chunk in hashes.chunked(300) {
            let values: [any Encodable & Sendable] = chunk
            for row in try await sqlDatabase(db).raw("""
                SELECT id, content_hash, event_id FROM opinion_posts WHERE tenant_id = \(bind: tenantID) AND content_hash IN (\(binds: values))
                """).all() {
                let hash = try row.decode(column: "content_hash", as: String.self)
                if hashOwner[hash] == nil {
                    hashOwner[hash] = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "event_id", as: UUID?.self))
                }
            }
        }

        // 4. Posts.
        var posts: [OpinionPost] = []
        posts.reserveCapacity(fresh.count)
        for ((item, identity), a) in zip(fresh, analyses) {
            let post = OpinionPost()
            post.id = UUID()
            post.tenantID = tenantID
            post.sourceID = sourceID
            post.platform = item.platform
            post.externalID = identity
            post.author = item.author
            post.text = item.text
            post.textSimplified = a.simplified
            post.language = a.language
            post.url = item.url
            post.receivedAt = now
            if let t = item.postedAt, t > now.addingTimeInterval(futureTolerance) {
                post.postedAt = now; post.futureTime = true; result.futureTimes += 1
            } else {
                post.postedAt = item.postedAt ?? now; post.futureTime = false
            }
            post.repostOf = item.repostOf
            post.replyTo = item.replyTo
            post.likes = item.likes; post.reposts = item.reposts; post.comments = item.comments
            post.contentHash = String(a.contentHash, radix: 16)
            post.simhash = Int64(bitPattern: a.simhash)
            post.sentiment = a.sentiment.label.rawValue
            post.sentimentScore = a.sentiment.score
            post.keywords = a.keywords.map(\.word)
            post.entities = facts.merge(facts.find(in: a.simplified), a.entities)
            post.region = a.region
            let lowered = a.simplified.lowercased()
            post.schemeIDs = schemes.filter { $0.matches(text: lowered, region: a.region, platform: item.platform, source: sourceID) }.map(\.id.uuidString)

            let assignment = clusterer.add(keywords: a.keywords, simhash: a.simhash)
            if let exact = hashOwner[post.contentHash] {
                post.duplicateOf = exact.0
            } else if let near = assignment.nearDuplicateOf, postIndexOwner.indices.contains(near) {
                post.duplicateOf = postIndexOwner[near]
            }
            hashOwner[post.contentHash] = hashOwner[post.contentHash] ?? (post.id!, nil)
            postIndexOwner.append(post.id!)
            let event: OpinionEvent
            if assignment.event < events.count {
                event = events[assignment.event]
            } else {
                event = newEvent(tenantID: tenantID, title: title(of: a.simplified), at: post.postedAt, now: now)
                events.append(event)
            }
            post.eventID = event.id
            count(post, into: event, now: now)
            posts.append(post)
            result.eventIDs.insert(event.id!)
        }

        // 5. Save.
        for (i, e) in events.enumerated() where result.eventIDs.contains(e.id!) {
            e.terms = clusterer.topTerms(i, EventClusterer.centroidTerms).map { "\($0.0):\(String(format: "%.4f", $0.1))" }
        }
        let toSave = posts, touched = events.filter { result.eventIDs.contains($0.id!) }
        try await db.transaction { tx in
            try await insert(toSave, on: tx)
            for e in touched { try await e.save(on: tx) }
            if let sourceID, let source = try await OpinionSource.find(sourceID, on: tx) {
                source.postsReceived = source.postsReceived &+ toSave.count
                if !toSave.isEmpty { source.lastReceivedAt = Date() }
                try await source.save(on: tx)
            }
        }
        result.imported = posts.count
        result.ids = posts.compactMap(\.id)
        return result
    }

    /// Fingerprints seeded per event into the clusterer (about 3,000 in all, at least 10 per event).
    static func seedPostsPerEvent(_ events: Int) -> Int { max(10, 3_000 / max(1, events)) }

    /// The newest posts (by stated time) of each of `eventIDs`, `seedPostsPerEvent` each: id, event_id and simhash.
    /// Each event's own range of the (event_id, posted_at) index is read backwards, so the cost does not grow with
    /// the tenant's posts. There is no tenant condition: the events are the tenant's already, and given one SQLite
    /// walked the tenant's (tenant_id, posted_at) index instead. Before, one query took the 3,000 newest arrivals of all
    /// the events together, which read and sorted every post of them per batch (0.8 s per 500-post batch at 200,000
    /// posts, 2026-12-06).
    /// Raw rows, not models: this runs per batch, and decoding 3,000 models cost more than the query.
    static func newestPosts(of eventIDs: [UUID], on sql: any SQLDatabase) async throws -> [any SQLRow] {
        let k = seedPostsPerEvent(eventIDs.count)
        var rows: [any SQLRow] = []
        // SQLite allows 500 terms in a compound SELECT
        for chunk in eventIDs.chunked(250) {
            var query = SQLQueryString("")
            for (i, id) in chunk.enumerated() {
                if i > 0 { query = query + " UNION ALL " }
                query = query + "SELECT * FROM (SELECT id, event_id, simhash FROM opinion_posts WHERE event_id = \(bind: id) "
                    + "ORDER BY posted_at DESC LIMIT \(literal: k)) AS e\(unsafeRaw: String(i))"
            }
            rows += try await sql.raw(query).all()
        }
        return rows
    }

    /// The SQL side of a database (every database Zhimei runs on is one); the hot paths of ingest use it directly.
    static func sqlDatabase(_ db: any Database) throws -> any SQLDatabase { try db.sql() }

    /// The columns of `opinion_posts` that `insert` writes: every field of `OpinionPost`.
    static let postColumns = ["id", "tenant_id", "source_id", "platform", "external_id", "author", "text", "text_simplified",
                              "language", "url", "posted_at", "received_at", "future_time", "repost_of", "reply_to", "likes",
                              "reposts", "comments", "content_hash", "simhash", "duplicate_of", "sentiment", "sentiment_score",
                              "keywords", "entities", "region", "event_id", "scheme_ids"]

    /// Stores new posts, 200 rows per statement, and adds them to the hourly counts (call it in a transaction).
    /// Written with SQLKit rather than `Model.create`: Fluent reflects over each model's properties several times per
    /// row, which was a quarter of an import's CPU (perf, 2026-12-04). The values are bound with the same encoders
    /// Fluent uses, so the rows are the same.
    static func insert(_ posts: [OpinionPost], on db: any Database) async throws {
        for chunk in posts.chunked(200) {
            var builder = try sqlDatabase(db).insert(into: OpinionPost.schema).columns(postColumns)
            for p in chunk {
                let values: [any Encodable & Sendable] = [
                    p.id, p.tenantID, p.sourceID, p.platform, p.externalID, p.author, p.text, p.textSimplified,
                    p.language, p.url, p.postedAt, p.receivedAt, p.futureTime, p.repostOf, p.replyTo, p.likes,
                    p.reposts, p.comments, p.contentHash, p.simhash, p.duplicateOf, p.sentiment, p.sentimentScore,
                    p.keywords, p.entities, p.region, p.eventID, p.schemeIDs]
                builder = builder.values(values)
            }
            try await builder.run()
        }
        try await OpinionHourlyCounts.add(posts, on: sqlDatabase(db))
    }

    static func newEvent(tenantID: UUID, title: String, at: Date, now: Date) -> OpinionEvent {
        let e = OpinionEvent()
        e.id = UUID()
        e.tenantID = tenantID
        e.title = title
        e.terms = []
        e.postCount = 0; e.positive = 0; e.neutral = 0; e.negative = 0
        e.firstAt = at; e.lastAt = at
        e.status = "open"
        e.risk = 0; e.heat = 0
        e.createdAt = now; e.updatedAt = now
        return e
    }

    static func count(_ post: OpinionPost, into e: OpinionEvent, now: Date) {
        e.postCount &+= 1
        switch post.sentiment {
        case "positive": e.positive &+= 1
        case "negative": e.negative &+= 1
        default: e.neutral &+= 1
        }
        if post.postedAt < e.firstAt { e.firstAt = post.postedAt }
        if post.postedAt > e.lastAt { e.lastAt = post.postedAt }
        e.updatedAt = now
    }

    /// An event's title, from its first post: the post's topic when it names one — a Weibo-style #话题# or a
    /// 【headline】 — else its first sentence without links and @mentions; at most 60 characters.
    static func title(of text: String) -> String {
        var plain = text.replacingOccurrences(of: #"https?://\S+"#, with: " ", options: .regularExpression)
            .replacingOccurrences(of: "＃", with: "#")
        if let topic = enclosed(in: plain, open: "#", close: "#") ?? enclosed(in: plain, open: "【", close: "】") { return String(topic.prefix(60)) }
        plain = plain.replacingOccurrences(of: #"@[^\s:：,，。!！?？@]{1,30}[:：]?"#, with: " ", options: .regularExpression)
        plain = plain.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
        let end = plain.firstIndex { "。！？!?\n".contains($0) } ?? plain.endIndex
        let sentence = plain[..<end].trimmingCharacters(in: .whitespacesAndNewlines)
        let title = sentence.isEmpty ? (plain.isEmpty ? text.trimmingCharacters(in: .whitespacesAndNewlines) : plain) : sentence
        return String(title.prefix(60))
    }

    /// The first text between `open` and `close` that reads as a topic (2–30 characters, not blank), trimmed.
    private static func enclosed(in text: String, open: Character, close: Character) -> String? {
        var rest = text[...]
        while let start = rest.firstIndex(of: open) {
            let after = rest.index(after: start)
            guard let end = rest[after...].firstIndex(of: close) else { return nil }
            let inner = rest[after..<end].trimmingCharacters(in: .whitespacesAndNewlines)
            if (2...30).contains(inner.count), !inner.contains("\n") { return inner }
            rest = rest[rest.index(after: end)...]
        }
        return nil
    }
}
