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
    /// On SQLite the matches are joined to the narrow filter table (`search_filter`, migration 067) rather than to the
    /// table, whose rows are kilobytes of text on overflow pages: the filter columns of each of thousands of matches are
    /// read from a small, cached table by integer key. Only tag and author filters read the full row (as `dr`).
    static func fromWhere(_ r: SearchRequest, _ a: AnalyzedQuery, visibility: SearchVisibility, pg: Bool) -> SQLQueryString? {
        var conditions: [SQLQueryString] = []
        var from: SQLQueryString = "search_documents d"
        let authors = r.authors + a.authors
        // the alias of the columns only the full row holds (tags, author)
        var row = "d"
        if !a.isEmpty {
            if pg {
                from = "search_documents d, CAST(\(bind: a.tsquery) AS tsquery) q"
                conditions.append("d.tsv @@ q")
            } else {
                from = "search_fts JOIN search_filter d ON d.seq = search_fts.rowid"
                conditions.append("search_fts MATCH \(bind: a.fts5)")
                if !r.tags.isEmpty || !authors.isEmpty {
                    from = from + " JOIN search_documents dr ON dr.seq = d.seq"
                    row = "dr"
                }
            }
        }
        // Phrases: the tokens in order (the index only found documents holding all of them); excluded phrases likewise.
        // (SQLite matches phrases in FTS5 itself, 066.)
        for (clause, excluded) in pg ? a.phraseChecks.map({ ($0, false) }) + a.excludedPhraseChecks.map({ ($0, true) }) : [] {
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
        for tag in r.tags { conditions.append("\(unsafeRaw: row).tags LIKE \(bind: "%|" + likeEscape(tag) + "|%") ESCAPE '\\'") }
        if !authors.isEmpty {
            // A name, or its pinyin initials ("zxm" → 张晓明; a prefix of one name's initials).
            let matches: [SQLQueryString] = authors.flatMap { a -> [SQLQueryString] in
                let name: SQLQueryString = "\(unsafeRaw: row).author LIKE \(bind: "%" + likeEscape(a) + "%") ESCAPE '\\'"
                return SearchPinyin.isInitials(a) ? [name, "\(unsafeRaw: row).author_initials LIKE \(bind: "% " + a.lowercased() + "%")"] : [name]
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
        guard let hidden = hiddenPublished(r, visibility: visibility) else { return nil }
        guard let ids = hidden.tenants else { return "d.kind <> \(bind: hidden.kind)" }
        return "NOT (d.kind = \(bind: hidden.kind) AND d.tenant_id IN (\(binds: ids.map { $0.uuidString.lowercased() }.sorted())))"
    }

    /// The published documents `collapsedPublished` leaves out: their kind and the tenants (nil: every tenant).
    static func hiddenPublished(_ r: SearchRequest, visibility: SearchVisibility) -> (kind: String, tenants: [UUID]?)? {
        let published = PublishedSearchSource.kindName, story = BuiltInSearchSources.story.kind
        guard !(r.kinds.contains(published) && !r.kinds.contains(story)), r.channels.isEmpty, visibility.byKind[published] != nil,
              let stories = visibility.byKind[story] else { return nil }
        switch stories {
        case .all: return (published, nil)
        case .only(let ids) where !ids.isEmpty: return (published, Array(ids))
        case .only: return nil
        }
    }

    /// The score expression (higher is better) with the optional recency boost. SQLite ranks with `zhimei_bm25` (bm25()
    /// with the row's length from the filter table and the IDF's phrase counts from `sample` where given, SearchFTSRanking).
    static func score(_ r: SearchRequest, _ a: AnalyzedQuery, pg: Bool, now: Date, sample: SearchIDFSample? = nil) -> SQLQueryString {
        guard !a.isEmpty else { return "0.0" }
        let base: SQLQueryString = pg ? "ts_rank(\(unsafeRaw: tsWeights), d.tsv, q)"
            : "(-\(unsafeRaw: SearchFTSRanking.functionName)(search_fts, \(unsafeRaw: bm25Weights), d.doc_tokens, " + (sample?.arguments ?? "NULL") + "))"
        guard r.recency else { return base }
        return base + recencyBoost(now: now, date: "d.doc_date")
    }

    /// The recency factor of a score: up to ×2 for today's items, fading over about a month.
    static func recencyBoost(now: Date, date: SQLQueryString) -> SQLQueryString {
        " * (1.0 + 1.0 / (1.0 + abs(\(bind: now.timeIntervalSince1970) - " + date + ") / 2592000.0))"
    }

    /// Runs a search: one page of hits, the total and (optionally) facet counts.
    /// `docValues` false joins the filter table even where the in-memory values could serve (the bench compares both).
    public static func run(_ r: SearchRequest, analyzed a: AnalyzedQuery, visibility: SearchVisibility, on db: any Database, now: Date = Date(),
                           docValues: Bool = true) async throws -> SearchOutcome {
        try await onSearchConnection(db) { conn in try await search(r, analyzed: a, visibility: visibility, on: conn, now: now, docValues: docValues) }
    }

    /// Runs `body` on a connection set up for searching. On SQLite that is one pooled connection with a large page
    /// cache: a query reads thousands of index pages, and with SQLite's default 2 MB per connection each query read
    /// them from the file again. 256 MB per connection (filled only as used) keeps the hot doclists and the filter
    /// index of a million articles in memory.
    static func onSearchConnection<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard try SearchIndex.sql(db).dialect.name != "postgresql" else { return try await body(db) }
        return try await db.withConnection { conn in
            try await SearchIndex.sql(conn).raw(SQLQueryString("PRAGMA cache_size=-\(unsafeRaw: String(searchCacheKiB))")).run()
            return try await body(conn)
        }
    }

    /// The largest page and the largest offset a search serves (larger requests are clamped).
    static let largestPage = 200, largestOffset = 100_000

    /// Page cache of a connection that has run a search (KiB).
    static let searchCacheKiB = 262_144

    static func search(_ r: SearchRequest, analyzed a: AnalyzedQuery, visibility: SearchVisibility, on db: any Database, now: Date,
                       docValues: Bool = true) async throws -> SearchOutcome {
        let sql = try SearchIndex.sql(db)
        let pg = sql.dialect.name == "postgresql"
        // A query that had words but none survived analysis (only punctuation, only exclusions) matches nothing.
        let hadText = !r.query.clauses.isEmpty
        guard !(hadText && a.isEmpty), let base = fromWhere(r, a, visibility: visibility, pg: pg) else {
            return SearchOutcome(hits: [], total: 0, facets: [:], highlight: [])
        }
        let limit = max(1, min(r.limit, largestPage)), offset = max(0, min(r.offset, largestOffset))
        let sample = pg || a.isEmpty ? nil : try await SearchIDFSample.take(sql, phrases: a.ftsPhrases)
        let hits: [SearchHit]
        var total: Int
        var facets: [String: [(String, Int)]]?
        if !pg, docValues, servedByDocValues(r, a),
           let found = try await searchWithDocValues(db, r, a, visibility: visibility, sample: sample, now: now, limit: limit, offset: offset) {
            (hits, total, facets) = (found.hits, found.total, r.facets ? found.facets : nil)
        } else if !a.isEmpty, r.facets, let one = try await rankedWithFacets(sql, r, a, base, pg: pg, now: now, sample: sample, limit: limit, offset: offset) {
            (hits, total, facets) = (one.hits, one.total, one.facets)
        } else if a.isEmpty {
            // No words: newest first from the date index; the total by a separate count.
            let page: SQLQueryString = "SELECT \(unsafeRaw: selectColumns), 0.0 AS score " + base
                + " ORDER BY d.doc_date DESC, d.id ASC LIMIT \(literal: limit) OFFSET \(literal: offset)"
            hits = try await sql.raw(page).all().map(hit)
            total = hits.count + offset
            if hits.count >= limit || offset > 0 || r.facets {
                total = try await sql.raw("SELECT COUNT(*) AS n " + base).first()?.decode(column: "n", as: Int.self) ?? 0
            }
        } else if !pg {
            // Words on SQLite: one pass over the matches counts them and keeps the best (SearchTopMatches), without
            // writing every match to a temporary table; the stored text is then read for the page's rows alone.
            // (`LIMIT -1` keeps the matches a subquery of their own: flattened into the aggregate, some plans made FTS5
            // refuse its ranking function "in the requested context".)
            let top: SQLQueryString = "SELECT \(unsafeRaw: SearchTopMatches.functionName)(\(literal: limit + offset), \(literal: r.sort == .time ? 0 : 1), "
                + "m.score, m.dd, m.did, m.seq) AS top FROM (" + rankedMatches(r, a, base, pg: pg, now: now, sample: sample) + " LIMIT -1) m"
            let found = SearchTopMatches.decode(try await sql.raw(top).first()?.decode(column: "top", as: String.self) ?? "0")
            hits = try await storedHits(sql, Array(found.rows.dropFirst(offset)))
            total = found.total
        } else {
            // Words on PostgreSQL: one pass over the matches ranks them and counts them (a window count), keeping only
            // each match's key and score; the stored text is then read for the page's rows alone.
            let order = rankOrder(r)
            let matches = rankedMatches(r, a, base, pg: pg, now: now, sample: sample)
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
        if facets == nil, r.facets { facets = try await facetCounts(sql, base) }
        return SearchOutcome(hits: hits, total: total, facets: facets ?? [:], highlight: a.highlightTokens)
    }

    /// A page, the total and the facet counts from the in-memory filter values (SearchDocValues) and the full-text
    /// index alone, read in one transaction so that the values are those of the rows the match sees; nil when no
    /// snapshot serves that transaction (the caller joins the filter table). Facets are counted in the same pass.
    static func searchWithDocValues(_ db: any Database, _ r: SearchRequest, _ a: AnalyzedQuery, visibility: SearchVisibility,
                                    sample: SearchIDFSample?, now: Date, limit: Int, offset: Int) async throws
        -> (hits: [SearchHit], total: Int, facets: [String: [(value: String, count: Int)]])? {
        try await db.transaction { tx in
            let sql = try SearchIndex.sql(tx)
            // an index without the change log (069), or any failure to read the values: the join serves
            guard let snapshot = (try? await SearchDocValues.snapshot(sql)) ?? nil else { return nil }
            let query = SearchDocQuery(snapshot, SearchDocFilter(r, visibility: visibility, codes: snapshot.codes), countsFacets: r.facets)
            let handle = SearchDocHandles.register(query)
            defer { SearchDocHandles.release(handle) }
            SearchDocValues.searchesServed.withLockedValue { $0 += 1 }
            let text = try await sql.raw(topFromDocValues(handle: handle, r, a, sample: sample, now: now, k: limit + offset)).first()?
                .decode(column: "top", as: String.self) ?? "0"
            let found = SearchTopMatches.decode(text)
            let hits = try await storedHits(sql, Array(found.rows.dropFirst(offset)))
            return (hits, found.total, r.facets ? SearchTopMatches.decodeFacets(text, codes: snapshot.codes) : [:])
        }
    }

    /// Whether a search can filter and rank with the in-memory filter values: words, and no condition they lack (tags
    /// and authors are in the full row).
    static func servedByDocValues(_ r: SearchRequest, _ a: AnalyzedQuery) -> Bool {
        !a.isEmpty && r.tags.isEmpty && r.authors.isEmpty && a.authors.isEmpty
    }

    /// `zhimei_top_docs` over the full-text matches the handle's filter keeps, ranked by `zhimei_bm25` with each row's
    /// length from the snapshot: no table but the full-text index is read per match.
    static func topFromDocValues(handle: Int64, _ r: SearchRequest, _ a: AnalyzedQuery, sample: SearchIDFSample?, now: Date, k: Int) -> SQLQueryString {
        let h = Int(handle)
        var score: SQLQueryString = "(-\(unsafeRaw: SearchFTSRanking.functionName)(search_fts, \(unsafeRaw: bm25Weights), "
            + "\(unsafeRaw: SearchDocQuery.lengthFunctionName)(\(literal: h), search_fts.rowid), " + (sample?.arguments ?? "NULL") + "))"
        if r.recency {
            score = score + recencyBoost(now: now, date: "\(unsafeRaw: SearchDocQuery.dateFunctionName)(\(literal: h), search_fts.rowid)")
        }
        return "SELECT \(unsafeRaw: SearchTopMatches.docsFunctionName)(\(literal: h), \(literal: k), \(literal: r.sort == .time ? 0 : 1), m.score, m.seq) AS top "
            + "FROM (SELECT search_fts.rowid AS seq, " + score + " AS score FROM search_fts WHERE search_fts MATCH \(bind: a.fts5) "
            + "AND \(unsafeRaw: SearchDocQuery.keepFunctionName)(\(literal: h), search_fts.rowid) LIMIT -1) m"
    }

    /// Every match with its row number, date, key and score (the aliases `rankOrder` sorts by), and its facet values.
    static func rankedMatches(_ r: SearchRequest, _ a: AnalyzedQuery, _ base: SQLQueryString, pg: Bool, now: Date,
                              sample: SearchIDFSample? = nil, withFacetFields: Bool = false) -> SQLQueryString {
        let facets = withFacetFields ? ", " + facetFields.map { "d.\($0) AS \($0)" }.joined(separator: ", ") : ""
        return "SELECT d.seq AS seq, d.doc_date AS dd, d.id AS did, " + score(r, a, pg: pg, now: now, sample: sample) + " AS score\(unsafeRaw: facets) " + base
    }

    /// The order of ranked matches (aliases of the ranked rows).
    static func rankOrder(_ r: SearchRequest) -> [String] { (r.sort == .time ? [] : ["score DESC"]) + ["dd DESC", "did ASC"] }

    /// A page, the total and the facet counts from one pass over the matches: they are ranked once into a materialized
    /// table, from which the page and the counts per combination of facet values are read in one statement. Before,
    /// the facets ran the full-text match a second time (the search page always asks for facets). Nil when there are
    /// more combinations than `combinationLimit` (the caller then counts per field).
    static func rankedWithFacets(_ sql: any SQLDatabase, _ r: SearchRequest, _ a: AnalyzedQuery, _ base: SQLQueryString, pg: Bool, now: Date,
                                 sample: SearchIDFSample? = nil, limit: Int, offset: Int, combinationLimit: Int = facetCombinationLimit) async throws
        -> (hits: [SearchHit], total: Int, facets: [String: [(String, Int)]])? {
        let fields = facetFields.joined(separator: ", ")
        let matches = rankedMatches(r, a, base, pg: pg, now: now, sample: sample, withFacetFields: true)
        // Typed NULLs: PostgreSQL resolves an untyped NULL in a subquery as text, which a UNION cannot match with bigint.
        let statement: SQLQueryString = "WITH m AS MATERIALIZED (" + matches + ") "
            + "SELECT * FROM (SELECT 0 AS part, seq, dd, did, score, \(unsafeRaw: facetFields.map { "CAST(NULL AS TEXT) AS \($0)" }.joined(separator: ", ")), 1 AS n "
            + "FROM m ORDER BY \(unsafeRaw: rankOrder(r).joined(separator: ", ")) LIMIT \(literal: limit) OFFSET \(literal: offset)) page "
            + "UNION ALL SELECT * FROM (SELECT 1 AS part, CAST(NULL AS BIGINT) AS seq, "
            + "CAST(NULL AS DOUBLE PRECISION) AS dd, CAST(NULL AS TEXT) AS did, CAST(NULL AS DOUBLE PRECISION) AS score, \(unsafeRaw: fields), COUNT(*) AS n "
            + "FROM m GROUP BY \(unsafeRaw: fields) LIMIT \(literal: combinationLimit + 1)) counts"
        let rows = try await sql.raw(statement).all()
        var ranked: [(seq: Int, score: Double)] = []
        var combinations: [any SQLRow] = []
        for row in rows {
            if try row.decode(column: "part", as: Int.self) == 0 {
                ranked.append((try row.decode(column: "seq", as: Int.self), (try? row.decode(column: "score", as: Double.self)) ?? 0))
            } else {
                combinations.append(row)
            }
        }
        guard combinations.count <= combinationLimit else { return nil }
        let (total, facets) = try facetSums(combinations)
        return (try await storedHits(sql, ranked), total, facets)
    }

    /// The hits for ranked rows, in their order, with their stored text read by row number.
    static func storedHits(_ sql: any SQLDatabase, _ ranked: [(seq: Int, score: Double)]) async throws -> [SearchHit] {
        guard !ranked.isEmpty else { return [] }
        var bySeq: [Int: SearchHit] = [:]
        let text: SQLQueryString = "SELECT d.seq AS seq, \(unsafeRaw: selectColumns) FROM search_documents d WHERE d.seq IN (\(binds: ranked.map(\.seq)))"
        for row in try await sql.raw(text).all() { bySeq[try row.decode(column: "seq", as: Int.self)] = try hit(row) }
        return ranked.compactMap { m -> SearchHit? in
            guard var h = bySeq[m.seq] else { return nil }
            h.score = m.score
            return h
        }
    }

    /// Facet counts by their own full-text pass, as searches with facets did before `rankedWithFacets` (the bench
    /// measures both; the engine still counts this way when the combinations are too many).
    static func facetsInASecondPass(_ r: SearchRequest, analyzed a: AnalyzedQuery, visibility: SearchVisibility, on db: any Database) async throws -> [String: [(value: String, count: Int)]] {
        let pg = try SearchIndex.sql(db).dialect.name == "postgresql"
        guard let base = fromWhere(r, a, visibility: visibility, pg: pg) else { return [:] }
        return try await onSearchConnection(db) { conn in try await facetCounts(try SearchIndex.sql(conn), base) }
    }

    /// Most combinations of facet values read back before falling back to one query per facet.
    static let facetCombinationLimit = 10_000

    /// Facet counts (top 50 values per field) from one pass over the matches, grouped by every facet field at once and
    /// summed per field here; five passes (one per field) only when the combinations are too many.
    static func facetCounts(_ sql: any SQLDatabase, _ base: SQLQueryString, combinationLimit: Int = facetCombinationLimit) async throws -> [String: [(value: String, count: Int)]] {
        let columns = facetFields.map { "d." + $0 }.joined(separator: ", ")
        let grouped: SQLQueryString = "SELECT \(unsafeRaw: columns), COUNT(*) AS n " + base + " GROUP BY \(unsafeRaw: columns) LIMIT \(literal: combinationLimit + 1)"
        let rows = try await sql.raw(grouped).all()
        if rows.count <= combinationLimit { return try facetSums(rows).facets }
        var out: [String: [(value: String, count: Int)]] = [:]
        for field in facetFields {
            let q: SQLQueryString = "SELECT d.\(unsafeRaw: field) AS v, COUNT(*) AS n " + base + " GROUP BY d.\(unsafeRaw: field) ORDER BY n DESC, v ASC LIMIT 50"
            out[facetName(field)] = try await sql.raw(q).all().map { (try $0.decode(column: "v", as: String.self), try $0.decode(column: "n", as: Int.self)) }
        }
        return out
    }

    /// The total and the top 50 values per facet field, summed from counts per combination of facet values.
    static func facetSums(_ rows: [any SQLRow]) throws -> (total: Int, facets: [String: [(value: String, count: Int)]]) {
        var sums = Dictionary(uniqueKeysWithValues: facetFields.map { ($0, [String: Int]()) })
        var total = 0
        for row in rows {
            let n = try row.decode(column: "n", as: Int.self)
            total += n
            for field in facetFields { sums[field]![try row.decode(column: field, as: String.self), default: 0] += n }
        }
        return (total, facetLists(sums))
    }

    /// Each facet field's counts by value as the results list them: by facet name, most first, then by value, at most 50.
    static func facetLists(_ sums: [String: [String: Int]]) -> [String: [(value: String, count: Int)]] {
        var out: [String: [(value: String, count: Int)]] = [:]
        for field in facetFields {
            out[facetName(field)] = (sums[field] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(50).map { ($0.key, $0.value) }
        }
        return out
    }

    /// A facet field's name in results ("kind" is "type", "tenant_id" is "tenant").
    static func facetName(_ field: String) -> String { field == "kind" ? "type" : (field == "tenant_id" ? "tenant" : field) }

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
