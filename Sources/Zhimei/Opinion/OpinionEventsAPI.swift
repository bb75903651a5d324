import Fluent
import SQLKit
import Vapor

/// The Opinion REST API, part 2: events (detail, merge, split, response card, create topic), schemes, alert rules,
/// alerts, the dashboard and reports.
struct OpinionEventsAPI {
    func register(_ api: RoutesBuilder) {
        let o = api.grouped("opinion")
        let e = o.grouped("events")
        e.endpoint(.GET, access: .permission(.opinionRead),
                   doc: .init("Events by risk, heat or recency / 舆情事件", tag: "opinion", response: .array(.ref("OpinionEvent")),
                              query: [("sort", .enumeration(["risk", "heat", "recent", "size"]), "Order"),
                                      ("status", .enumeration(Self.listedStatuses), "open (default) or closed (结案)"),
                                      ("scheme_id", .uuid, "Only events with posts the scheme matched (监测方案)"),
                                      ("limit", .integer(minimum: 1, maximum: 200), "Page size"),
                                      ("offset", .integer(minimum: 0, maximum: Self.largestOffset), "Offset")]), use: listEvents)
        e.endpoint(.GET, ":eventID", access: .permission(.opinionRead),
                   doc: .init("Event detail: timeline, volume, sentiment, sources, keywords, spread / 事件详情", tag: "opinion",
                              response: .ref("OpinionEventDetail")), use: getEvent)
        e.endpoint(.PATCH, ":eventID", access: .permission(.opinionManage),
                   doc: .init("Rename an event, or close it (结案: it takes no new posts and raises no alerts) and reopen it / 修改事件名称、结案或重新打开", tag: "opinion",
                              request: .object([("title", .string(maxLength: Self.maxTitle)), ("status", .enumeration(Self.listedStatuses))], required: []),
                              response: .ref("OpinionEvent")), use: updateEvent)
        e.endpoint(.POST, ":eventID", "merge", access: .permission(.opinionManage),
                   doc: .init("Merge other events into this one / 合并事件", tag: "opinion",
                              request: .object([("event_ids", .array(.uuid, maxItems: 50))], required: ["event_ids"]), response: .ref("OpinionEvent")), use: merge)
        e.endpoint(.POST, ":eventID", "split", access: .permission(.opinionManage),
                   doc: .init("Split posts out into a new event / 拆分事件", tag: "opinion",
                              request: .object([("post_ids", .array(.uuid, maxItems: 1000))], required: ["post_ids"]), response: .ref("OpinionEvent"), status: 201),
                   use: split)
        e.endpoint(.GET, ":eventID", "response", access: .permission(.opinionRead),
                   doc: .init("Response card with a statement draft (the template the event suggests, or the one asked for; a configured provider drafts when none is asked for) / 应对建议", tag: "opinion",
                              response: .ref("OpinionResponseCard"),
                              query: [("template", .enumeration(StatementTemplate.allCases.map(\.rawValue)), "Statement template")]), use: response)
        e.endpoint(.POST, ":eventID", "topic", access: .permission(.topicsManage),
                   doc: .init("Create a planning topic from the event / 转为选题", tag: "opinion", response: .ref("OpinionEvent"), status: 201), use: topic)

        let s = o.grouped("schemes")
        let schemeBody: Schema = .object([("name", .string(maxLength: 200)), ("rule", .string(maxLength: SchemeRule.maxLength)),
                                          ("regions", .array(.string(maxLength: 100), maxItems: 50)), ("platforms", .array(.string(maxLength: 100), maxItems: 50)),
                                          ("exclusions", .array(.string(maxLength: 100), maxItems: 50)), ("source_ids", .array(.uuid, maxItems: 50)),
                                          ("enabled", .boolean), ("tenant_id", .uuid)], required: [])
        s.endpoint(.GET, access: .permission(.opinionRead),
                   doc: .init("Monitoring schemes / 监测方案", tag: "opinion", response: .array(.ref("OpinionScheme"))), use: listSchemes)
        s.endpoint(.POST, access: .permission(.opinionManage),
                   doc: .init("Create a scheme (rule with AND/OR/NOT and parentheses) / 新建监测方案", tag: "opinion", request: schemeBody,
                              response: .ref("OpinionScheme"), status: 201), use: createScheme)
        s.endpoint(.PATCH, ":schemeID", access: .permission(.opinionManage),
                   doc: .init("Change a scheme / 修改监测方案", tag: "opinion", request: schemeBody, response: .ref("OpinionScheme")), use: updateScheme)
        s.endpoint(.DELETE, ":schemeID", access: .permission(.opinionManage),
                   doc: .init("Delete a scheme / 删除监测方案", tag: "opinion", status: 204), use: deleteScheme)
        s.endpoint(.GET, ":schemeID", "report", access: .permission(.opinionRead),
                   doc: .init("Daily or weekly report, HTML or PDF (503 without Chromium) / 舆情日报周报", tag: "opinion",
                              query: [("period", .enumeration(["daily", "weekly"]), "Period"), ("format", .enumeration(["html", "pdf"]), "Format")],
                              mediaType: "text/html"), use: report)

        let r = o.grouped("alert-rules")
        r.endpoint(.GET, access: .permission(.opinionRead),
                   doc: .init("Alert rules / 预警规则", tag: "opinion", response: .array(.ref("OpinionAlertRule"))), use: listRules)
        r.endpoint(.POST, access: .permission(.opinionManage),
                   doc: .init("Create an alert rule / 新建预警规则", tag: "opinion",
                              request: Self.ruleBody(required: ["name"]), response: .ref("OpinionAlertRule"), status: 201), use: createRule)
        r.endpoint(.PATCH, ":ruleID", access: .permission(.opinionManage),
                   doc: .init("Change an alert rule, or switch it off and on (enabled) / 修改、停用或启用预警规则", tag: "opinion",
                              request: Self.ruleBody(required: []), response: .ref("OpinionAlertRule")), use: updateRule)
        r.endpoint(.DELETE, ":ruleID", access: .permission(.opinionManage),
                   doc: .init("Delete an alert rule / 删除预警规则", tag: "opinion", status: 204), use: deleteRule)
        o.endpoint(.GET, "alerts", access: .permission(.opinionRead),
                   doc: .init("Raised alerts, newest first, with their e-mail outbox state / 预警记录", tag: "opinion", response: .array(.ref("OpinionAlert")),
                              query: [("event_id", .uuid, "Only this event's alerts"), ("limit", .integer(minimum: 1, maximum: Self.largestAlertPage), "Page size (default 50)"),
                                      ("offset", .integer(minimum: 0, maximum: Self.largestOffset), "Offset")]), use: listAlerts)
        o.endpoint(.GET, "dashboard", access: .permission(.opinionRead),
                   doc: .init("Dashboard figures of the last 24 hours (polled by the page) / 舆情大屏数据", tag: "opinion", response: .ref("OpinionDashboard")),
                   use: dashboard)
    }

