import Fluent
import Foundation
import Vapor

/// Index upkeep (analyse, write, sync by watermark, reindex, consistency check) and searching.
public enum SearchService {
    /// The analyzer over the shared text engine (503 with a clear message when its data is missing).
    static func analyzer(_ app: Application) async throws -> SearchAnalyzer {
        var analyzer = SearchAnalyzer(engine: try await app.text.engine())
        analyzer.pinyin = SearchPinyin.load(textData: app.zhimei.settings.textDataDirectory)
        return analyzer
    }

    /// Analyses documents on `workers` tasks, every core by default (in small chunks, so other work on the cooperative
    /// pool is not starved).
    public static func analyze(_ docs: [SearchDocument], analyzer: SearchAnalyzer,
                               workers: Int = ProcessInfo.processInfo.activeProcessorCount) async -> [IndexedRow] {
        let converters = SearchAnalyzerScratch.converters
        // One scratch per worker, each with its own OpenCC handle where there are enough (one handle is used under a lock).
        return await SearchParallel.map(docs, workers: workers, state: { n in
            SearchAnalyzerScratch(converter: converters.isEmpty ? nil : converters[n % converters.count])
        }) { scratch, doc in IndexedRow(doc, analyzer: analyzer, scratch: scratch) }
    }

    /// Analyses and writes documents.
    public static func index(_ docs: [SearchDocument], analyzer: SearchAnalyzer, on db: any Database) async throws {
        try await SearchIndex.upsert(await analyze(docs, analyzer: analyzer), on: db)
    }

    // MARK: Sync

    /// Reads every source's changes since its watermark and indexes them; returns how many documents were written.
    @discardableResult
    static func sync(app: Application, on db: any Database, batch: Int = 500, maxBatches: Int = 200) async throws -> Int {
        let analyzer = try await analyzer(app)
        var written = 0
        for source in app.search.sources {
            let state = try await SearchSyncState.find(source.kind, on: db)
            var mark = state.map { SearchWatermark(updatedAt: $0.updatedAt, id: $0.lastID) } ?? .start
            // The saved mark as stored (see `SearchWatermark.stored`).
            if state != nil { mark.stored = try await SearchWatermark.storedTime(table: SearchSyncState.schema, id: source.kind, on: db)?.stored }
            for _ in 0..<maxBatches {
                let docs = try await source.changes(after: mark, limit: batch, tenant: nil, on: db)
                guard let last = docs.last else { break }
                try await index(docs, analyzer: analyzer, on: db)
                written += docs.count
                mark = try await source.watermark(after: last, on: db)
                if docs.count < batch { break }
            }
            let row = state ?? SearchSyncState()
            row.id = source.kind
            // A Date made from the stored double is written back as exactly that double.
            row.updatedAt = mark.stored.map { Date(timeIntervalSince1970: $0) } ?? mark.updatedAt
            row.lastID = mark.id
            row.syncedAt = Date()
            try await row.save(on: db)
        }
        // The in-memory filter values catch up from the change log; keep it to its newest entries.
        if written > 0 { try await SearchDocValues.prune(try SearchIndex.sql(db)) }
        return written
    }

    /// Rebuilds the index (of one tenant, when given) from every source.
    static func reindex(app: Application, tenant: UUID?, on db: any Database, batch: Int = 1000) async throws -> Int {
        let analyzer = try await analyzer(app)
        try await SearchIndex.clear(tenant: tenant, on: db)
        var written = 0
        // A pipeline: while one batch is written, the next is read and analysed (on every core but the writer's).
        var analysing: Task<[IndexedRow], Never>?
        func writeAnalysed() async throws {
            guard let task = analysing else { return }
            analysing = nil
            let rows = await task.value
            // One bulk session per batch: a running server's requests wait for a pooled connection, so none is held
            // for the whole rebuild.
            _ = try await SearchBulkLoad.session(on: db) { bulk in try await bulk.write(rows) }
            written += rows.count
        }
        for source in app.search.sources {
            var mark = SearchWatermark.start
            while true {
                let docs = try await source.changes(after: mark, limit: batch, tenant: tenant, on: db)
                guard let last = docs.last else { break }
                let next = Task { await analyze(docs, analyzer: analyzer, workers: SearchParallel.bulkWorkers) }
                try await writeAnalysed()
                analysing = next
                mark = try await source.watermark(after: last, on: db)
                if docs.count < batch { break }
            }
        }
        try await writeAnalysed()
        return written
    }

    /// What the consistency check found.
    struct CheckReport: Content {
        var indexed: Int
        var content: Int
        var missing: Int
        var stale: Int
        var orphaned: Int
        var repaired: Bool
    }

