import Fluent
import Foundation
import SQLKit

/// One lexicon or fact-base entry's values, read with plain SQL.
struct LexiconRow: Sendable {
    var id: UUID
    var tenantID: UUID?
    var kind: LexiconKind
    var term: String
    var category: String
    var severity: String
    var title: String
    var items: [String]
    var homophones: Bool
    var note: String

    /// Whether an entry (cleaned by `LexiconService.apply`) has exactly these values.
    func holds(_ e: LexiconEntry) -> Bool {
        e.kind == kind && e.term == term && e.category == category && e.severity == severity && e.title == title
            && e.items == items && e.homophones == homophones && e.note == note
    }
}

/// Reads many lexicon entries at once. Compiling a tenant's proofreader, exporting and importing read every entry of a
/// lexicon — 100,000 terms is the size the review engine is measured with — and decoding each as a Fluent model cost
/// ~70 µs of generic decoding (7 s for 100,000 after every edit); plain rows cost a small fraction of that.
enum LexiconRows {
    /// Orders of a read: by term (the engine's configuration) or by kind, then term (lists and exports).
    enum Order { case term, kindThenTerm }

    /// The live (not deleted) entries of these owners, optionally of some kinds only.
    static func load(_ owners: [LexiconService.Owner], kinds: [LexiconKind] = [], order: Order, limit: Int? = nil,
                     on db: any Database) async throws -> [LexiconRow] {
        guard !owners.isEmpty else { return [] }
        let sql = try db.sql()
        let ids = owners.compactMap(\.tenantID)
        var owned: [SQLQueryString] = []
        if owners.contains(.platform) { owned.append("tenant_id IS NULL") }
        if !ids.isEmpty { owned.append("tenant_id IN (\(binds: ids))") }
        var query: SQLQueryString = "SELECT id, tenant_id, kind, term, category, severity, title, items, homophones, note FROM "
            + "\(ident: LexiconEntry.schema) WHERE deleted_at IS NULL AND (" + owned.joined(separator: " OR ") + ")"
        if !kinds.isEmpty { query = query + " AND kind IN (\(binds: kinds.map(\.rawValue)))" }
        query = query + (order == .term ? " ORDER BY term" : " ORDER BY kind, term")
        if let limit { query = query + " LIMIT \(literal: limit)" }
        let sqlite = sql.dialect.name == "sqlite"
        return try await sql.raw(query).all().compactMap { row in
            // A kind this build does not know (a newer row) is left out rather than failing the whole read.
            guard let kind = LexiconKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            return LexiconRow(id: try row.decode(column: "id", as: UUID.self), tenantID: try row.decode(column: "tenant_id", as: UUID?.self),
                              kind: kind, term: try row.decode(column: "term", as: String.self),
                              category: try row.decode(column: "category", as: String.self),
                              severity: try row.decode(column: "severity", as: String.self),
                              title: try row.decode(column: "title", as: String.self),
                              items: try items(row, sqlite: sqlite), homophones: try row.decode(column: "homophones", as: Bool.self),
                              note: try row.decode(column: "note", as: String.self))
        }
    }

    /// Inserts new entries as one multi-row INSERT, giving each its id. (Fluent's batch create spent ~0.15 ms per entry
    /// reflecting over the model: 50,000 entries ~8 s.) The values are bound as Fluent binds them.
    static func insert(_ entries: ArraySlice<LexiconEntry>, at now: Date, on db: any Database) async throws {
        guard !entries.isEmpty else { return }
        let insert = try db.sql().insert(into: LexiconEntry.schema)
            .columns("id", "tenant_id", "kind", "term", "category", "severity", "title", "items", "homophones", "note", "updated_by", "updated_at")
        for e in entries {
            let id = e.id ?? UUID()
            e.id = id
            insert.values([id, e.tenantID, e.kind.rawValue, e.term, e.category, e.severity, e.title, e.items, e.homophones, e.note,
                           e.updatedBy, now] as [any Encodable & Sendable])
        }
        try await insert.run()
    }

    /// The items array: a JSON text on SQLite (most entries have none: "[]"), a text array on PostgreSQL.
    static func items(_ row: any SQLRow, sqlite: Bool) throws -> [String] {
        guard sqlite else { return try row.decode(column: "items", as: [String].self) }
        let text = try row.decode(column: "items", as: String.self)
        if text == "[]" || text.isEmpty { return [] }
        return try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
