import Fluent
import Vapor

/// The review workflow on top of the database: loads facts, asks `ReviewWorkflow`, stores sign-offs,
/// moves the story's status through `StoryService.setStatus`, audits and notifies.
/// Other modules may call `reviewState(storyID:on:)`, `visibleAIGCLabels(_:on:)` and `plan(forTenant:on:)`.
enum ReviewService {
    static let maxComment = 2000
    static let maxReason = 500

    // MARK: Configuration

    /// The tenant's stage plan for new rounds: stage names from the tenant settings, permissions from the
    /// override table or the default rule (`StagePlan.defaultPermission`).
    static func plan(for tenant: Tenant, config: ReviewConfig?) -> StagePlan {
        StagePlan.make(names: tenant.settings.reviewStages, overrides: config?.overrides ?? [])
    }

    static func config(tenantID: UUID, on db: any Database) async throws -> ReviewConfig? {
        try await ReviewConfig.query(on: db).filter(\.$tenantID == tenantID).first()
    }

    static func plan(forTenant tenantID: UUID, on db: any Database) async throws -> (plan: StagePlan, distinctSigners: Bool) {
        guard let tenant = try await Tenant.find(tenantID, on: db) else { throw AppError.notFound }
        let config = try await config(tenantID: tenantID, on: db)
        return (plan(for: tenant, config: config), config?.distinctSigners ?? true)
    }

    struct ConfigInput: Content {
        /// New stage names (written to the tenant settings through `TenantService.update`); nil keeps them.
        var stages: [String]?
        /// Per stage: "default" or a permission ("review.first", "review.second", "review.final").
        var stagePermissions: [String]?
        var distinctSigners: Bool?
    }

    static func configDTO(_ tenant: Tenant, _ config: ReviewConfig?) -> ReviewConfigDTO {
        let names = tenant.settings.reviewStages
        let raw = config?.stagePermissions ?? []
        let plan = plan(for: tenant, config: config)
        return ReviewConfigDTO(
            tenantId: tenant.id ?? UUID(), tenantName: tenant.name,
            stages: plan.stages.enumerated().map { i, stage in
                let overridden = i < raw.count && Permission(rawValue: raw[i]).map(StagePlan.assignable.contains) == true
                return ReviewStageConfigDTO(index: i, name: stage.name, permission: stage.permission.rawValue,
                                            defaultPermission: StagePlan.defaultPermission(index: i, count: names.count).rawValue,
                                            overridden: overridden)
            },
            distinctSigners: config?.distinctSigners ?? true)
    }

    static func getConfig(tenantID: UUID?, on req: Request) async throws -> ReviewConfigDTO {
        let id = try tenantID ?? req.requireActor().activeTenantID
        let tenant = try await req.scope(for: .storiesRead).find(Tenant.self, id, on: req.db)
        return configDTO(tenant, try await config(tenantID: tenant.requireID(), on: req.db))
    }