    /// Compares the index with the content: missing (content not indexed), stale (indexed before the last change,
    /// or with another state) and orphaned (indexed but gone). With `repair`, fixes all three.
    static func check(app: Application, tenant: UUID?, repair: Bool, on db: any Database) async throws -> CheckReport {
        var report = CheckReport(indexed: 0, content: 0, missing: 0, stale: 0, orphaned: 0, repaired: repair)
        for source in app.search.sources {
            let indexed = try await SearchIndex.stamps(kind: source.kind, tenant: tenant, on: db)
            let stamps = try await source.stamps(tenant: tenant, on: db)
            report.indexed += indexed.count
            report.content += stamps.count
            var fix: [UUID] = []
            var seen = Set<String>()
            for s in stamps {
                let key = "\(source.kind):\(s.sourceID.uuidString.lowercased())"
                seen.insert(key)
                guard let row = indexed[key] else { report.missing += 1; fix.append(s.sourceID); continue }
                if abs(row.updated - s.updatedAt.timeIntervalSince1970) > 0.001 || row.state != s.state {
                    report.stale += 1; fix.append(s.sourceID)
                }
            }
            let orphans = indexed.keys.filter { !seen.contains($0) }
            report.orphaned += orphans.count
            guard repair else { continue }
            try await SearchIndex.delete(keys: orphans, on: db)
            if !fix.isEmpty {
                try await index(try await source.documents(fix, on: db), analyzer: try await analyzer(app), on: db)
            }
        }
        return report
    }

    // MARK: Searching

    /// Synonym groups of the given tenants (nil: all), as word → other words.
    static func synonyms(tenants: Set<UUID>?, on db: any Database) async throws -> [String: [String]] {
        var q = SearchSynonym.query(on: db)
        if let tenants { q = q.filter(\.$tenantID ~~ Array(tenants)) }
        var out: [String: [String]] = [:]
        for group in try await q.limit(2000).all() {
            let words = group.words.map(SearchAnalyzer.simplify)
            for w in words { out[w, default: []].append(contentsOf: words.filter { $0 != w }) }
        }
        return out
    }

    /// Parses nothing (the request carries the parsed query); analyses it with synonyms and runs it.
    static func search(_ r: SearchRequest, visibility: SearchVisibility, app: Application, on db: any Database) async throws -> (SearchOutcome, AnalyzedQuery) {
        let analyzer = try await analyzer(app)
        return try await app.zhimei.searchConnections.run(app, fallback: db) { reads in
            let synonyms = try await synonyms(tenants: visibility.tenants, on: reads)
            let analyzed = AnalyzedQuery(r.query, analyzer: analyzer, synonyms: synonyms)
            return (try await SearchEngine.run(r, analyzed: analyzed, visibility: visibility, on: reads), analyzed)
        }
    }

    // MARK: Jobs

    static let syncKind = "search.sync"
    static let alertsKind = "search.alerts"
    static let reindexKind = "search.reindex"

    /// The reindex job's payload: one tenant, or every tenant when nil.
    struct ReindexPayload: Codable { var tenant: UUID? }

    /// Enqueues the next sync run (one per 30-second slot).
    static func scheduleSync(on db: any Database, now: Date = Date()) async throws {
        let slot = Int(now.timeIntervalSince1970 / 30) + 1
        try await JobQueue.enqueue(kind: syncKind, tenantID: nil, idempotencyKey: "\(syncKind):\(slot)",
                                   runAt: Date(timeIntervalSince1970: TimeInterval(slot * 30)), maxAttempts: 3, on: db)
    }

    static func registerJobs(_ app: Application) {
        app.zhimei.jobs.register(syncKind) { ctx in
            // Alerts look for items changed after their last check; checking "as of" the sync's start never skips
            // an item that changed while the sync ran (it is seen by the next run).
            let started = Date()
            let n = try await sync(app: ctx.application, on: ctx.db)
            let alerts = try await SavedSearchService.runAlerts(app: ctx.application, on: ctx.db, now: started)
            try await scheduleSync(on: ctx.db)
            // Searches then find the in-memory filter values current (SearchDocValues). Best effort: a search that
            // finds them behind catches them up itself, and a failure here must not stop the next sync.
            do { try await SearchDocValues.warm(ctx.application) } catch {
                ctx.application.logger.warning("search filter values not warmed: \(String(reflecting: error))")
            }
            return "\(n) indexed, \(alerts) alerts"
        }
        app.zhimei.jobs.register(reindexKind) { ctx in
            let payload = (try? JSONDecoder().decode(ReindexPayload.self, from: Data(ctx.payload.utf8))) ?? ReindexPayload()
            try await ctx.progress("reindex", 0)
            let n = try await reindex(app: ctx.application, tenant: payload.tenant, on: ctx.db)
            return "\(n) indexed"
        }
    }
}

/// Starts the sync loop when the application boots (best effort).
struct SearchSyncLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard application.environment != .testing else { return }
        do { try await SearchService.scheduleSync(on: application.db) } catch {
            application.logger.debug("search sync not scheduled: \(error)")
        }
    }
}
