import Fluent
import Vapor

// MARK: - API shapes (snake_case on the wire)

struct PersonDTO: Content {
    var id: UUID
    var username: String
    var displayName: String
}

struct CoverageDTO: Content {
    var id: UUID
    var topicId: UUID
    var kind: CoverageKind
    var note: String
    var assigneeId: UUID?
    var done: Bool
    var createdAt: Date
    var updatedAt: Date

    init(_ c: CoverageItem) {
        id = c.id ?? UUID(); topicId = c.topicID; kind = c.kind; note = c.note; assigneeId = c.assigneeID; done = c.done
        createdAt = c.createdAt; updatedAt = c.updatedAt
    }
}

struct TopicDTO: Content {
    var id: UUID
    var tenantId: UUID
    var title: String
    var description: String
    var angle: String
    var priority: TopicPriority
    var status: TopicStatus
    var dueAt: Date?
    var assigneeIds: [UUID]
    var assignees: [PersonDTO]
    var keywords: [String]
    var leadId: UUID?
    var poolEntryId: UUID?
    var createdBy: UUID
    var createdByName: String
    var approvedBy: UUID?
    var approvedAt: Date?
    var createdAt: Date
    var updatedAt: Date
    var coverage: [CoverageDTO]

    init(_ t: Topic, people: [UUID: User], coverage: [CoverageItem]) {
        id = t.id ?? UUID(); tenantId = t.tenantID; title = t.title; description = t.details; angle = t.angle; priority = t.priority
        status = t.status; dueAt = t.dueAt; assigneeIds = t.assignees
        assignees = t.assignees.compactMap { people[$0].map { PersonDTO(id: $0.id ?? UUID(), username: $0.username, displayName: $0.displayName) } }
        keywords = t.keywords; leadId = t.leadID; poolEntryId = t.poolEntryID; createdBy = t.createdBy; createdByName = t.createdByName
        approvedBy = t.approvedBy; approvedAt = t.approvedAt; createdAt = t.createdAt; updatedAt = t.updatedAt
        self.coverage = coverage.map(CoverageDTO.init)
    }
}

struct CommentDTO: Content {
    var id: UUID
    var topicId: UUID
    var authorId: UUID
    var authorName: String
    var body: String
    var mentions: [String]
    var createdAt: Date

    init(_ c: TopicComment) {
        id = c.id ?? UUID(); topicId = c.topicID; authorId = c.authorID; authorName = c.authorName; body = c.body; mentions = c.mentions; createdAt = c.createdAt
    }
}

struct OutlineDTO: Content {
    var id: UUID
    var topicId: UUID
    var origin: String
    var aiGenerated: Bool
    /// The visible label: "AI生成" for provider drafts, "模板生成" for template drafts.
    var label: String
    var provider: String
    var model: String
    var generatedAt: Date
    var content: String
    var keywords: [String]
    var people: [String]
    var places: [String]
    var organisations: [String]
    var editedBy: UUID?
    var editedAt: Date?

    init(_ o: InterviewOutline) {
        id = o.id ?? UUID(); topicId = o.topicID; origin = o.origin; aiGenerated = o.origin == "ai"
        label = o.origin == "ai" ? "AI生成" : "模板生成"; provider = o.provider; model = o.model; generatedAt = o.generatedAt
        content = o.content; keywords = o.keywords; people = o.people; places = o.places; organisations = o.organisations
        editedBy = o.editedBy; editedAt = o.editedAt
    }
}

struct PoolSourceDTO: Content {
    var tenantId: UUID
    var tenantName: String
    var type: PoolEntry.Kind
    var id: UUID
    var sharedBy: UUID?
    var sharedByName: String
    var sharedAt: Date
}

struct PoolEntryDTO: Content {
    var id: UUID
    var tenantId: UUID
    var direction: PoolEntry.Direction
    var kind: PoolEntry.Kind
    var title: String
    var summary: String
    var body: String
    var keywords: [String]
    var readOnly: Bool
    var source: PoolSourceDTO
    var adoptedTopicId: UUID?
    var adoptedAt: Date?
    var adoptedByName: String?

