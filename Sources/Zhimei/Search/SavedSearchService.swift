import Fluent
import Foundation
import Vapor

/// Saved searches with alerts: the sync job runs each one and notifies its owner when new items match.
enum SavedSearchService {
    static let maxPerUser = 50

    /// What a person may see, from their memberships (for jobs, which have no request).
    static func visibility(userID: UUID, sources: [any SearchSource], on db: any Database) async throws -> SearchVisibility {
        let memberships = try await Membership.query(on: db).filter(\.$user.$id == userID).all()
        if memberships.contains(where: { $0.role == .platformAdmin }) { return .everything(sources.map(\.kind)) }
        var out: [String: TenantScope] = [:]
        for s in sources {
            let ids = Set(memberships.filter { $0.role.permissions.contains(s.permission) }.map { $0.$tenant.id })
            if !ids.isEmpty { out[s.kind] = .only(ids) }
        }
        return SearchVisibility(byKind: out)
    }

    /// The filters a saved search keeps besides its words and types: every filter of the search except paging.
    static let filterKeys = ["tenant_id", "state", "channel", "author", "tag", "category", "language", "from", "to", "sort", "recency"]

    /// The parameters of a saved search (words, types and filters), as the search page and API read them.
    static func values(query: String, kinds: [String], filters: [String: String]) -> [String: String] {
        var v = filters
        v["q"] = query
        if !kinds.isEmpty { v["type"] = kinds.joined(separator: ",") }
        return v
    }

    static func values(_ s: SavedSearch) -> [String: String] {
        values(query: s.query, kinds: s.kinds, filters: s.filters ?? [:])
    }

    /// The search page showing a saved search, its filters included; an alert's link sorts by time, newest first, so
    /// that what is new comes first.
    static func link(_ s: SavedSearch, newestFirst: Bool = false) -> String {
        var v = values(s)
        if newestFirst { v["sort"] = SearchRequest.Sort.time.rawValue }
        var c = URLComponents()
        c.path = "/search"
        c.queryItems = (["q", "type"] + filterKeys).compactMap { key in v[key].map { URLQueryItem(name: key, value: $0) } }
        return c.string ?? "/search"
    }

    /// The filters as given, validated the way a search validates them (unknown keys and bad values are a 422), with
    /// empty values dropped. Returns what is kept.
    static func validatedFilters(_ raw: [String: String], query: String, kinds: [String], known: [String]) throws -> [String: String] {
        if let unknown = raw.keys.sorted().first(where: { !filterKeys.contains($0) }) {
            throw AppError.invalid("filters", zh: "未知的筛选条件：\(String(unknown.prefix(40)))", en: "Unknown filter: \(String(unknown.prefix(40)))")
        }
        var kept: [String: String] = [:]
        for (key, value) in raw {
            let v = SearchRequestParser.clean(value).trimmingCharacters(in: .whitespacesAndNewlines)
            if !v.isEmpty { kept[key] = v }
        }
        _ = try SearchRequestParser.parse({ values(query: query, kinds: kinds, filters: kept)[$0] }, kinds: known)
        return kept
    }

    static func create(name: String, query: String, kinds: [String], filters: [String: String] = [:], alert: Bool, actor: Actor,
                       on db: any Database) async throws -> SavedSearch {
        let s = SavedSearch()
        s.id = UUID()
        s.tenantID = actor.activeTenantID
        s.userID = actor.userID
        s.name = name
        s.query = query
        s.kinds = kinds
        s.filters = filters.isEmpty ? nil : filters
        s.alert = alert
        s.checkedAt = Date()
        s.createdAt = Date()
        let userID = actor.userID
        try await Quota.create(forUser: userID, limit: maxPerUser,
                               refusal: AppError(.unprocessableEntity, "saved_search_limit", zh: "保存的搜索已达上限（\(maxPerUser) 个）", en: "Too many saved searches (\(maxPerUser))"),
                               on: db, count: { tx in
            // Under the quota's lock, so that the same search saved twice at once is still saved once: it would alert twice.
            let mine = try await SavedSearch.query(on: tx).filter(\.$userID == userID).filter(\.$query == query).all()
            if let same = mine.first(where: { Set($0.kinds) == Set(kinds) && ($0.filters ?? [:]) == filters }) {
                throw AppError(.conflict, "saved_search_exists", zh: "已保存过相同的搜索：「\(same.name)」", en: "This search is already saved as “\(same.name)”")
            }
            return try await SavedSearch.query(on: tx).filter(\.$userID == userID).count()
        }, insert: { tx in try await s.create(on: tx) })
        return s
    }

    /// The search a saved search runs: its words, types and filters.
    static func request(_ s: SavedSearch, kinds known: [String]) -> SearchRequest {
        let v = values(s)
        if let r = try? SearchRequestParser.parse({ v[$0] }, kinds: known) { return r }
        // A filter that no longer parses (a document type since removed) leaves the words and the types still known.
        var r = SearchRequest()
        r.query = SearchQuery.parse(s.query)
        r.kinds = s.kinds.filter(known.contains)
        return r
    }

    /// Runs every alerting saved search; returns how many notifications were sent.
    static func runAlerts(app: Application, on db: any Database, now: Date = Date()) async throws -> Int {
        let saved = try await SavedSearch.query(on: db).filter(\.$alert == true).sort(\.$checkedAt, .ascending).limit(500).all()
        guard !saved.isEmpty else { return 0 }
        let sources = app.search.sources
        var sent = 0
        for s in saved {
            var r = request(s, kinds: app.search.kinds)
            r.updatedAfter = s.checkedAt
            r.limit = 1
            r.offset = 0
            r.facets = false
            r.sort = .time
            let visibility = try await visibility(userID: s.userID, sources: sources, on: db)
            let (outcome, _) = try await SearchService.search(r, visibility: visibility, app: app, on: db)
            if let first = outcome.hits.first {
                let count = max(outcome.total, 1)
                try await NotificationService.notify([s.userID], tenantID: s.tenantID, kind: "search.alert",
                                                     title: "保存的搜索「\(s.name)」有 \(count) 条新结果：\(first.title)\(count > 1 ? " 等" : "")"
                                                         + " / Saved search “\(s.name)”: \(count > 1 ? "\(count) new results, the newest" : "1 new result"): \(first.title)",
                                                     link: link(s, newestFirst: true), on: db)
                sent += 1
            }
            s.checkedAt = now
            try await s.save(on: db)
        }
        return sent
    }
}