    static func event(_ req: Request, _ permission: Permission = .opinionRead) async throws -> OpinionEvent {
        try await req.scope(for: permission).find(OpinionEvent.self, req.parameters.get("eventID", as: UUID.self), on: req.db)
    }

    // MARK: Events

    @Sendable func listEvents(_ req: Request) async throws -> [OpinionEventDTO] {
        let sort = try OpinionParams.choice(req, "sort", Self.orders) ?? "risk"
        let status = try OpinionParams.choice(req, "status", Self.listedStatuses) ?? "open"
        let page = try ListPage(req, standard: 50, largest: 200, largestOffset: Self.largestOffset)
        let scheme = try OpinionParams.uuid(req, "scheme_id")
        return try await Self.sorted(Self.listed(req, status: status, scheme: scheme), by: sort).range(page.rows).all().map(OpinionEventDTO.init)
    }

    /// The orders of the event list, and the furthest it pages.
    static let orders = ["risk", "heat", "recent", "size"]
    static let largestOffset = 100_000
    /// The states an event list shows and a user may set: open (进行中) and closed (已结案); merged ones live on in their target.
    static let listedStatuses = ["open", "closed"]
    static let maxTitle = 200

    /// The open events the actor may read.
    static func open(_ req: Request) throws -> QueryBuilder<OpinionEvent> {
        try listed(req, status: "open")
    }

    /// The actor's readable events in one of `listedStatuses`.
    static func listed(_ req: Request, status: String, scheme: UUID? = nil) throws -> QueryBuilder<OpinionEvent> {
        let q = try req.scope(for: .opinionRead).query(OpinionEvent.self, on: req.db).filter(\.$status == status)
        if let scheme {
            // An event belongs to a scheme when one of its posts matched it (found through the posts' event index).
            let holds = OpinionSQLDialect(try OpinionIngest.sqlDatabase(req.db)).holds("p.scheme_ids", scheme.uuidString)
            let exists: SQLQueryString = "EXISTS (SELECT 1 FROM opinion_posts p WHERE p.event_id = \(ident: OpinionEvent.schema).id AND \(holds))"
            q.filter(.sql(embed: exists))
        }
        return q
    }

