import Fluent
import Foundation
import SQLKit

/// A document with its index tokens, ready to write.
public struct IndexedRow: Sendable {
    public var doc: SearchDocument
    /// Each field's index form as `SearchAnalyzer.indexField` gives it: words, each followed by its sub-words after U+0001.
    public var tokTitle: String
    public var tokLead: String
    public var tokTags: String
    public var tokBody: String
    /// Pinyin initials of the author names (" zxm ls ").
    public var authorInitials: String
    /// The four fields' lengths in words, as FTS5 counts them (bm25's document length, 068). Counted here, on the
    /// analysis workers, rather than by the single writer that stores it.
    public var docTokens: Int

    /// Analyses a document (CPU only; safe to run in parallel, one scratch per task).
    public init(_ doc: SearchDocument, analyzer: SearchAnalyzer, scratch: SearchAnalyzerScratch = SearchAnalyzerScratch()) {
        self.doc = doc
        tokTitle = analyzer.indexField(doc.title, scratch: scratch)
        tokLead = analyzer.indexField(doc.lead, scratch: scratch)
        tokTags = analyzer.indexField(doc.tags.joined(separator: " ") + " " + doc.category, scratch: scratch)
        tokBody = analyzer.indexField(SearchIndex.cut(doc.body, SearchIndex.maxBodyCharacters), scratch: scratch)
        authorInitials = analyzer.pinyin?.field(SearchIndex.cut(doc.author, 400)) ?? ""
        docTokens = [tokTitle, tokLead, tokTags, tokBody].reduce(0) { $0 + SearchAnalyzer.positions($1) }
    }
}

/// Writes and deletes rows of the search index (the `search_documents` table; on SQLite the tokens go only into a
/// contentless FTS5 table keyed by the rows' `seq` (066), PostgreSQL keeps them in the row for a generated, GIN-indexed tsvector).
public enum SearchIndex {
    /// Body text beyond this is not indexed (long documents still match on their first part).
    public static let maxBodyCharacters = 30_000
    /// Stored text kept for snippets.
    static let storedBodyCharacters = 30_000

    static let columns = ["id", "kind", "source_id", "tenant_id", "title", "lead", "body", "tags", "category", "author", "state",
                          "channel", "language", "visibility", "link", "doc_date", "updated_epoch", "tok_title", "tok_lead", "tok_tags", "tok_body", "author_initials", "doc_tokens"]

    /// Tags stored as "|a|b|" so one tag can be matched exactly with LIKE.
    static func tagKey(_ tags: [String]) -> String {
        tags.isEmpty ? "" : "|" + tags.map { $0.replacingOccurrences(of: "|", with: "／") }.joined(separator: "|") + "|"
    }

    /// A row's values in `columns` order. `tokens`: store the index tokens, flat (PostgreSQL generates its tsvector from
    /// them and checks phrases on them); SQLite's contentless FTS5 table holds them itself, its rows keep empty strings (066).
    static func values(_ r: IndexedRow, tokens: Bool) -> [any Encodable & Sendable] {
        let d = r.doc
        let tok = { (t: String) in tokens ? SearchAnalyzer.flatIndexForm(t) : "" }
        return [d.key, d.kind, d.sourceID.uuidString.lowercased(), d.tenantID.uuidString.lowercased(), cut(d.title, 2000),
                cut(d.lead, 4000), cut(d.body, storedBodyCharacters), tagKey(d.tags), d.category, d.author, d.state,
                d.channel, d.language, d.visibility, d.link, d.date.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970,
                tok(r.tokTitle), tok(r.tokLead), tok(r.tokTags), tok(r.tokBody), r.authorInitials, r.docTokens]
    }

    static func sql(_ db: any Database) throws -> any SQLDatabase { try db.sql() }

    /// Rows per INSERT statement (23 values each). On SQLite every statement inside a transaction is a savepoint, and
    /// FTS5 writes its pending postings as a new segment at each savepoint, so fewer, larger statements mean fewer
    /// segments and less merging (this build allows 250,000 parameters); PostgreSQL's protocol allows 65,535.
    static func rowsPerStatement(pg: Bool) -> Int { pg ? 1_400 : 4_000 }

