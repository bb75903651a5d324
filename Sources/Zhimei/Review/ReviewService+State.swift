import Fluent
import Vapor

extension ReviewService {
    // MARK: Errors

    /// A refused rule as a bilingual HTTP error: 409 for state and position, 403 for who may act.
    static func error(_ e: ReviewRuleError, plan: StagePlan) -> AppError {
        func stageName(_ i: Int) -> String { plan.stages.indices.contains(i) ? plan.stages[i].name : "#\(i + 1)" }
        switch e {
        case .notPending(.none):
            return .conflict("not_in_review", zh: "稿件尚未送审", en: "The story has not been submitted for review")
        case .notPending(let state):
            return .conflict("not_pending", zh: "稿件不在待审状态（当前：\(stateLabel(state).zh)）", en: "The story is not waiting for review (now: \(stateLabel(state).en))")
        case .stageMismatch(let round, let stage):
            return .conflict("stage_mismatch", zh: "稿件当前在第 \(round) 轮“\(stageName(stage))”环节：不能跳过环节，也不能重复签署",
                             en: "The story is at round \(round), stage “\(stageName(stage))”: stages cannot be skipped or signed twice")
        case .cannotSubmit(let state):
            return .conflict("cannot_submit", zh: "稿件当前不能送审（\(stateLabel(state).zh)）", en: "The story cannot be submitted now (\(stateLabel(state).en))")
        case .lacksPermission(let p):
            return AppError(.forbidden, "stage_forbidden", zh: "你没有“\(permissionLabel(p).zh)”权限，不能处理当前环节",
                            en: "You need the “\(permissionLabel(p).en)” permission to act at this stage")
        case .ownWork:
            return AppError(.forbidden, "own_work", zh: "作者和送审人不能审核自己的稿件", en: "Authors and submitters cannot review their own story")
        case .alreadySigned(let stage):
            return AppError(.forbidden, "already_signed", zh: "你已签署本轮“\(stageName(stage))”：三审须由不同的人签署",
                            en: "You already signed “\(stageName(stage))” in this round: each stage needs a different person")
        case .notAuthor:
            return AppError(.forbidden, "not_author", zh: "只有作者或送审人可以撤回", en: "Only the author or the submitter can recall")
        case .noStages:
            return .conflict("no_stages", zh: "本单位未配置审核环节", en: "No review stages are configured")
        }
    }

    static func stateLabel(_ s: ReviewState) -> (zh: String, en: String) {
        switch s {
        case .none: return ("未送审", "not submitted")
        case .pending: return ("审核中", "in review")
        case .returned: return ("已退回修改", "returned")
        // Not "ready to publish": the story may be published since (the review case does not follow publishing).
        case .approved: return ("审核通过", "approved")
        case .rejected: return ("已终止", "rejected")
        case .recalled: return ("已撤回", "recalled")
        }
    }

    static func permissionLabel(_ p: Permission) -> (zh: String, en: String) {
        switch p {
        case .reviewFirst: return ("初审", "first review")
        case .reviewSecond: return ("复审", "second review")
        case .reviewFinal: return ("终审", "final review")
        default: return (p.rawValue, p.rawValue)
        }
    }

    // MARK: First pass

    /// Runs the installed `FirstPassChecker` for a round and records the result (and a history entry).
    static func runFirstPass(story: Story, round: Int, on req: Request) async throws {
        let (checker, outcome) = await firstPassOutcome(story: story, round: round, on: req)
        try await recordFirstPass(story: story, round: round, checker: checker, outcome: outcome, on: req)
    }

    // MARK: Notifications

