import Fluent
import Vapor

/// Topics (选题): creation (optionally from a lead), editing, the board's status transitions, coverage items and
/// comments with @mentions. Every change is audited and notifies the topic's assignees. Routes stay thin.
enum TopicService {
    static let maxTitle = 200
    static let maxText = 5000
    static let maxAngle = 1000
    static let maxKeywords = 20
    static let maxAssignees = 20

    // MARK: - Reading

    /// A topic the actor may work on (topicsManage scope); 404 otherwise. Other modules (Stories) call this to link to a topic.
    static func find(_ id: UUID?, on req: Request) async throws -> Topic {
        try await req.scope(for: .topicsManage).find(Topic.self, id, on: req.db)
    }

    struct ListFilter {
        var status: TopicStatus?
        var query: String?
        var tenantID: UUID?
        var assigneeID: UUID?
        var dueFrom: Date?
        var dueTo: Date?
        var limit: Int = 500
    }

    /// Topics in the actor's scope, newest first (or by due time when a due range is given).
    static func list(_ filter: ListFilter, on req: Request) async throws -> [Topic] {
        var q = try req.scope(for: .topicsManage).query(Topic.self, on: req.db)
        if let tenantID = filter.tenantID { q = q.filter(\.$tenantID == tenantID) }   // narrowing inside the scope
        if let status = filter.status { q = q.filter(\.$status == status) }
        if let text = filter.query?.trimmingCharacters(in: .whitespaces), !text.isEmpty { q = q.filter(\.$title ~~ String(text.prefix(100))) }
        if let from = filter.dueFrom { q = q.filter(\.$dueAt >= from) }
        if let to = filter.dueTo { q = q.filter(\.$dueAt < to) }
        if filter.dueFrom != nil || filter.dueTo != nil { q = q.sort(\.$dueAt) } else { q = q.sort(\.$updatedAt, .descending) }
        var topics = try await q.limit(max(1, min(filter.limit, 1000))).all()
        if let assignee = filter.assigneeID?.uuidString { topics = topics.filter { $0.assigneeIDs.contains(assignee) } }
        return topics
    }

    // MARK: - Creating and editing

    struct CreateInput: Content {
        var title: String?
        var description: String?
        var angle: String?
        var priority: TopicPriority?
        var dueAt: String?
        var assigneeIds: [UUID]?
        var keywords: [String]?
        var leadId: UUID?
        var tenantId: UUID?
    }

    struct UpdateInput: Content {
        var title: String?
        var description: String?
        var angle: String?
        var priority: TopicPriority?
        /// ISO 8601 (or "yyyy-MM-ddTHH:mm" / "yyyy-MM-dd", China time); "" clears it.
        var dueAt: String?
        var assigneeIds: [UUID]?
        var keywords: [String]?
    }

    /// Creates a proposed topic in the actor's active tenant (or the payload's, checked). With `lead_id` the lead's
    /// title, summary and keywords fill what the payload leaves empty, and the lead is marked converted.
    static func create(_ input: CreateInput, on req: Request) async throws -> Topic {
        let actor = try req.requireActor()
        let scope = try req.scope(for: .topicsManage)
        var tenantID = actor.activeTenantID
        if let payloadTenant = input.tenantId { tenantID = payloadTenant }
        var title = input.title ?? ""
        var details = input.description ?? ""
        var keywords = input.keywords ?? []
        var leadID: UUID?
        var leadToConvert: TopicLeadLink?
        if let id = input.leadId {
            let lead = try await TopicLeadLink.load(id, on: req)
            if input.tenantId == nil { tenantID = lead.tenantID }
            guard lead.tenantID == tenantID else {
                throw AppError.invalid("lead_id", zh: "线索与选题必须属于同一单位", en: "The lead and the topic must belong to the same tenant")
            }
            if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { title = lead.title }
            if details.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { details = lead.summary.isEmpty ? String(lead.body.prefix(maxText)) : lead.summary }
            if keywords.isEmpty { keywords = lead.keywords }
            leadID = id
            leadToConvert = lead
        }
        try scope.checkPayload(tenantID)
        guard try await Tenant.find(tenantID, on: req.db) != nil else {
            throw AppError.invalid("tenant_id", zh: "单位不存在", en: "No such tenant")
        }
        let topic = Topic()
        topic.id = UUID()
        topic.tenantID = tenantID
        topic.title = try validTitle(title)
        topic.details = try validText(details, field: "description", max: maxText)
        topic.angle = try validText(input.angle ?? "", field: "angle", max: maxAngle)
        topic.priority = input.priority ?? .normal
        topic.status = .proposed
        topic.dueAt = try parseDue(input.dueAt)
        topic.assigneeIDs = try await validAssignees(input.assigneeIds ?? [], tenantID: tenantID, on: req.db).map(\.uuidString)
        topic.keywords = try validKeywords(keywords)
        topic.leadID = leadID
        topic.createdBy = actor.userID
        topic.createdByName = actor.displayName
        topic.createdAt = Date()
        topic.updatedAt = topic.createdAt
        try await topic.create(on: req.db)
        if let lead = leadToConvert { try await lead.markConverted(topicID: try topic.requireID(), on: req) }
        await req.audit("topic.create", tenant: tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        after: snapshot(topic))
        try await notifyAssignees(topic, kind: "topic.assigned", zh: "你被指派到选题", en: "assigned to you", only: topic.assignees, on: req)
        return topic
    }

