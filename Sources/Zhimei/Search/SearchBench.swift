import Fluent
import Foundation
import SQLKit
import Vapor

/// `zhimei bench search`: bulk indexing speed, query latency from concurrent clients and index size per article,
/// against the database's own LIKE (SQLite) / pg_trgm (PostgreSQL) search on the same queries in the same run.
public enum SearchBenchmark {
    public struct Options: Sendable {
        public var articles = 5_000
        public var characters = 1_500
        public var queries = 400
        /// Queries of the baseline (nil: the same as `queries`); on a million articles each LIKE query scans gigabytes.
        public var baselineQueries: Int?
        public var clients = 8
        /// More numbers of clients to run the full-text queries with, on the same index (after the main measurement).
        public var alsoClients: [Int] = []
        public var tenants = 10
        public var seed: UInt64 = 20_260_101
        public var postgres: String?
        public var skipSQLite = false
        /// Also merge the FTS5 segments after the load (timed) and run the queries again.
        public var optimize = false
        /// SQLite: keep the database in this directory, and reuse an index already holding `articles` rows there (query
        /// experiments on a large corpus without indexing it again).
        public var databaseDirectory: String?
        /// PostgreSQL: use this schema and keep it; an index already there with `articles` rows is reused (an index of a
        /// million articles takes an hour to build there).
        public var postgresSchema: String?
        /// Tasks that generate and analyse the next batches while one is written (nil: every core but the writer's).
        public var analysisWorkers: Int?
        /// Also run the queries with facet counts, as the search page does: in one pass with the ranking (shipped) and
        /// with a second full-text pass for the counts (before), side by side.
        public var facets = false
        public init() {}
    }

    struct Latency {
        var samples: [Double]
        func p(_ q: Double) -> Double {
            guard !samples.isEmpty else { return 0 }
            let s = samples.sorted()
            return s[min(s.count - 1, max(0, Int((Double(s.count) * q).rounded(.up)) - 1))]
        }
        var line: String { String(format: "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms (n=%d)", p(0.5), p(0.95), p(0.99), samples.count) }
    }