    /// People of the tenant who could act at `stage` now: they hold its permission, did not write or submit the
    /// story, and (with distinct signers) did not sign an earlier stage of this round.
    static func people(for c: ReviewCase, stage: Int, on db: any Database) async throws -> [UUID] {
        guard c.plan.stages.indices.contains(stage) else { return [] }
        let needed = c.plan.stages[stage].permission
        let roles = Role.allCases.filter { $0 != .platformAdmin && $0.permissions.contains(needed) }
        let memberships = try await Membership.query(on: db).filter(\.$tenant.$id == c.tenantID).filter(\.$role ~~ roles).all()
        var signed = Set<UUID>()
        if c.distinctSigners { signed = Set(try await approvals(storyID: c.storyID, round: c.round, on: db).values) }
        let excluded = Set([c.authorID, c.submitterID].compactMap { $0 }).union(signed)
        var seen = Set<UUID>()
        return memberships.map { $0.$user.id }.filter { !excluded.contains($0) && seen.insert($0).inserted }
    }

    /// The stage's "待你…" notifications are answered once anyone decides it (or the story is recalled): they are
    /// marked read for everyone, so a reviewer's unread list holds only what still waits for them.
    static func settleWaiting(_ c: ReviewCase, on req: Request) async {
        do {
            try await NotificationService.settle(kind: "review.waiting", link: "/review/stories/\(c.storyID.uuidString)", tenantID: c.tenantID, on: req.db)
        } catch {
            req.logger.warning("review notification settle failed: \(String(reflecting: error))")
        }
    }

    static func notifyStage(_ c: ReviewCase, stage: Int, on req: Request) async {
        do {
            let people = try await people(for: c, stage: stage, on: req.db)
            let name = c.plan.stages[stage].name
            try await NotificationService.notify(people, tenantID: c.tenantID, kind: "review.waiting",
                                                 title: "待你\(name)：《\(c.headline)》", link: "/review/stories/\(c.storyID.uuidString)", on: req)
        } catch {
            req.logger.warning("review notification failed: \(String(reflecting: error))")
        }
    }

    static func notifyAuthor(_ c: ReviewCase, story: Story, action: ReviewAction, stageName: String, on req: Request) async {
        let title: String
        switch action {
        case .return: title = "《\(c.headline)》在\(stageName)被退回修改"
        case .reject: title = "《\(c.headline)》在\(stageName)被终止"
        default: title = "《\(c.headline)》已通过\(stageName)，可以发布"
        }
        let people = Array(Set([story.authorID] + (c.submitterID.map { [$0] } ?? [])))
        do {
            try await NotificationService.notify(people, tenantID: c.tenantID, kind: "review.\(action.rawValue)", title: title,
                                                 link: "/review/stories/\(c.storyID.uuidString)", on: req)
        } catch {
            req.logger.warning("review notification failed: \(String(reflecting: error))")
        }
    }

    // MARK: State

    /// The whole review picture of a story for the requesting person (404 outside their scope).
    static func reviewState(storyID: UUID?, on req: Request) async throws -> ReviewStoryDTO {
        try await state(of: try await StoryService.find(storyID, on: req), on: req)
    }

