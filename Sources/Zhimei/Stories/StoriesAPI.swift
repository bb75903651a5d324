import Fluent
import Vapor

/// A story as the API returns it.
struct StoryDTO: Content {
    struct LockDTO: Content {
        var holderId: UUID
        var holderName: String
        var expiresAt: Date
        var mine: Bool
    }
    var id: UUID
    var tenantId: UUID
    var authorId: UUID
    var authorName: String
    var headline: String
    var subtitle: String
    var lead: String
    var byline: String
    var tags: [String]
    var categories: [String]
    var location: String
    var language: String
    var embargo: Date?
    var body: [StoryBlock]
    var status: String
    var version: Int
    var topicId: UUID?
    var aigc: AIGCLabel?
    var lock: LockDTO?
    var editable: Bool
    var characters: Int
    var createdAt: Date
    var updatedAt: Date

    init(_ s: Story, actor: Actor?) {
        id = s.id ?? UUID(); tenantId = s.tenantID; authorId = s.authorID; authorName = s.authorName
        headline = s.headline; subtitle = s.subtitle; lead = s.lead; byline = s.byline; tags = s.tags; categories = s.categories
        location = s.location; language = s.language; embargo = s.embargo; body = s.body; status = s.status.rawValue
        version = s.version; topicId = s.topicID; aigc = s.aigc
        if let l = s.activeLock() { lock = LockDTO(holderId: l.id, holderName: l.name, expiresAt: l.expires, mine: l.id == actor?.userID) }
        editable = s.status.isEditable
        characters = StoryAssist.countCharacters(StoryService.plainText(s))
        createdAt = s.createdAt; updatedAt = s.updatedAt
    }
}

/// A story in lists (no body).
struct StorySummaryDTO: Content {
    var id: UUID
    var tenantId: UUID
    var authorName: String
    var headline: String
    var status: String
    var version: Int
    var tags: [String]
    var updatedAt: Date

    init(_ s: Story) {
        id = s.id ?? UUID(); tenantId = s.tenantID; authorName = s.authorName; headline = s.headline
        status = s.status.rawValue; version = s.version; tags = s.tags; updatedAt = s.updatedAt
    }
}

struct StoryVersionDTO: Content {
    var version: Int
    var authorId: UUID
    var authorName: String
    var note: String
    var createdAt: Date
    var headline: String
    var snapshot: StorySnapshot?

    init(_ v: StoryVersion, withSnapshot: Bool) {
        version = v.version; authorId = v.authorID; authorName = v.authorName; note = v.note; createdAt = v.createdAt
        headline = v.snapshot.headline
        snapshot = withSnapshot ? v.snapshot : nil
    }
}

struct StoryLockDTO: Content {
    var locked: Bool
    var mine: Bool
    var holderId: UUID?
    var holderName: String?
    var expiresAt: Date?
    var takenOverFrom: String?

    init(_ s: Story, actor: Actor, takenOverFrom: String? = nil) {
        let l = s.activeLock()
        locked = l != nil; mine = l?.id == actor.userID; holderId = l?.id; holderName = l?.name; expiresAt = l?.expires
        self.takenOverFrom = takenOverFrom
    }
}

/// The body of a 409 on a stale base version: the usual error plus both sides.
struct StoryConflictBody: Content {
    var error: ErrorBody.Detail
    var baseVersion: Int
    var current: StoryDTO
    var submitted: StorySnapshot
}