    static func update(_ topic: Topic, _ input: UpdateInput, on req: Request) async throws -> Topic {
        let before = snapshot(topic)
        let previousAssignees = Set(topic.assignees)
        if let title = input.title { topic.title = try validTitle(title) }
        if let d = input.description { topic.details = try validText(d, field: "description", max: maxText) }
        if let a = input.angle { topic.angle = try validText(a, field: "angle", max: maxAngle) }
        if let p = input.priority { topic.priority = p }
        if let due = input.dueAt { topic.dueAt = try parseDue(due) }
        if let ids = input.assigneeIds { topic.assigneeIDs = try await validAssignees(ids, tenantID: topic.tenantID, on: req.db).map(\.uuidString) }
        if let k = input.keywords { topic.keywords = try validKeywords(k) }
        topic.updatedAt = Date()
        try await topic.save(on: req.db)
        let after = snapshot(topic)
        await req.audit("topic.update", tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "", before: before, after: after)
        let added = topic.assignees.filter { !previousAssignees.contains($0) }
        try await notifyAssignees(topic, kind: "topic.assigned", zh: "你被指派到选题", en: "assigned to you", only: added, on: req)
        try await notifyAssignees(topic, kind: "topic.updated", zh: "选题已更新", en: "topic updated", except: Set(added), on: req)
        return topic
    }

    // MARK: - The board

    /// Moves a topic one column (left or right). Approving (proposed ⇄ approved) needs topicsApprove in the topic's tenant.
    static func transition(_ topic: Topic, to raw: String, on req: Request) async throws -> Topic {
        guard let target = TopicStatus(rawValue: raw) else {
            throw AppError.invalid("to", zh: "未知的选题状态“\(raw.prefix(40))”", en: "Unknown topic status “\(raw.prefix(40))”")
        }
        let actor = try req.requireActor()
        let from = topic.status
        guard target != from else {
            throw AppError.conflict("topic_status_unchanged", zh: "选题已处于该状态", en: "The topic is already in that status")
        }
        guard abs(target.index - from.index) == 1 else {
            throw AppError.conflict("topic_transition_invalid", zh: "不能跳过状态：只能从“\(label(from, "zh"))”移到相邻状态",
                                    en: "Steps cannot be skipped: from “\(label(from, "en"))” a topic moves only to a neighbouring status")
        }
        let approving = (from == .proposed && target == .approved) || (from == .approved && target == .proposed)
        if approving, !actor.can(.topicsApprove, in: topic.tenantID) {
            throw AppError(.forbidden, "approval_required", zh: "只有编辑可以批准（或撤回批准）选题", en: "Only an editor may approve a topic (or withdraw approval)")
        }
        topic.status = target
        if from == .proposed && target == .approved {
            topic.approvedBy = actor.userID
            topic.approvedAt = Date()
        } else if target == .proposed {
            topic.approvedBy = nil
            topic.approvedAt = nil
        }
        topic.updatedAt = Date()
        try await topic.save(on: req.db)
        let action = (from == .proposed && target == .approved) ? "topic.approve" : "topic.transition"
        await req.audit(action, tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        before: ["status": from.rawValue], after: ["status": target.rawValue])
        var recipients = topic.assignees
        if action == "topic.approve" { recipients.append(topic.createdBy) }
        try await notifyAssignees(topic, kind: action, zh: "选题状态：\(label(from, "zh")) → \(label(target, "zh"))",
                                  en: "status \(label(from, "en")) → \(label(target, "en"))", only: recipients, on: req)
        return topic
    }

