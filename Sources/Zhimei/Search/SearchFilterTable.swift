import Foundation
import Fluent
import SQLKit

/// 067 (SQLite): the columns a search filters, ranks ties and counts facets by move from the covering index of 064 into a
/// narrow table of their own keyed by `seq` (`search_filter`), kept in step with `search_documents` by triggers. Every
/// match of a query is looked up there by its FTS5 row id; a rowid table finds it by integer key in a shallower tree
/// than the index, whose keys are records compared column by column (at 1,000,000 articles the index look-ups were
/// ~28 % of a two-word query's CPU; docs/search.md).
struct M067_SearchFilterTable: AsyncMigration {
    /// The filter columns (064's, `seq` first).
    static let columns = M064_AddSearchFilterIndex.columns

    /// The triggers that copy `columns` of every inserted, rewritten or deleted row.
    static func triggers(_ columns: String) -> [String] {
        let values = columns.split(separator: ",").map { "new.\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
        return [
            "CREATE TRIGGER search_filter_ai AFTER INSERT ON search_documents BEGIN INSERT INTO search_filter (\(columns)) VALUES (\(values)); END",
            // an upsert or a sync that rewrites the row keeps its seq; the delete covers a row that would not
            "CREATE TRIGGER search_filter_au AFTER UPDATE ON search_documents BEGIN DELETE FROM search_filter WHERE seq = old.seq; "
                + "INSERT OR REPLACE INTO search_filter (\(columns)) VALUES (\(values)); END",
            "CREATE TRIGGER search_filter_ad AFTER DELETE ON search_documents BEGIN DELETE FROM search_filter WHERE seq = old.seq; END",
        ]
    }

    static func dropTriggers(_ sql: any SQLDatabase) async throws {
        for t in ["search_filter_ai", "search_filter_au", "search_filter_ad"] {
            try await sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(unsafeRaw: t)")).run()
        }
    }

    func prepare(on db: any Database) async throws {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return }
        try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            try await sql.raw("""
                CREATE TABLE search_filter (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, tenant_id TEXT NOT NULL, state TEXT NOT NULL, \
                visibility TEXT NOT NULL, doc_date REAL NOT NULL, id TEXT NOT NULL, channel TEXT NOT NULL, category TEXT NOT NULL, \
                language TEXT NOT NULL, updated_epoch REAL NOT NULL)
                """).run()
            try await sql.raw(SQLQueryString("INSERT INTO search_filter (\(unsafeRaw: Self.columns)) SELECT \(unsafeRaw: Self.columns) FROM search_documents ORDER BY seq")).run()
            for t in Self.triggers(Self.columns) { try await sql.raw(SQLQueryString(t)).run() }
            try await sql.raw("DROP INDEX IF EXISTS search_documents_filter").run()
            // the change log's triggers went with a table made before (069 and later)
            if try await sql.raw("SELECT 1 AS n FROM sqlite_master WHERE type = 'table' AND name = 'search_filter_changes'").first() != nil {
                try await M069_SearchFilterChanges.createTriggers(sql)
            }
        }
    }

    func revert(on db: any Database) async throws {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return }
        let sql = try SearchIndex.sql(db)
        try await Self.dropTriggers(sql)
        try await sql.raw("DROP TABLE IF EXISTS search_filter").run()
        try await M064_AddSearchFilterIndex().prepare(on: db)
    }
}

/// 068: each row keeps its length in words as FTS5 counts it (`doc_tokens`, `SearchAnalyzer.positions`), and on SQLite
/// the filter table carries it, so `zhimei_bm25` takes a match's length from the row it has already joined instead of
/// one more look-up in FTS5's docsize table per match. Rows written before have none (NULL) and are ranked with the
/// docsize as before until they are written again (`zhimei search reindex` rewrites them all).
struct M068_AddSearchDocumentLength: AsyncMigration {
    static let columns = M067_SearchFilterTable.columns + ", doc_tokens"

    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        try await sql.raw("ALTER TABLE search_documents ADD COLUMN doc_tokens INTEGER").run()
        guard sql.dialect.name != "postgresql" else { return }
        try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            try await sql.raw("ALTER TABLE search_filter ADD COLUMN doc_tokens INTEGER").run()
            try await M067_SearchFilterTable.dropTriggers(sql)
            for t in M067_SearchFilterTable.triggers(Self.columns) { try await sql.raw(SQLQueryString(t)).run() }
        }
    }

    func revert(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        if sql.dialect.name != "postgresql" {
            try await M067_SearchFilterTable.dropTriggers(sql)
            try await sql.raw("ALTER TABLE search_filter DROP COLUMN doc_tokens").run()
            for t in M067_SearchFilterTable.triggers(M067_SearchFilterTable.columns) { try await sql.raw(SQLQueryString(t)).run() }
        }
        try await sql.raw("ALTER TABLE search_documents DROP COLUMN doc_tokens").run()
    }
}

/// 069 (SQLite): a log of the filter table's rewritten and deleted rows (`search_filter_changes`), so that the values
/// searches keep in memory (SearchDocValues) can catch up with the rows changed since their version instead of being
/// read again; new rows need no entry (they take the next seq). `search_filter_epoch` holds a random token that tells
/// this database from another at the same path.
struct M069_SearchFilterChanges: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return }
        try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            try await sql.raw("CREATE TABLE search_filter_changes (change INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL)").run()
            try await sql.raw("CREATE TABLE search_filter_epoch (token TEXT NOT NULL)").run()
            try await sql.raw("INSERT INTO search_filter_epoch (token) VALUES (\(bind: UUID().uuidString.lowercased()))").run()
            try await Self.createTriggers(sql)
        }
    }

    /// The triggers that log the filter table's changes (again after the table is made anew, as 067's revert and
    /// prepare do; searches use the in-memory values only while they exist, `SearchDocValues.snapshot`).
    static func createTriggers(_ sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE TRIGGER IF NOT EXISTS search_filter_changes_ad AFTER DELETE ON search_filter BEGIN INSERT INTO search_filter_changes (seq) VALUES (old.seq); END").run()
        try await sql.raw("CREATE TRIGGER IF NOT EXISTS search_filter_changes_au AFTER UPDATE ON search_filter BEGIN INSERT INTO search_filter_changes (seq) VALUES (old.seq); "
            + "INSERT INTO search_filter_changes (seq) VALUES (new.seq); END").run()
    }

    static let triggerNames = ["search_filter_changes_ad", "search_filter_changes_au"]

    func revert(on db: any Database) async throws {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return }
        let sql = try SearchIndex.sql(db)
        for statement in Self.triggerNames.map({ "DROP TRIGGER IF EXISTS \($0)" }) + ["DROP TABLE IF EXISTS search_filter_changes", "DROP TABLE IF EXISTS search_filter_epoch"] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }
}