    /// `text` cut to `n` characters; the grapheme walk is skipped when the UTF-8 length already proves it is short enough.
    @inline(__always) static func cut(_ text: String, _ n: Int) -> String {
        text.utf8.count <= n ? text : String(text.prefix(n))
    }

    /// Inserts or replaces rows (batched; one statement per `rowsPerStatement` rows).
    public static func upsert(_ rows: [IndexedRow], on db: any Database) async throws {
        try await insert(rows, on: db, replace: true)
    }

    /// Inserts rows whose keys are not indexed yet (`replace`: or replaces them).
    static func insert(_ rows: [IndexedRow], on db: any Database, replace: Bool = false) async throws {
        guard !rows.isEmpty else { return }
        let sql = try sql(db)
        let pg = sql.dialect.name == "postgresql"
        let step = rowsPerStatement(pg: pg)
        guard pg else {
            try await db.transaction { tx in
                let sql = try Self.sql(tx)
                for start in stride(from: 0, to: rows.count, by: step) {
                    try await insertSQLite(rows[start..<min(start + step, rows.count)], sql: sql, replace: replace)
                }
            }
            return
        }
        for start in stride(from: 0, to: rows.count, by: step) {
            try await insertStatement(rows[start..<min(start + step, rows.count)], sql: sql, tokens: true, replace: replace).run()
        }
    }

    /// One INSERT of a batch into `search_documents` (an upsert by key with `replace`).
    static func insertStatement(_ batch: ArraySlice<IndexedRow>, sql: any SQLDatabase, tokens: Bool, replace: Bool) -> SQLInsertBuilder {
        let insert = sql.insert(into: "search_documents").columns(columns)
        for r in batch { insert.values(values(r, tokens: tokens)) }
        if replace {
            insert.onConflict(with: ["id"]) { update in
                var u = update
                for c in columns.dropFirst() { u = u.set(excludedValueOf: c) }
                return u
            }
        }
        return insert
    }