    struct UpdateInput: Content { var title: String?; var status: String? }

    /// Renames, closes or reopens an event. A closed event is out of the clustering (new posts about it open a new
    /// event) and out of the alert checks; reopening brings it back. A merged event cannot be changed.
    @Sendable func updateEvent(_ req: Request) async throws -> OpinionEventDTO {
        let event = try await Self.event(req, .opinionManage)
        let input = try req.content.decode(UpdateInput.self)
        guard event.status != "merged" else {
            throw AppError.conflict("event_merged", zh: "该事件已并入其他事件，不能修改", en: "This event was merged into another one and cannot be changed")
        }
        let before = ["title": event.title, "status": event.status]
        if let raw = input.title {
            let title = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty, title.count <= Self.maxTitle else {
                throw AppError.invalid("title", zh: "事件名称为 1–\(Self.maxTitle) 字", en: "The event's title is 1–\(Self.maxTitle) characters")
            }
            event.title = title
        }
        if let status = input.status {
            guard Self.listedStatuses.contains(status) else {
                throw AppError.invalid("status", zh: "状态只能是 open（进行中）或 closed（已结案）", en: "status must be open or closed")
            }
            event.status = status
        }
        let after = ["title": event.title, "status": event.status]
        guard after != before else { return OpinionEventDTO(event) }
        event.updatedAt = Date()
        try await event.save(on: req.db)
        await req.audit("opinion_event.update", tenant: event.tenantID, targetType: "opinion_event", targetID: event.id!.uuidString,
                        before: before.filter { after[$0.key] != $0.value }, after: after.filter { before[$0.key] != $0.value })
        return OpinionEventDTO(event)
    }

    /// Events in one of `orders` (ties: the most recent first).
    static func sorted(_ q: QueryBuilder<OpinionEvent>, by sort: String) -> QueryBuilder<OpinionEvent> {
        switch sort {
        case "heat": q.sort(\.$heat, .descending).sort(\.$lastAt, .descending)
        case "recent": q.sort(\.$lastAt, .descending)
        case "size": q.sort(\.$postCount, .descending).sort(\.$lastAt, .descending)
        default: q.sort(\.$risk, .descending).sort(\.$lastAt, .descending)
        }
    }

    @Sendable func getEvent(_ req: Request) async throws -> OpinionAnalysis.Detail {
        try await OpinionAnalysis.detail(try await Self.event(req), on: req.db)
    }

    struct MergeInput: Content { var eventIds: [UUID] }
    struct SplitInput: Content { var postIds: [UUID] }

    @Sendable func merge(_ req: Request) async throws -> OpinionEventDTO {
        let target = try await Self.event(req, .opinionManage)
        let input = try req.content.decode(MergeInput.self)
        guard !input.eventIds.isEmpty, input.eventIds.count <= 50 else { throw AppError.invalid("event_ids", zh: "请选择 1–50 个事件", en: "Choose 1–50 events") }
        let others = try await req.scope(for: .opinionManage).query(OpinionEvent.self, on: req.db).filter(\.$id ~~ input.eventIds)
            .filter(\.$tenantID == target.tenantID).filter(\.$status == "open").all()
        guard others.count == Set(input.eventIds.filter { $0 != target.id }).count else {
            throw AppError.invalid("event_ids", zh: "有事件不存在、已合并或属于其他单位", en: "Some events do not exist, are merged or belong to another tenant")
        }
        try await OpinionEvents.merge(target, others, on: req.db)
        await req.audit("opinion_event.merge", tenant: target.tenantID, targetType: "opinion_event", targetID: target.id!.uuidString,
                        after: ["merged": others.compactMap { $0.id?.uuidString }.joined(separator: ",")])
        return OpinionEventDTO(target)
    }

    @Sendable func split(_ req: Request) async throws -> Response {
        let event = try await Self.event(req, .opinionManage)
        let input = try req.content.decode(SplitInput.self)
        guard !input.postIds.isEmpty, input.postIds.count <= 1000 else { throw AppError.invalid("post_ids", zh: "请选择 1–1000 条信息", en: "Choose 1–1000 posts") }
        let created = try await OpinionEvents.split(event, postIDs: input.postIds, on: req.db)
        await req.audit("opinion_event.split", tenant: event.tenantID, targetType: "opinion_event", targetID: event.id!.uuidString,
                        after: ["new_event": created.id!.uuidString, "posts": String(input.postIds.count)])
        return try await OpinionEventDTO(created).encodeResponse(status: .created, for: req)
    }

