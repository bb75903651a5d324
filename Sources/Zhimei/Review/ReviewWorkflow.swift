import Foundation

/// The review workflow (三审三校) as plain Swift: stages, who may act at each, and what every action
/// does. No database and no HTTP here; `ReviewService` loads the facts, asks this engine, and stores the outcome.

/// One stage of a tenant's review workflow and the permission a person needs to act at it.
struct ReviewStage: Codable, Sendable, Equatable {
    var name: String
    var permission: Permission
}

/// The stages of a workflow, in order.
struct StagePlan: Codable, Sendable, Equatable {
    var stages: [ReviewStage]

    /// Permissions a stage may be mapped to.
    static let assignable: [Permission] = [.reviewFirst, .reviewSecond, .reviewFinal]

    /// The default mapping for stage `index` of `count` stages:
    /// the last stage always needs 终审 (review.final); the first stage, when it is not also the last,
    /// needs 初审 (review.first); every stage in between needs 复审 (review.second).
    /// So 3 stages → first, second, final; 2 stages → first, final; 1 stage → final; 5 stages → first, second, second, second, final.
    static func defaultPermission(index: Int, count: Int) -> Permission {
        if index >= count - 1 { return .reviewFinal }
        if index == 0 { return .reviewFirst }
        return .reviewSecond
    }

    /// A plan from the tenant's stage names and its override table (by stage index; nil or missing = the default rule).
    static func make(names: [String], overrides: [Permission?]) -> StagePlan {
        StagePlan(stages: names.enumerated().map { index, name in
            let override = index < overrides.count ? overrides[index] : nil
            return ReviewStage(name: name, permission: override ?? defaultPermission(index: index, count: names.count))
        })
    }

    var count: Int { stages.count }
    var lastIndex: Int { stages.count - 1 }
}

/// Where a story stands in review.
enum ReviewState: String, Codable, Sendable, CaseIterable {
    /// Never submitted.
    case none
    /// Waiting for a sign-off at the current stage.
    case pending
    /// Sent back to the author with comments (退回修改); a resubmission starts a new round.
    case returned
    /// Every stage signed: ready to publish.
    case approved
    /// Stopped (终止); cannot be resubmitted.
    case rejected
    /// Pulled back by the author (撤回) before the current stage acted.
    case recalled
}

/// What a person does in review.
enum ReviewAction: String, Codable, Sendable, CaseIterable {
    case submit, approve, `return`, reject, recall
}

/// The story status a review outcome asks the Stories module to set.
enum StoryStatusChange: String, Sendable, Equatable {
    case draft, inReview, approved, returned, rejected
}

/// The facts the engine decides on: the current round of one story.
struct ReviewFacts: Sendable {
    var state: ReviewState
    var round: Int
    var stageIndex: Int
    /// The plan of the current round (fixed when the round was submitted).
    var plan: StagePlan
    var authorID: UUID?
    var submitterID: UUID?
    /// Who approved which stage in the current round.
    var approvals: [Int: UUID]
}

/// Who wants to act and what they hold in the story's tenant.
struct ReviewActorFacts: Sendable {
    var userID: UUID
    var permissions: Set<Permission>
}

/// A rule the engine refused on; the service turns these into bilingual HTTP errors.
enum ReviewRuleError: Error, Equatable, Sendable {
    /// The story is not waiting for a decision (never submitted, already decided, returned, recalled).
    case notPending(ReviewState)
    /// The request named a round or stage that is not the current one (a skip, or someone acted first).
    case stageMismatch(currentRound: Int, currentStage: Int)
    /// Submit refused: the story is already in review, or was rejected.
    case cannotSubmit(ReviewState)
    /// The person lacks the permission the current stage needs.
    case lacksPermission(Permission)
    /// Authors (and whoever submitted) cannot sign their own work.
    case ownWork
    /// The same person already signed another stage of this round (三审 must be different people).
    case alreadySigned(stage: Int)
    /// Only the author or the submitter may recall.
    case notAuthor
    /// The workflow has no stages.
    case noStages
}

/// The outcome of an action the engine allowed.
struct ReviewDecision: Sendable, Equatable {
    var state: ReviewState
    var round: Int
    var stageIndex: Int
    /// The stage the action was taken at (nil for submit).
    var actedStage: Int?
    var storyStatus: StoryStatusChange
    /// A stage whose people should now be told "waiting for you".
    var notifyStage: Int?
    /// Whether to tell the author (return, reject, final approval).
    var notifyAuthor: Bool
}

