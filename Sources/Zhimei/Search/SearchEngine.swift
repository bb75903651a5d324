import Fluent
import Foundation
import SQLKit

/// Where each document kind may be seen by the person searching (from their roles, per source permission).
public struct SearchVisibility: Sendable, Equatable {
    public var byKind: [String: TenantScope]

    /// What an actor may see: each registered kind under the tenant scope of that kind's read permission.
    public static func of(_ actor: Actor, sources: [any SearchSource]) -> SearchVisibility {
        var out: [String: TenantScope] = [:]
        for s in sources {
            let scope = actor.scope(for: s.permission)
            if case .only(let ids) = scope, ids.isEmpty { continue }
            out[s.kind] = scope
        }
        return SearchVisibility(byKind: out)
    }

    /// Everything (operators' tools and the benchmark).
    public static func everything(_ kinds: [String]) -> SearchVisibility {
        SearchVisibility(byKind: Dictionary(uniqueKeysWithValues: kinds.map { ($0, TenantScope.all) }))
    }

    /// Tenants this visibility reaches (nil: all).
    var tenants: Set<UUID>? {
        var ids = Set<UUID>()
        for scope in byKind.values {
            switch scope {
            case .all: return nil
            case .only(let s): ids.formUnion(s)
            }
        }
        return ids
    }
}

/// What to search for: the parsed box text plus filters, sort and page.
public struct SearchRequest: Sendable {
    public enum Sort: String, Sendable, CaseIterable { case relevance, time }
    public var query = SearchQuery()
    public var tenants: [UUID] = []
    public var kinds: [String] = []
    public var states: [String] = []
    public var channels: [String] = []
    public var authors: [String] = []
    public var tags: [String] = []
    public var categories: [String] = []
    public var languages: [String] = []
    public var from: Date?
    public var to: Date?
    public var sort: Sort = .relevance
    public var recency = false
    public var limit = 20
    public var offset = 0
    public var facets = true
    /// Only documents indexed-as-changed after this (saved-search alerts).
    public var updatedAfter: Date?
    /// Documents to leave out (e.g. the story being written, for related material).
    public var excludeKeys: [String] = []
    public init() {}
}

/// One hit.
public struct SearchHit: Sendable {
    public var key: String
    public var kind: String
    public var sourceID: UUID
    public var tenantID: UUID
    public var title: String
    public var lead: String
    public var body: String
    public var tags: [String]
    public var category: String
    public var author: String
    public var state: String
    public var channel: String
    public var language: String
    public var link: String
    public var date: Date
    public var score: Double
}

/// A page of hits with total and facet counts.
public struct SearchOutcome: Sendable {
    public var hits: [SearchHit]
    public var total: Int
    public var facets: [String: [(value: String, count: Int)]]
    public var highlight: [String]
}

/// Runs searches against either backend with one query model.
public enum SearchEngine {
    /// Field weights: headline > lead > tags > body (FTS5 bm25 column weights; tsvector A/B/C/D weights).
    static let bm25Weights = "10.0, 5.0, 3.0, 1.0"
    static let tsWeights = "'{0.1, 0.3, 0.5, 1.0}'::float4[]"
    static let facetFields = ["kind", "state", "tenant_id", "category", "language"]
    static let selectColumns = "d.id, d.kind, d.source_id, d.tenant_id, d.title, d.lead, d.body, d.tags, d.category, d.author, d.state, d.channel, d.language, d.link, d.doc_date"

