import Fluent
import Foundation
import SQLKit

/// Bulk loading of the search index (reindex and `zhimei bench search`).
///
/// On SQLite a batch goes in as one transaction: the rows (without tokens), then their postings into the contentless FTS5
/// table under the rows' `seq` (066), 4,000 rows per statement. The session keeps one connection with a large page cache,
/// `synchronous=NORMAL` (WAL: no fsync per commit, still crash-safe), a long checkpoint interval, `secure_delete`
/// off and FTS5 merging by 16 segments, and restores all five at the end.
/// PostgreSQL uses the ordinary upsert (its tsvector is a generated column).
public struct SearchBulkLoad: Sendable {
    /// Where a session's write time went (milliseconds), for the bench.
    public struct Timing: Sendable {
        public var rowsMs = 0.0
        public var ftsMs = 0.0
    }

    let db: any Database
    let sqlite: Bool

    /// Page cache of the bulk connection (KiB, as `PRAGMA cache_size=-N`): the id index and the FTS merges re-read
    /// pages that the default 2 MB cache has already dropped.
    static let cacheKiB = 262_144

    /// WAL pages after which a bulk commit checkpoints (default 1,000 = 4 MB, i.e. after every batch of ~30 MB). Each
    /// batch rewrites the same hot pages (B-tree interiors, the key index's leaves, the FTS structure); checkpointing
    /// every ~1 GB instead copies each of them into the database once per many batches, not once per batch.
    static let checkpointPages = 262_144

    /// The session's connection settings (PRAGMA name, value).
    static let sessionPragmas: [(name: String, value: Int)] = [
        ("cache_size", -cacheKiB),
        // NORMAL: in WAL mode no fsync per commit; a crash can lose the last batches but not corrupt the file.
        ("synchronous", 1),
        ("wal_autocheckpoint", checkpointPages),
        // The bundled SQLite zeroes every freed page (SQLITE_SECURE_DELETE). FTS5 frees its merged segments' pages after
        // each batch, so zeroing them wrote them once more through the WAL and the checkpoint: with it off the writer
        // ran ~1.4× faster. What is freed is the index's own copy (merged postings, replaced rows) of content kept in
        // its source tables; the per-row path outside a session keeps the compiled default.
        ("secure_delete", 0),
    ]

    /// FTS5 merges a level's segments into one segment of the next level once the level holds this many (its default
    /// is 4). A bulk load writes one segment per batch, so with 4 every posting of a million articles was rewritten about
    /// 4.5 times by merges (log₄ of 500 batches), with 16 about 2.2 times; queries then read a few more segments.
    static let bulkAutomerge = 16

    /// Runs `body` with a bulk session on one connection; settings are restored afterwards, also on error.
    public static func session<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (SearchBulkLoad) async throws -> T) async throws -> T {
        let sqlite = try SearchIndex.sql(db).dialect.name != "postgresql"
        guard sqlite else { return try await body(SearchBulkLoad(db: db, sqlite: false)) }
        return try await db.withConnection { conn in
            let sql = try SearchIndex.sql(conn)
            // Each setting's value outside the session, read before it is changed and put back afterwards.
            var saved: [(name: String, value: Int)] = []
            for pragma in SearchBulkLoad.sessionPragmas {
                let name = pragma.name
                if let old = try await sql.raw(SQLQueryString("PRAGMA \(unsafeRaw: name)")).first()?.decode(column: name, as: Int.self) {
                    saved.append((name, old))
                }
                try await sql.raw(SQLQueryString("PRAGMA \(unsafeRaw: name)=\(unsafeRaw: String(pragma.value))")).run()
            }
            let automerge = try await SearchBulkLoad.automerge(sql)
            try await SearchBulkLoad.setAutomerge(SearchBulkLoad.bulkAutomerge, sql)
            func restore() async {
                try? await SearchDocValues.prune(sql)
                try? await SearchBulkLoad.setAutomerge(automerge, sql)
                for (name, value) in saved {
                    try? await sql.raw(SQLQueryString("PRAGMA \(unsafeRaw: name)=\(unsafeRaw: String(value))")).run()
                }
                // Copy what is left in the WAL into the database, so it does not stay large after the load.
                _ = try? await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
            }
            do {
                let out = try await body(SearchBulkLoad(db: conn, sqlite: true))
                await restore()
                return out
            } catch {
                await restore()
                throw error
            }
        }
    }

    /// The FTS5 `automerge` setting (stored in the index's config table; 4 when never set).
    static func automerge(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT v FROM search_fts_config WHERE k = 'automerge'").first()?.decode(column: "v", as: Int.self) ?? 4
    }

    static func setAutomerge(_ value: Int, _ sql: any SQLDatabase) async throws {
        try await sql.raw(SQLQueryString("INSERT INTO search_fts(search_fts, rank) VALUES ('automerge', \(unsafeRaw: String(value)))")).run()
    }

    /// Writes one batch in its own transaction, replacing rows with the same key (the last of duplicates wins).
    @discardableResult
    public func write(_ rows: [IndexedRow]) async throws -> Timing {
        guard !rows.isEmpty else { return Timing() }
        // One row per key (an upsert may not touch a row twice on PostgreSQL; a plain insert would fail on SQLite).
        var seen = Set<String>()
        let unique = Array(rows.reversed().filter { seen.insert($0.doc.key).inserted }.reversed())
        guard sqlite else {
            let t0 = ContinuousClock.now
            try await db.transaction { tx in try await SearchIndex.upsert(unique, on: tx) }
            return Timing(rowsMs: SearchBenchmark.ms(t0))
        }
        return try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            let t0 = ContinuousClock.now
            // Rows already indexed leave through the delete trigger, which removes their postings.
            try await SearchIndex.delete(keys: unique.map(\.doc.key), on: tx)
            var timing = Timing(rowsMs: SearchBenchmark.ms(t0))
            let step = SearchIndex.rowsPerStatement(pg: false)
            for start in stride(from: 0, to: unique.count, by: step) {
                let part = try await SearchIndex.insertSQLite(unique[start..<min(start + step, unique.count)], sql: sql, replace: false)
                timing.rowsMs += part.rowsMs
                timing.ftsMs += part.ftsMs
            }
            return timing
        }
    }

    /// Merges the FTS5 segments into one (faster queries right after a large load; rewrites the whole index).
    public func optimize() async throws {
        guard sqlite else { return }
        try await SearchIndex.sql(db).raw("INSERT INTO search_fts(search_fts) VALUES ('optimize')").run()
    }
}