    static func updateConfig(tenantID: UUID?, _ input: ConfigInput, on req: Request) async throws -> ReviewConfigDTO {
        let actor = try req.requireActor()
        let id = tenantID ?? actor.activeTenantID
        var tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, id, on: req.db)
        let tenantID = try tenant.requireID()
        let count = input.stages?.count ?? tenant.settings.reviewStages.count
        // Validate the permissions before anything is written.
        let permissions = try input.stagePermissions.map { list -> [String] in
            guard list.count <= count else {
                throw AppError.invalid("stage_permissions", zh: "权限设置多于审核环节（共 \(count) 个环节）",
                                       en: "More stage permissions than stages (there are \(count) stages)")
            }
            return try list.map { raw in
                let value = raw.trimmingCharacters(in: .whitespaces)
                if value.isEmpty || value == "default" { return "default" }
                guard let p = Permission(rawValue: value), StagePlan.assignable.contains(p) else {
                    throw AppError.invalid("stage_permissions", zh: "环节权限只能是 default、review.first、review.second 或 review.final",
                                           en: "A stage permission is default, review.first, review.second or review.final")
                }
                return p.rawValue
            }
        }
        if let stages = input.stages, stages != tenant.settings.reviewStages {
            var settings = tenant.settings
            settings.reviewStages = stages
            tenant = try await TenantService.update(tenantID, .init(name: nil, region: nil, settings: settings, disabled: nil), on: req)
        }
        let existing = try await config(tenantID: tenantID, on: req.db)
        let config = existing ?? ReviewConfig(tenantID: tenantID)
        let before = ["stage_permissions": config.stagePermissions.joined(separator: ","), "distinct_signers": String(config.distinctSigners)]
        if let permissions {
            config.stagePermissions = permissions
        } else if config.stagePermissions.count > tenant.settings.reviewStages.count {
            config.stagePermissions = Array(config.stagePermissions.prefix(tenant.settings.reviewStages.count))
        }
        if let distinct = input.distinctSigners { config.distinctSigners = distinct }
        config.updatedBy = actor.userID
        do {
            try await config.save(on: req.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict("review_config_conflict", zh: "其他人刚刚修改了审核设置，请刷新后重试", en: "Someone else just changed the review settings; reload and retry")
        }
        await req.audit("review.config", tenant: tenantID, targetType: "tenant", targetID: tenantID.uuidString, before: before,
                        after: ["stages": tenant.settings.reviewStages.joined(separator: "→"),
                                "stage_permissions": config.stagePermissions.joined(separator: ","), "distinct_signers": String(config.distinctSigners)])
        return configDTO(tenant, config)
    }

    // MARK: Facts

    static func reviewCase(storyID: UUID, on req: Request) async throws -> ReviewCase? {
        try await req.scope(for: .storiesRead).query(ReviewCase.self, on: req.db).filter(\.$storyID == storyID).first()
    }

    static func approvals(storyID: UUID, round: Int, on db: any Database) async throws -> [Int: UUID] {
        let events = try await ReviewEvent.query(on: db).filter(\.$storyID == storyID).filter(\.$round == round)
            .filter(\.$action == .approve).all()
        var out: [Int: UUID] = [:]
        for e in events { if let s = e.stageIndex, let a = e.actorID { out[s] = a } }
        return out
    }

    static func facts(_ c: ReviewCase?, story: Story, plan: StagePlan, approvals: [Int: UUID]) -> ReviewFacts {
        guard let c else {
            return ReviewFacts(state: .none, round: 0, stageIndex: 0, plan: plan, authorID: story.authorID, submitterID: nil, approvals: [:])
        }
        // A new round uses the tenant's current plan; a running one keeps the plan it was submitted with.
        return ReviewFacts(state: c.state, round: c.round, stageIndex: c.stageIndex, plan: c.state == .pending ? c.plan : plan,
                           authorID: c.authorID ?? story.authorID, submitterID: c.submitterID, approvals: approvals)
    }

    static func actorFacts(_ actor: Actor, tenantID: UUID) -> ReviewActorFacts {
        ReviewActorFacts(userID: actor.userID, permissions: actor.permissions(in: tenantID))
    }

    // MARK: Actions

    struct ActionInput: Content {
        /// The round and stage the client saw; when given they must be current (no skipping, no double sign-off).
        var round: Int?
        var stageIndex: Int?
        var comment: String?
        /// Submit only: the reason for overriding blocking first-pass findings (needs review.override).
        var overrideReason: String?
    }

