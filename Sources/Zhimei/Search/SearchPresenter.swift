import Fluent
import Foundation
import Vapor
import ZhimeiText

/// Runs a request's search for the signed-in person and shapes the result for the API and the page.
enum SearchPresenter {
    static func visibility(_ req: Request) throws -> SearchVisibility {
        SearchVisibility.of(try req.requireActor(), sources: req.application.search.sources)
    }

    static func tenantNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await Tenant.query(on: db).filter(\.$id ~~ Array(ids)).all().compactMap { t in t.id.map { ($0, t.name) } },
                          uniquingKeysWith: { a, _ in a })
    }

    static func label(_ field: String, _ value: String, _ lang: String, tenants: [UUID: String]) -> String {
        switch field {
        case "type": return Localizer.text("search.type.\(value)", lang)
        case "tenant": return UUID(uuidString: value).flatMap { tenants[$0] } ?? value
        case "state": return Localizer.text("search.state.\(value)", lang)
        case "language": return LanguageNames.label(value, lang)
        default: return value.isEmpty ? (lang == "en" ? "(none)" : "（无）") : value
        }
    }

    static func hits(_ hits: [SearchHit], highlight: [String], tenants: [UUID: String]) -> [SearchHitDTO] {
        let words = SearchSnippet.variants(highlight)
        return hits.map { h in
            // The snippet comes from the body where it matches, else the lead where it matches, else the start of either.
            let source = !SearchSnippet.matches(h.body, words).isEmpty ? h.body
                : (!SearchSnippet.matches(h.lead, words).isEmpty || h.body.isEmpty ? h.lead : h.body)
            return SearchHitDTO(id: h.sourceID, key: h.key, type: h.kind, tenantId: h.tenantID, tenantName: tenants[h.tenantID] ?? "",
                                title: h.title, titleHtml: SearchSnippet.mark(h.title, words), snippetHtml: SearchSnippet.snippet(source, words),
                                tags: h.tags, category: h.category, author: h.author, state: h.state, channel: h.channel, language: h.language,
                                date: h.date, score: h.score.isFinite ? h.score : 0, link: h.link)
        }
    }

    /// The whole result for the request's query string, or for `values` (a POSTed body) when given.
    static func result(_ req: Request, values: SearchRequestParser.Values? = nil, lang: String) async throws -> SearchResultDTO {
        let values = values ?? SearchRequestParser.values(req)
        let r = try SearchRequestParser.parse(values, kinds: req.application.search.kinds)
        let (outcome, _) = try await SearchService.search(r, visibility: try visibility(req), app: req.application, on: req.db)
        var ids = Set(outcome.hits.map(\.tenantID))
        for f in outcome.facets["tenant"] ?? [] { if let id = UUID(uuidString: f.value) { ids.insert(id) } }
        let names = try await tenantNames(ids, on: req.db)
        func facet(_ key: String) -> [SearchFacetDTO] {
            (outcome.facets[key] ?? []).map { SearchFacetDTO(value: $0.value, label: label(key, $0.value, lang, tenants: names), count: $0.count) }
        }
        return SearchResultDTO(query: String(values("q")?.prefix(SearchQuery.maxInput) ?? ""),
                               total: outcome.total, offset: r.offset, limit: r.limit, sort: r.sort.rawValue,
                               items: hits(outcome.hits, highlight: outcome.highlight, tenants: names),
                               facets: SearchFacetsDTO(type: facet("type"), state: facet("state"), tenant: facet("tenant"), category: facet("category"), language: facet("language")),
                               highlight: outcome.highlight)
    }
}

/// Related material while writing: the draft's TF-IDF keywords, searched as alternatives, best matches first.
enum SearchRelated {
    /// How many related items the panel shows.
    static let shown = 10

    static func related(text: String, excluding storyID: UUID?, on req: Request) async throws -> RelatedDTO {
        let engine = try await req.application.text.engine()
        let keywords = engine.keywords(String(text.prefix(20_000)), top: 8).map(\.word)
            .filter { w in w.unicodeScalars.contains { SearchAnalyzer.isWordScalar($0) } }
        guard !keywords.isEmpty else { return RelatedDTO(keywords: [], items: []) }
        var r = SearchRequest()
        r.query = SearchQuery(clauses: [.init(alternatives: keywords.map { .init(text: $0, phrase: false, field: .any) }, negated: false)])
        r.kinds = req.application.search.kinds.filter { $0 != "topic" }
        r.limit = shown
        r.facets = false
        // Neither the draft itself nor its published version (other stories' published versions are collapsed into
        // their stories by the search itself).
        if let storyID { r.excludeKeys = ["story", "published"].map { "\($0):\(storyID.uuidString.lowercased())" } }
        let (outcome, _) = try await SearchService.search(r, visibility: try SearchPresenter.visibility(req), app: req.application, on: req.db)
        let names = try await SearchPresenter.tenantNames(Set(outcome.hits.map(\.tenantID)), on: req.db)
        return RelatedDTO(keywords: keywords, items: SearchPresenter.hits(outcome.hits, highlight: outcome.highlight, tenants: names))
    }
}
