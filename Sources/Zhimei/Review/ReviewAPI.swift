import Fluent
import Vapor

/// The review API: queue, a story's review state and history, the actions, AIGC labels and stage configuration.
struct ReviewAPI {
    static let stateNames = ReviewState.allCases.map(\.rawValue)
    static let actionNames = ReviewAction.allCases.map(\.rawValue)
    static let permissionNames = StagePlan.assignable.map(\.rawValue)

    static let schemas: [(String, Schema)] = [
        ("ReviewStageConfig", .object([
            ("index", .integer), ("name", .string), ("permission", .enumeration(permissionNames)),
            ("default_permission", .enumeration(permissionNames)), ("overridden", .boolean),
        ], required: ["index", "name", "permission", "default_permission", "overridden"])),
        ("ReviewConfig", .object([
            ("tenant_id", .uuid), ("tenant_name", .string), ("stages", .array(.ref("ReviewStageConfig"))), ("distinct_signers", .boolean),
        ], required: ["tenant_id", "tenant_name", "stages", "distinct_signers"])),
        ("ReviewStage", .object([
            ("index", .integer), ("name", .string), ("permission", .enumeration(permissionNames)),
            ("status", .enumeration(["none", "waiting", "current", "done"])), ("signed_by", .nullable(.string)), ("signed_at", .nullable(.dateTime)),
        ], required: ["index", "name", "permission", "status"])),
        ("ReviewEvent", .object([
            ("id", .uuid), ("round", .integer), ("stage_index", .nullable(.integer)), ("stage_name", .nullable(.string)),
            ("action", .enumeration(ReviewEventKind.allCases.map(\.rawValue))), ("actor_id", .nullable(.uuid)), ("actor_name", .string),
            ("comment", .string), ("story_version", .nullable(.integer)), ("at", .dateTime),
        ], required: ["id", "round", "action", "actor_name", "comment", "at"])),
        ("ReviewFinding", .object([
            ("category", .string), ("severity", .string), ("message", .string), ("excerpt", .string), ("suggestion", .nullable(.string)),
            ("block_index", .nullable(.integer)), ("offset", .nullable(.integer)), ("length", .nullable(.integer)),
            ("subcategory", .nullable(.string)), ("rule_id", .nullable(.string)), ("message_en", .nullable(.string)),
            ("suggestions", .array(.string)),
        ], required: ["category", "severity", "message", "excerpt", "suggestions"])),
        ("ReviewFirstPass", .object([
            ("round", .integer), ("status", .enumeration(FirstPassStatus.allCases.map(\.rawValue))), ("checker", .string),
            ("message", .string), ("message_en", .string), ("findings", .array(.ref("ReviewFinding"))), ("at", .dateTime),
        ], required: ["round", "status", "checker", "message", "message_en", "findings", "at"])),
        ("ReviewAIGCLabel", .object([
            ("target", .enumeration(["story", "block"])), ("block_index", .nullable(.integer)), ("kind", .enumeration(["generated", "assisted"])),
            ("label", .string), ("label_en", .string), ("provider", .string), ("model", .string), ("generated_at", .dateTime),
            ("visible", .boolean), ("removable", .boolean), ("removed_reason", .nullable(.string)), ("removed_by", .nullable(.string)),
            ("removed_at", .nullable(.dateTime)),
        ], required: ["target", "kind", "label", "label_en", "provider", "model", "generated_at", "visible", "removable"])),
        ("ReviewStory", .object([
            ("story_id", .uuid), ("tenant_id", .uuid), ("headline", .string), ("author_name", .string), ("story_status", .string),
            ("story_version", .integer), ("state", .enumeration(stateNames)), ("round", .integer), ("stage_index", .nullable(.integer)),
            ("stage_name", .nullable(.string)), ("distinct_signers", .boolean), ("stages", .array(.ref("ReviewStage"))),
            ("actions", .array(.enumeration(actionNames))), ("can_remove_labels", .boolean), ("first_pass", .nullable(.ref("ReviewFirstPass"))),
            ("aigc_labels", .array(.ref("ReviewAIGCLabel"))), ("history", .array(.ref("ReviewEvent"))),
        ], required: ["story_id", "tenant_id", "headline", "author_name", "story_status", "story_version", "state", "round", "distinct_signers",
                      "stages", "actions", "can_remove_labels", "aigc_labels", "history"])),
        ("ReviewQueueItem", .object([
            ("story_id", .uuid), ("tenant_id", .uuid), ("headline", .string), ("author_name", .string), ("state", .enumeration(stateNames)),
            ("round", .integer), ("stage_index", .integer), ("stage_name", .string), ("submitted_at", .nullable(.dateTime)),
            ("decided_at", .nullable(.dateTime)), ("my_action", .nullable(.string)), ("my_action_at", .nullable(.dateTime)),
        ], required: ["story_id", "tenant_id", "headline", "author_name", "state", "round", "stage_index", "stage_name"])),
        ("ReviewQueue", .object([
            ("waiting", .array(.ref("ReviewQueueItem"))), ("mine", .array(.ref("ReviewQueueItem"))), ("decided", .array(.ref("ReviewQueueItem"))),
        ], required: ["waiting", "mine", "decided"])),
    ]

