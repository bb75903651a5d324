import Fluent
import Vapor

/// The workflow gate (机器初审把关): a submission whose first pass has block-severity findings is refused (409, the
/// findings listed) until the text is fixed, or until someone holding `review.override` submits with a reason.
/// Overrides are audited and appear in the review history.
extension ReviewService {
    /// Runs the installed checker; a thrown error becomes `.failed` (review goes on, the failure is shown).
    static func firstPassOutcome(story: Story, round: Int, on req: Request) async -> (checker: String, outcome: FirstPassOutcome) {
        let checker = req.application.reviewFirstPass.checker
        let text = StoryService.plainText(story)
        let input = FirstPassInput(storyID: story.id ?? UUID(), tenantID: story.tenantID, round: round, text: text,
                                   bodyBlockStarts: FirstPassInput.bodyBlockStarts(story, text: text))
        do {
            return (checker.name, try await checker.check(input, on: req.application))
        } catch {
            return (checker.name, .failed(zh: "校对引擎出错：\(error)", en: "The proofreading engine failed: \(error)"))
        }
    }

    /// nil when nothing blocks; the validated override reason when blocking findings are overridden; throws otherwise.
    static func gate(_ outcome: FirstPassOutcome, story: Story, reason raw: String?, actor: Actor, on req: Request) async throws -> String? {
        guard case .completed(let findings) = outcome else { return nil }
        let blocking = findings.filter(\.isBlocking)
        guard !blocking.isEmpty else { return nil }
        let reason = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let storyID = story.id?.uuidString ?? ""
        if reason.isEmpty {
            await req.audit("review.blocked", tenant: story.tenantID, targetType: "story", targetID: storyID, outcome: "refused",
                            after: ["findings": summary(blocking).zh])
            let list = summary(blocking)
            throw AppError.conflict("first_pass_blocked",
                                    zh: "机器初审发现 \(blocking.count) 处必须处理的问题，稿件不能送审：\(list.zh)。请修改后重新送审，或由有“审校放行”权限（review.override）的人填写理由放行",
                                    en: "The machine first pass found \(blocking.count) blocking problem(s), so the story cannot be submitted: \(list.en). Fix them and resubmit, or have someone with the review.override permission submit with a reason")
        }
        guard actor.can(.reviewOverride, in: story.tenantID) else {
            throw AppError(.forbidden, "override_forbidden", zh: "你没有“审校放行”权限（review.override），不能放行机器初审发现的问题",
                           en: "You need the review.override permission to override blocking first-pass findings")
        }
        guard reason.count <= maxReason, !reason.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw AppError.invalid("override_reason", zh: "放行理由不超过 \(maxReason) 字", en: "The override reason is at most \(maxReason) characters")
        }
        return reason
    }

    /// Up to five findings as “excerpt”（category）.
    static func summary(_ findings: [FirstPassFinding]) -> (zh: String, en: String) {
        let shown = findings.prefix(5)
        let more = findings.count > shown.count
        let zh = shown.map { "“\($0.excerpt.prefix(40))”（\($0.subcategory ?? $0.category)：\($0.message.prefix(60))）" }.joined(separator: "；") + (more ? "等" : "")
        let en = shown.map { "“\($0.excerpt.prefix(40))” (\($0.subcategory ?? $0.category): \(($0.messageEn ?? $0.message).prefix(80)))" }.joined(separator: "; ") + (more ? " and more" : "")
        return (zh, en)
    }

    /// Records an override in the history and the audit log.
    static func recordOverride(story: Story, round: Int, reason: String, outcome: FirstPassOutcome, actor: Actor, on req: Request) async throws {
        guard case .completed(let findings) = outcome else { return }
        let blocking = findings.filter(\.isBlocking)
        let event = makeEvent(story: story, round: round, stage: nil, plan: StagePlan(stages: []), action: .override, actor: actor,
                              comment: reason, key: nil, at: Date())
        try await event.create(on: req.db)
        await req.audit("review.override", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "",
                        before: ["blocking": String(blocking.count), "findings": summary(blocking).zh], after: ["round": String(round)], note: reason)
    }

    /// Stores a first-pass result for a round (and a history entry).
    static func recordFirstPass(story: Story, round: Int, checker: String, outcome: FirstPassOutcome, on req: Request) async throws {
        let record = FirstPassRecord()
        record.tenantID = story.tenantID
        record.storyID = try story.requireID()
        record.round = round
        record.checker = checker
        record.at = Date()
        switch outcome {
        case .notRun(let zh, let en):
            record.status = .notRun; record.messageZh = zh; record.messageEn = en; record.findings = .init(items: [])
        case .completed(let findings):
            let blocking = findings.filter(\.isBlocking).count
            record.status = findings.isEmpty ? .clean : .findings
            record.messageZh = findings.isEmpty ? "未发现问题" : "发现 \(findings.count) 处问题" + (blocking > 0 ? "（其中 \(blocking) 处须处理）" : "")
            record.messageEn = findings.isEmpty ? "Nothing found" : "\(findings.count) findings" + (blocking > 0 ? " (\(blocking) blocking)" : "")
            record.findings = .init(items: Array(findings.prefix(500)))
        case .failed(let zh, let en):
            record.status = .failed; record.messageZh = String(zh.prefix(500)); record.messageEn = String(en.prefix(500)); record.findings = .init(items: [])
        }
        try await record.create(on: req.db)
        let event = makeEvent(story: story, round: round, stage: nil, plan: StagePlan(stages: []), action: .firstPass, actor: nil,
                              comment: record.messageZh, key: nil, at: record.at)
        event.actorName = "机器初审"
        try await event.create(on: req.db)
        await req.audit("review.first_pass", tenant: story.tenantID, targetType: "story", targetID: record.storyID.uuidString,
                        after: ["status": record.status.rawValue, "checker": record.checker, "findings": String(record.findings.items.count), "round": String(round)],
                        actorName: "system")
    }
}