    static func state(of story: Story, on req: Request) async throws -> ReviewStoryDTO {
        let actor = try req.requireActor()
        let id = try story.requireID()
        let c = try await reviewCase(storyID: id, on: req)
        let (plan, distinct) = try await plan(forTenant: story.tenantID, on: req.db)
        var approvals: [Int: UUID] = [:]
        if let c { approvals = try await Self.approvals(storyID: id, round: c.round, on: req.db) }
        let facts = facts(c, story: story, plan: plan, approvals: approvals)
        let events = try await req.scope(for: .storiesRead).query(ReviewEvent.self, on: req.db).filter(\.$storyID == id)
            .sort(\.$at).all()
        let signers = Dictionary(grouping: events.filter { $0.action == .approve && $0.round == c?.round }, by: { $0.stageIndex ?? -1 })
        let shownPlan = c?.plan ?? plan
        let stages = shownPlan.stages.enumerated().map { i, s -> ReviewStageDTO in
            let signed = signers[i]?.last
            var status = "waiting"
            if c == nil { status = "none" }
            else if signed != nil { status = "done" }
            else if c?.state == .pending && c?.stageIndex == i { status = "current" }
            return ReviewStageDTO(index: i, name: s.name, permission: s.permission.rawValue, status: status, signedBy: signed?.actorName, signedAt: signed?.at)
        }
        let actorFacts = actorFacts(actor, tenantID: story.tenantID)
        let actions = ReviewWorkflow.availableActions(facts: facts, actor: actorFacts, canWrite: actor.can(.storiesWrite, in: story.tenantID),
                                                      distinctSigners: c?.distinctSigners ?? distinct)
            .filter { $0 != .submit || story.status.isEditable }
        let firstPass = try await req.scope(for: .storiesRead).query(FirstPassRecord.self, on: req.db).filter(\.$storyID == id)
            .sort(\.$round, .descending).sort(\.$at, .descending).first()
        return ReviewStoryDTO(
            storyId: id, tenantId: story.tenantID, headline: story.headline, authorName: story.authorName, storyStatus: story.status.rawValue,
            storyVersion: story.version, state: (c?.state ?? .none).rawValue, round: c?.round ?? 0,
            stageIndex: c?.state == .pending ? c?.stageIndex : nil,
            stageName: c.flatMap { $0.state == .pending && $0.plan.stages.indices.contains($0.stageIndex) ? $0.plan.stages[$0.stageIndex].name : nil },
            distinctSigners: c?.distinctSigners ?? distinct, stages: stages, actions: actions.map(\.rawValue),
            canRemoveLabels: actor.can(.aigcLabelRemove, in: story.tenantID),
            firstPass: firstPass.map(ReviewFirstPassDTO.init), aigcLabels: try await aigcLabels(story, on: req.db),
            history: events.map(ReviewEventDTO.init))
    }

    // MARK: AIGC labels

    static func labelKey(_ label: AIGCLabel, blockIndex: Int?) -> String {
        let stamp = Int64((label.generatedAt.timeIntervalSince1970 * 1000).rounded())
        return "\(blockIndex.map(String.init) ?? "story"):\(label.provider):\(label.model):\(stamp)"
    }

    /// Every AIGC label of a story, with whether its visible mark was removed. The story carries "AI生成" when AI
    /// produced or substantially rewrote it (story-level metadata); otherwise "AI辅助" when some blocks came from AI.
    /// Each AI block carries "AI生成". Removing a visible label keeps the implicit metadata.
    static func aigcLabels(_ story: Story, on db: any Database) async throws -> [ReviewAIGCLabelDTO] {
        let removals = try await AIGCLabelRemoval.query(on: db).filter(\.$storyID == story.requireID()).all()
        let byKey = Dictionary(removals.map { ($0.blockID, $0) }, uniquingKeysWith: { a, _ in a })
        func dto(_ label: AIGCLabel, target: String, index: Int?, kind: String, removable: Bool, key: String?) -> ReviewAIGCLabelDTO {
            let removal = key.flatMap { byKey[$0] }
            return ReviewAIGCLabelDTO(target: target, blockIndex: index, kind: kind, label: kind == "generated" ? "AI生成" : "AI辅助",
                                      labelEn: kind == "generated" ? "AI-generated" : "AI-assisted", provider: label.provider, model: label.model,
                                      generatedAt: label.generatedAt, visible: removal == nil, removable: removable && removal == nil,
                                      removedReason: removal?.reason, removedBy: removal?.actorName, removedAt: removal?.at)
        }
        var blocks: [ReviewAIGCLabelDTO] = []
        for (i, block) in story.body.enumerated() {
            if let label = block.aigc {
                blocks.append(dto(label, target: "block", index: i, kind: "generated", removable: true, key: labelKey(label, blockIndex: i)))
            }
        }
        var out: [ReviewAIGCLabelDTO] = []
        if let label = story.aigc {
            out.append(dto(label, target: "story", index: nil, kind: "generated", removable: true, key: labelKey(label, blockIndex: nil)))
        } else if let first = blocks.first(where: { $0.visible }) {
            let label = AIGCLabel(provider: first.provider, model: first.model, generatedAt: first.generatedAt)
            out.append(dto(label, target: "story", index: nil, kind: "assisted", removable: false, key: nil))
        }
        return out + blocks
    }

