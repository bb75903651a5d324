import Foundation
import Vapor

/// The search page (资料检索): one box, filters, facets, highlighted snippets, pages.
struct SearchPages {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    /// A facet value; one without a value ("（无）") is shown but not a link (an empty filter means no filter).
    struct FacetLink: Encodable { var label: String; var count: Int; var href: String?; var active: Bool }
    struct FacetGroup: Encodable { var title: String; var links: [FacetLink] }
    struct Row: Encodable {
        var type: String; var typeLabel: String; var titleHtml: String; var snippetHtml: String; var link: String
        var tenant: String; var author: String; var state: String; var date: String
        /// The first five tags, each a link that narrows the search to it.
        var tags: [Option]
    }
    struct PageView: Encodable {
        var q: String; var from: String; var to: String; var author: String; var tag: String; var sorts: [Option]; var recency: Bool
        var rows: [Row]; var total: Int; var hasRows: Bool; var searched: Bool; var facets: [FacetGroup]
        var prev: String?; var next: String?; var error: String?
        /// Nothing found, and the proofreader would write the query differently (再接再励 → 再接再厉): 是不是要找.
        var suggestion: String? = nil; var suggestionLink: String? = nil
        /// What "保存搜索" keeps: a name to start from, the types and the other filters (value = parameter, label = its value).
        var saveName = ""; var saveTypes = ""; var saveFilters: [Option] = []
        /// 最近搜索: the person's latest searches, shown under an empty box (value = link, label = words).
        var history: [Option] = []
    }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "search", access: .authenticated, use: page)
    }

    static func link(_ req: Request, set: [String: String?]) -> String {
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { set[$0.name] == nil }
        for (k, v) in set.sorted(by: { $0.key < $1.key }) { if let v { items.append(URLQueryItem(name: k, value: v)) } }
        var c = URLComponents(); c.path = "/search"; c.queryItems = items.isEmpty ? nil : items
        return c.string ?? "/search"
    }

    /// The query with its typos fixed by the person's tenant's proofreader (its protected names stay), when that changes it.
    static func corrected(_ q: String, _ req: Request) async throws -> String? {
        let actor = try req.requireActor()
        let proofreader = try await ProofreadService.proofreader(tenantID: actor.activeTenantID, app: req.application, db: req.db)
        let fixed = proofreader.correct(q)
        return fixed != q && !fixed.trimmingCharacters(in: .whitespaces).isEmpty ? fixed : nil
    }

    @Sendable func page(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let raw = { (k: String) in ((try? req.query.get(String?.self, at: k)) ?? nil) ?? "" }
        var view = PageView(q: String(raw("q").prefix(SearchQuery.maxInput)), from: String(raw("from").prefix(40)), to: String(raw("to").prefix(40)),
                            author: String(raw("author").prefix(200)), tag: String(raw("tag").prefix(200)),
                            sorts: SearchRequest.Sort.allCases.map { Option(value: $0.rawValue, label: Localizer.text("search.sort.\($0.rawValue)", lang), selected: raw("sort") == $0.rawValue) },
                            recency: raw("recency") == "true", rows: [], total: 0, hasRows: false, searched: !raw("q").isEmpty, facets: [], prev: nil, next: nil, error: nil)
        view.saveName = String(view.q.prefix(100))
        view.saveTypes = raw("type")
        view.saveFilters = SavedSearchService.filterKeys.compactMap { key in raw(key).isEmpty ? nil : Option(value: key, label: raw(key), selected: true) }
        do {
            let result = try await SearchPresenter.result(req, lang: lang)
            view.total = result.total
            view.rows = result.items.map { h in
                Row(type: h.type, typeLabel: Localizer.text("search.type.\(h.type)", lang), titleHtml: h.titleHtml, snippetHtml: h.snippetHtml,
                    link: h.link, tenant: h.tenantName,
                    // A lead's "author" is its source; built-in sources are stored in both languages (粘贴 / Paste).
                    author: h.type == BuiltInSearchSources.lead.kind ? LeadsPages.sourceLabel(h.author, lang) : h.author, state: Localizer.text("search.state.\(h.state)", lang),
                    date: DisplayTime.format(h.date),
                    tags: h.tags.prefix(5).map { Option(value: Self.link(req, set: ["tag": $0, "offset": nil]), label: $0, selected: $0 == view.tag) })
            }
            view.hasRows = !view.rows.isEmpty
            // A suggestion is an extra: if the proofreader cannot load, the page still answers without one.
            if !view.hasRows, result.offset == 0, !view.q.isEmpty, let fixed = (try? await Self.corrected(view.q, req)) ?? nil {
                view.suggestion = fixed
                view.suggestionLink = Self.link(req, set: ["q": fixed, "offset": nil])
            }
            let params = ["type": "type", "state": "state", "tenant": "tenant_id", "category": "category", "language": "language"]
            for key in ["type", "state", "tenant", "category", "language"] {
                let values: [SearchFacetDTO]
                switch key {
                case "type": values = result.facets.type
                case "state": values = result.facets.state
                case "tenant": values = result.facets.tenant
                case "category": values = result.facets.category
                default: values = result.facets.language
                }
                guard !values.isEmpty, let param = params[key] else { continue }
                // Only a parameter that is there makes a value active (a missing one used to mark "（无）" active).
                let current = ((try? req.query.get(String?.self, at: param)) ?? nil).flatMap { $0.isEmpty ? nil : $0 }
                view.facets.append(FacetGroup(title: Localizer.text("search.facet.\(key)", lang), links: values.map { f in
                    FacetLink(label: f.label, count: f.count,
                              href: f.value.isEmpty ? nil : Self.link(req, set: [param: current == f.value ? nil : f.value, "offset": nil]),
                              active: !f.value.isEmpty && current == f.value)
                }))
            }
            if result.offset == 0, !view.q.isEmpty {
                // History is an extra: a failure to record it does not fail the search.
                try? await SearchHistory.record(query: view.q, link: Self.link(req, set: ["offset": nil]), userID: try req.requireActor().userID, on: req.db)
            }
            if result.offset > 0 { view.prev = Self.link(req, set: ["offset": String(max(0, result.offset - result.limit))]) }
            if result.offset + result.limit < result.total, result.offset + result.limit <= 10_000 { view.next = Self.link(req, set: ["offset": String(result.offset + result.limit)]) }
        } catch let error as AppError {
            view.error = lang == "en" ? error.en : error.zh
        }
        if !view.searched {
            view.history = try await SearchHistory.latest(userID: try req.requireActor().userID, on: req.db).map { Option(value: $0.link, label: $0.query, selected: false) }
        }
        return try await PageContext.render("search/index", titleKey: "search.title", section: "search", body: view, on: req)
    }
}
