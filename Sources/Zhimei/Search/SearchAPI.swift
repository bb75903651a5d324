import Fluent
import Foundation
import Vapor

/// The Search REST API: search, related material for a draft, saved searches, synonyms, consistency check.
struct SearchAPI {
    struct RelatedInput: Content { var text: String?; var storyId: UUID? }
    struct CheckInput: Content { var repair: Bool? }
    struct ReindexInput: Content { var tenantId: UUID? }
    struct SavedInput: Content { var name: String; var query: String; var types: [String]?; var filters: [String: String]?; var alert: Bool? }
    struct SavedUpdate: Content { var name: String?; var alert: Bool? }
    struct SynonymInput: Content { var groups: [[String]]; var tenantId: UUID? }

    /// Most synonym groups a tenant keeps.
    static let maxSynonymGroups = 500

    func register(_ api: RoutesBuilder) {
        let search = api.grouped("search")
        search.endpoint(.GET, access: .authenticated,
                        doc: .init("Search everything you may see / 全文检索", tag: "search", response: .ref("SearchResult"), query: SearchRequestParser.query), use: find)
        search.endpoint(.POST, access: .authenticated,
                        doc: .init("Search with the filters in a JSON body, for long text / 全文检索（长文本用 POST）", tag: "search",
                                   request: SearchRequestParser.body, response: .ref("SearchResult")), use: findPost)
        search.endpoint(.GET, "related", access: .permission(.storiesRead),
                        doc: .init("Related material for a story / 相关资料", tag: "search", response: .ref("SearchRelated"),
                                   query: [("story_id", .uuid, "The story being written")]), use: relatedGet)
        search.endpoint(.POST, "related", access: .permission(.storiesRead),
                        doc: .init("Related material for draft text / 按草稿推荐相关资料", tag: "search",
                                   request: .object([("text", .string(maxLength: 200_000)), ("story_id", .uuid)], required: []),
                                   response: .ref("SearchRelated")), use: relatedPost)
        search.endpoint(.GET, "check", access: .permission(.tenantsCreate),
                        doc: .init("Index consistency check / 索引一致性检查", tag: "search", response: .ref("SearchCheck")), use: check)
        search.endpoint(.POST, "check", access: .permission(.tenantsCreate),
                        doc: .init("Check and optionally repair the index / 检查并修复索引", tag: "search",
                                   request: .object([("repair", .boolean)], required: []), response: .ref("SearchCheck")), use: checkRepair)
        search.endpoint(.POST, "reindex", access: .permission(.tenantsCreate),
                        doc: .init("Rebuild the index (all tenants or one) as a background job / 重建检索索引", tag: "search",
                                   request: .object([("tenant_id", .uuid)], required: []), response: .ref("Job"), status: 202), use: reindex)
        search.endpoint(.GET, "saved", access: .authenticated,
                        doc: .init("My saved searches / 我保存的搜索", tag: "search", response: .array(.ref("SavedSearch"))), use: listSaved)
        search.endpoint(.POST, "saved", access: .authenticated,
                        doc: .init("Save a search (with alert) / 保存搜索（提醒）", tag: "search",
                                   request: .object([("name", .string(maxLength: 100)), ("query", .string(maxLength: 1000)),
                                                     ("types", .array(.string(maxLength: 40), maxItems: 10)), ("filters", SearchSchemas.savedFilters),
                                                     ("alert", .boolean)], required: ["name", "query"]),
                                   response: .ref("SavedSearch"), status: 201), use: createSaved)
        search.endpoint(.PATCH, "saved", ":savedID", access: .authenticated,
                        doc: .init("Rename a saved search or switch its alert / 重命名保存的搜索、开关提醒", tag: "search",
                                   request: .object([("name", .string(maxLength: 100)), ("alert", .boolean)], required: []),
                                   response: .ref("SavedSearch")), use: updateSaved)
        search.endpoint(.DELETE, "saved", ":savedID", access: .authenticated,
                        doc: .init("Delete a saved search / 删除保存的搜索", tag: "search", status: 204), use: deleteSaved)
        search.endpoint(.GET, "history", access: .authenticated,
                        doc: .init("My latest searches on the search page / 我的检索历史", tag: "search", response: .array(.ref("SearchHistoryEntry"))),
                        use: listHistory)
        search.endpoint(.DELETE, "history", access: .authenticated,
                        doc: .init("Clear my search history / 清除检索历史", tag: "search", status: 204), use: clearHistory)
        search.endpoint(.GET, "synonyms", access: .permission(.tenantSettings),
                        doc: .init("Synonym groups / 同义词", tag: "search", response: .array(.ref("SearchSynonym"))), use: listSynonyms)
        search.endpoint(.PUT, "synonyms", access: .permission(.tenantSettings),
                        doc: .init("Replace a tenant's synonym groups / 设置本单位同义词组", tag: "search",
                                   request: .object([("groups", .array(.array(.string(maxLength: 40), maxItems: 20), maxItems: Self.maxSynonymGroups)), ("tenant_id", .uuid)], required: ["groups"]),
                                   response: .array(.ref("SearchSynonym"))), use: replaceSynonyms)
    }