    static func likeEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// The FROM and WHERE part shared by the page, the count and the facets; nil when nothing can match.
    /// On SQLite the matches are joined to the narrow filter index (`search_documents_filter`, migration 064) rather
    /// than to the table, whose rows are kilobytes of text on overflow pages: the filter columns of each of thousands
    /// of matches are read from a small, cached index instead of walking each row's page chain.
    static func fromWhere(_ r: SearchRequest, _ a: AnalyzedQuery, visibility: SearchVisibility, pg: Bool) -> SQLQueryString? {
        var conditions: [SQLQueryString] = []
        var from: SQLQueryString = "search_documents d"
        if !a.isEmpty {
            if pg {
                from = "search_documents d, CAST(\(bind: a.tsquery) AS tsquery) q"
                conditions.append("d.tsv @@ q")
            } else {
                from = "search_fts JOIN search_documents d INDEXED BY search_documents_filter ON d.seq = search_fts.rowid"
                conditions.append("search_fts MATCH \(bind: a.fts5)")
            }
        }
        // Phrases: the tokens in order (the index only found documents holding all of them); excluded phrases likewise.
        for (clause, excluded) in a.phraseChecks.map({ ($0, false) }) + a.excludedPhraseChecks.map({ ($0, true) }) {
            let alternatives: [SQLQueryString] = clause.map { checks -> SQLQueryString in
                let all: [SQLQueryString] = checks.map { c -> SQLQueryString in
                    let any: [SQLQueryString] = c.columns.map { col -> SQLQueryString in
                        pg ? "strpos(' ' || d.\(unsafeRaw: col) || ' ', \(bind: c.pattern)) > 0" : "instr(' ' || d.\(unsafeRaw: col) || ' ', \(bind: c.pattern)) > 0"
                    }
                    return "(" + any.joined(separator: " OR ") + ")"
                }
                return "(" + all.joined(separator: " AND ") + ")"
            }
            conditions.append((excluded ? "NOT (" : "(") + alternatives.joined(separator: " OR ") + ")")
        }
        // Visibility: each kind only in the tenants where the person holds that kind's permission.
        var visible: [SQLQueryString] = ["d.visibility = 'public'"]
        for (kind, scope) in visibility.byKind.sorted(by: { $0.key < $1.key }) {
            switch scope {
            case .all: visible.append("d.kind = \(bind: kind)")
            case .only(let ids) where !ids.isEmpty:
                visible.append("(d.kind = \(bind: kind) AND d.tenant_id IN (\(binds: ids.map { $0.uuidString.lowercased() }.sorted())))")
            case .only: continue
            }
        }
        conditions.append("(" + visible.joined(separator: " OR ") + ")")
        if let collapsed = collapsedPublished(r, visibility: visibility) { conditions.append(collapsed) }
        if !r.tenants.isEmpty { conditions.append("d.tenant_id IN (\(binds: r.tenants.map { $0.uuidString.lowercased() }))") }
        for (column, values) in [("kind", r.kinds), ("state", r.states), ("channel", r.channels), ("category", r.categories), ("language", r.languages)] where !values.isEmpty {
            conditions.append("d.\(unsafeRaw: column) IN (\(binds: values))")
        }
        for tag in r.tags { conditions.append("d.tags LIKE \(bind: "%|" + likeEscape(tag) + "|%") ESCAPE '\\'") }
        let authors = r.authors + a.authors
        if !authors.isEmpty {
            // A name, or its pinyin initials ("zxm" → 张晓明; a prefix of one name's initials).
            let matches: [SQLQueryString] = authors.flatMap { a -> [SQLQueryString] in
                let name: SQLQueryString = "d.author LIKE \(bind: "%" + likeEscape(a) + "%") ESCAPE '\\'"
                return SearchPinyin.isInitials(a) ? [name, "d.author_initials LIKE \(bind: "% " + a.lowercased() + "%")"] : [name]
            }
            conditions.append("(" + matches.joined(separator: " OR ") + ")")
        }
        if let from = r.from { conditions.append("d.doc_date >= \(bind: from.timeIntervalSince1970)") }
        if let to = r.to { conditions.append("d.doc_date <= \(bind: to.timeIntervalSince1970)") }
        if let after = r.updatedAfter { conditions.append("d.updated_epoch > \(bind: after.timeIntervalSince1970)") }
        if !r.excludeKeys.isEmpty { conditions.append("d.id NOT IN (\(binds: r.excludeKeys))") }
        return "FROM " + from + " WHERE " + conditions.joined(separator: " AND ")
    }