    struct LabelInput: Content {
        /// The block whose label goes; nil for the story-level label.
        var blockIndex: Int?
        var reason: String
    }

    /// Removes a visible AIGC label (needs aigcLabelRemove; a reason; audited).
    static func removeLabel(storyID: UUID?, _ input: LabelInput, on req: Request) async throws -> ReviewStoryDTO {
        let actor = try req.requireActor()
        let story = try await StoryService.find(storyID, on: req, for: .storiesRead)
        guard actor.can(.aigcLabelRemove, in: story.tenantID) else { throw AppError.forbidden }
        let reason = input.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= maxReason, !reason.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw AppError.invalid("reason", zh: "须填写去除标识的理由（不超过 \(maxReason) 字）", en: "A reason (at most \(maxReason) characters) is required")
        }
        let label: AIGCLabel?
        if let index = input.blockIndex {
            guard story.body.indices.contains(index) else {
                throw AppError.invalid("block_index", zh: "没有第 \(index) 段", en: "There is no block \(index)")
            }
            label = story.body[index].aigc
        } else {
            label = story.aigc
        }
        guard let label else {
            throw AppError.conflict("no_aigc_label", zh: "该处没有可去除的 AI 标识", en: "There is no AI label to remove there")
        }
        let key = labelKey(label, blockIndex: input.blockIndex)
        let removal = AIGCLabelRemoval()
        removal.tenantID = story.tenantID
        removal.storyID = try story.requireID()
        removal.blockID = key
        removal.reason = reason
        removal.actorID = actor.userID
        removal.actorName = actor.displayName
        removal.at = Date()
        do {
            try await removal.create(on: req.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict("label_already_removed", zh: "该 AI 标识已去除", en: "That AI label was already removed")
        }
        let c = try await reviewCase(storyID: removal.storyID, on: req)
        let event = makeEvent(story: story, round: c?.round ?? 0, stage: nil, plan: StagePlan(stages: []), action: .labelRemove, actor: actor,
                              comment: reason, key: nil, at: removal.at)
        try await event.create(on: req.db)
        await req.audit("aigc.label_remove", tenant: story.tenantID, targetType: "story", targetID: removal.storyID.uuidString,
                        before: ["label": input.blockIndex == nil ? "story" : "block \(input.blockIndex!)", "provider": label.provider, "model": label.model],
                        after: ["visible": "false"], note: reason)
        return try await state(of: story, on: req)
    }

    // MARK: Queue

    static func item(_ c: ReviewCase, myAction: ReviewEvent? = nil) -> ReviewQueueItemDTO {
        let name = c.plan.stages.indices.contains(c.stageIndex) ? c.plan.stages[c.stageIndex].name : ""
        return ReviewQueueItemDTO(storyId: c.storyID, tenantId: c.tenantID, headline: c.headline, authorName: c.authorName, state: c.state.rawValue,
                                  round: c.round, stageIndex: c.stageIndex, stageName: name, submittedAt: c.submittedAt, decidedAt: c.decidedAt,
                                  myAction: myAction?.action.rawValue, myActionAt: myAction?.at)
    }

    /// Pending cases read at a time while building "waiting for me".
    static let queueChunk = 500