    @Sendable func response(_ req: Request) async throws -> ResponseCard {
        let template = try OpinionParams.choice(req, "template", StatementTemplate.allCases.map(\.rawValue)).flatMap(StatementTemplate.init(rawValue:))
        return try await OpinionResponse.card(try await Self.event(req), template: template, app: req.application, on: req.db)
    }

    @Sendable func topic(_ req: Request) async throws -> Response {
        let event = try await Self.event(req)
        guard event.topicID == nil else { throw AppError.conflict("topic_exists", zh: "该事件已转为选题", en: "This event already has a topic") }
        let detail = try await OpinionAnalysis.detail(event, on: req.db)
        let description = "舆情事件（\(event.postCount) 条信息，风险 \(event.risk)）\n" + detail.timeline.prefix(5).map { "· \($0.author)：\(String($0.text.prefix(120)))" }.joined(separator: "\n")
        let topic = try await TopicService.create(.init(title: String(event.title.prefix(TopicService.maxTitle)), description: String(description.prefix(TopicService.maxText)),
                                                        keywords: Array(OpinionEventDTO(event).keywords.prefix(TopicService.maxKeywords)), tenantId: event.tenantID), on: req)
        event.topicID = topic.id
        event.updatedAt = Date()
        try await event.save(on: req.db)
        await req.audit("opinion_event.topic", tenant: event.tenantID, targetType: "opinion_event", targetID: event.id!.uuidString, after: ["topic": topic.id?.uuidString ?? ""])
        return try await OpinionEventDTO(event).encodeResponse(status: .created, for: req)
    }

    // MARK: Schemes

    struct SchemeInput: Content {
        var name: String?; var rule: String?; var regions: [String]?; var platforms: [String]?; var exclusions: [String]?; var sourceIds: [UUID]?
        var enabled: Bool?; var tenantId: UUID?
    }

    @Sendable func listSchemes(_ req: Request) async throws -> [OpinionSchemeDTO] {
        try await req.scope(for: .opinionRead).query(OpinionScheme.self, on: req.db).filter(\.$archived == false).sort(\.$name).all().map { OpinionSchemeDTO($0) }
    }

    /// The sources a scheme is limited to: the scheme's own tenant's, not deleted, at most 50.
    static func schemeSources(_ ids: [UUID], tenantID: UUID, on db: any Database) async throws -> [UUID] {
        let wanted = Array(Set(ids))
        guard wanted.count <= 50 else { throw AppError.invalid("source_ids", zh: "来源最多 50 个", en: "source_ids: at most 50") }
        guard !wanted.isEmpty else { return [] }
        let found = try await OpinionSource.query(on: db).filter(\.$id ~~ wanted).filter(\.$tenantID == tenantID).filter(\.$archived == false).all().compactMap(\.id)
        guard found.count == wanted.count else {
            throw AppError.invalid("source_ids", zh: "来源不存在、已删除或属于其他单位", en: "A source does not exist, was deleted or belongs to another tenant")
        }
        return ids.reduce(into: [UUID]()) { out, id in if !out.contains(id) { out.append(id) } }
    }

    /// What the audit log keeps of a scheme: everything that decides what it matches.
    static func auditFields(_ s: OpinionScheme) -> [String: String] {
        ["name": s.name, "rule": s.rule, "regions": s.regions.joined(separator: ","), "platforms": s.platforms.joined(separator: ","),
         "exclusions": s.exclusions.joined(separator: ","), "source_ids": (s.sourceIDs ?? []).map(\.uuidString).joined(separator: ","),
         "enabled": String(s.enabled)]
    }

    static func apply(_ input: SchemeInput, to s: OpinionScheme) throws {
        if let name = input.name {
            let n = PostRecord.clean(name, 200)
            guard !n.isEmpty else { throw AppError.invalid("name", zh: "请填写方案名称", en: "Enter a scheme name") }
            s.name = n
        }
        if let rule = input.rule { s.rule = try OpinionSchemes.validRule(rule) }
        if let v = input.regions { s.regions = try OpinionSchemes.list(v, field: "regions") }
        if let v = input.platforms { s.platforms = try OpinionSchemes.list(v, field: "platforms").map { $0.lowercased() } }
        if let v = input.exclusions { s.exclusions = try OpinionSchemes.list(v, field: "exclusions") }
        if let v = input.enabled { s.enabled = v }
    }