struct StoriesAPI {
    static let spanSchema: Schema = .object([("text", .string(maxLength: 100_000)), ("bold", .boolean), ("italic", .boolean), ("link", .string(maxLength: 2000))], required: ["text"])
    static let aigcSchema: Schema = .object([("provider", .string(maxLength: 100)), ("model", .string(maxLength: 200)), ("generated_at", .dateTime)],
                                            required: ["provider", "model", "generated_at"])
    static let blockSchema: Schema = .object([
        ("type", .enumeration(StoryBlock.Kind.allCases.map(\.rawValue))),
        ("level", .integer(minimum: 1, maximum: 3)),
        ("spans", .array(.ref("InlineSpan"))),
        ("attribution", .string(maxLength: 200)),
        ("ordered", .boolean),
        ("items", .array(.array(.ref("InlineSpan")))),
        ("key", .string(maxLength: 200)),
        ("caption", .string(maxLength: 500)),
        ("alt", .string(maxLength: 500)),
        ("src", .string(maxLength: 2000)),
        ("rows", .array(.array(.string))),
        ("header", .boolean),
        ("url", .string(maxLength: 2000)),
        ("aigc", .ref("AIGCLabel")),
    ], required: ["type"])
    static let snapshotSchema: Schema = .object([
        ("headline", .string), ("subtitle", .string), ("lead", .string), ("byline", .string), ("tags", .array(.string)),
        ("categories", .array(.string)), ("location", .string), ("language", .string), ("embargo", .nullable(.dateTime)),
        ("body", .array(.ref("StoryBlock"))), ("aigc", .ref("AIGCLabel")),
    ], required: ["headline", "subtitle", "lead", "byline", "tags", "categories", "location", "language", "body"])
    static let lockInfoSchema: Schema = .object([("holder_id", .uuid), ("holder_name", .string), ("expires_at", .dateTime), ("mine", .boolean)],
                                                required: ["holder_id", "holder_name", "expires_at", "mine"])
    static let storySchema: Schema = .object([
        ("id", .uuid), ("tenant_id", .uuid), ("author_id", .uuid), ("author_name", .string), ("headline", .string), ("subtitle", .string),
        ("lead", .string), ("byline", .string), ("tags", .array(.string)), ("categories", .array(.string)), ("location", .string),
        ("language", .string), ("embargo", .nullable(.dateTime)), ("body", .array(.ref("StoryBlock"))),
        ("status", .enumeration(Story.Status.allCases.map(\.rawValue))), ("version", .integer(minimum: 1)), ("topic_id", .nullable(.uuid)),
        ("aigc", .ref("AIGCLabel")), ("lock", lockInfoSchema), ("editable", .boolean), ("characters", .integer(minimum: 0)),
        ("created_at", .dateTime), ("updated_at", .dateTime),
    ], required: ["id", "tenant_id", "author_id", "author_name", "headline", "subtitle", "lead", "byline", "tags", "categories",
                  "location", "language", "body", "status", "version", "editable", "characters", "created_at", "updated_at"])
    static let summarySchema: Schema = .object([
        ("id", .uuid), ("tenant_id", .uuid), ("author_name", .string), ("headline", .string),
        ("status", .enumeration(Story.Status.allCases.map(\.rawValue))), ("version", .integer(minimum: 1)), ("tags", .array(.string)), ("updated_at", .dateTime),
    ], required: ["id", "tenant_id", "author_name", "headline", "status", "version", "tags", "updated_at"])
    static let versionSchema: Schema = .object([
        ("version", .integer(minimum: 1)), ("author_id", .uuid), ("author_name", .string), ("note", .string), ("created_at", .dateTime),
        ("headline", .string), ("snapshot", .ref("StorySnapshot")),
    ], required: ["version", "author_id", "author_name", "note", "created_at", "headline"])
    static let lockSchema: Schema = .object([
        ("locked", .boolean), ("mine", .boolean), ("holder_id", .uuid), ("holder_name", .string), ("expires_at", .dateTime), ("taken_over_from", .string),
    ], required: ["locked", "mine"])

    /// A full snapshot of the longest story (500,000 characters) in JSON with marks fits in this.
    static let maxStoryBody: ByteCount = "10mb"

    static var schemas: [(String, Schema)] {
        [("InlineSpan", spanSchema), ("AIGCLabel", aigcSchema), ("StoryBlock", blockSchema), ("StorySnapshot", snapshotSchema),
         ("Story", storySchema), ("StorySummary", summarySchema), ("StoryVersion", versionSchema), ("StoryLock", lockSchema)]
            + StoriesExtraAPI.schemas
    }

    static func contentFields(_ extra: [(String, Schema)]) -> [(String, Schema)] {
        extra + [
            ("headline", .string(maxLength: 300)), ("subtitle", .string(maxLength: 300)), ("lead", .string(maxLength: 5000)),
            ("byline", .string(maxLength: 200)), ("tags", .array(.string(maxLength: 40), maxItems: 30)),
            ("categories", .array(.string(maxLength: 40), maxItems: 20)), ("location", .string(maxLength: 200)),
            ("language", .string(maxLength: 16)), ("embargo", .nullable(.dateTime)),
            ("body", .array(.ref("StoryBlock"), maxItems: StoryValidation.maxBlocks)), ("aigc", .ref("AIGCLabel")),
        ]
    }