    init(_ e: PoolEntry) {
        id = e.id ?? UUID(); tenantId = e.tenantID; direction = e.direction; kind = e.kind; title = e.title; summary = e.summary; body = e.body
        keywords = e.keywords; readOnly = true
        source = PoolSourceDTO(tenantId: e.sourceTenantID, tenantName: e.sourceTenantName, type: e.kind, id: e.sourceID, sharedBy: e.sharedBy,
                               sharedByName: e.sharedByName, sharedAt: e.sharedAt)
        adoptedTopicId = e.adoptedTopicID; adoptedAt = e.adoptedAt; adoptedByName = e.adoptedByName
    }
}

// MARK: - Routes

/// The Planning API: topics, the board, coverage, comments, interview outlines and the shared pool.
struct PlanningAPI {
    static let statuses = TopicStatus.allCases.map(\.rawValue)
    static let priorities = TopicPriority.allCases.map(\.rawValue)
    static let coverageKinds = CoverageKind.allCases.map(\.rawValue)

    static let schemas: [(String, Schema)] = [
        ("Person", .object([("id", .uuid), ("username", .string), ("display_name", .string)], required: ["id", "username", "display_name"])),
        ("CoverageItem", .object([
            ("id", .uuid), ("topic_id", .uuid), ("kind", .enumeration(coverageKinds)), ("note", .string), ("assignee_id", .nullable(.uuid)),
            ("done", .boolean), ("created_at", .dateTime), ("updated_at", .dateTime),
        ], required: ["id", "topic_id", "kind", "note", "done", "created_at", "updated_at"])),
        ("Topic", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("title", .string), ("description", .string), ("angle", .string),
            ("priority", .enumeration(priorities)), ("status", .enumeration(statuses)), ("due_at", .nullable(.dateTime)),
            ("assignee_ids", .array(.uuid)), ("assignees", .array(.ref("Person"))), ("keywords", .array(.string)),
            ("lead_id", .nullable(.uuid)), ("pool_entry_id", .nullable(.uuid)), ("created_by", .uuid), ("created_by_name", .string),
            ("approved_by", .nullable(.uuid)), ("approved_at", .nullable(.dateTime)), ("created_at", .dateTime), ("updated_at", .dateTime),
            ("coverage", .array(.ref("CoverageItem"))),
        ], required: ["id", "tenant_id", "title", "description", "angle", "priority", "status", "assignee_ids", "assignees", "keywords",
                      "created_by", "created_by_name", "created_at", "updated_at", "coverage"])),
        ("TopicComment", .object([
            ("id", .uuid), ("topic_id", .uuid), ("author_id", .uuid), ("author_name", .string), ("body", .string),
            ("mentions", .array(.string)), ("created_at", .dateTime),
        ], required: ["id", "topic_id", "author_id", "author_name", "body", "mentions", "created_at"])),
        ("InterviewOutline", .object([
            ("id", .uuid), ("topic_id", .uuid), ("origin", .enumeration(["template", "ai"])), ("ai_generated", .boolean), ("label", .string),
            ("provider", .string), ("model", .string), ("generated_at", .dateTime), ("content", .string), ("keywords", .array(.string)),
            ("people", .array(.string)), ("places", .array(.string)), ("organisations", .array(.string)),
            ("edited_by", .nullable(.uuid)), ("edited_at", .nullable(.dateTime)),
        ], required: ["id", "topic_id", "origin", "ai_generated", "label", "provider", "model", "generated_at", "content", "keywords",
                      "people", "places", "organisations"])),
        ("PoolEntry", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("direction", .enumeration(["submitted", "assigned"])), ("kind", .enumeration(["topic", "story"])),
            ("title", .string), ("summary", .string), ("body", .string), ("keywords", .array(.string)), ("read_only", .boolean),
            ("source", .object([
                ("tenant_id", .uuid), ("tenant_name", .string), ("type", .enumeration(["topic", "story"])), ("id", .uuid),
                ("shared_by", .nullable(.uuid)), ("shared_by_name", .string), ("shared_at", .dateTime),
            ], required: ["tenant_id", "tenant_name", "type", "id", "shared_by_name", "shared_at"])),
            ("adopted_topic_id", .nullable(.uuid)), ("adopted_at", .nullable(.dateTime)), ("adopted_by_name", .nullable(.string)),
        ], required: ["id", "tenant_id", "direction", "kind", "title", "summary", "body", "keywords", "read_only", "source"])),
    ]

    static let topicWrite: [(String, Schema)] = [
        ("title", .string(maxLength: TopicService.maxTitle)), ("description", .nullable(.string(maxLength: TopicService.maxText))),
        ("angle", .nullable(.string(maxLength: TopicService.maxAngle))), ("priority", .nullable(.enumeration(priorities))),
        ("due_at", .nullable(.string(format: "date-time"))), ("assignee_ids", .nullable(.array(.uuid, maxItems: TopicService.maxAssignees))),
        ("keywords", .nullable(.array(.string(maxLength: 40), maxItems: TopicService.maxKeywords))),
    ]

    func register(_ api: RoutesBuilder) {
        let tag = "planning"
        api.endpoint(.GET, "topics", access: .permission(.topicsManage),
                     doc: .init("List topics / 选题列表", tag: tag, response: .array(.ref("Topic")),
                                query: [("status", .enumeration(Self.statuses), "Only this status"), ("q", .string(maxLength: 100), "Title contains"),
                                        ("tenant_id", .uuid, "Only this tenant"), ("assignee_id", .uuid, "Only topics assigned to this person"),
                                        ("due_from", .string(format: "date-time", maxLength: 40), "Due at or after"), ("due_to", .string(format: "date-time", maxLength: 40), "Due before")]),
                     use: list)
        api.endpoint(.POST, "topics", access: .permission(.topicsManage),
                     doc: .init("Propose a topic (optionally from a lead) / 新建选题", tag: tag,
                                request: .object(Self.topicWrite + [("lead_id", .nullable(.uuid)), ("tenant_id", .nullable(.uuid))], required: []),
                                response: .ref("Topic"), status: 201), use: create)
        api.endpoint(.GET, "topics", ":topicID", access: .permission(.topicsManage),
                     doc: .init("One topic / 选题详情", tag: tag, response: .ref("Topic")), use: get)
        api.endpoint(.PATCH, "topics", ":topicID", access: .permission(.topicsManage),
                     doc: .init("Change a topic (due_at \"\" clears it) / 修改选题", tag: tag, request: .object(Self.topicWrite, required: []),
                                response: .ref("Topic")), use: update)
        api.endpoint(.POST, "topics", ":topicID", "transition", access: .permission(.topicsManage),
                     doc: .init("Move a topic one column on the board (approving needs topics.approve) / 变更选题状态", tag: tag,
                                request: .object([("to", .enumeration(Self.statuses))], required: ["to"]), response: .ref("Topic")), use: transition)
        api.endpoint(.POST, "topics", ":topicID", "approve", access: .permission(.topicsApprove),
                     doc: .init("Approve a proposed topic / 批准选题", tag: tag, response: .ref("Topic")), use: approve)
        api.endpoint(.POST, "topics", ":topicID", "coverage", access: .permission(.topicsManage),
                     doc: .init("Add a coverage item / 新增报道任务", tag: tag,
                                request: .object([("kind", .enumeration(Self.coverageKinds)), ("note", .nullable(.string(maxLength: 500))), ("assignee_id", .nullable(.uuid))], required: ["kind"]),
                                response: .ref("CoverageItem"), status: 201), use: addCoverage)
        api.endpoint(.PATCH, "coverage", ":coverageID", access: .permission(.topicsManage),
                     doc: .init("Change a coverage item (done, assignee, note) / 修改报道任务", tag: tag,
                                request: .object([("kind", .enumeration(Self.coverageKinds)), ("note", .nullable(.string(maxLength: 500))), ("assignee_id", .nullable(.uuid)), ("done", .nullable(.boolean))], required: []),
                                response: .ref("CoverageItem")), use: updateCoverage)
        api.endpoint(.DELETE, "coverage", ":coverageID", access: .permission(.topicsManage),
                     doc: .init("Remove a coverage item / 删除报道任务", tag: tag, response: .object([("deleted", .boolean)], required: ["deleted"])), use: removeCoverage)
        api.endpoint(.GET, "topics", ":topicID", "comments", access: .permission(.topicsManage),
                     doc: .init("Comments on a topic / 选题评论", tag: tag, response: .array(.ref("TopicComment"))), use: comments)
        api.endpoint(.POST, "topics", ":topicID", "comments", access: .permission(.topicsManage),
                     doc: .init("Comment on a topic; @username notifies a person of the same tenant / 发表评论", tag: tag,
                                request: .object([("body", .string(maxLength: 4000))], required: ["body"]), response: .ref("TopicComment"), status: 201), use: addComment)
        api.endpoint(.GET, "topics", ":topicID", "outline", access: .permission(.topicsManage),
                     doc: .init("Interview outline drafts, newest first / 采访提纲", tag: tag, response: .array(.ref("InterviewOutline"))), use: outlines)
        api.endpoint(.POST, "topics", ":topicID", "outline", access: .permission(.topicsManage),
                     doc: .init("Draft an interview outline (template or configured provider) / 生成采访提纲", tag: tag,
                                response: .ref("InterviewOutline"), status: 201), use: generateOutline)
        api.endpoint(.PUT, "topics", ":topicID", "outline", access: .permission(.topicsManage),
                     doc: .init("Edit the latest outline draft / 编辑采访提纲", tag: tag,
                                request: .object([("content", .string(maxLength: 20000))], required: ["content"]), response: .ref("InterviewOutline")), use: editOutline)
        api.endpoint(.POST, "topics", ":topicID", "submit", access: .permission(.topicsManage),
                     doc: .init("Submit a county topic to the platform pool (上报) / 上报选题", tag: tag, response: .ref("PoolEntry"), status: 201), use: submit)
        api.endpoint(.POST, "topics", ":topicID", "assign", access: .permission(.topicsApprove),
                     doc: .init("Assign a platform topic to counties (下发) / 下发选题", tag: tag,
                                request: .object([("tenant_ids", .array(.uuid, maxItems: 200))], required: ["tenant_ids"]),
                                response: .array(.ref("PoolEntry")), status: 201), use: assign)
        api.endpoint(.GET, "pool", access: .permission(.topicsManage),
                     doc: .init("The shared pool: read-only copies your tenants received / 共享选题池", tag: tag, response: .array(.ref("PoolEntry")),
                                query: [("tenant_id", .uuid, "Only entries this tenant received"), ("adopted", .boolean, "Only (not) yet adopted entries"),
                                        ("limit", .integer(minimum: 1, maximum: 500), "Page size (default 500)"),
                                        ("offset", .integer(minimum: 0, maximum: 100_000), "Skip this many (newest first)")]), use: pool)
        api.endpoint(.GET, "pool", ":entryID", access: .permission(.topicsManage),
                     doc: .init("One pool entry / 共享条目详情", tag: tag, response: .ref("PoolEntry")), use: poolEntry)
        api.endpoint(.POST, "pool", ":entryID", "adopt", access: .permission(.topicsManage),
                     doc: .init("Adopt a pool entry as your own topic / 采用为本单位选题", tag: tag, response: .ref("Topic"), status: 201), use: adopt)
        api.endpoint(.GET, "planning", "people", access: .permission(.topicsManage),
                     doc: .init("People who can be assigned to topics / 可指派人员", tag: tag, response: .array(.ref("Person")),
                                query: [("tenant_id", .uuid, "Tenant (default: your active tenant)")]), use: people)
    }

    // MARK: - Helpers

    static func dtos(_ topics: [Topic], on req: Request) async throws -> [TopicDTO] {
        let ids = topics.compactMap(\.id)
        let coverage = try await TopicService.coverage(of: ids, on: req)
        let byTopic = Dictionary(grouping: coverage, by: \.topicID)
        let people = try await Self.people(Set(topics.flatMap(\.assignees)), on: req.db)
        return topics.map { TopicDTO($0, people: people, coverage: byTopic[$0.id ?? UUID()] ?? []) }
    }

    static func dto(_ topic: Topic, on req: Request) async throws -> TopicDTO {
        try await dtos([topic], on: req)[0]
    }

    static func people(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: User] {
        guard !ids.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(uniqueKeysWithValues: users.compactMap { u in u.id.map { ($0, u) } })
    }

    static func queryDate(_ req: Request, _ name: String) throws -> Date? {
        guard let raw = try? req.query.get(String.self, at: name), !raw.isEmpty else { return nil }
        do { return try TopicService.parseDue(raw) } catch {
            throw AppError.invalid(name, zh: "“\(name)”不是有效的时间", en: "“\(name)” is not a valid time")
        }
    }

    // MARK: - Handlers

    @Sendable func list(_ req: Request) async throws -> [TopicDTO] {
        var filter = TopicService.ListFilter()
        if let raw = try? req.query.get(String.self, at: "status"), !raw.isEmpty {
            guard let s = TopicStatus(rawValue: raw) else { throw AppError.invalid("status", zh: "状态无效", en: "Invalid status") }
            filter.status = s
        }
        filter.query = try? req.query.get(String.self, at: "q")
        filter.tenantID = try AdminAPI.optionalUUID(req, "tenant_id")
        filter.assigneeID = try AdminAPI.optionalUUID(req, "assignee_id")
        filter.dueFrom = try Self.queryDate(req, "due_from")
        filter.dueTo = try Self.queryDate(req, "due_to")
        return try await Self.dtos(try await TopicService.list(filter, on: req), on: req)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let topic = try await TopicService.create(try req.content.decode(TopicService.CreateInput.self), on: req)
        return try await Self.dto(topic, on: req).encodeResponse(status: .created, for: req)
    }

    @Sendable func get(_ req: Request) async throws -> TopicDTO {
        try await Self.dto(try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req), on: req)
    }

    @Sendable func update(_ req: Request) async throws -> TopicDTO {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        let input = try req.content.decode(TopicService.UpdateInput.self)
        return try await Self.dto(try await TopicService.update(topic, input, on: req), on: req)
    }

    struct TransitionInput: Content { var to: String }

    @Sendable func transition(_ req: Request) async throws -> TopicDTO {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        let input = try req.content.decode(TransitionInput.self)
        return try await Self.dto(try await TopicService.transition(topic, to: input.to, on: req), on: req)
    }

    @Sendable func approve(_ req: Request) async throws -> TopicDTO {
        let topic = try await req.scope(for: .topicsApprove).find(Topic.self, req.parameters.get("topicID", as: UUID.self), on: req.db)
        guard topic.status == .proposed else {
            throw AppError.conflict("topic_not_proposed", zh: "只有“待批准”的选题可以批准", en: "Only proposed topics can be approved")
        }
        return try await Self.dto(try await TopicService.transition(topic, to: TopicStatus.approved.rawValue, on: req), on: req)
    }

    @Sendable func addCoverage(_ req: Request) async throws -> Response {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        let item = try await TopicService.addCoverage(topic, try req.content.decode(TopicService.CoverageInput.self), on: req)
        return try await CoverageDTO(item).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateCoverage(_ req: Request) async throws -> CoverageDTO {
        let item = try await TopicService.findCoverage(req.parameters.get("coverageID", as: UUID.self), on: req)
        return CoverageDTO(try await TopicService.updateCoverage(item, try req.content.decode(TopicService.CoverageUpdate.self), on: req))
    }

    @Sendable func removeCoverage(_ req: Request) async throws -> DeletedDTO {
        let item = try await TopicService.findCoverage(req.parameters.get("coverageID", as: UUID.self), on: req)
        try await TopicService.removeCoverage(item, on: req)
        return DeletedDTO(deleted: true)
    }

    @Sendable func comments(_ req: Request) async throws -> [CommentDTO] {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        return try await TopicService.comments(of: topic, on: req).map(CommentDTO.init)
    }

    struct CommentInput: Content { var body: String }

    @Sendable func addComment(_ req: Request) async throws -> Response {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        let comment = try await TopicService.addComment(topic, body: try req.content.decode(CommentInput.self).body, on: req)
        return try await CommentDTO(comment).encodeResponse(status: .created, for: req)
    }

    @Sendable func outlines(_ req: Request) async throws -> [OutlineDTO] {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        return try await OutlineService.list(topic, on: req).map(OutlineDTO.init)
    }

    @Sendable func generateOutline(_ req: Request) async throws -> Response {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        return try await OutlineDTO(try await OutlineService.generate(topic, on: req)).encodeResponse(status: .created, for: req)
    }

    struct OutlineInputBody: Content { var content: String }

    @Sendable func editOutline(_ req: Request) async throws -> OutlineDTO {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        return OutlineDTO(try await OutlineService.edit(topic, content: try req.content.decode(OutlineInputBody.self).content, on: req))
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        return try await PoolEntryDTO(try await SharedPoolService.submitTopic(topic, on: req)).encodeResponse(status: .created, for: req)
    }

    struct AssignInput: Content { var tenantIds: [UUID] }

    @Sendable func assign(_ req: Request) async throws -> Response {
        let topic = try await req.scope(for: .topicsApprove).find(Topic.self, req.parameters.get("topicID", as: UUID.self), on: req.db)
        let input = try req.content.decode(AssignInput.self)
        let entries = try await SharedPoolService.assign(topic, to: input.tenantIds, on: req)
        return try await entries.map(PoolEntryDTO.init).encodeResponse(status: .created, for: req)
    }

    @Sendable func pool(_ req: Request) async throws -> [PoolEntryDTO] {
        let page = try ListPage(req, standard: 500, largest: 500)
        return try await SharedPoolService.list(tenantID: try AdminAPI.optionalUUID(req, "tenant_id"), adopted: Self.flag(req, "adopted"),
                                                offset: page.offset, limit: page.limit, on: req).map(PoolEntryDTO.init)
    }

    /// A true/false query parameter, nil when absent (Vapor decodes a missing Bool as false).
    static func flag(_ req: Request, _ name: String) -> Bool? {
        switch (try? req.query.get(String.self, at: name))?.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: return nil
        }
    }

    @Sendable func poolEntry(_ req: Request) async throws -> PoolEntryDTO {
        PoolEntryDTO(try await SharedPoolService.find(req.parameters.get("entryID", as: UUID.self), on: req))
    }

    @Sendable func adopt(_ req: Request) async throws -> Response {
        let entry = try await SharedPoolService.find(req.parameters.get("entryID", as: UUID.self), on: req)
        let topic = try await SharedPoolService.adopt(entry, on: req)
        return try await Self.dto(topic, on: req).encodeResponse(status: .created, for: req)
    }

    @Sendable func people(_ req: Request) async throws -> [PersonDTO] {
        let actor = try req.requireActor()
        let tenantID = try AdminAPI.optionalUUID(req, "tenant_id") ?? actor.activeTenantID
        try req.scope(for: .topicsManage).checkPayload(tenantID)
        return try await TopicService.tenantMembers(tenantID, on: req.db).map { PersonDTO(id: $0.id ?? UUID(), username: $0.username, displayName: $0.displayName) }
    }
}