    @Sendable func createScheme(_ req: Request) async throws -> Response {
        let input = try req.content.decode(SchemeInput.self)
        let tenantID = try input.tenantId ?? req.requireActor().activeTenantID
        try await req.scope(for: .opinionManage).checkPayload(tenantID, on: req.db)
        guard input.name != nil, input.rule != nil else { throw AppError.invalid("rule", zh: "请填写方案名称和关键词规则", en: "Enter a name and a keyword rule") }
        let s = OpinionScheme()
        s.tenantID = tenantID; s.regions = []; s.platforms = []; s.exclusions = []; s.enabled = true; s.archived = false; s.createdAt = Date(); s.updatedAt = Date()
        try Self.apply(input, to: s)
        s.sourceIDs = try await Self.schemeSources(input.sourceIds ?? [], tenantID: tenantID, on: req.db)
        try await OpinionLimits.createScheme(s, on: req.db)
        await req.audit("opinion_scheme.create", tenant: tenantID, targetType: "opinion_scheme", targetID: s.id?.uuidString ?? "", after: Self.auditFields(s))
        // The posts already stored are matched by a job (the scheme's list and reports fill in as it runs).
        let job = s.enabled ? try await OpinionSchemeRematch.enqueue(s, createdBy: req.actor?.userID, on: req.db) : nil
        return try await OpinionSchemeDTO(s, rematchJob: job).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateScheme(_ req: Request) async throws -> OpinionSchemeDTO {
        let s = try await req.scope(for: .opinionManage).find(OpinionScheme.self, req.parameters.get("schemeID", as: UUID.self), on: req.db)
        let input = try req.content.decode(SchemeInput.self)
        if let t = input.tenantId, t != s.tenantID { throw AppError.invalid("tenant_id", zh: "方案不能移到其他单位", en: "A scheme cannot move to another tenant") }
        let before = Self.auditFields(s)
        let matching = s.matchingFields
        try Self.apply(input, to: s)
        if let ids = input.sourceIds { s.sourceIDs = try await Self.schemeSources(ids, tenantID: s.tenantID, on: req.db) }
        if s.archived { s.enabled = false }
        s.updatedAt = Date()
        try await s.save(on: req.db)
        await req.audit("opinion_scheme.update", tenant: s.tenantID, targetType: "opinion_scheme", targetID: s.id?.uuidString ?? "", before: before, after: Self.auditFields(s))
        let job = OpinionSchemeRematch.changesMatching(before: matching, after: s)
            ? try await OpinionSchemeRematch.enqueue(s, createdBy: req.actor?.userID, on: req.db) : nil
        return OpinionSchemeDTO(s, rematchJob: job)
    }

    @Sendable func deleteScheme(_ req: Request) async throws -> HTTPStatus {
        let s = try await req.scope(for: .opinionManage).find(OpinionScheme.self, req.parameters.get("schemeID", as: UUID.self), on: req.db)
        s.archived = true
        s.enabled = false
        s.updatedAt = Date()
        try await s.save(on: req.db)
        await req.audit("opinion_scheme.delete", tenant: s.tenantID, targetType: "opinion_scheme", targetID: s.id?.uuidString ?? "", before: ["name": s.name])
        return .noContent
    }

    @Sendable func report(_ req: Request) async throws -> Response {
        let s = try await req.scope(for: .opinionRead).find(OpinionScheme.self, req.parameters.get("schemeID", as: UUID.self), on: req.db)
        let period = try OpinionParams.choice(req, "period", ["daily", "weekly"]) ?? "daily"
        let format = try OpinionParams.choice(req, "format", ["html", "pdf"]) ?? "html"
        let html = OpinionReport.html(try await OpinionReport.load(s, period: period, now: Date(), on: req.db))
        if format == "pdf" {
            let pdf = try await OpinionReport.pdf(html)
            return Response(status: .ok, headers: ["Content-Type": "application/pdf", "Content-Disposition": "attachment; filename=\"opinion-\(period).pdf\""], body: .init(data: pdf))
        }
        return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
    }

    @Sendable func dashboard(_ req: Request) async throws -> OpinionDashboard.DTO {
        try await OpinionDashboard.build(scope: try req.scope(for: .opinionRead), on: req.db, now: Date())
    }
}