    static func label(_ s: TopicStatus, _ lang: String) -> String {
        Localizer.text("planning.status.\(s.rawValue)", lang)
    }

    // MARK: - Coverage

    struct CoverageInput: Content {
        var kind: CoverageKind
        var note: String?
        var assigneeId: UUID?
    }

    struct CoverageUpdate: Content {
        var note: String?
        var assigneeId: UUID?
        var done: Bool?
        var kind: CoverageKind?
    }

    static func coverage(of topicIDs: [UUID], on req: Request) async throws -> [CoverageItem] {
        guard !topicIDs.isEmpty else { return [] }
        return try await req.scope(for: .topicsManage).query(CoverageItem.self, on: req.db)
            .filter(\.$topicID ~~ topicIDs).filter(\.$removed == false).sort(\.$createdAt).all()
    }

    static func findCoverage(_ id: UUID?, on req: Request) async throws -> CoverageItem {
        try await req.scope(for: .topicsManage).find(CoverageItem.self, id, on: req.db)
    }

    static func addCoverage(_ topic: Topic, _ input: CoverageInput, on req: Request) async throws -> CoverageItem {
        let count = try await req.scope(for: .topicsManage).query(CoverageItem.self, on: req.db)
            .filter(\.$topicID == topic.requireID()).filter(\.$removed == false).count()
        guard count < 50 else { throw AppError.invalid("coverage", zh: "一个选题最多 50 项报道任务", en: "A topic has at most 50 coverage items") }
        let item = CoverageItem()
        item.id = UUID()
        item.tenantID = topic.tenantID
        item.topicID = try topic.requireID()
        item.kind = input.kind
        item.note = try validText(input.note ?? "", field: "note", max: 500)
        if let a = input.assigneeId { item.assigneeID = try await validAssignees([a], tenantID: topic.tenantID, on: req.db).first }
        item.done = false
        item.removed = false
        item.createdAt = Date()
        item.updatedAt = item.createdAt
        try await item.create(on: req.db)
        await req.audit("topic.coverage.add", tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        after: ["coverage_id": item.id?.uuidString ?? "", "kind": item.kind.rawValue, "assignee_id": item.assigneeID?.uuidString ?? ""])
        try await touch(topic, on: req)
        var recipients = topic.assignees
        if let a = item.assigneeID { recipients.append(a) }
        try await notifyAssignees(topic, kind: "topic.coverage", zh: "新增报道任务（\(coverageLabel(item.kind, "zh"))）",
                                  en: "new coverage item (\(coverageLabel(item.kind, "en")))", only: recipients, on: req)
        return item
    }

    static func updateCoverage(_ item: CoverageItem, _ input: CoverageUpdate, on req: Request) async throws -> CoverageItem {
        guard !item.removed else { throw AppError.conflict("coverage_removed", zh: "该报道任务已删除", en: "This coverage item was removed") }
        let topic = try await find(item.topicID, on: req)
        let before = ["done": String(item.done), "assignee_id": item.assigneeID?.uuidString ?? "", "note": item.note, "kind": item.kind.rawValue]
        if let note = input.note { item.note = try validText(note, field: "note", max: 500) }
        if let kind = input.kind { item.kind = kind }
        if let a = input.assigneeId { item.assigneeID = try await validAssignees([a], tenantID: topic.tenantID, on: req.db).first }
        if let done = input.done { item.done = done }
        item.updatedAt = Date()
        try await item.save(on: req.db)
        await req.audit("topic.coverage.update", tenant: item.tenantID, targetType: "topic", targetID: item.topicID.uuidString, before: before,
                        after: ["done": String(item.done), "assignee_id": item.assigneeID?.uuidString ?? "", "note": item.note, "kind": item.kind.rawValue])
        try await touch(topic, on: req)
        var recipients = topic.assignees
        if let a = item.assigneeID { recipients.append(a) }
        try await notifyAssignees(topic, kind: "topic.coverage", zh: "报道任务已更新（\(coverageLabel(item.kind, "zh"))）",
                                  en: "coverage item updated (\(coverageLabel(item.kind, "en")))", only: recipients, on: req)
        return item
    }

