import Fluent
import Vapor

/// The Search module (资料检索): a Chinese-aware full-text index over stories, leads and topics (and whatever other
/// modules register as `SearchSource`s), the search API and page, related material while writing, and index upkeep.
enum SearchModule {
    static let migrations: [any Migration] = [
        M060_CreateSearchIndex(),
        M061_CreateSearchSupport(),
        M062_AddSearchAuthorInitials(),
        M063_TuneSearchFTS(),
        M064_AddSearchFilterIndex(),
        M065_NormalizeSearchFacets(),
        M066_ContentlessSearchFTS(),
        M067_SearchFilterTable(),
        M068_AddSearchDocumentLength(),
        M069_SearchFilterChanges(),
    ]

    /// The module's second number range (160–169), run after every module's first range.
    static let laterMigrations: [any Migration] = [
        M160_SavedSearchFilters(),
        M161_SearchHistory(),
    ]

    static func register(_ app: Application) throws {
        BuiltInSearchSources.register(app.search)
        app.zhimei.api.register(SearchSchemas.all)
        SearchAPI().register(app.routes.grouped("api", "v1"))
        SearchPages().register(app.routes)
        SavedSearchPages().register(app.routes)
        SearchSettingsPages().register(app.routes)
        SearchService.registerJobs(app)
        app.lifecycle.use(SearchSyncLifecycle())
    }
}
