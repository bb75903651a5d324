import Fluent
import Foundation
import Vapor

/// 我保存的搜索: a person's saved searches, each with its words and filters in words, opened, renamed, its alert
/// switched, or deleted.
struct SavedSearchPages {
    struct Row: Encodable {
        var id: String; var name: String; var query: String; var link: String; var filters: [String]
        var alert: Bool; var alertBody: String; var checked: String; var created: String
    }
    struct PageView: Encodable { var items: [Row]; var limit: Int }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "search", "saved", access: .authenticated, use: page)
    }

    @Sendable func page(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let lang = Localizer.language(of: req)
        let saved = try await SavedSearch.query(on: req.db).filter(\.$userID == actor.userID).sort(\.$createdAt, .descending)
            .limit(SavedSearchService.maxPerUser).all()
        let tenantIDs = Set(saved.compactMap { $0.filters?["tenant_id"].flatMap(UUID.init(uuidString:)) })
        let tenants = try await SearchPresenter.tenantNames(tenantIDs, on: req.db)
        let rows = saved.map { s in
            Row(id: s.id?.uuidString ?? "", name: s.name, query: s.query, link: SavedSearchService.link(s),
                filters: Self.describe(s, lang: lang, tenants: tenants), alert: s.alert, alertBody: s.alert ? #"{"alert":false}"# : #"{"alert":true}"#,
                checked: DisplayTime.format(s.checkedAt), created: DisplayTime.format(s.createdAt))
        }
        return try await PageContext.render("search/saved", titleKey: "search.saved", section: "search",
                                            body: PageView(items: rows, limit: SavedSearchService.maxPerUser), on: req)
    }

    /// A saved search's types and filters in the reader's words (类型：稿件、线索 · 状态：已发布 · 2026-01-01 起).
    static func describe(_ s: SavedSearch, lang: String, tenants: [UUID: String]) -> [String] {
        let f = s.filters ?? [:]
        let sep = lang == "en" ? ", " : "、"
        func part(_ key: String, _ values: [String]) -> String { Localizer.text(key, lang) + (lang == "en" ? ": " : "：") + values.joined(separator: sep) }
        func list(_ key: String) -> [String] { (f[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        var out: [String] = []
        if !s.kinds.isEmpty { out.append(part("search.facet.type", s.kinds.map { SearchPresenter.label("type", $0, lang, tenants: tenants) })) }
        if let t = f["tenant_id"] { out.append(part("search.facet.tenant", [SearchPresenter.label("tenant", t, lang, tenants: tenants)])) }
        for (key, field) in [("state", "state"), ("category", "category"), ("language", "language")] where !list(key).isEmpty {
            out.append(part("search.facet.\(field)", list(key).map { SearchPresenter.label(field, $0, lang, tenants: tenants) }))
        }
        if !list("channel").isEmpty { out.append(part("search.filter.channel", list("channel"))) }
        if let a = f["author"] { out.append(part("search.filter.author", [a])) }
        if let t = f["tag"] { out.append(part("search.filter.tag", [t])) }
        switch (f["from"], f["to"]) {
        case let (from?, to?): out.append(part("search.filter.date", ["\(from) – \(to)"]))
        case let (from?, nil): out.append(part("search.filter.date", [Localizer.text("search.filter.since", lang).replacingOccurrences(of: "{d}", with: from)]))
        case let (nil, to?): out.append(part("search.filter.date", [Localizer.text("search.filter.until", lang).replacingOccurrences(of: "{d}", with: to)]))
        case (nil, nil): break
        }
        if f["sort"] == SearchRequest.Sort.time.rawValue { out.append(Localizer.text("search.filter.bytime", lang)) }
        if f["recency"] == "true" { out.append(Localizer.text("search.recency", lang)) }
        return out
    }
}