    /// "Waiting for me", "my submissions" and "recently decided (by me)".
    static func queue(on req: Request) async throws -> ReviewQueueDTO {
        let actor = try req.requireActor()
        let scope = try req.scope(for: .storiesRead)
        // Every pending case in the person's scope, oldest first, 500 at a time: whether this person may decide one
        // depends on its plan and the approvals so far, so it is worked out here. (Before, only the 500 oldest were
        // looked at: with more pending, a later stage's reviewer could see nothing waiting.)
        var waiting: [ReviewQueueItemDTO] = []
        var offset = 0
        while true {
            let pending = try await scope.query(ReviewCase.self, on: req.db).filter(\.$state == .pending).sort(\.$submittedAt).sort(\.$id)
                .range(offset..<(offset + Self.queueChunk)).all()
            let ids = pending.map(\.storyID)
            let approvalEvents = ids.isEmpty ? [] : try await ReviewEvent.query(on: req.db).filter(\.$storyID ~~ ids).filter(\.$action == .approve).all()
            for c in pending {
                var approvals: [Int: UUID] = [:]
                for e in approvalEvents where e.storyID == c.storyID && e.round == c.round {
                    if let s = e.stageIndex, let a = e.actorID { approvals[s] = a }
                }
                let facts = ReviewFacts(state: c.state, round: c.round, stageIndex: c.stageIndex, plan: c.plan, authorID: c.authorID,
                                        submitterID: c.submitterID, approvals: approvals)
                if ReviewWorkflow.canDecide(facts: facts, actor: actorFacts(actor, tenantID: c.tenantID), distinctSigners: c.distinctSigners) {
                    waiting.append(item(c))
                }
            }
            guard pending.count == Self.queueChunk else { break }
            offset += Self.queueChunk
        }
        let mine = try await scope.query(ReviewCase.self, on: req.db)
            .group(.or) { $0.filter(\.$authorID == actor.userID).filter(\.$submitterID == actor.userID) }
            .sort(\.$updatedAt, .descending).limit(50).all()
        let myEvents = try await scope.query(ReviewEvent.self, on: req.db).filter(\.$actorID == actor.userID)
            .filter(\.$action ~~ [.approve, .return, .reject]).sort(\.$at, .descending).limit(100).all()
        var seen = Set<UUID>()
        let latest = myEvents.filter { seen.insert($0.storyID).inserted }.prefix(30)
        let decidedIDs = latest.map(\.storyID)
        let decidedCases = decidedIDs.isEmpty ? [] : try await scope.query(ReviewCase.self, on: req.db).filter(\.$storyID ~~ decidedIDs).all()
        let byStory = Dictionary(decidedCases.map { ($0.storyID, $0) }, uniquingKeysWith: { a, _ in a })
        let decided = latest.compactMap { e in byStory[e.storyID].map { item($0, myAction: e) } }
        return ReviewQueueDTO(waiting: waiting, mine: mine.map { item($0) }, decided: decided)
    }

    /// Every decision the person made (approve, return, reject), newest first, a page at a time, with the story's review
    /// state now — the whole history behind the queue's "recently decided" (which shows the latest 30 stories).
    static func decisions(on req: Request, range: Range<Int>) async throws -> (items: [ReviewQueueItemDTO], total: Int) {
        let actor = try req.requireActor()
        let scope = try req.scope(for: .storiesRead)
        func mine() -> QueryBuilder<ReviewEvent> {
            scope.query(ReviewEvent.self, on: req.db).filter(\.$actorID == actor.userID).filter(\.$action ~~ [.approve, .return, .reject])
        }
        let total = try await mine().count()
        let events = try await mine().sort(\.$at, .descending).sort(\.$id).range(range).all()
        let ids = Array(Set(events.map(\.storyID)))
        let cases = ids.isEmpty ? [] : try await scope.query(ReviewCase.self, on: req.db).filter(\.$storyID ~~ ids).all()
        let byStory = Dictionary(cases.map { ($0.storyID, $0) }, uniquingKeysWith: { a, _ in a })
        let items = events.compactMap { e -> ReviewQueueItemDTO? in
            guard let c = byStory[e.storyID] else { return nil }
            var item = item(c, myAction: e)
            // The stage and round of the decision, not where the story is now.
            item.round = e.round
            item.stageIndex = e.stageIndex ?? item.stageIndex
            item.stageName = e.stageName ?? item.stageName
            return item
        }
        return (items, total)
    }
}