    static let actionRequest: Schema = .object([
        ("round", .integer(minimum: 1, maximum: 1_000_000)), ("stage_index", .integer(minimum: 0, maximum: 5)),
        ("comment", .string(maxLength: ReviewService.maxComment)), ("override_reason", .string(maxLength: ReviewService.maxReason)),
    ], required: [])
    /// Decisions name the stage they act on, so a decision never lands on a later stage than the one the reviewer saw.
    static let decisionRequest: Schema = .object([
        ("round", .integer(minimum: 1, maximum: 1_000_000)), ("stage_index", .integer(minimum: 0, maximum: 5)),
        ("comment", .string(maxLength: ReviewService.maxComment)),
    ], required: ["stage_index"])

    func register(_ api: RoutesBuilder) {
        let review = api.grouped("review")
        review.endpoint(.GET, "queue", access: .permission(.storiesRead),
                        doc: .init("My review queue: waiting for me, my submissions, recently decided / 审核队列", tag: "review",
                                   response: .ref("ReviewQueue")), use: queue)
        let story = review.grouped("stories", ":storyID")
        story.endpoint(.GET, access: .permission(.storiesRead),
                       doc: .init("A story's review state, stages, first pass, AIGC labels and history / 稿件审核状态", tag: "review",
                                  response: .ref("ReviewStory")), use: get)
        story.endpoint(.GET, "history", access: .permission(.storiesRead),
                       doc: .init("A story's whole review history, every round / 审核历史", tag: "review",
                                  response: .array(.ref("ReviewEvent"))), use: history)
        story.endpoint(.POST, "submit", access: .permission(.storiesWrite),
                       doc: .init("Submit or resubmit for review (new round at the first stage; runs the machine first pass) / 送审", tag: "review",
                                  request: Self.actionRequest, response: .ref("ReviewStory")), use: submit)
        let decisions: [(ReviewAction, String)] = [
            (.approve, "Approve the current stage (moves exactly one stage) / 通过当前环节"),
            (.return, "Return to the author with a comment (退回修改; ends the round) / 退回修改"),
            (.reject, "Reject: stop the story (终止) / 终止"),
        ]
        for (action, summary) in decisions {
            // Any reviewer passes the route (review.first is held by every reviewing role); the stage's own
            // permission (review.first / .second / .final, or the tenant's override) is checked per story.
            story.endpoint(.POST, PathComponent(stringLiteral: action.rawValue), access: .permission(.reviewFirst),
                           doc: .init(summary, tag: "review", request: Self.decisionRequest, response: .ref("ReviewStory"))) { req in
                try await ReviewService.act(action, storyID: req.parameters.get("storyID", as: UUID.self), try Self.input(req), on: req)
            }
        }
        story.endpoint(.POST, "recall", access: .permission(.storiesWrite),
                       doc: .init("Recall a submission not yet decided at its current stage (author or submitter) / 撤回", tag: "review",
                                  request: Self.actionRequest, response: .ref("ReviewStory")), use: recall)
        story.endpoint(.POST, "aigc-labels", "remove", access: .permission(.aigcLabelRemove),
                       doc: .init("Remove a visible AIGC label (reason required; audited; metadata kept) / 去除 AI 生成标识", tag: "review",
                                  request: .object([("block_index", .nullable(.integer(minimum: 0, maximum: 100_000))), ("reason", .string(maxLength: ReviewService.maxReason))],
                                                   required: ["reason"]),
                                  response: .ref("ReviewStory")), use: removeLabel)
        let config = review.grouped("tenants", ":tenantID", "config")
        config.endpoint(.GET, access: .permission(.storiesRead),
                        doc: .init("A tenant's review stages and who may act at each / 审核环节配置", tag: "review", response: .ref("ReviewConfig")), use: getConfig)
        config.endpoint(.PUT, access: .permission(.tenantSettings),
                        doc: .init("Change review stages, stage → permission overrides and distinct signers / 修改审核环节配置", tag: "review",
                                   request: .object([
                                       ("stages", .array(.string(maxLength: 20), maxItems: 6)),
                                       ("stage_permissions", .array(.enumeration(["default"] + Self.permissionNames), maxItems: 6)),
                                       ("distinct_signers", .boolean),
                                   ], required: []),
                                   response: .ref("ReviewConfig")), use: putConfig)
    }