    /// A story and its published version are one piece of material: where the person sees the story itself (with its
    /// workflow state and editor link), its published document is left out — unless published items are asked for by
    /// type (published without stories) or by channel. Applied in the shared WHERE, so the page, the total and the
    /// facets agree.
    static func collapsedPublished(_ r: SearchRequest, visibility: SearchVisibility) -> SQLQueryString? {
        let published = PublishedSearchSource.kindName, story = BuiltInSearchSources.story.kind
        guard !(r.kinds.contains(published) && !r.kinds.contains(story)), r.channels.isEmpty, visibility.byKind[published] != nil,
              let stories = visibility.byKind[story] else { return nil }
        switch stories {
        case .all: return "d.kind <> \(bind: published)"
        case .only(let ids) where !ids.isEmpty:
            return "NOT (d.kind = \(bind: published) AND d.tenant_id IN (\(binds: ids.map { $0.uuidString.lowercased() }.sorted())))"
        case .only: return nil
        }
    }

    /// The score expression (higher is better) with the optional recency boost.
    static func score(_ r: SearchRequest, _ a: AnalyzedQuery, pg: Bool, now: Date) -> SQLQueryString {
        guard !a.isEmpty else { return "0.0" }
        let base: SQLQueryString = pg ? "ts_rank(\(unsafeRaw: tsWeights), d.tsv, q)" : "(-bm25(search_fts, \(unsafeRaw: bm25Weights)))"
        guard r.recency else { return base }
        // Up to ×2 for today's items, fading over about a month.
        return base + " * (1.0 + 1.0 / (1.0 + abs(\(bind: now.timeIntervalSince1970) - d.doc_date) / 2592000.0))"
    }