enum ReviewWorkflow {
    /// Decides an action. `requestedRound`/`requestedStage` are what the client saw; when given they must match
    /// the current round and stage, so no stage is ever skipped and a late second approval gets a conflict.
    static func decide(_ action: ReviewAction, facts: ReviewFacts, actor: ReviewActorFacts, distinctSigners: Bool,
                       requestedRound: Int? = nil, requestedStage: Int? = nil) throws -> ReviewDecision {
        switch action {
        case .submit:
            guard facts.plan.count > 0 else { throw ReviewRuleError.noStages }
            guard [.none, .returned, .recalled].contains(facts.state) else { throw ReviewRuleError.cannotSubmit(facts.state) }
            return ReviewDecision(state: .pending, round: facts.round + 1, stageIndex: 0, actedStage: nil, storyStatus: .inReview,
                                  notifyStage: 0, notifyAuthor: false)
        case .recall:
            // Whose submission it is comes first: anyone else is refused whatever the state.
            guard actor.userID == facts.authorID || actor.userID == facts.submitterID else { throw ReviewRuleError.notAuthor }
            guard facts.state == .pending else { throw ReviewRuleError.notPending(facts.state) }
            try checkPosition(facts, requestedRound, requestedStage)
            return ReviewDecision(state: .recalled, round: facts.round, stageIndex: facts.stageIndex, actedStage: facts.stageIndex,
                                  storyStatus: .draft, notifyStage: nil, notifyAuthor: false)
        case .approve, .return, .reject:
            try checkReviewer(facts, actor: actor, distinctSigners: distinctSigners, requestedRound: requestedRound,
                              requestedStage: requestedStage, signing: action == .approve)
            let k = facts.stageIndex
            switch action {
            case .approve where k >= facts.plan.lastIndex:
                return ReviewDecision(state: .approved, round: facts.round, stageIndex: k, actedStage: k, storyStatus: .approved,
                                      notifyStage: nil, notifyAuthor: true)
            case .approve:
                return ReviewDecision(state: .pending, round: facts.round, stageIndex: k + 1, actedStage: k, storyStatus: .inReview,
                                      notifyStage: k + 1, notifyAuthor: false)
            case .return:
                return ReviewDecision(state: .returned, round: facts.round, stageIndex: k, actedStage: k, storyStatus: .returned,
                                      notifyStage: nil, notifyAuthor: true)
            default:
                return ReviewDecision(state: .rejected, round: facts.round, stageIndex: k, actedStage: k, storyStatus: .rejected,
                                      notifyStage: nil, notifyAuthor: true)
            }
        }
    }

    private static func checkPosition(_ facts: ReviewFacts, _ round: Int?, _ stage: Int?) throws {
        if let round, round != facts.round { throw ReviewRuleError.stageMismatch(currentRound: facts.round, currentStage: facts.stageIndex) }
        if let stage, stage != facts.stageIndex { throw ReviewRuleError.stageMismatch(currentRound: facts.round, currentStage: facts.stageIndex) }
    }

    /// The checks every reviewer decision passes, in a fixed order: state, position, permission, own work, distinct signers.
    private static func checkReviewer(_ facts: ReviewFacts, actor: ReviewActorFacts, distinctSigners: Bool,
                                      requestedRound: Int?, requestedStage: Int?, signing: Bool) throws {
        guard facts.state == .pending else { throw ReviewRuleError.notPending(facts.state) }
        try checkPosition(facts, requestedRound, requestedStage)
        guard facts.plan.stages.indices.contains(facts.stageIndex) else { throw ReviewRuleError.noStages }
        let needed = facts.plan.stages[facts.stageIndex].permission
        guard actor.permissions.contains(needed) else { throw ReviewRuleError.lacksPermission(needed) }
        guard actor.userID != facts.authorID, actor.userID != facts.submitterID else { throw ReviewRuleError.ownWork }
        if distinctSigners, signing, let earlier = facts.approvals.first(where: { $0.value == actor.userID && $0.key != facts.stageIndex }) {
            throw ReviewRuleError.alreadySigned(stage: earlier.key)
        }
    }

    /// Whether a person could take a reviewer decision now (used for queues and buttons).
    static func canDecide(facts: ReviewFacts, actor: ReviewActorFacts, distinctSigners: Bool, signing: Bool = true) -> Bool {
        (try? checkReviewer(facts, actor: actor, distinctSigners: distinctSigners, requestedRound: nil, requestedStage: nil, signing: signing)) != nil
    }

    /// The actions a person may take now (for buttons). `canWrite` is storiesWrite in the story's tenant.
    static func availableActions(facts: ReviewFacts, actor: ReviewActorFacts, canWrite: Bool, distinctSigners: Bool) -> [ReviewAction] {
        var actions: [ReviewAction] = []
        if canWrite, (try? decide(.submit, facts: facts, actor: actor, distinctSigners: distinctSigners)) != nil { actions.append(.submit) }
        if canDecide(facts: facts, actor: actor, distinctSigners: distinctSigners) { actions.append(.approve) }
        if canDecide(facts: facts, actor: actor, distinctSigners: distinctSigners, signing: false) { actions += [.return, .reject] }
        if canWrite, (try? decide(.recall, facts: facts, actor: actor, distinctSigners: distinctSigners)) != nil { actions.append(.recall) }
        return actions
    }
}