    static func ms(_ start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    /// Runs the benchmark on SQLite (a temporary file) and, with a URL, on PostgreSQL (a fresh schema); returns the report.
    public static func run(_ o: Options, textData: String, log: @escaping @Sendable (String) -> Void) async throws -> String {
        let corpus = try SearchCorpus(dictionary: textData + "/dict.txt")
        var report = ["zhimei bench search — \(o.articles) articles × ~\(o.characters) chars, \(o.queries) two-word queries with one filter, \(o.clients) clients"]
        if !o.skipSQLite { report += try await backend(nil, o, corpus: corpus, textData: textData, log: log) }
        if let url = o.postgres { report += try await backend(url, o, corpus: corpus, textData: textData, log: log) }
        return report.joined(separator: "\n")
    }

    static func backend(_ url: String?, _ o: Options, corpus: SearchCorpus, textData: String, log: @escaping @Sendable (String) -> Void) async throws -> [String] {
        let keep = url == nil ? o.databaseDirectory : nil
        let dir = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-bench-\(UUID().uuidString.prefix(8))").path
        var env = ["ZHIMEI_DATA_DIR": dir, "ZHIMEI_TEXT_DATA": textData, "ZHIMEI_LOG_LEVEL": "warning"]
        let schema = o.postgresSchema ?? "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        let dropSchema = o.postgresSchema == nil
        if let url { env["DATABASE_URL"] = url; env["ZHIMEI_PG_SCHEMA"] = schema }
        let settings = Settings.load(environment: env)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        return try await Bootstrap.withApplication(settings) { app in
            let sql = try SearchIndex.sql(app.db)
            if url != nil { try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run() }
            do {
                let lines = try await measureBackend(app, sql: sql, url: url, o, corpus: corpus, log: log)
                if url != nil && dropSchema { try await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run() }
                return lines
            } catch {
                // The schema is dropped before the app shuts down (a detached drop used to be lost, leaving schemas behind).
                if url != nil && dropSchema { try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run() }
                log("\(url == nil ? "SQLite" : "PostgreSQL") bench failed: \(String(reflecting: error))")
                throw error
            }
        }
    }

    /// Indexes the corpus, runs the queries and the baseline on one backend; returns the report lines.
    static func measureBackend(_ app: Application, sql: any SQLDatabase, url: String?, _ o: Options, corpus: SearchCorpus,
                               log: @escaping @Sendable (String) -> Void) async throws -> [String] {
        let settings = app.zhimei.settings
        try await app.autoMigrate()
        let name = url == nil ? "SQLite FTS5" : "PostgreSQL tsvector+GIN"
        let before = try await storageBytes(sql, pg: url != nil, settings: settings)
        let analyzer = try await SearchService.analyzer(app)
        // Tenants from the seed, so a reused index (--database-dir) is queried with the same filters.
        var tr = SearchCorpus.Random(seed: o.seed ^ 0x7E4A)
        let tenants = (0..<o.tenants).map { _ in UUID(uuid: Self.uuidBytes(&tr)) }
        let reusing = url == nil ? o.databaseDirectory : o.postgresSchema
        let reused = reusing != nil ? try await SearchIndex.count(on: app.db) : 0
        if reused > 0 && reused != o.articles {
            throw AppError(.badRequest, "bench_reuse", zh: "已有索引有 \(reused) 篇，与 --articles 不符", en: "The index there holds \(reused) articles, not --articles")
        }
        // Bulk indexing as a pipeline: while one batch is written (one writer), the next two are generated and analysed
        // on every core but the writer's. The rate is wall-clock over the whole loop, so it includes generating the
        // corpus (a lower bound).
        let batch = 2_000
        let starts = reused > 0 ? [] : Array(stride(from: 0, to: o.articles, by: batch))
        let articles = o.articles, characters = o.characters, seed = o.seed
        let workers = max(1, o.analysisWorkers ?? SearchParallel.bulkWorkers)
        @Sendable func prepare(_ start: Int) async -> (rows: [IndexedRow], generateMs: Double, analyseMs: Double) {
            let t0 = ContinuousClock.now
            // Generated on the analysis tasks too, so making the corpus does not hold the pipeline back.
            let docs = await SearchParallel.map(Array(start..<min(start + batch, articles)), workers: workers, state: { _ in () }) { _, i -> SearchDocument in
                let a = corpus.article(i, seed: seed, characters: characters)
                let date = Date(timeIntervalSince1970: 1_700_000_000 + Double(i % 700) * 86_400)
                return SearchDocument(kind: i % 5 == 0 ? "lead" : "story", sourceID: UUID(), tenantID: tenants[i % tenants.count], title: a.title,
                                      lead: a.lead, body: a.body, tags: a.tags, category: ["时政", "经济", "社会", "文化"][i % 4], author: a.author,
                                      state: i % 3 == 0 ? "published" : "draft", date: date, updatedAt: date)
            }
            let generated = ms(t0)
            let t1 = ContinuousClock.now
            let rows = await SearchService.analyze(docs, analyzer: analyzer, workers: workers)
            return (rows, generated, ms(t1))
        }
        struct Totals: Sendable { var generateMs = 0.0, analyseMs = 0.0, writeMs = 0.0, rowsMs = 0.0, ftsMs = 0.0 }
        let started = ContinuousClock.now
        // The same bulk path as `zhimei search reindex` (SearchBulkLoad: one connection, FTS rows per batch).
        let totals = try await SearchBulkLoad.session(on: app.db) { bulk in
            var t = Totals()
            // Two batches ahead, so the analysis still has work while the writer catches up with a slow commit.
            var queue = starts.prefix(2).map { s in Task { await prepare(s) } }
            for (n, start) in starts.enumerated() {
                guard !queue.isEmpty else { break }
                let ready = await queue.removeFirst().value
                if n + 2 < starts.count { let s = starts[n + 2]; queue.append(Task { await prepare(s) }) }
                t.generateMs += ready.generateMs; t.analyseMs += ready.analyseMs
                let t1 = ContinuousClock.now
                let timing = try await bulk.write(ready.rows)
                t.writeMs += ms(t1); t.rowsMs += timing.rowsMs; t.ftsMs += timing.ftsMs
                if n % 10 == 0 { log("\(name): indexed \(start + ready.rows.count)/\(o.articles)") }
            }
            return t
        }
        let wallMs = ms(started)
        let rate = Double(o.articles) / (wallMs / 1000)
        let after = try await storageBytes(sql, pg: url != nil, settings: settings)
        var lines = ["", "== \(name) ==", reused > 0 ? "(index reused from \(reusing ?? ""): the indexing lines below are not a measurement)" : "",
                     String(format: "bulk indexing: %.0f articles/s (wall %.1f s incl. generating the corpus %.1f s; analysis %.1f s on %d worker(s), overlapped with writes %.1f s)",
                            rate, wallMs / 1000, totals.generateMs / 1000, totals.analyseMs / 1000, workers, totals.writeMs / 1000),
                     String(format: "writes: %.1f s rows (incl. replacing), %.1f s full-text index; writer alone %.0f articles/s",
                            totals.rowsMs / 1000, totals.ftsMs / 1000, Double(o.articles) / max(0.001, totals.writeMs / 1000)),
                     reused > 0 ? String(format: "size of the reused index: %.0f bytes/article (%@, incl. stored text)", Double(after) / Double(max(1, o.articles)),
                                         url == nil ? "the whole database file" : "the documents table with its indexes")
                                : String(format: "index size: %.0f bytes/article (table + full-text index, incl. stored text)", Double(after - before) / Double(max(1, o.articles)))]
        // Each line also goes to the log as it is measured, so that a long run stopped before its end keeps its figures.
        for line in lines where !line.isEmpty { log(line) }
        func emit(_ line: String) {
            lines.append(line)
            log(line)
        }
        if url != nil, let gin = try await sql.raw("SELECT pg_relation_size('search_documents_tsv') AS n").first()?.decode(column: "n", as: Int.self) {
            emit(String(format: "GIN index alone: %.0f bytes/article", Double(gin) / Double(max(1, o.articles))))
        }
        // Queries: two mid-frequency nouns and one filter (a tenant, a type or a state).
        var r = SearchCorpus.Random(seed: o.seed ^ 0xABCD)
        let queries: [(String, String, SearchRequest)] = (0..<o.queries).map { i in
            let a = corpus.queryWords[r.below(corpus.queryWords.count)], b = corpus.queryWords[r.below(corpus.queryWords.count)]
            var req = SearchRequest()
            req.query = SearchQuery.parse(a + " " + b)
            req.facets = false
            req.limit = 20
            switch i % 3 {
            case 0: req.tenants = [tenants[r.below(tenants.count)]]
            case 1: req.kinds = ["story"]
            default: req.states = ["published"]
            }
            return (a, b, req)
        }
        let visibility = SearchVisibility.everything(["story", "lead"])
        // Queries run where the product runs them: on the search connections of the least busy event loop.
        let onSearch: @Sendable (@Sendable (any Database) async throws -> Int) async throws -> Int = { body in
            try await app.zhimei.searchConnections.run(app, fallback: app.db, body)
        }
        let synonyms: [String: [String]] = [:]
        var hits = 0
        if url == nil {
            // The filter table's values are read into memory once (SearchDocValues); timed apart from the queries.
            let t0 = ContinuousClock.now
            try await SearchDocValues.warm(app)
            emit(String(format: "in-memory filter values: loaded in %.2f s", ms(t0) / 1000))
        }
        let fts = try await measure(queries, clients: o.clients) { q in
            let analyzed = AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms)
            return try await onSearch { db in try await SearchEngine.run(q.2, analyzed: analyzed, visibility: visibility, on: db).total }
        }
        hits = fts.1
        emit("full-text: \(fts.0.line), \(hits) matches in total")
        for clients in o.alsoClients {
            let more = try await measure(queries, clients: clients) { q in
                try await onSearch { db in try await SearchEngine.run(q.2, analyzed: AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms), visibility: visibility, on: db).total }
            }
            emit("full-text, \(clients) client(s): \(more.0.line), \(more.1) matches in total")
        }
        if url == nil {
            // the same queries joining the filter table per match, as before the in-memory values
            let joined = try await measure(queries, clients: o.clients) { q in
                let analyzed = AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms)
                return try await onSearch { db in try await SearchEngine.run(q.2, analyzed: analyzed, visibility: visibility, on: db, docValues: false).total }
            }
            emit("full-text joining the filter table instead: \(joined.0.line), \(joined.1) matches in total")
        }
        if o.facets {
            let onePass = try await measure(queries, clients: o.clients) { q in
                let req = { var r = q.2; r.facets = true; return r }()
                return try await onSearch { db in try await SearchEngine.run(req, analyzed: AnalyzedQuery(req.query, analyzer: analyzer, synonyms: synonyms), visibility: visibility, on: db).total }
            }
            let twoPasses = try await measure(queries, clients: o.clients) { q in
                let analyzed = AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms)
                return try await onSearch { db in
                    let total = try await SearchEngine.run(q.2, analyzed: analyzed, visibility: visibility, on: db).total
                    _ = try await SearchEngine.facetsInASecondPass(q.2, analyzed: analyzed, visibility: visibility, on: db)
                    return total
                }
            }
            emit("with facets, one pass: \(onePass.0.line); with a second pass for the facets: \(twoPasses.0.line)")
            emit(String(format: "ratio second pass/one pass: p50 ×%.2f, p99 ×%.2f (matches %d / %d)", twoPasses.0.p(0.5) / max(0.001, onePass.0.p(0.5)),
                                twoPasses.0.p(0.99) / max(0.001, onePass.0.p(0.99)), onePass.1, twoPasses.1))
        }
        if o.optimize && url == nil {
            let t0 = ContinuousClock.now
            try await SearchBulkLoad.session(on: app.db) { bulk in try await bulk.optimize() }
            emit(String(format: "FTS5 optimize (merge into one segment): %.1f s", ms(t0) / 1000))
            let merged = try await measure(queries, clients: o.clients) { q in
                try await onSearch { db in try await SearchEngine.run(q.2, analyzed: AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms), visibility: visibility, on: db).total }
            }
            emit("full-text after optimize: \(merged.0.line), \(merged.1) matches in total")
        }
        if url != nil {
            // pg_trgm lives in one schema per database: create it in public, and name its operator class by the schema
            // it is really in (an extension left in another schema made the index fail with "operator class does not exist").
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").run()
            let home = try await sql.raw("SELECT n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
                .first()?.decode(column: "s", as: String.self) ?? "public"
            let t0 = ContinuousClock.now
            let existing = try await sql.raw("SELECT 1 AS n FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'search_bench_trgm'").first() != nil
            if !existing {
                try await sql.raw("CREATE INDEX search_bench_trgm ON search_documents USING GIN ((title || ' ' || body) \(ident: home).gin_trgm_ops)").run()
            }
            emit(existing ? "pg_trgm index: reused" : String(format: "pg_trgm index build: %.1f s", ms(t0) / 1000))
        }
        let baselineSet = Array(queries.prefix(o.baselineQueries ?? queries.count))
        let base = try await measure(baselineSet, clients: o.clients) { q in try await onSearch { db in try await baseline(q, pg: url != nil, sql: try SearchIndex.sql(db)) } }
        let ftsSame = baselineSet.count == queries.count ? fts.1 : try await measure(baselineSet, clients: o.clients) { q in
            try await onSearch { db in try await SearchEngine.run(q.2, analyzed: AnalyzedQuery(q.2.query, analyzer: analyzer, synonyms: synonyms), visibility: visibility, on: db).total }
        }.1
        emit("baseline (\(url == nil ? "LIKE '%…%'" : "pg_trgm ILIKE")): \(base.0.line), \(base.1) matches in total (full-text: \(ftsSame) on the same queries)")
        emit(String(format: "ratio baseline/full-text: p50 ×%.1f, p99 ×%.1f", base.0.p(0.5) / max(0.001, fts.0.p(0.5)), base.0.p(0.99) / max(0.001, fts.0.p(0.99))))
        return lines
    }

    static func uuidBytes(_ r: inout SearchCorpus.Random) -> uuid_t {
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { b[i] = UInt8(r.below(256)) }
        b[6] = (b[6] & 0x0F) | 0x40; b[8] = (b[8] & 0x3F) | 0x80
        return (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
    }

    /// The database's own substring search: both words in title or body, the same filter, newest first, page of 20 + count.
    static func baseline(_ q: (String, String, SearchRequest), pg: Bool, sql: any SQLDatabase) async throws -> Int {
        let like = pg ? "ILIKE" : "LIKE"
        let text: SQLQueryString = pg ? "(title || ' ' || body)" : "(title || ' ' || body)"
        var filter: SQLQueryString = "1=1"
        if let t = q.2.tenants.first { filter = "tenant_id = \(bind: t.uuidString.lowercased())" }
        if let k = q.2.kinds.first { filter = "kind = \(bind: k)" }
        if let s = q.2.states.first { filter = "state = \(bind: s)" }
        let whereClause: SQLQueryString = "WHERE " + text + " \(unsafeRaw: like) \(bind: "%" + q.0 + "%") AND " + text + " \(unsafeRaw: like) \(bind: "%" + q.1 + "%") AND " + filter
        _ = try await sql.raw("SELECT id, title, doc_date FROM search_documents " + whereClause + " ORDER BY doc_date DESC LIMIT 20").all()
        return try await sql.raw("SELECT COUNT(*) AS n FROM search_documents " + whereClause).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Runs the queries from `clients` concurrent tasks; returns latencies and the sum of the results' counts.
    static func measure<Q: Sendable>(_ queries: [Q], clients: Int, _ body: @escaping @Sendable (Q) async throws -> Int) async throws -> (Latency, Int) {
        let n = max(1, clients)
        return try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for c in 0..<n {
                let mine = stride(from: c, to: queries.count, by: n).map { queries[$0] }
                group.addTask {
                    var samples: [Double] = [], total = 0
                    for q in mine {
                        let t0 = ContinuousClock.now
                        total += try await body(q)
                        samples.append(ms(t0))
                    }
                    return (samples, total)
                }
            }
            var all: [Double] = [], total = 0
            for try await (s, t) in group { all += s; total += t }
            return (Latency(samples: all), total)
        }
    }

    static func storageBytes(_ sql: any SQLDatabase, pg: Bool, settings: Settings) async throws -> Int {
        if pg {
            return try await sql.raw("SELECT pg_total_relation_size('search_documents') AS n").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        let pages = try await sql.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 0
        let size = try await sql.raw("PRAGMA page_size").first()?.decode(column: "page_size", as: Int.self) ?? 4096
        return pages * size
    }
}