    /// SQLite: the rows (without tokens), then their postings under the rows' `seq`. A replaced row keeps its `seq`; its
    /// old postings are deleted first (the contentless table needs only the row id for that). Call inside a transaction.
    @discardableResult
    static func insertSQLite(_ batch: ArraySlice<IndexedRow>, sql: any SQLDatabase, replace: Bool) async throws -> SearchBulkLoad.Timing {
        let t0 = ContinuousClock.now
        if replace {
            for chunk in batch.map(\.doc.key).chunked(500) {
                try await sql.raw("DELETE FROM search_fts WHERE rowid IN (SELECT seq FROM search_documents WHERE id IN (\(binds: chunk)))").run()
            }
        }
        let postings: [(seq: Int, row: IndexedRow)]
        if !replace {
            // seq is the rowid without AUTOINCREMENT: a batch of new keys takes max + 1, max + 2, … in order
            let last = try await maxSeq(sql)
            try await insertStatement(batch, sql: sql, tokens: false, replace: false).run()
            guard try await maxSeq(sql) == last + batch.count else { throw unexpectedRows }
            postings = batch.enumerated().map { (last + 1 + $0.offset, $0.element) }
        } else {
            var seqByKey: [String: Int] = [:]
            seqByKey.reserveCapacity(batch.count)
            for row in try await insertStatement(batch, sql: sql, tokens: false, replace: true).returning("seq", "id").all() {
                seqByKey[try row.decode(column: "id", as: String.self)] = try row.decode(column: "seq", as: Int.self)
            }
            // The last row of a key wins, as in the table (an upsert that meets a key twice updates the row twice).
            var last: [Int: IndexedRow] = [:]
            for r in batch { if let seq = seqByKey[r.doc.key] { last[seq] = r } }
            guard last.count == Set(batch.map(\.doc.key)).count else { throw unexpectedRows }
            postings = last.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        let rowsMs = SearchBenchmark.ms(t0)
        let t1 = ContinuousClock.now
        let fts = sql.insert(into: "search_fts").columns(["rowid", "tok_title", "tok_lead", "tok_tags", "tok_body"])
        for (seq, r) in postings {
            fts.values([seq, r.tokTitle, r.tokLead, r.tokTags, r.tokBody] as [any Encodable & Sendable])
        }
        try await fts.run()
        return SearchBulkLoad.Timing(rowsMs: rowsMs, ftsMs: SearchBenchmark.ms(t1))
    }

    static let unexpectedRows = AppError(.internalServerError, "search_index_rows", zh: "搜索索引写入的行数不一致",
                                         en: "The search index wrote an unexpected number of rows")

    static func maxSeq(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COALESCE(MAX(seq), 0) AS n FROM search_documents").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The FTS5 columns (SQLite), in order.
    static let ftsColumns = "tok_title, tok_lead, tok_tags, tok_body"

    /// The trigger that indexed each inserted row of the external-content index (060–065; 066 drops it).
    static let insertTrigger = SQLQueryString("CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN INSERT INTO search_fts(rowid, \(unsafeRaw: ftsColumns)) VALUES (new.seq, new.tok_title, new.tok_lead, new.tok_tags, new.tok_body); END")

    /// Kept the postings of an updated row of the external-content index in step (060–065; 066 drops it).
    static let updateTrigger = SQLQueryString("""
        CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN \
        INSERT INTO search_fts(search_fts, rowid, \(unsafeRaw: ftsColumns)) VALUES ('delete', old.seq, old.tok_title, old.tok_lead, old.tok_tags, old.tok_body); \
        INSERT INTO search_fts(rowid, \(unsafeRaw: ftsColumns)) VALUES (new.seq, new.tok_title, new.tok_lead, new.tok_tags, new.tok_body); END
        """)

    /// Removes a deleted row's postings (066: the contentless index needs only the row id).
    static let deleteTrigger = SQLQueryString("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN DELETE FROM search_fts WHERE rowid = old.seq; END")

    /// Removes rows by key ("kind:uuid").
    public static func delete(keys: [String], on db: any Database) async throws {
        guard !keys.isEmpty else { return }
        let sql = try sql(db)
        for chunk in keys.chunked(200) {
            try await sql.delete(from: "search_documents").where("id", .in, chunk).run()
        }
    }

    /// Removes every row (of one tenant, when given).
    public static func clear(tenant: UUID?, kind: String? = nil, on db: any Database) async throws {
        let sql = try sql(db)
        let q = sql.delete(from: "search_documents")
        if let tenant { q.where("tenant_id", .equal, tenant.uuidString.lowercased()) }
        if let kind { q.where("kind", .equal, kind) }
        try await q.run()
    }

    /// Stamps of the indexed rows of a kind (for the consistency check).
    static func stamps(kind: String, tenant: UUID?, on db: any Database) async throws -> [String: (updated: Double, state: String)] {
        let sql = try sql(db)
        let q = sql.select().columns("id", "updated_epoch", "state").from("search_documents").where("kind", .equal, kind)
        if let tenant { q.where("tenant_id", .equal, tenant.uuidString.lowercased()) }
        var out: [String: (Double, String)] = [:]
        for row in try await q.all() {
            out[try row.decode(column: "id", as: String.self)] = (try row.decode(column: "updated_epoch", as: Double.self), try row.decode(column: "state", as: String.self))
        }
        return out
    }

    /// Number of indexed rows.
    public static func count(on db: any Database) async throws -> Int {
        let row = try await sql(db).raw("SELECT COUNT(*) AS n FROM search_documents").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}

/// 060: the search index table and its full-text structure (FTS5 on SQLite, tsvector + GIN on PostgreSQL).
struct M060_CreateSearchIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        let pg = sql.dialect.name == "postgresql"
        let real = pg ? "double precision" : "REAL"
        let key = pg ? "seq bigserial PRIMARY KEY" : "seq INTEGER PRIMARY KEY"
        let text = ["kind", "source_id", "tenant_id", "title", "lead", "body", "tags", "category", "author", "state", "channel",
                    "language", "visibility", "link", "tok_title", "tok_lead", "tok_tags", "tok_body"].map { "\($0) TEXT NOT NULL" }
        var defs = [key, "id TEXT NOT NULL UNIQUE"] + text + ["doc_date \(real) NOT NULL", "updated_epoch \(real) NOT NULL"]
        if pg {
            defs.append("""
            tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, tok_title), 'A') || setweight(to_tsvector('simple'::regconfig, tok_lead), 'B') || \
            setweight(to_tsvector('simple'::regconfig, tok_tags), 'C') || setweight(to_tsvector('simple'::regconfig, tok_body), 'D')) STORED
            """)
        }
        try await sql.raw(SQLQueryString("CREATE TABLE search_documents (" + defs.joined(separator: ", ") + ")")).run()
        try await sql.raw("CREATE INDEX search_documents_tenant_kind ON search_documents (tenant_id, kind)").run()
        try await sql.raw("CREATE INDEX search_documents_date ON search_documents (doc_date)").run()
        if pg {
            try await sql.raw("CREATE INDEX search_documents_tsv ON search_documents USING GIN (tsv)").run()
            return
        }
        try await Self.createExternalContentIndex(sql)
    }

    /// The external-content FTS5 table and the triggers that kept it in step (060–065; 066 replaces them, and its revert
    /// puts them back).
    static func createExternalContentIndex(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE VIRTUAL TABLE search_fts USING fts5(tok_title, tok_lead, tok_tags, tok_body, content='search_documents', \
            content_rowid='seq', tokenize='unicode61 remove_diacritics 0')
            """).run()
        let cols = "tok_title, tok_lead, tok_tags, tok_body"
        let old = "old.tok_title, old.tok_lead, old.tok_tags, old.tok_body"
        try await sql.raw(SearchIndex.insertTrigger).run()
        try await sql.raw(SQLQueryString("CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN INSERT INTO search_fts(search_fts, rowid, \(cols)) VALUES ('delete', old.seq, \(old)); END")).run()
        try await sql.raw(SearchIndex.updateTrigger).run()
    }

    func revert(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        if sql.dialect.name != "postgresql" {
            for t in ["search_documents_ai", "search_documents_ad", "search_documents_au"] {
                try await sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(t)")).run()
            }
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        }
        try await sql.raw("DROP TABLE IF EXISTS search_documents").run()
    }
}

/// 062: pinyin initials of author names (作者:zxm → 张晓明). Rows indexed before this have none until `zhimei search reindex`.
struct M062_AddSearchAuthorInitials: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await SearchIndex.sql(db).raw("ALTER TABLE search_documents ADD COLUMN author_initials TEXT NOT NULL DEFAULT ''").run()
    }

    func revert(on db: any Database) async throws {
        try await SearchIndex.sql(db).raw("ALTER TABLE search_documents DROP COLUMN author_initials").run()
    }
}

/// 063 (SQLite): FTS5 keeps up to 32 MB of new postings in memory before writing a segment (default 1 MB), so a bulk
/// transaction of 2,000 articles makes one segment instead of about ten, and far less merging follows.
struct M063_TuneSearchFTS: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try await Self.tune(sql)
    }

    /// Sets the 32 MB `hashsize` on `search_fts` (066 creates the table anew and sets it again).
    static func tune(_ sql: any SQLDatabase) async throws {
        try await sql.raw("INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', 33554432)").run()
    }

    func revert(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', 1048576)").run()
    }
}

/// 064 (SQLite): a narrow index holding, per row id, every column a search filters, ranks ties or counts facets by, so a
/// query's thousands of matches are filtered in this small, cached index instead of in the table, whose rows carry the
/// stored text (and, before 066, the tokens) on overflow pages (at 1,000,000 articles: ~150 MB against ~16 GB then). Rows arrive in `seq`
/// order, so the index only grows at its end.
struct M064_AddSearchFilterIndex: AsyncMigration {
    static let columns = "seq, kind, tenant_id, state, visibility, doc_date, id, channel, category, language, updated_epoch"

    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw(SQLQueryString("CREATE INDEX search_documents_filter ON search_documents (\(unsafeRaw: Self.columns))")).run()
    }

    func revert(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("DROP INDEX IF EXISTS search_documents_filter").run()
    }
}

/// 065: one spelling per language in the index (stories said "zh", leads "zh-Hans"; the language facet listed both and a
/// filter on one missed the other), leads' categories by their Chinese names as stories have them (economy → 经济), and
/// no category for topics (their priority had been stored as one). The tokens do not change, so on SQLite the FTS
/// update trigger is set aside while the rows are rewritten.
struct M065_NormalizeSearchFacets: AsyncMigration {
    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        let pg = sql.dialect.name == "postgresql"
        // Only the external-content index (before 066) has the trigger; it is put back only where it was.
        var hadTrigger = false
        if !pg {
            hadTrigger = try await sql.raw("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name = 'search_documents_au'")
                .first()?.decode(column: "n", as: Int.self) == 1
        }
        if hadTrigger { try await sql.raw("DROP TRIGGER search_documents_au").run() }
        for (spelling, codes) in SearchFacetSpelling.languageSpellings {
            try await sql.raw("UPDATE search_documents SET language = \(bind: spelling) WHERE lower(language) IN (\(binds: codes)) AND language <> \(bind: spelling)").run()
        }
        for category in LeadCategory.allCases {
            try await sql.raw("UPDATE search_documents SET category = \(bind: category.label.zh) WHERE kind = 'lead' AND category = \(bind: category.rawValue)").run()
        }
        try await sql.raw("UPDATE search_documents SET category = '' WHERE kind = 'topic' AND category <> ''").run()
        if hadTrigger { try await sql.raw(SearchIndex.updateTrigger).run() }
    }

    func revert(on db: any Database) async throws {}
}

/// 066 (SQLite): the FTS5 index becomes contentless (`content=''`, `contentless_delete=1`) with the `zhimei` tokenizer
/// (`SearchFTSTokenizer`). The external-content table read its tokens back from `search_documents`, so every row carried
/// them (~5.6 KB an article beside ~4.6 KB of stored text); now only the index holds them, a row's postings are deleted by
/// its id alone, and sub-words share their word's position, so phrases are matched by FTS5 itself. Writes run ~1.2–1.4×
/// faster and the index is ~40 % smaller (docs/search.md). The old index cannot be converted (its sub-words are not tied
/// to their words), so it is emptied and the sync watermarks reset: the background sync rebuilds it within minutes, or
/// `zhimei search reindex` at once.
struct M066_ContentlessSearchFTS: AsyncMigration {
    static let create = SQLQueryString("""
        CREATE VIRTUAL TABLE search_fts USING fts5(tok_title, tok_lead, tok_tags, tok_body, content='', contentless_delete=1, \
        tokenize='zhimei')
        """)

    func prepare(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try SearchFTSTokenizer.register()
        try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            for t in ["search_documents_ai", "search_documents_au", "search_documents_ad"] {
                try await sql.raw(SQLQueryString("DROP TRIGGER IF EXISTS \(unsafeRaw: t)")).run()
            }
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
            try await sql.raw("DELETE FROM search_documents").run()
            try await sql.raw(SQLQueryString("DELETE FROM \(ident: SearchSyncState.schema)")).run()
            try await sql.raw(Self.create).run()
            try await M063_TuneSearchFTS.tune(sql)
            try await sql.raw(SearchIndex.deleteTrigger).run()
        }
    }

    /// Back to the external-content table, empty (the rows hold no tokens); `zhimei search reindex` fills it.
    func revert(on db: any Database) async throws {
        let sql = try SearchIndex.sql(db)
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("DROP TRIGGER IF EXISTS search_documents_ad").run()
        try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        try await sql.raw("DELETE FROM search_documents").run()
        try await sql.raw(SQLQueryString("DELETE FROM \(ident: SearchSyncState.schema)")).run()
        try await M060_CreateSearchIndex.createExternalContentIndex(sql)
        try await M063_TuneSearchFTS.tune(sql)
    }
}
