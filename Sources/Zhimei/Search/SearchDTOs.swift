import Foundation
import Vapor

/// One facet value with its count.
struct SearchFacetDTO: Content { var value: String; var label: String; var count: Int }

/// Facet counts by field.
struct SearchFacetsDTO: Content {
    var type: [SearchFacetDTO] = []
    var state: [SearchFacetDTO] = []
    var tenant: [SearchFacetDTO] = []
    var category: [SearchFacetDTO] = []
    var language: [SearchFacetDTO] = []
}

/// One hit as the API returns it (`title_html` and `snippet_html` are escaped HTML with <mark> around matches).
struct SearchHitDTO: Content {
    var id: UUID
    var key: String
    var type: String
    var tenantId: UUID
    var tenantName: String
    var title: String
    var titleHtml: String
    var snippetHtml: String
    var tags: [String]
    var category: String
    var author: String
    var state: String
    var channel: String
    var language: String
    var date: Date
    var score: Double
    var link: String
}

/// A page of results.
struct SearchResultDTO: Content {
    var query: String
    var total: Int
    var offset: Int
    var limit: Int
    var sort: String
    var items: [SearchHitDTO]
    var facets: SearchFacetsDTO
    var highlight: [String]
}

/// Related material for a draft: the keywords used and the hits.
struct RelatedDTO: Content {
    var keywords: [String]
    var items: [SearchHitDTO]
}

/// A saved search.
struct SavedSearchDTO: Content {
    var id: UUID
    var name: String
    var query: String
    var types: [String]
    var filters: [String: String]
    var alert: Bool
    /// The search page showing it.
    var link: String
    /// Alerts report what was indexed after this.
    var checkedAt: Date
    var createdAt: Date
    init(_ s: SavedSearch) {
        id = s.id ?? UUID(); name = s.name; query = s.query; types = s.kinds; filters = s.filters ?? [:]; alert = s.alert
        link = SavedSearchService.link(s); checkedAt = s.checkedAt; createdAt = s.createdAt
    }
}

/// A search of the person's history.
struct SearchHistoryDTO: Content {
    var query: String
    var link: String
    var searchedAt: Date
    init(_ e: SearchHistoryEntry) { query = e.query; link = e.link; searchedAt = e.searchedAt }
}

/// A synonym group.
struct SynonymDTO: Content {
    var id: UUID
    var tenantId: UUID
    var words: [String]
    init(_ s: SearchSynonym) { id = s.id ?? UUID(); tenantId = s.tenantID; words = s.words }
}

/// OpenAPI component schemas of the Search module.
enum SearchSchemas {
    static let facetList: Schema = .array(.ref("SearchFacet"))
    /// A saved search's filters: the search's own filter parameters, as strings.
    static let savedFilters: Schema = .object(SavedSearchService.filterKeys.map { key in
        (key, SearchRequestParser.query.first { $0.name == key }?.schema ?? .string)
    }, required: [])
    static let hit: Schema = .object([
        ("id", .uuid), ("key", .string), ("type", .string), ("tenant_id", .uuid), ("tenant_name", .string), ("title", .string),
        ("title_html", .string), ("snippet_html", .string), ("tags", .array(.string)), ("category", .string), ("author", .string),
        ("state", .string), ("channel", .string), ("language", .string), ("date", .dateTime), ("score", .number), ("link", .string),
    ], required: ["id", "key", "type", "tenant_id", "tenant_name", "title", "title_html", "snippet_html", "tags", "category", "author",
                  "state", "channel", "language", "date", "score", "link"])

    static let all: [(String, Schema)] = [
        ("SearchFacet", .object([("value", .string), ("label", .string), ("count", .integer(minimum: 0))], required: ["value", "label", "count"])),
        ("SearchHit", hit),
        ("SearchResult", .object([
            ("query", .string), ("total", .integer(minimum: 0)), ("offset", .integer(minimum: 0)), ("limit", .integer(minimum: 1)),
            ("sort", .enumeration(["relevance", "time"])), ("items", .array(.ref("SearchHit"))),
            ("facets", .object([("type", facetList), ("state", facetList), ("tenant", facetList), ("category", facetList), ("language", facetList)],
                               required: ["type", "state", "tenant", "category", "language"])),
            ("highlight", .array(.string)),
        ], required: ["query", "total", "offset", "limit", "sort", "items", "facets", "highlight"])),
        ("SearchRelated", .object([("keywords", .array(.string)), ("items", .array(.ref("SearchHit")))], required: ["keywords", "items"])),
        ("SavedSearch", .object([("id", .uuid), ("name", .string), ("query", .string), ("types", .array(.string)), ("filters", savedFilters),
                                 ("alert", .boolean), ("link", .string), ("checked_at", .dateTime), ("created_at", .dateTime)],
                                required: ["id", "name", "query", "types", "filters", "alert", "link", "checked_at", "created_at"])),
        ("SearchHistoryEntry", .object([("query", .string), ("link", .string), ("searched_at", .dateTime)], required: ["query", "link", "searched_at"])),
        ("SearchSynonym", .object([("id", .uuid), ("tenant_id", .uuid), ("words", .array(.string))], required: ["id", "tenant_id", "words"])),
        ("SearchCheck", .object([("indexed", .integer(minimum: 0)), ("content", .integer(minimum: 0)), ("missing", .integer(minimum: 0)),
                                 ("stale", .integer(minimum: 0)), ("orphaned", .integer(minimum: 0)), ("repaired", .boolean)],
                                required: ["indexed", "content", "missing", "stale", "orphaned", "repaired"])),
    ]
}
