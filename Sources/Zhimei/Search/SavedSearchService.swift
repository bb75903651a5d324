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

    static func create(name: String, query: String, kinds: [String], alert: Bool, actor: Actor, on db: any Database) async throws -> SavedSearch {
        let s = SavedSearch()
        s.id = UUID()
        s.tenantID = actor.activeTenantID
        s.userID = actor.userID
        s.name = name
        s.query = query
        s.kinds = kinds
        s.alert = alert
        s.checkedAt = Date()
        s.createdAt = Date()
        let userID = actor.userID
        try await Quota.create(forUser: userID, limit: maxPerUser,
                               refusal: AppError(.unprocessableEntity, "saved_search_limit", zh: "保存的搜索已达上限（\(maxPerUser) 个）", en: "Too many saved searches (\(maxPerUser))"),
                               on: db, count: { tx in try await SavedSearch.query(on: tx).filter(\.$userID == userID).count() },
                               insert: { tx in try await s.create(on: tx) })
        return s
    }

    /// Runs every alerting saved search; returns how many notifications were sent.
    static func runAlerts(app: Application, on db: any Database, now: Date = Date()) async throws -> Int {
        let saved = try await SavedSearch.query(on: db).filter(\.$alert == true).sort(\.$checkedAt, .ascending).limit(500).all()
        guard !saved.isEmpty else { return 0 }
        let sources = app.search.sources
        var sent = 0
        for s in saved {
            var r = SearchRequest()
            r.query = SearchQuery.parse(s.query)
            r.kinds = s.kinds
            r.updatedAfter = s.checkedAt
            r.limit = 5
            r.facets = false
            r.sort = .time
            let visibility = try await visibility(userID: s.userID, sources: sources, on: db)
            let (outcome, _) = try await SearchService.search(r, visibility: visibility, app: app, on: db)
            if let first = outcome.hits.first {
                let more = outcome.hits.count > 1 ? "（等 \(outcome.hits.count) 条）" : ""
                try await NotificationService.notify([s.userID], tenantID: s.tenantID, kind: "search.alert",
                                                     title: "保存的搜索「\(s.name)」有新结果：\(first.title)\(more)",
                                                     link: "/search?q=" + (s.query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), on: db)
                sent += 1
            }
            s.checkedAt = now
            try await s.save(on: db)
        }
        return sent
    }
}