    /// Removes a coverage item; removing it again is a no-op.
    static func removeCoverage(_ item: CoverageItem, on req: Request) async throws {
        guard !item.removed else { return }
        item.removed = true
        item.updatedAt = Date()
        try await item.save(on: req.db)
        await req.audit("topic.coverage.remove", tenant: item.tenantID, targetType: "topic", targetID: item.topicID.uuidString,
                        before: ["coverage_id": item.id?.uuidString ?? "", "kind": item.kind.rawValue])
        if let topic = try? await find(item.topicID, on: req) {
            try await touch(topic, on: req)
            try await notifyAssignees(topic, kind: "topic.coverage", zh: "报道任务已删除（\(coverageLabel(item.kind, "zh"))）",
                                      en: "coverage item removed (\(coverageLabel(item.kind, "en")))", only: topic.assignees, on: req)
        }
    }

    static func coverageLabel(_ k: CoverageKind, _ lang: String) -> String { Localizer.text("planning.coverage.\(k.rawValue)", lang) }

    // MARK: - Comments and @mentions

    static func comments(of topic: Topic, on req: Request) async throws -> [TopicComment] {
        try await req.scope(for: .topicsManage).query(TopicComment.self, on: req.db).filter(\.$topicID == topic.requireID()).sort(\.$createdAt).all()
    }