    func register(_ api: RoutesBuilder) {
        let tag = "stories"
        api.endpoint(.GET, "stories", access: .permission(.storiesRead),
                     doc: .init("List stories / 稿件列表", tag: tag, response: .array(.ref("StorySummary")),
                                query: [("mine", .boolean, "Only my stories / 只看我的"),
                                        ("status", .enumeration(Story.Status.allCases.map(\.rawValue)), "Workflow status / 状态"),
                                        ("tag", .string(maxLength: 40), "Has this tag / 标签"), ("q", .string(maxLength: 100), "Headline contains / 标题包含")]),
                     use: list)
        api.endpoint(.POST, "stories", access: .permission(.storiesWrite),
                     doc: .init("Create a story (version 1), optionally for a topic (topic_id; its title is the default headline) / 新建稿件", tag: tag,
                                request: .object(Self.contentFields([("tenant_id", .uuid), ("topic_id", .uuid)]), required: []),
                                response: .ref("Story"), status: 201), body: .collect(maxSize: Self.maxStoryBody), use: create)
        api.endpoint(.GET, "stories", ":storyID", access: .permission(.storiesRead),
                     doc: .init("One story / 稿件详情", tag: tag, response: .ref("Story")), use: get)
        api.endpoint(.PUT, "stories", ":storyID", access: .permission(.storiesWrite),
                     doc: .init("Save a new version (full snapshot; base_version must be current, else 409 with both versions; 409 while in review or locked by someone else) / 保存稿件", tag: tag,
                                request: .object(Self.contentFields([("base_version", .integer(minimum: 1))]), required: ["base_version", "headline"]),
                                response: .ref("Story")), body: .collect(maxSize: Self.maxStoryBody), use: update)
        api.endpoint(.GET, "stories", ":storyID", "versions", access: .permission(.storiesRead),
                     doc: .init("Version history / 版本历史", tag: tag, response: .array(.ref("StoryVersion"))), use: versions)
        api.endpoint(.GET, "stories", ":storyID", "snapshot", access: .permission(.storiesRead),
                     doc: .init("One version with its full snapshot / 某一版本的内容", tag: tag, response: .ref("StoryVersion"),
                                query: [("version", .integer(minimum: 1), "Version number (default: current) / 版本号")]), use: snapshot)
        api.endpoint(.POST, "stories", ":storyID", "pool", access: .permission(.storiesWrite),
                     doc: .init("Submit a county story to the platform pool (上报) / 上报稿件", tag: tag, response: .ref("PoolEntry"), status: 201),
                     use: submitToPool)
        api.endpoint(.POST, "stories", ":storyID", "restore", access: .permission(.storiesWrite),
                     doc: .init("Restore a version (creates a new version) / 恢复到某一版本", tag: tag,
                                request: .object([("version", .integer(minimum: 1))], required: ["version"]), response: .ref("Story")), use: restore)
        api.endpoint(.GET, "stories", ":storyID", "lock", access: .permission(.storiesRead),
                     doc: .init("Who holds the edit lock / 编辑锁状态", tag: tag, response: .ref("StoryLock")), use: lockState)
        api.endpoint(.POST, "stories", ":storyID", "lock", access: .permission(.storiesWrite),
                     doc: .init("Take the edit lock (take_over: true takes it from someone else, recorded in the audit log) / 获取或接管编辑锁", tag: tag,
                                request: .object([("take_over", .boolean)], required: []), response: .ref("StoryLock")), use: lock)
        api.endpoint(.POST, "stories", ":storyID", "lock", "heartbeat", access: .permission(.storiesWrite),
                     doc: .init("Renew the edit lock (409 lock_lost when taken over) / 编辑锁心跳", tag: tag, response: .ref("StoryLock")), use: heartbeat)
        api.endpoint(.DELETE, "stories", ":storyID", "lock", access: .permission(.storiesWrite),
                     doc: .init("Release the edit lock / 释放编辑锁", tag: tag, response: .ref("StoryLock")), use: unlock)
        StoriesExtraAPI().register(api)
    }

    static func storyID(_ req: Request) -> UUID? { req.parameters.get("storyID", as: UUID.self) }

    @Sendable func list(_ req: Request) async throws -> [StorySummaryDTO] {
        var filter = StoryService.ListFilter()
        filter.mine = (try? req.query.get(Bool.self, at: "mine")) ?? false
        if let raw = try? req.query.get(String.self, at: "status"), !raw.isEmpty {
            guard let status = Story.Status(rawValue: raw) else { throw AppError.invalid("status", zh: "状态无效", en: "Invalid status") }
            filter.status = status
        }
        filter.tag = try? req.query.get(String.self, at: "tag")
        filter.q = (try? req.query.get(String.self, at: "q")).map { StoryValidation.clean($0) }
        return try await StoryService.list(filter, on: req).map(StorySummaryDTO.init)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let story = try await StoryService.create(try req.content.decode(StoryService.CreateInput.self), on: req)
        return try await StoryDTO(story, actor: req.actor).encodeResponse(status: .created, for: req)
    }

