import Vapor

/// API shapes of the Review module (snake_case on the wire). Each has a schema in `ReviewAPI.schemas`.

struct ReviewStageConfigDTO: Content {
    var index: Int
    var name: String
    var permission: String
    var defaultPermission: String
    var overridden: Bool
}

struct ReviewConfigDTO: Content {
    var tenantId: UUID
    var tenantName: String
    var stages: [ReviewStageConfigDTO]
    var distinctSigners: Bool
}

struct ReviewStageDTO: Content {
    var index: Int
    var name: String
    var permission: String
    /// "done", "current" or "waiting" in the current round; "none" before the first submission.
    var status: String
    var signedBy: String?
    var signedAt: Date?
}

struct ReviewEventDTO: Content {
    var id: UUID
    var round: Int
    var stageIndex: Int?
    var stageName: String?
    var action: String
    var actorId: UUID?
    var actorName: String
    var comment: String
    var storyVersion: Int?
    var at: Date

    init(_ e: ReviewEvent) {
        id = e.id ?? UUID()
        round = e.round
        stageIndex = e.stageIndex
        stageName = e.stageName
        action = e.action.rawValue
        actorId = e.actorID
        actorName = e.actorName
        comment = e.comment
        storyVersion = e.storyVersion
        at = e.at
    }
}

struct ReviewFindingDTO: Content {
    var category: String
    var severity: String
    var message: String
    var excerpt: String
    var suggestion: String?
    var blockIndex: Int?
    var offset: Int?
    var length: Int?
    var subcategory: String?
    var ruleId: String?
    var messageEn: String?
    var suggestions: [String]

    init(_ f: FirstPassFinding) {
        category = f.category; severity = f.severity; message = f.message; excerpt = f.excerpt
        suggestion = f.suggestion; blockIndex = f.blockIndex; offset = f.offset; length = f.length
        subcategory = f.subcategory; ruleId = f.ruleId; messageEn = f.messageEn; suggestions = f.suggestions ?? f.suggestion.map { [$0] } ?? []
    }
}

struct ReviewFirstPassDTO: Content {
    var round: Int
    var status: String
    var checker: String
    var message: String
    var messageEn: String
    var findings: [ReviewFindingDTO]
    var at: Date

    init(_ r: FirstPassRecord) {
        round = r.round
        status = r.status.rawValue
        checker = r.checker
        message = r.messageZh
        messageEn = r.messageEn
        findings = r.findings.items.map(ReviewFindingDTO.init)
        at = r.at
    }
}

/// A visible AIGC label (explicit) with its implicit metadata.
struct ReviewAIGCLabelDTO: Content {
    /// "story" or "block".
    var target: String
    var blockIndex: Int?
    /// "generated" (AI生成) or "assisted" (AI辅助).
    var kind: String
    var label: String
    var labelEn: String
    var provider: String
    var model: String
    var generatedAt: Date
    var visible: Bool
    /// Whether this label can be removed on its own (a derived story-level "AI辅助" label goes when its blocks' labels go).
    var removable: Bool
    var removedReason: String?
    var removedBy: String?
    var removedAt: Date?
}

struct ReviewStoryDTO: Content {
    var storyId: UUID
    var tenantId: UUID
    var headline: String
    var authorName: String
    var storyStatus: String
    var storyVersion: Int
    var state: String
    var round: Int
    var stageIndex: Int?
    var stageName: String?
    var distinctSigners: Bool
    var stages: [ReviewStageDTO]
    /// What the requesting person may do now.
    var actions: [String]
    var canRemoveLabels: Bool
    var firstPass: ReviewFirstPassDTO?
    var aigcLabels: [ReviewAIGCLabelDTO]
    var history: [ReviewEventDTO]
}

struct ReviewQueueItemDTO: Content {
    var storyId: UUID
    var tenantId: UUID
    var headline: String
    var authorName: String
    var state: String
    var round: Int
    var stageIndex: Int
    var stageName: String
    var submittedAt: Date?
    var decidedAt: Date?
    /// For "recently decided": what the requesting person did and when.
    var myAction: String?
    var myActionAt: Date?
}

struct ReviewQueueDTO: Content {
    var waiting: [ReviewQueueItemDTO]
    var mine: [ReviewQueueItemDTO]
    var decided: [ReviewQueueItemDTO]
}