    // MARK: Search

    @Sendable func find(_ req: Request) async throws -> SearchResultDTO {
        try await SearchPresenter.result(req, lang: Localizer.language(of: req))
    }

    /// The same search, its filters in the body: a query too long for a URL still gets an answer.
    @Sendable func findPost(_ req: Request) async throws -> SearchResultDTO {
        let values = try req.content.decode(SearchRequestParser.Body.self).values
        return try await SearchPresenter.result(req, values: { values[$0] }, lang: Localizer.language(of: req))
    }

    // MARK: Related

    @Sendable func relatedGet(_ req: Request) async throws -> RelatedDTO {
        guard let raw = try SearchRequestParser.text(req, "story_id", max: 40) else {
            throw AppError.invalid("story_id", zh: "缺少 story_id", en: "story_id is required")
        }
        guard let id = UUID(uuidString: raw) else { throw AppError.invalid("story_id", zh: "稿件 ID 无效", en: "Invalid story_id") }
        let story = try await StoryService.find(id, on: req)
        return try await SearchRelated.related(text: StoryService.plainText(story), excluding: id, on: req)
    }

    @Sendable func relatedPost(_ req: Request) async throws -> RelatedDTO {
        let input = try req.content.decode(RelatedInput.self)
        var text = SearchRequestParser.clean(input.text ?? "")
        if let id = input.storyId {
            let story = try await StoryService.find(id, on: req)
            if text.isEmpty { text = StoryService.plainText(story) }
        }
        guard text.count <= 200_000 else { throw AppError.invalid("text", zh: "正文过长", en: "Text too long") }
        return try await SearchRelated.related(text: text, excluding: input.storyId, on: req)
    }

    // MARK: Check

    @Sendable func check(_ req: Request) async throws -> SearchService.CheckReport {
        try await SearchService.check(app: req.application, tenant: nil, repair: false, on: req.db)
    }

    @Sendable func checkRepair(_ req: Request) async throws -> SearchService.CheckReport {
        let repair = (try? req.content.decode(CheckInput.self))?.repair ?? false
        let report = try await SearchService.check(app: req.application, tenant: nil, repair: repair, on: req.db)
        if repair {
            await req.audit("search.repair", tenant: nil, targetType: "search_index",
                            after: ["missing": "\(report.missing)", "stale": "\(report.stale)", "orphaned": "\(report.orphaned)"])
        }
        return report
    }

    /// Enqueues a rebuild (`search.reindex` job); the job's result says how many documents were written.
    @Sendable func reindex(_ req: Request) async throws -> Response {
        let input = (try? req.content.decode(ReindexInput.self)) ?? ReindexInput()
        if let id = input.tenantId, try await Tenant.find(id, on: req.db) == nil {
            throw AppError(.notFound, "tenant_not_found", zh: "单位不存在", en: "Tenant not found")
        }
        let payload = String(decoding: try JSONEncoder().encode(SearchService.ReindexPayload(tenant: input.tenantId)), as: UTF8.self)
        let job = try await JobQueue.enqueue(kind: SearchService.reindexKind, payload: payload, tenantID: input.tenantId, maxAttempts: 2,
                                             createdBy: req.actor?.userID, on: req.db)
        await req.audit("search.reindex_requested", tenant: input.tenantId, targetType: "job", targetID: job.id?.uuidString ?? "")
        return try await JobDTO(job).encodeResponse(status: .accepted, for: req)
    }

    // MARK: Saved searches

    @Sendable func listSaved(_ req: Request) async throws -> [SavedSearchDTO] {
        let actor = try req.requireActor()
        return try await SavedSearch.query(on: req.db).filter(\.$userID == actor.userID).sort(\.$createdAt, .descending).limit(100).all().map(SavedSearchDTO.init)
    }