    static func comment(_ raw: String?, required: Bool) throws -> String {
        let text = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if required && text.isEmpty {
            throw AppError.invalid("comment", zh: "退回或终止须填写意见", en: "A comment is required to return or reject")
        }
        guard text.count <= maxComment, !text.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw AppError.invalid("comment", zh: "意见不超过 \(maxComment) 字", en: "The comment is at most \(maxComment) characters")
        }
        return text
    }

    /// Submits (or resubmits) a story: a new round at the first stage, the machine first pass, "waiting for you" notices.
    static func submit(storyID: UUID?, _ input: ActionInput, on req: Request) async throws -> ReviewStoryDTO {
        let actor = try req.requireActor()
        let story = try await StoryService.find(storyID, on: req, for: .storiesWrite)
        let id = try story.requireID()
        let note = try comment(input.comment, required: false)
        let existing = try await reviewCase(storyID: id, on: req)
        let (plan, distinct) = try await plan(forTenant: story.tenantID, on: req.db)
        let facts = facts(existing, story: story, plan: plan, approvals: [:])
        let decision: ReviewDecision
        do {
            decision = try ReviewWorkflow.decide(.submit, facts: facts, actor: actorFacts(actor, tenantID: story.tenantID), distinctSigners: distinct)
        } catch let e as ReviewRuleError { throw error(e, plan: facts.plan) }
        guard story.status.isEditable else {
            throw AppError.conflict("story_not_submittable", zh: "稿件当前状态（\(story.status.rawValue)）不能送审",
                                    en: "A story in status “\(story.status.rawValue)” cannot be submitted")
        }
        // The gate runs before anything is written: a refused submission leaves no trace but the audit entry.
        let (checker, outcome) = await firstPassOutcome(story: story, round: decision.round, on: req)
        let overrideReason = try await gate(outcome, story: story, reason: input.overrideReason, actor: actor, on: req)
        let now = Date()
        let event = makeEvent(story: story, round: decision.round, stage: nil, plan: plan, action: .submit, actor: actor, comment: note,
                              key: "\(id.uuidString)|\(decision.round)|submit", at: now)
        let c = existing ?? ReviewCase()
        if existing == nil { c.tenantID = story.tenantID; c.storyID = id }
        c.authorID = story.authorID
        c.authorName = story.authorName
        c.submitterID = actor.userID
        c.headline = String(story.headline.prefix(300))
        c.state = .pending
        c.round = decision.round
        c.stageIndex = 0
        c.plan = plan
        c.distinctSigners = distinct
        c.storyVersion = story.version
        c.submittedAt = now
        c.decidedAt = nil
        try await commit(event: event, on: req.db) { db in try await c.save(on: db) }
        try await StoryService.setStatus(story, .inReview, on: req)
        await req.audit("review.submit", tenant: story.tenantID, targetType: "story", targetID: id.uuidString,
                        before: ["state": facts.state.rawValue], after: ["state": "pending", "round": String(decision.round), "stage": plan.stages[0].name,
                                                                         "version": String(story.version)], note: note.isEmpty ? nil : note)
        try await recordFirstPass(story: story, round: decision.round, checker: checker, outcome: outcome, on: req)
        if let overrideReason {
            try await recordOverride(story: story, round: decision.round, reason: overrideReason, outcome: outcome, actor: actor, on: req)
        }
        await notifyStage(c, stage: 0, on: req)
        return try await state(of: story, on: req)
    }

    /// approve, return, reject or recall at the current stage.
    static func act(_ action: ReviewAction, storyID: UUID?, _ input: ActionInput, on req: Request) async throws -> ReviewStoryDTO {
        precondition(action != .submit)
        let actor = try req.requireActor()
        let story = try await StoryService.find(storyID, on: req, for: action == .recall ? .storiesWrite : .storiesRead)
        let id = try story.requireID()
        if action != .recall, input.stageIndex == nil {
            throw AppError.invalid("stage_index", zh: "须指明要处理的环节（stage_index）", en: "stage_index (the stage you are acting on) is required")
        }
        guard let c = try await reviewCase(storyID: id, on: req) else {
            throw AppError.conflict("not_in_review", zh: "稿件尚未送审", en: "The story has not been submitted for review")
        }
        let (plan, _) = try await plan(forTenant: story.tenantID, on: req.db)
        let approvals = try await approvals(storyID: id, round: c.round, on: req.db)
        let facts = facts(c, story: story, plan: plan, approvals: approvals)
        let decision: ReviewDecision
        do {
            decision = try ReviewWorkflow.decide(action, facts: facts, actor: actorFacts(actor, tenantID: story.tenantID), distinctSigners: c.distinctSigners,
                                                 requestedRound: input.round, requestedStage: input.stageIndex)
        } catch let e as ReviewRuleError { throw error(e, plan: facts.plan) }
        let note = try comment(input.comment, required: action == .return || action == .reject)
        let stage = c.stageIndex
        let round = c.round
        let now = Date()
        let kind: ReviewEventKind = switch action {
        case .approve: .approve
        case .return: .return
        case .reject: .reject
        default: .recall
        }
        let event = makeEvent(story: story, round: round, stage: stage, plan: c.plan, action: kind, actor: actor, comment: note,
                              key: "\(id.uuidString)|\(round)|\(stage)", at: now)
        let caseID = try c.requireID()
        try await commit(event: event, on: req.db) { db in
            // Conditional on the round and stage read above: the unique decision key already picked one winner,
            // this keeps the row consistent even if a writer bypassed the events table.
            try await ReviewCase.query(on: db).filter(\.$id == caseID).filter(\.$round == round).filter(\.$stageIndex == stage)
                .filter(\.$state == .pending)
                .set(\.$state, to: decision.state).set(\.$stageIndex, to: decision.stageIndex)
                .set(\.$decidedAt, to: decision.state == .pending ? nil : now)
                .set(\.$headline, to: String(story.headline.prefix(300)))
                .set(\.$updatedAt, to: now)
                .update()
        }
        let status: Story.Status = switch decision.storyStatus {
        case .draft: .recalled
        case .inReview: .inReview
        case .approved: .approved
        case .returned: .returned
        case .rejected: .rejected
        }
        try await StoryService.setStatus(story, status, on: req)
        await req.audit("review.\(action.rawValue)", tenant: story.tenantID, targetType: "story", targetID: id.uuidString,
                        before: ["state": c.state.rawValue, "round": String(round), "stage": c.plan.stages[stage].name],
                        after: ["state": decision.state.rawValue, "stage": decision.state == .pending ? c.plan.stages[decision.stageIndex].name : c.plan.stages[stage].name],
                        note: note.isEmpty ? nil : note)
        c.state = decision.state
        c.stageIndex = decision.stageIndex
        await settleWaiting(c, on: req)
        if let next = decision.notifyStage { await notifyStage(c, stage: next, on: req) }
        if decision.notifyAuthor { await notifyAuthor(c, story: story, action: action, stageName: c.plan.stages[stage].name, on: req) }
        return try await state(of: story, on: req)
    }

    static func makeEvent(story: Story, round: Int, stage: Int?, plan: StagePlan, action: ReviewEventKind, actor: Actor?, comment: String,
                          key: String?, at: Date) -> ReviewEvent {
        let e = ReviewEvent()
        e.tenantID = story.tenantID
        e.storyID = story.id ?? UUID()
        e.round = round
        e.stageIndex = stage
        e.stageName = stage.flatMap { plan.stages.indices.contains($0) ? plan.stages[$0].name : nil }
        e.action = action
        e.actorID = actor?.userID
        e.actorName = actor?.displayName ?? "智媒"
        e.comment = comment
        e.storyVersion = story.version
        e.decisionKey = key
        e.at = at
        return e
    }

    /// Inserts the event (its unique decision key picks one winner among concurrent actors) and applies the change,
    /// in one transaction. The loser gets 409.
    static func commit(event: ReviewEvent, on db: any Database, _ change: @escaping @Sendable (any Database) async throws -> Void) async throws {
        do {
            try await db.transaction { tx in
                try await event.create(on: tx)
                try await change(tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict("review_conflict", zh: "其他人刚刚处理了这篇稿件的当前环节，请刷新后查看",
                                    en: "Someone else has just acted on this stage; reload to see the current state")
        }
    }
}