    @Sendable func get(_ req: Request) async throws -> StoryDTO {
        StoryDTO(try await StoryService.find(Self.storyID(req), on: req), actor: req.actor)
    }

    @Sendable func update(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        let input = try req.content.decode(StoryService.UpdateInput.self)
        do {
            let saved = try await StoryService.save(story, input.content, baseVersion: input.baseVersion, on: req)
            return try await StoryDTO(saved, actor: req.actor).encodeResponse(for: req)
        } catch let conflict as StoryService.VersionConflict {
            return try Self.conflictResponse(conflict, on: req)
        }
    }

    static func conflictResponse(_ conflict: StoryService.VersionConflict, on req: Request) throws -> Response {
        let body = StoryConflictBody(
            error: .init(code: "version_conflict",
                         message: "稿件已被他人保存为第 \(conflict.current.version) 版（你基于第 \(conflict.baseVersion) 版修改），请对比后合并",
                         message_en: "Someone saved version \(conflict.current.version) meanwhile (you edited version \(conflict.baseVersion)); compare and merge",
                         request_id: req.headers.first(name: "X-Request-ID")),
            baseVersion: conflict.baseVersion, current: StoryDTO(conflict.current, actor: req.actor), submitted: conflict.submitted)
        let response = Response(status: .conflict)
        try response.content.encode(body, as: .json)
        return response
    }

    @Sendable func versions(_ req: Request) async throws -> [StoryVersionDTO] {
        let story = try await StoryService.find(Self.storyID(req), on: req)
        return try await StoryService.versions(of: story, on: req).map { StoryVersionDTO($0, withSnapshot: false) }
    }

    @Sendable func snapshot(_ req: Request) async throws -> StoryVersionDTO {
        let story = try await StoryService.find(Self.storyID(req), on: req)
        let number = try Self.intQuery(req, "version") ?? story.version
        return StoryVersionDTO(try await StoryService.findVersion(story, number, on: req), withSnapshot: true)
    }

    static func intQuery(_ req: Request, _ name: String) throws -> Int? {
        guard let raw = try? req.query.get(String.self, at: name), !raw.isEmpty else { return nil }
        guard let value = Int(raw), value >= 1 else {
            throw AppError.invalid(name, zh: "“\(name)”须为正整数", en: "“\(name)” must be a positive integer")
        }
        return value
    }

    /// A county submits (上报) a story to the platform's shared pool as a read-only copy (Planning's pool).
    @Sendable func submitToPool(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        guard story.status != .rejected else {
            throw AppError.conflict("story_rejected", zh: "已终止的稿件不能上报", en: "A rejected story cannot be submitted")
        }
        let entry = try await SharedPoolService.submit(kind: .story, title: story.headline, summary: story.lead.isEmpty ? story.headline : story.lead,
                                                       body: StoryService.plainText(story), keywords: story.tags,
                                                       sourceTenantID: story.tenantID, sourceID: try story.requireID(), on: req)
        return try await PoolEntryDTO(entry).encodeResponse(status: .created, for: req)
    }

    struct RestoreInput: Content { var version: Int }

    @Sendable func restore(_ req: Request) async throws -> StoryDTO {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        let input = try req.content.decode(RestoreInput.self)
        return StoryDTO(try await StoryService.restore(story, version: input.version, on: req), actor: req.actor)
    }

    @Sendable func lockState(_ req: Request) async throws -> StoryLockDTO {
        StoryLockDTO(try await StoryService.find(Self.storyID(req), on: req), actor: try req.requireActor())
    }

    struct LockInput: Content { var takeOver: Bool? }

    @Sendable func lock(_ req: Request) async throws -> StoryLockDTO {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        let input = (try? req.content.decode(LockInput.self)) ?? LockInput(takeOver: nil)
        let outcome = try await StoryService.lock(story, takeOver: input.takeOver ?? false, on: req)
        var from: String?
        if case .takenOver(let name) = outcome { from = name }
        return StoryLockDTO(story, actor: try req.requireActor(), takenOverFrom: from)
    }

    @Sendable func heartbeat(_ req: Request) async throws -> StoryLockDTO {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        try await StoryService.heartbeat(story, on: req)
        return StoryLockDTO(story, actor: try req.requireActor())
    }

    @Sendable func unlock(_ req: Request) async throws -> StoryLockDTO {
        let story = try await StoryService.find(Self.storyID(req), on: req, for: .storiesWrite)
        try await StoryService.unlock(story, on: req)
        return StoryLockDTO(story, actor: try req.requireActor())
    }
}