    @Sendable func createSaved(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let input = try req.content.decode(SavedInput.self)
        let name = try Self.savedName(input.name)
        let query = SearchRequestParser.clean(input.query)
        guard (1...1000).contains(query.count) else { throw AppError.invalid("query", zh: "搜索词须为 1–1000 字", en: "query must be 1–1000 characters") }
        let kinds = input.types ?? []
        let known = req.application.search.kinds
        guard kinds.count <= 10, kinds.allSatisfy(known.contains) else { throw AppError.invalid("types", zh: "类型无效", en: "Invalid types") }
        let filters = try SavedSearchService.validatedFilters(input.filters ?? [:], query: query, kinds: kinds, known: known)
        let saved = try await SavedSearchService.create(name: name, query: query, kinds: kinds, filters: filters, alert: input.alert ?? true,
                                                        actor: actor, on: req.db)
        await req.audit("search.save", tenant: saved.tenantID, targetType: "saved_search", targetID: saved.id?.uuidString ?? "")
        return try await SavedSearchDTO(saved).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateSaved(_ req: Request) async throws -> SavedSearchDTO {
        let saved = try await Self.mySaved(req)
        let input = try req.content.decode(SavedUpdate.self)
        let before = ["name": saved.name, "alert": "\(saved.alert)"]
        if let name = input.name { saved.name = try Self.savedName(name) }
        if let alert = input.alert {
            // Switching an alert on starts from now: what matched while it was off is not news.
            if alert, !saved.alert { saved.checkedAt = Date() }
            saved.alert = alert
        }
        try await saved.save(on: req.db)
        await req.audit("search.saved_update", tenant: saved.tenantID, targetType: "saved_search", targetID: saved.id?.uuidString ?? "",
                        before: before, after: ["name": saved.name, "alert": "\(saved.alert)"])
        return SavedSearchDTO(saved)
    }

    @Sendable func deleteSaved(_ req: Request) async throws -> HTTPStatus {
        let saved = try await Self.mySaved(req)
        try await saved.delete(on: req.db)
        await req.audit("search.unsave", tenant: saved.tenantID, targetType: "saved_search", targetID: saved.id?.uuidString ?? "")
        return .noContent
    }

    /// The signed-in person's own saved search named in the path; anyone else's is not found.
    static func mySaved(_ req: Request) async throws -> SavedSearch {
        let actor = try req.requireActor()
        guard let id = req.parameters.get("savedID", as: UUID.self),
              let saved = try await SavedSearch.query(on: req.db).filter(\.$id == id).filter(\.$userID == actor.userID).first() else { throw AppError.notFound }
        return saved
    }

    static func savedName(_ raw: String) throws -> String {
        let name = SearchRequestParser.clean(raw).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw AppError.invalid("name", zh: "名称须为 1–100 字", en: "name must be 1–100 characters") }
        return name
    }

    // MARK: History

    @Sendable func listHistory(_ req: Request) async throws -> [SearchHistoryDTO] {
        try await SearchHistory.latest(userID: try req.requireActor().userID, limit: SearchHistory.kept, on: req.db).map(SearchHistoryDTO.init)
    }

    @Sendable func clearHistory(_ req: Request) async throws -> HTTPStatus {
        try await SearchHistory.clear(userID: try req.requireActor().userID, on: req.db)
        return .noContent
    }

    // MARK: Synonyms

    @Sendable func listSynonyms(_ req: Request) async throws -> [SynonymDTO] {
        try await req.scope(for: .tenantSettings).query(SearchSynonym.self, on: req.db).sort(\.$createdAt, .descending).limit(1000).all().map(SynonymDTO.init)
    }

    @Sendable func replaceSynonyms(_ req: Request) async throws -> [SynonymDTO] {
        let actor = try req.requireActor()
        let input = try req.content.decode(SynonymInput.self)
        let most = Self.maxSynonymGroups
        guard input.groups.count <= most else { throw AppError.invalid("groups", zh: "同义词组最多 \(most) 组", en: "At most \(most) groups") }
        let groups = try input.groups.map { raw -> [String] in
            let words = Array(Set(raw.map { SearchRequestParser.clean($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })).sorted()
            guard (2...20).contains(words.count), words.allSatisfy({ $0.count <= 40 }) else {
                throw AppError.invalid("groups", zh: "每组须有 2–20 个词，每个不超过 40 字", en: "Each group needs 2–20 words of at most 40 characters")
            }
            return words
        }
        let tenant = input.tenantId ?? actor.activeTenantID
        try await req.scope(for: .tenantSettings).checkPayload(tenant, on: req.db)
        let saved = try await req.db.transaction { db -> [SearchSynonym] in
            try await SearchSynonym.query(on: db).filter(\.$tenantID == tenant).delete()
            var out: [SearchSynonym] = []
            for words in groups {
                let s = SearchSynonym()
                s.id = UUID(); s.tenantID = tenant; s.words = words; s.createdAt = Date()
                try await s.create(on: db)
                out.append(s)
            }
            return out
        }
        await req.audit("search.synonyms", tenant: tenant, targetType: "search_synonyms", targetID: tenant.uuidString, after: ["groups": "\(groups.count)"])
        return saved.map(SynonymDTO.init)
    }
}