    /// `@username` tokens in a comment (ASCII usernames, as the platform allows).
    static func mentionedUsernames(_ text: String) -> [String] {
        var out: [String] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func isName(_ c: Unicode.Scalar) -> Bool { c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "-" || c == "_" || c == ".") }
        while i < scalars.count {
            if scalars[i] == "@", i == 0 || !isName(scalars[i - 1]) {
                var j = i + 1
                while j < scalars.count, isName(scalars[j]) { j += 1 }
                var name = String(String.UnicodeScalarView(scalars[(i + 1)..<j]))
                while name.hasSuffix(".") || name.hasSuffix("-") { name.removeLast() }
                if !name.isEmpty, name.count <= 64, !out.contains(name.lowercased()) { out.append(name.lowercased()) }
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    static func addComment(_ topic: Topic, body raw: String, on req: Request) async throws -> TopicComment {
        let actor = try req.requireActor()
        let body = clean(raw)
        guard !body.isEmpty, body.count <= 4000 else {
            throw AppError.invalid("body", zh: "评论不能为空，且不超过 4000 字", en: "A comment must not be empty and at most 4000 characters")
        }
        // Mentions resolve only to people of the topic's tenant.
        let names = mentionedUsernames(body)
        var mentioned: [User] = []
        if !names.isEmpty {
            let members = try await tenantMembers(topic.tenantID, on: req.db)
            mentioned = members.filter { names.contains($0.username.lowercased()) }
        }
        let comment = TopicComment()
        comment.id = UUID()
        comment.tenantID = topic.tenantID
        comment.topicID = try topic.requireID()
        comment.authorID = actor.userID
        comment.authorName = actor.displayName
        comment.body = body
        comment.mentions = mentioned.map(\.username)
        comment.createdAt = Date()
        try await comment.create(on: req.db)
        await req.audit("topic.comment", tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        after: ["comment_id": comment.id?.uuidString ?? "", "mentions": comment.mentions.joined(separator: ",")])
        let mentionedIDs = mentioned.compactMap(\.id).filter { $0 != actor.userID }
        if !mentionedIDs.isEmpty {
            try await NotificationService.notify(mentionedIDs, tenantID: topic.tenantID, kind: "topic.mention",
                                                 title: "\(actor.displayName) 在选题“\(topic.title)”中提到了你 / mentioned you on “\(topic.title)”",
                                                 link: link(topic), on: req)
        }
        try await notifyAssignees(topic, kind: "topic.comment", zh: "\(actor.displayName) 发表了评论", en: "new comment",
                                  except: Set(mentionedIDs), on: req)
        return comment
    }

    // MARK: - Helpers

    static func link(_ topic: Topic) -> String { "/planning/topics/\(topic.id?.uuidString ?? "")" }

    /// Notifies the topic's assignees (or `only` these people), never the acting person.
    static func notifyAssignees(_ topic: Topic, kind: String, zh: String, en: String, only: [UUID]? = nil, except: Set<UUID> = [], on req: Request) async throws {
        let actor = try req.requireActor()
        let recipients = (only ?? topic.assignees).filter { $0 != actor.userID && !except.contains($0) }
        guard !recipients.isEmpty else { return }
        try await NotificationService.notify(recipients, tenantID: topic.tenantID, kind: kind,
                                             title: "选题“\(topic.title)”：\(zh) / Topic “\(topic.title)”: \(en)", link: link(topic), on: req)
    }

    static func touch(_ topic: Topic, on req: Request) async throws {
        topic.updatedAt = Date()
        try await topic.save(on: req.db)
    }

    /// Active people holding a role in the tenant.
    static func tenantMembers(_ tenantID: UUID, on db: any Database) async throws -> [User] {
        let ids = try await Membership.query(on: db).filter(\.$tenant.$id == tenantID).all().map { $0.$user.id }
        guard !ids.isEmpty else { return [] }
        return try await User.query(on: db).filter(\.$id ~~ Array(Set(ids))).filter(\.$status == .active).sort(\.$displayName).all()
    }

    static func validAssignees(_ ids: [UUID], tenantID: UUID, on db: any Database) async throws -> [UUID] {
        var seen = Set<UUID>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard unique.count <= maxAssignees else {
            throw AppError.invalid("assignee_ids", zh: "最多指派 \(maxAssignees) 人", en: "At most \(maxAssignees) assignees")
        }
        guard !unique.isEmpty else { return [] }
        let members = Set(try await tenantMembers(tenantID, on: db).compactMap(\.id))
        guard unique.allSatisfy(members.contains) else {
            throw AppError.invalid("assignee_ids", zh: "只能指派本单位的在职人员", en: "Assign only active people of the topic's tenant")
        }
        return unique
    }

    /// Trimmed, without NUL characters (PostgreSQL text cannot hold them).
    static func clean(_ raw: String) -> String {
        raw.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func validTitle(_ raw: String) throws -> String {
        let t = clean(raw)
        guard !t.isEmpty, t.count <= maxTitle else {
            throw AppError.invalid("title", zh: "标题不能为空，且不超过 \(maxTitle) 字", en: "The title must not be empty and at most \(maxTitle) characters")
        }
        return t
    }

    static func validText(_ raw: String, field: String, max: Int) throws -> String {
        let t = clean(raw)
        guard t.count <= max else { throw AppError.invalid(field, zh: "“\(field)”不能超过 \(max) 字", en: "“\(field)” must be at most \(max) characters") }
        return t
    }

    static func validKeywords(_ raw: [String]) throws -> [String] {
        var seen = Set<String>()
        let cleaned = raw.map(clean).filter { !$0.isEmpty && seen.insert($0).inserted }
        guard cleaned.count <= maxKeywords, cleaned.allSatisfy({ $0.count <= 40 }) else {
            throw AppError.invalid("keywords", zh: "关键词最多 \(maxKeywords) 个，每个不超过 40 字", en: "At most \(maxKeywords) keywords of at most 40 characters")
        }
        return cleaned
    }

    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// ISO 8601 (with or without fractional seconds), or "yyyy-MM-ddTHH:mm" / "yyyy-MM-dd" in China time; "" means none.
    static func parseDue(_ raw: String?) throws -> Date? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        var parsed: Date?
        let iso = ISO8601DateFormatter()
        parsed = iso.date(from: raw)
        if parsed == nil {
            iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            parsed = iso.date(from: raw)
        }
        if parsed == nil {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = shanghai
            for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] where parsed == nil {
                f.dateFormat = format
                parsed = f.date(from: raw)
            }
        }
        if let parsed, let checked = checkedDue(parsed) { return checked }
        throw AppError.invalid("due_at", zh: "截止时间格式无效（应为 ISO 8601，如 2026-12-01T18:00:00+08:00）",
                               en: "Invalid due time (use ISO 8601, e.g. 2026-12-01T18:00:00+08:00)")
    }

    private static func checkedDue(_ d: Date) -> Date? {
        // Years 1970–2999 only: anything else is a typo, not a plan.
        let t = d.timeIntervalSince1970
        return (t >= 0 && t < 32_503_680_000) ? d : nil
    }

    static func snapshot(_ t: Topic) -> [String: String] {
        ["title": t.title, "status": t.status.rawValue, "priority": t.priority.rawValue, "angle": String(t.angle.prefix(200)),
         "due_at": t.dueAt.map { ISO8601DateFormatter().string(from: $0) } ?? "", "assignee_ids": t.assigneeIDs.joined(separator: ","),
         "keywords": t.keywords.joined(separator: ",")]
    }
}
