import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// In-memory cache of public pages and content-API answers per tenant: the body and every header it is served with.
/// Publish, update, correction and kill drop the tenant's entries in the process that made the change and bump the
/// tenant's generation in `publish_generations`; every serving process polls the generations (not per request) and
/// drops what changed elsewhere. Entries also expire after `ttl`, a backstop if polling fails. An expired entry is
/// refreshed by one request while the others keep getting it for at most another `ttl` (`servable`), so a busy page
/// does not send every concurrent reader to the database at once when it expires.
final class PublicSiteCache: Sendable {
    /// One cached answer.
    struct Entry: Sendable {
        var body: ByteBuffer
        var etag: String
        var status: HTTPResponseStatus
        /// Content type, ETag, Cache-Control and the security headers: built once, copied per answer.
        var headers: HTTPHeaders
        var expires: Date
        /// The same answer encoded for the public edge port (`PublicEdgeServer`), built once with the entry.
        var wire: PublicEdgeWire
    }

    private struct Bucket {
        var tenantID: UUID
        var entries: [String: Entry] = [:]
        /// When a full bucket last dropped its expired entries.
        var sweptAt = Date.distantPast
    }

    private struct State {
        var buckets: [String: Bucket] = [:]   // by tenant slug (what the URL carries)
        /// Bumped by every invalidation: an answer built before an invalidation is not stored after it.
        var epoch: UInt64 = 0
        /// Expired entries one request is rebuilding ("slug\nkey"); cleared by `put` and by invalidation.
        var refreshing: Set<String> = []
    }

    let ttl: TimeInterval
    /// How often a serving process reads the generations (ZHIMEI_SITE_CACHE_POLL_MS, default 500 ms).
    let pollInterval: TimeInterval
    private let state = NIOLockedValueBox(State())
    private let known = NIOLockedValueBox<[UUID: Int64]>([:])
    private let poller = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let polls = NIOLockedValueBox<Int>(0)
    static let maxEntriesPerTenant = 5000
    static let maxKeyLength = 512

    init(ttl: TimeInterval = 10, pollInterval: TimeInterval = 0.5) {
        self.ttl = ttl
        self.pollInterval = pollInterval
    }

    func get(tenant slug: String, key: String) -> Entry? {
        state.withLockedValue { s in
            guard let e = s.buckets[slug]?.entries[key], e.expires > Date() else { return nil }
            return e
        }
    }

    /// For the hot paths (edge port, main-port responder): the fresh entry; or, when it has expired, nil for the first
    /// caller (which rebuilds it through the application) and the expired entry for everyone else while that rebuild
    /// runs — never longer than one more `ttl`, so a stuck rebuild cannot pin an old answer.
    func servable(tenant slug: String, key: String) -> Entry? {
        let now = Date()
        return state.withLockedValue { s in
            guard let e = s.buckets[slug]?.entries[key] else { return nil }
            if e.expires > now { return e }
            guard e.expires.addingTimeInterval(ttl) > now else { return nil }
            return s.refreshing.insert(slug + "\n" + key).inserted ? nil : e
        }
    }

    /// The epoch to pass to `put` (read it before building the answer).
    var epoch: UInt64 { state.withLockedValue { $0.epoch } }

    /// Stores an answer unless the cache was invalidated since `epoch` (the answer may predate the change).
    func put(tenant slug: String, tenantID: UUID, key: String, _ entry: Entry, epoch: UInt64) {
        guard key.utf8.count <= Self.maxKeyLength else { return }
        state.withLockedValue { s in
            guard s.epoch == epoch else { return }
            // Taken out and put back, so the entries are mutated in place (no copy while the state also holds them).
            var bucket = s.buckets.removeValue(forKey: slug).flatMap { $0.tenantID == tenantID ? $0 : nil } ?? Bucket(tenantID: tenantID)
            defer { s.buckets[slug] = bucket }
            // Full: drop what has expired (at most once a second); if still full, keep what is cached and do not store
            // this answer — a stream of distinct URLs (random query strings) must not push the hot pages out.
            if bucket.entries.count >= Self.maxEntriesPerTenant, bucket.entries[key] == nil {
                let now = Date()
                guard now.timeIntervalSince(bucket.sweptAt) >= 1 else { return }
                bucket.sweptAt = now
                bucket.entries = bucket.entries.filter { $0.value.expires.addingTimeInterval(ttl) > now }
                guard bucket.entries.count < Self.maxEntriesPerTenant else { return }
            }
            bucket.entries[key] = entry
            if !s.refreshing.isEmpty { s.refreshing.remove(slug + "\n" + key) }
        }
    }