    /// The action body; an empty body means "the current stage, no comment".
    static func input(_ req: Request) throws -> ReviewService.ActionInput {
        guard let body = req.body.data, body.readableBytes > 0 else { return .init() }
        return try req.content.decode(ReviewService.ActionInput.self)
    }

    @Sendable func queue(_ req: Request) async throws -> ReviewQueueDTO {
        try await ReviewService.queue(on: req)
    }

    @Sendable func get(_ req: Request) async throws -> ReviewStoryDTO {
        try await ReviewService.reviewState(storyID: req.parameters.get("storyID", as: UUID.self), on: req)
    }

    @Sendable func history(_ req: Request) async throws -> [ReviewEventDTO] {
        try await ReviewService.reviewState(storyID: req.parameters.get("storyID", as: UUID.self), on: req).history
    }

    @Sendable func submit(_ req: Request) async throws -> ReviewStoryDTO {
        try await ReviewService.submit(storyID: req.parameters.get("storyID", as: UUID.self), try Self.input(req), on: req)
    }

    @Sendable func recall(_ req: Request) async throws -> ReviewStoryDTO {
        try await ReviewService.act(.recall, storyID: req.parameters.get("storyID", as: UUID.self), try Self.input(req), on: req)
    }

    @Sendable func removeLabel(_ req: Request) async throws -> ReviewStoryDTO {
        try await ReviewService.removeLabel(storyID: req.parameters.get("storyID", as: UUID.self),
                                            try req.content.decode(ReviewService.LabelInput.self), on: req)
    }

    @Sendable func getConfig(_ req: Request) async throws -> ReviewConfigDTO {
        try await ReviewService.getConfig(tenantID: try Self.tenantID(req), on: req)
    }

    @Sendable func putConfig(_ req: Request) async throws -> ReviewConfigDTO {
        try await ReviewService.updateConfig(tenantID: try Self.tenantID(req), try req.content.decode(ReviewService.ConfigInput.self), on: req)
    }

    static func tenantID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("tenantID", as: UUID.self) else { throw AppError.notFound }
        return id
    }
}
