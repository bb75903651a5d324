import Fluent
import Vapor

/// A tenant's review settings beyond the stage names (which live in `TenantSettings.reviewStages`):
/// the stage → permission override table and whether 三审 must be signed by different people.
final class ReviewConfig: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_configs"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    /// Per stage index: a permission raw value ("review.first" …) or "default" for the default rule.
    @Field(key: "stage_permissions") var stagePermissions: [String]
    @Field(key: "distinct_signers") var distinctSigners: Bool
    @OptionalField(key: "updated_by") var updatedBy: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(tenantID: UUID, stagePermissions: [String] = [], distinctSigners: Bool = true) {
        self.tenantID = tenantID
        self.stagePermissions = stagePermissions
        self.distinctSigners = distinctSigners
    }

    /// The override table as permissions (nil = default rule).
    var overrides: [Permission?] {
        stagePermissions.map { raw in Permission(rawValue: raw).flatMap { StagePlan.assignable.contains($0) ? $0 : nil } }
    }
}

/// The review of one story: its current round, stage and state. One row per story; each submission starts a new round.
final class ReviewCase: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_cases"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "story_id") var storyID: UUID
    @OptionalField(key: "author_id") var authorID: UUID?
    @OptionalField(key: "submitter_id") var submitterID: UUID?
    /// Shown in queues without asking the Stories module for every row; refreshed on every action.
    @Field(key: "headline") var headline: String
    @Field(key: "author_name") var authorName: String
    @Field(key: "state") var state: ReviewState
    @Field(key: "round") var round: Int
    @Field(key: "stage_index") var stageIndex: Int
    /// The stages and permissions of the current round, fixed at submission so a settings change does not move a story mid-round.
    @Field(key: "plan") var plan: StagePlan
    @Field(key: "distinct_signers") var distinctSigners: Bool
    @OptionalField(key: "story_version") var storyVersion: Int?
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// What happened in review: a submission, a sign-off or decision, a recall, a first pass, a label removal.
enum ReviewEventKind: String, Codable, Sendable, CaseIterable {
    case submit, approve, `return`, reject, recall
    case firstPass = "first_pass"
    case labelRemove = "label_remove"
    /// Blocking first-pass findings overridden with a reason (review.override).
    case override
}

/// One entry of a story's review history (all rounds): time, person, stage and comment.
final class ReviewEvent: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_events"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "story_id") var storyID: UUID
    @Field(key: "round") var round: Int
    @OptionalField(key: "stage_index") var stageIndex: Int?
    @OptionalField(key: "stage_name") var stageName: String?
    @Field(key: "action") var action: ReviewEventKind
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "comment") var comment: String
    @OptionalField(key: "story_version") var storyVersion: Int?
    /// Unique per (story, round, stage) for decisions and per (story, round) for submissions: of two people acting
    /// at the same stage at once, exactly one insert succeeds.
    @OptionalField(key: "decision_key") var decisionKey: String?
    @Field(key: "at") var at: Date

    init() {}
}

/// A finding of the machine first pass (proofreading engine, issue 5).
struct FirstPassFinding: Codable, Sendable, Equatable {
    /// e.g. "sensitive", "typo", "grammar", "punctuation", "format", "fact".
    var category: String
    /// "block", "warn" or "info" (the engine's `FindingSeverity`); early test checkers also used "warning".
    var severity: String
    var message: String
    /// The text the finding is about.
    var excerpt: String
    var suggestion: String?
    /// Block index and character offset in the story's plain text, when known.
    var blockIndex: Int?
    var offset: Int?
    var length: Int?
    /// Added with the engine (issue 5); absent in rows written before it.
    var subcategory: String? = nil
    var ruleId: String? = nil
    var messageEn: String? = nil
    var suggestions: [String]? = nil
}

/// Findings wrapped in an object, so the column is a JSON object on both databases.
struct FirstPassFindings: Codable, Sendable, Equatable {
    var items: [FirstPassFinding]
}

/// The status of a first pass.
enum FirstPassStatus: String, Codable, Sendable, CaseIterable {
    /// No engine is enabled (未运行).
    case notRun = "not_run"
    /// Ran and found nothing.
    case clean
    /// Ran and found something.
    case findings
    /// The engine failed.
    case failed
}

/// The machine first pass of one round.
final class FirstPassRecord: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_first_passes"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "story_id") var storyID: UUID
    @Field(key: "round") var round: Int
    @Field(key: "status") var status: FirstPassStatus
    @Field(key: "checker") var checker: String
    @Field(key: "message_zh") var messageZh: String
    @Field(key: "message_en") var messageEn: String
    @Field(key: "findings") var findings: FirstPassFindings
    @Field(key: "at") var at: Date

    init() {}
}

/// A removed visible AIGC label (the implicit metadata stays with the story).
final class AIGCLabelRemoval: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_aigc_removals"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "story_id") var storyID: UUID
    /// The block whose label was removed; "" for the story-level label.
    @Field(key: "block_id") var blockID: String
    @Field(key: "reason") var reason: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "actor_name") var actorName: String
    @Field(key: "at") var at: Date

    init() {}
}