    /// Runs a search: one page of hits, the total and (optionally) facet counts.
    public static func run(_ r: SearchRequest, analyzed a: AnalyzedQuery, visibility: SearchVisibility, on db: any Database, now: Date = Date()) async throws -> SearchOutcome {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return try await search(r, analyzed: a, visibility: visibility, on: db, now: now) }
        return try await db.withConnection { conn in
            // A query reads thousands of index pages; with SQLite's default 2 MB page cache per connection each query
            // read them from the file again. 256 MB per pooled connection (filled only as used) keeps the hot doclists
            // and the filter index of a million articles in memory.
            try await SearchIndex.sql(conn).raw(SQLQueryString("PRAGMA cache_size=-\(unsafeRaw: String(searchCacheKiB))")).run()
            return try await search(r, analyzed: a, visibility: visibility, on: conn, now: now)
        }
    }

    /// Page cache of a connection that has run a search (KiB).
    static let searchCacheKiB = 262_144

    static func search(_ r: SearchRequest, analyzed a: AnalyzedQuery, visibility: SearchVisibility, on db: any Database, now: Date) async throws -> SearchOutcome {
        let sql = try SearchIndex.sql(db)
        let pg = sql.dialect.name == "postgresql"
        // A query that had words but none survived analysis (only punctuation, only exclusions) matches nothing.
        let hadText = !r.query.clauses.isEmpty
        guard !(hadText && a.isEmpty), let base = fromWhere(r, a, visibility: visibility, pg: pg) else {
            return SearchOutcome(hits: [], total: 0, facets: [:], highlight: [])
        }
        let limit = max(1, min(r.limit, 200)), offset = max(0, min(r.offset, 100_000))
        let hits: [SearchHit]
        var total: Int
        if a.isEmpty {
            // No words: newest first from the date index; the total by a separate count.
            let page: SQLQueryString = "SELECT \(unsafeRaw: selectColumns), 0.0 AS score " + base
                + " ORDER BY d.doc_date DESC, d.id ASC LIMIT \(literal: limit) OFFSET \(literal: offset)"
            hits = try await sql.raw(page).all().map(hit)
            total = hits.count + offset
            if hits.count >= limit || offset > 0 || r.facets {
                total = try await sql.raw("SELECT COUNT(*) AS n " + base).first()?.decode(column: "n", as: Int.self) ?? 0
            }
        } else {
            // Words: one pass over the matches ranks them and counts them (a window count), keeping only each match's
            // key and score; the stored text is then read for the page's rows alone.
            // (The rank is computed in an inner query: FTS5's bm25() cannot run in the same query as a window function.)
            let order = (r.sort == .time ? [] : ["score DESC"]) + ["dd DESC", "did ASC"]
            let matches: SQLQueryString = "SELECT d.seq AS seq, d.doc_date AS dd, d.id AS did, " + score(r, a, pg: pg, now: now) + " AS score " + base
            let best: SQLQueryString = "SELECT seq, dd, did, score, COUNT(*) OVER () AS total FROM (" + matches + ") m ORDER BY "
                + "\(unsafeRaw: order.joined(separator: ", ")) LIMIT \(literal: limit) OFFSET \(literal: offset)"
            let page: SQLQueryString = "SELECT \(unsafeRaw: selectColumns), p.score AS score, p.total AS total FROM (" + best
                + ") p JOIN search_documents d ON d.seq = p.seq ORDER BY \(unsafeRaw: order.map { "p." + $0 }.joined(separator: ", "))"
            let rows = try await sql.raw(page).all()
            hits = try rows.map(hit)
            if let first = rows.first {
                total = try first.decode(column: "total", as: Int.self)
            } else {
                // A page past the end says nothing about the total: count it.
                total = offset == 0 ? 0 : try await sql.raw("SELECT COUNT(*) AS n " + base).first()?.decode(column: "n", as: Int.self) ?? 0
            }
        }
        var facets: [String: [(String, Int)]] = [:]
        if r.facets { facets = try await facetCounts(sql, base) }
        return SearchOutcome(hits: hits, total: total, facets: facets, highlight: a.highlightTokens)
    }

    /// Most combinations of facet values read back before falling back to one query per facet.
    static let facetCombinationLimit = 10_000

    /// Facet counts (top 50 values per field) from one pass over the matches, grouped by every facet field at once and
    /// summed per field here; five passes (one per field) only when the combinations are too many.
    static func facetCounts(_ sql: any SQLDatabase, _ base: SQLQueryString, combinationLimit: Int = facetCombinationLimit) async throws -> [String: [(value: String, count: Int)]] {
        func name(_ field: String) -> String { field == "kind" ? "type" : (field == "tenant_id" ? "tenant" : field) }
        func top(_ counts: [String: Int]) -> [(value: String, count: Int)] {
            counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(50).map { ($0.key, $0.value) }
        }
        let columns = facetFields.map { "d." + $0 }.joined(separator: ", ")
        let grouped: SQLQueryString = "SELECT \(unsafeRaw: columns), COUNT(*) AS n " + base + " GROUP BY \(unsafeRaw: columns) LIMIT \(literal: combinationLimit + 1)"
        let rows = try await sql.raw(grouped).all()
        var out: [String: [(value: String, count: Int)]] = [:]
        if rows.count <= combinationLimit {
            var sums = Dictionary(uniqueKeysWithValues: facetFields.map { ($0, [String: Int]()) })
            for row in rows {
                let n = try row.decode(column: "n", as: Int.self)
                for field in facetFields { sums[field]![try row.decode(column: field, as: String.self), default: 0] += n }
            }
            for field in facetFields { out[name(field)] = top(sums[field] ?? [:]) }
            return out
        }
        for field in facetFields {
            let q: SQLQueryString = "SELECT d.\(unsafeRaw: field) AS v, COUNT(*) AS n " + base + " GROUP BY d.\(unsafeRaw: field) ORDER BY n DESC, v ASC LIMIT 50"
            out[name(field)] = try await sql.raw(q).all().map { (try $0.decode(column: "v", as: String.self), try $0.decode(column: "n", as: Int.self)) }
        }
        return out
    }

    static func hit(_ row: any SQLRow) throws -> SearchHit {
        func s(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
        let tags = try s("tags").split(separator: "|").map(String.init)
        return SearchHit(key: try s("id"), kind: try s("kind"), sourceID: UUID(uuidString: try s("source_id")) ?? UUID(),
                         tenantID: UUID(uuidString: try s("tenant_id")) ?? UUID(), title: try s("title"), lead: try s("lead"), body: try s("body"),
                         tags: tags, category: try s("category"), author: try s("author"), state: try s("state"), channel: try s("channel"),
                         language: try s("language"), link: try s("link"),
                         date: Date(timeIntervalSince1970: try row.decode(column: "doc_date", as: Double.self)),
                         score: (try? row.decode(column: "score", as: Double.self)) ?? 0)
    }
}