    /// Drops everything cached for a tenant, in this process.
    func invalidate(tenantID: UUID) {
        state.withLockedValue { s in
            s.epoch &+= 1
            s.buckets = s.buckets.filter { $0.value.tenantID != tenantID }
            s.refreshing = []   // the entries are gone; a rebuild still running is refused by the epoch
        }
    }

    /// Number of answers cached for a tenant (tests, diagnostics).
    func count(tenant slug: String) -> Int { state.withLockedValue { $0.buckets[slug]?.entries.count ?? 0 } }

    // MARK: Generations (across processes)

    /// A publication of the tenant changed: bump its generation for other processes, drop the local entries now.
    static func changed(tenantID: UUID, app: Application, on db: any Database) async throws {
        try await PublishGeneration.bump(tenantID: tenantID, on: db)
        app.publicSiteCache.invalidate(tenantID: tenantID)
    }

    /// Reads every tenant's generation and drops the tenants whose generation moved (or appeared since the last poll).
    /// The first poll is the baseline: it records the generations and then drops everything, so no answer built
    /// before the baseline survives it (answers still being built are refused by the epoch).
    func poll(on db: any Database) async throws {
        let rows = try await PublishGeneration.all(on: db)
        let (changed, baseline) = known.withLockedValue { known -> ([UUID], Bool) in
            let baseline = known.isEmpty && polls.withLockedValue { $0 } == 0
            var changed: [UUID] = []
            for (tenantID, generation) in rows where known[tenantID] != generation {
                known[tenantID] = generation
                changed.append(tenantID)
            }
            return (changed, baseline)
        }
        if baseline {
            state.withLockedValue { s in s.epoch &+= 1; s.buckets = [:]; s.refreshing = [] }
        } else {
            changed.forEach(invalidate(tenantID:))
        }
        polls.withLockedValue { $0 += 1 }
    }

    /// Completed polls (tests wait for one).
    var pollCount: Int { polls.withLockedValue { $0 } }

    /// Starts polling once, when this process first builds a public answer (workers and CLI commands never poll).
    /// The first caller waits for the baseline poll; later calls return at once.
    func startPolling(_ app: Application) async {
        let first = poller.withLockedValue { task -> Bool in
            guard task == nil, pollInterval > 0 else { return false }
            let interval = UInt64(pollInterval * 1_000_000_000)
            task = Task { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: interval)
                    guard let self, !Task.isCancelled else { return }
                    do {
                        try await self.poll(on: app.db)
                    } catch {
                        app.logger.debug("public cache generation poll failed: \(error)")
                    }
                }
            }
            return true
        }
        guard first else { return }
        do { try await poll(on: app.db) } catch { app.logger.debug("public cache baseline poll failed: \(error)") }
    }

    func stopPolling() async {
        let task = poller.withLockedValue { t -> Task<Void, Never>? in defer { t = nil }; return t }
        task?.cancel()
        await task?.value
    }
}

/// Stops the generation poller before the databases shut down.
struct PublicSiteCacheLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.publicSiteCache.stopPolling()
    }
}

/// The per-tenant publication generation (`publish_generations`): one row per tenant, bumped on every change that
/// the public site or content API shows.
enum PublishGeneration {
    static let table = "publish_generations"

    static func bump(tenantID: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        // One statement on SQLite and PostgreSQL; concurrent bumps from several processes never lose an increment.
        try await sql.raw("""
            INSERT INTO \(ident: table) (tenant_id, generation) VALUES (\(bind: tenantID), 1)
            ON CONFLICT (tenant_id) DO UPDATE SET generation = \(ident: table).generation + 1
            """).run()
    }

    static func all(on db: any Database) async throws -> [(UUID, Int64)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.raw("SELECT tenant_id, generation FROM \(ident: table)").all().map {
            (try $0.decode(column: "tenant_id", as: UUID.self), try $0.decode(column: "generation", as: Int64.self))
        }
    }
}

extension Application {
    private struct PublicSiteCacheKey: StorageKey { typealias Value = PublicSiteCache }

    /// The public site's page cache.
    var publicSiteCache: PublicSiteCache {
        // Set once by `PublishingModule.register`; a fallback keeps tools that skip registration from trapping.
        get { storage[PublicSiteCacheKey.self] ?? PublicSiteCache(ttl: 0, pollInterval: 0) }
        set { storage[PublicSiteCacheKey.self] = newValue }
    }
}
