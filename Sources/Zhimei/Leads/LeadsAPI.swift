import Crypto
import Fluent
import Vapor

/// Filters of the lead inbox (API query and page query string alike).
struct LeadFilter: Sendable {
    var sourceID: UUID?
    var status: LeadStatus?
    var category: LeadCategory?
    var language: String?
    var from: Date?
    var to: Date?
    var assignee: UUID?
    var q: String?
    var sort = "newest"
    var limit = 50
    var offset = 0

    static func parse(_ req: Request) throws -> LeadFilter {
        var f = LeadFilter()
        func text(_ key: String) -> String? {
            (try? req.query.get(String?.self, at: key))?.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        }
        if let raw = text("source_id") {
            guard let id = UUID(uuidString: raw) else { throw AppError.invalid("source_id", zh: "来源 ID 无效", en: "Invalid source_id") }
            f.sourceID = id
        }
        if let raw = text("status") {
            guard let s = LeadStatus(rawValue: raw) else { throw AppError.invalid("status", zh: "状态无效", en: "Invalid status") }
            f.status = s
        }
        if let raw = text("category") {
            guard let c = LeadCategory(rawValue: raw) else { throw AppError.invalid("category", zh: "分类无效", en: "Invalid category") }
            f.category = c
        }
        if let raw = text("language") {
            guard LeadSchemas.languages.contains(raw) else { throw AppError.invalid("language", zh: "语言无效", en: "Invalid language") }
            f.language = raw
        }
        for key in ["from", "to"] {
            guard let raw = text(key) else { continue }
            guard let date = QueryParams.date(raw, endOfDay: key == "to") else {
                throw AppError.invalid(key, zh: "日期格式无效（yyyy-MM-dd 或 ISO 8601）", en: "Invalid date (yyyy-MM-dd or ISO 8601)")
            }
            if key == "from" { f.from = date } else { f.to = date }
        }
        if let raw = text("assignee_id") {
            if raw == "me" { f.assignee = req.actor?.userID } else {
                guard let id = UUID(uuidString: raw) else { throw AppError.invalid("assignee_id", zh: "指派人 ID 无效", en: "Invalid assignee_id") }
                f.assignee = id
            }
        }
        if let q = text("q") {
            guard q.count <= 200 else { throw AppError.invalid("q", zh: "搜索词过长（上限 200 字）", en: "Search text too long (200 characters)") }
            f.q = q
        }
        if let raw = text("sort") {
            guard ["newest", "hot"].contains(raw) else { throw AppError.invalid("sort", zh: "排序只能是 newest 或 hot", en: "sort must be newest or hot") }
            f.sort = raw
        }
        if let raw = text("limit") {
            guard let n = Int(raw), (1...200).contains(n) else { throw AppError.invalid("limit", zh: "limit 须在 1–200 之间", en: "limit must be 1–200") }
            f.limit = n
        }
        if let raw = text("offset") {
            guard let n = Int(raw), (0...100_000).contains(n) else { throw AppError.invalid("offset", zh: "offset 须在 0–100000 之间", en: "offset must be 0–100000") }
            f.offset = n
        }
        return f
    }
}

/// Listing, hotness and cluster look-ups, shared by the API and the pages.
enum LeadQueries {
    /// Hotness: each cluster member fetched in the last 24 hours counts 0.5^(age in hours / 6) — a member
    /// that just arrived counts 1, one 6 hours old 0.5. Clusters that grow fast rank first.
    static let halfLifeHours = 6.0

    static func hot(_ times: [Date], now: Date) -> Double {
        times.reduce(0) { sum, t in
            let age = max(0, now.timeIntervalSince(t)) / 3600
            return age > 24 ? sum : sum + pow(0.5, age / halfLifeHours)
        }
    }

    static func list(_ f: LeadFilter, on req: Request, now: Date = Date()) async throws -> LeadPageDTO {
        let scope = try req.scope(for: .leadsRead)
        var q = scope.query(Lead.self, on: req.db)
        if let v = f.sourceID { q = q.filter(\.$sourceID == v) }
        if let v = f.status { q = q.filter(\.$status == v) }
        if let v = f.category { q = q.filter(\.$category == v.rawValue) }
        if let v = f.language { q = q.filter(\.$language == v) }
        if let v = f.from { q = q.filter(\.$publishedAt >= v) }
        if let v = f.to { q = q.filter(\.$publishedAt <= v) }
        if let v = f.assignee { q = q.filter(\.$assigneeID == v) }
        if let text = f.q {
            q = q.group(.or) { $0.filter(\.$title ~~ text).filter(\.$body ~~ text).filter(\.$titleSimplified ~~ text) }
        }
        let total = try await q.countRows()
        var leads: [Lead]
        if f.sort == "hot" {
            // Rank the most recent 1000 matches by their cluster's hotness.
            leads = try await q.sort(\.$fetchedAt, .descending).limit(1000).all()
        } else {
            leads = try await q.sort(\.$publishedAt, .descending).sort(\.$fetchedAt, .descending).range(f.offset..<(f.offset + f.limit)).all()
        }
        let clusters = try await clusterTimes(Set(leads.map(\.clusterID)), scope: scope, on: req.db)
        var rows = leads.map { lead -> (Lead, Int, Double) in
            let times = clusters[lead.clusterID] ?? [lead.fetchedAt]
            return (lead, times.count, hot(times, now: now))
        }
        if f.sort == "hot" {
            rows.sort { ($0.2, $0.0.fetchedAt) > ($1.2, $1.0.fetchedAt) }
            rows = Array(rows.dropFirst(f.offset).prefix(f.limit))
        }
        let names = try await assigneeNames(Set(rows.compactMap(\.0.assigneeID)), on: req.db)
        return LeadPageDTO(items: rows.map { LeadDTO($0.0, clusterSize: $0.1, hot: $0.2, assigneeName: $0.0.assigneeID.flatMap { names[$0] }) }, total: total)
    }

    static func clusterTimes(_ ids: Set<UUID>, scope: TenantScope, on db: any Database) async throws -> [UUID: [Date]] {
        guard !ids.isEmpty else { return [:] }
        var out: [UUID: [Date]] = [:]
        for chunk in Array(ids).chunked(200) {
            for row in try await scope.query(Lead.self, on: db).filter(\.$clusterID ~~ chunk).field(\.$clusterID).field(\.$fetchedAt).all() {
                out[row.clusterID, default: []].append(row.fetchedAt)
            }
        }
        return out
    }

    static func assigneeNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await User.query(on: db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, $0.displayName) }, uniquingKeysWith: { a, _ in a })
    }

    static func detail(_ lead: Lead, on req: Request, now: Date = Date()) async throws -> LeadDetailDTO {
        let scope = try req.scope(for: .leadsRead)
        let members = try await scope.query(Lead.self, on: req.db).filter(\.$clusterID == lead.clusterID).sort(\.$fetchedAt, .ascending).limit(200).all()
        let times = members.map(\.fetchedAt)
        let h = hot(times, now: now)
        let names = try await assigneeNames(Set(members.compactMap(\.assigneeID) + [lead.assigneeID].compactMap { $0 }), on: req.db)
        let dto = { (l: Lead) in LeadDTO(l, clusterSize: max(1, members.count), hot: h, assigneeName: l.assigneeID.flatMap { names[$0] }) }
        return LeadDetailDTO(lead: dto(lead), cluster: members.map(dto))
    }

    static func one(_ lead: Lead, on req: Request) async throws -> LeadDTO {
        try await detail(lead, on: req).lead
    }

    /// People of a tenant who may handle leads there (for assignment).
    static func assignees(tenantIDs: [UUID], on db: any Database) async throws -> [AssigneeDTO] {
        guard !tenantIDs.isEmpty else { return [] }
        let memberships = try await Membership.query(on: db).filter(\.$tenant.$id ~~ tenantIDs).all()
            .filter { $0.role.permissions.contains(.leadsManage) }
        let users = try await User.query(on: db).filter(\.$id ~~ Array(Set(memberships.map { $0.$user.id }))).filter(\.$status == .active).all()
        let byID = Dictionary(users.map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        return memberships.compactMap { m -> AssigneeDTO? in
            guard let u = byID[m.$user.id], seen.insert("\(m.$user.id)|\(m.$tenant.id)").inserted else { return nil }
            return AssigneeDTO(id: m.$user.id, username: u.username, displayName: u.displayName, tenantId: m.$tenant.id)
        }.sorted { ($0.tenantId.uuidString, $0.displayName) < ($1.tenantId.uuidString, $1.displayName) }
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}

/// The Leads REST API.
struct LeadsAPI {
    struct PasteInput: Content { var text: String; var title: String?; var url: String?; var tenantId: UUID? }
    struct AssignInput: Content { var assigneeId: UUID? }
    struct StatusInput: Content { var status: String }
    struct SourceInput: Content { var name: String?; var kind: String?; var url: String?; var enabled: Bool?; var intervalSeconds: Int?; var tenantId: UUID? }

    static let leadQuery: [(name: String, schema: Schema, description: String)] = [
        ("source_id", .uuid, "Source"), ("status", .enumeration(LeadSchemas.statuses), "Status"),
        ("category", .enumeration(LeadSchemas.categories), "Category"), ("language", .enumeration(LeadSchemas.languages), "Language"),
        ("from", .string(maxLength: 40), "Published from (yyyy-MM-dd or ISO 8601)"), ("to", .string(maxLength: 40), "Published until"),
        ("assignee_id", .string(maxLength: 36), "Assignee ID or 'me'"), ("q", .string(maxLength: 200), "Text in title or body"),
        ("sort", .enumeration(["newest", "hot"]), "newest, or hot (cluster growth in the last hours)"),
        ("limit", .integer(minimum: 1, maximum: 200), "Page size"), ("offset", .integer(minimum: 0, maximum: 100_000), "Offset"),
    ]

    func register(_ api: RoutesBuilder) {
        let leads = api.grouped("leads")
        leads.endpoint(.GET, access: .permission(.leadsRead),
                       doc: .init("Lead inbox with filters, search and hot sort / 线索列表", tag: "leads", response: .ref("LeadPage"), query: Self.leadQuery), use: list)
        leads.endpoint(.POST, access: .permission(.leadsManage),
                       doc: .init("Paste an e-mail or document as a lead / 粘贴邮件或文档为线索", tag: "leads",
                                  request: .object([("text", .string(maxLength: 200_000)), ("title", .string(maxLength: 500)), ("url", .string(maxLength: 2000)),
                                                    ("tenant_id", .uuid)], required: ["text"]),
                                  response: .ref("Lead"), status: 201), use: paste)
        leads.endpoint(.GET, "assignees", access: .permission(.leadsManage),
                       doc: .init("People who may be assigned leads / 可指派人员", tag: "leads", response: .array(.ref("LeadAssignee"))), use: assignees)
        leads.endpoint(.GET, ":leadID", access: .permission(.leadsRead),
                       doc: .init("One lead with its near-duplicate cluster / 线索详情", tag: "leads", response: .ref("LeadDetail")), use: get)
        leads.endpoint(.POST, ":leadID", "claim", access: .permission(.leadsManage),
                       doc: .init("Claim a lead / 认领线索", tag: "leads", response: .ref("Lead")), use: claim)
        leads.endpoint(.POST, ":leadID", "assign", access: .permission(.leadsManage),
                       doc: .init("Assign a lead (null unassigns) / 指派线索", tag: "leads",
                                  request: .object([("assignee_id", .nullable(.uuid))], required: ["assignee_id"]), response: .ref("Lead")), use: assign)
        leads.endpoint(.POST, ":leadID", "status", access: .permission(.leadsManage),
                       doc: .init("Set a lead's status (new, claimed, discarded) / 设置线索状态", tag: "leads",
                                  request: .object([("status", .enumeration(["new", "claimed", "discarded"]))], required: ["status"]), response: .ref("Lead")), use: setStatus)

        let sources = leads.grouped("sources")
        sources.endpoint(.GET, access: .permission(.leadsRead),
                         doc: .init("Lead sources with health / 线索来源", tag: "leads", response: .array(.ref("LeadSource"))), use: listSources)
        let sourceBody: Schema = .object([("name", .string(maxLength: 200)), ("kind", .enumeration(LeadSource.Kind.allCases.map(\.rawValue))),
                                          ("url", .string(maxLength: 2000)), ("enabled", .boolean), ("interval_seconds", .integer(minimum: 60, maximum: 86_400)),
                                          ("tenant_id", .uuid)], required: [])
        sources.endpoint(.POST, access: .permission(.leadsManage),
                         doc: .init("Add a feed or webhook source / 新增来源", tag: "leads", request: sourceBody, response: .ref("LeadSource"), status: 201), use: createSource)
        sources.endpoint(.PATCH, ":sourceID", access: .permission(.leadsManage),
                         doc: .init("Change a source / 修改来源", tag: "leads", request: sourceBody, response: .ref("LeadSource")), use: updateSource)
        sources.endpoint(.POST, ":sourceID", "poll", access: .permission(.leadsManage),
                         doc: .init("Poll a feed now (background job) / 立即抓取", tag: "leads", response: .ref("Job"), status: 202), use: pollNow)
        sources.endpoint(.POST, ":sourceID", "rotate-secret", access: .permission(.leadsManage),
                         doc: .init("Issue a new webhook secret / 更换网络钩子密钥", tag: "leads", response: .ref("LeadSource")), use: rotateSecret)

        leads.endpoint(.POST, "webhook", ":sourceID", access: .anonymous,
                       doc: .init("Inbound webhook (header X-Zhimei-Secret, or X-Zhimei-Signature: sha256=HMAC-SHA256(secret, body)) / 网络钩子推送", tag: "leads",
                                  request: .object([("title", .string(maxLength: 500)), ("body", .string(maxLength: 200_000)), ("url", .string(maxLength: 2000)),
                                                    ("id", .string(maxLength: 500)), ("published_at", .string(maxLength: 80)), ("html", .boolean),
                                                    ("items", .array(.object([("title", .string(maxLength: 500)), ("body", .string(maxLength: 200_000)),
                                                                               ("url", .string(maxLength: 2000)), ("id", .string(maxLength: 500)),
                                                                               ("published_at", .string(maxLength: 80)), ("html", .boolean)], required: []), maxItems: 100))],
                                                   required: []),
                                  response: .object([("created", .integer(minimum: 0)), ("ids", .array(.uuid))], required: ["created", "ids"]), status: 202),
                       use: webhook)
    }

    // MARK: Leads

    @Sendable func list(_ req: Request) async throws -> LeadPageDTO {
        try await LeadQueries.list(try LeadFilter.parse(req), on: req)
    }

    @Sendable func get(_ req: Request) async throws -> LeadDetailDTO {
        try await LeadQueries.detail(try await LeadService.find(req.parameters.get("leadID", as: UUID.self), on: req), on: req)
    }

    @Sendable func paste(_ req: Request) async throws -> Response {
        let input = try req.content.decode(PasteInput.self)
        let actor = try req.requireActor()
        let tenantID = input.tenantId ?? actor.activeTenantID
        try await req.scope(for: .leadsManage).checkPayload(tenantID, on: req.db)
        let lead = try await LeadPaste.create(text: input.text, title: input.title, url: input.url, tenantID: tenantID, on: req)
        return try await LeadQueries.one(lead, on: req).encodeResponse(status: .created, for: req)
    }

    @Sendable func assignees(_ req: Request) async throws -> [AssigneeDTO] {
        let actor = try req.requireActor()
        let ids: [UUID]
        switch try req.scope(for: .leadsManage) {
        case .all: ids = [actor.activeTenantID]
        case .only(let set): ids = Array(set)
        }
        return try await LeadQueries.assignees(tenantIDs: ids, on: req.db)
    }

    @Sendable func claim(_ req: Request) async throws -> LeadDTO {
        let lead = try await LeadService.findManaged(req.parameters.get("leadID", as: UUID.self), on: req)
        try await LeadService.claim(lead, on: req)
        return try await LeadQueries.one(lead, on: req)
    }

    @Sendable func assign(_ req: Request) async throws -> LeadDTO {
        let lead = try await LeadService.findManaged(req.parameters.get("leadID", as: UUID.self), on: req)
        let input = try req.content.decode(AssignInput.self)
        try await LeadService.assign(lead, to: input.assigneeId, on: req)
        return try await LeadQueries.one(lead, on: req)
    }

    @Sendable func setStatus(_ req: Request) async throws -> LeadDTO {
        let lead = try await LeadService.findManaged(req.parameters.get("leadID", as: UUID.self), on: req)
        let input = try req.content.decode(StatusInput.self)
        guard let status = LeadStatus(rawValue: input.status) else { throw AppError.invalid("status", zh: "状态无效", en: "Invalid status") }
        try await LeadService.setStatus(lead, status, on: req)
        return try await LeadQueries.one(lead, on: req)
    }

    // MARK: Sources

    static func dto(_ s: LeadSource, _ req: Request) -> LeadSourceDTO {
        LeadSourceDTO(s, showSecret: req.actor?.can(.leadsManage, in: s.tenantID) ?? false)
    }

    /// How many lead sources a tenant may keep: bounded where they are made, so that every list of them (the API, the
    /// sources page, the inbox's filter) shows all of them (before: the first 1,000 or 500 by name, without a word).
    static let sourcesPerTenant = 500

    /// Every lead source the person may read, by name.
    static func sources(_ req: Request) throws -> QueryBuilder<LeadSource> {
        try req.scope(for: .leadsRead).query(LeadSource.self, on: req.db).sort(\.$name).sort(\.$id)
    }

    @Sendable func listSources(_ req: Request) async throws -> [LeadSourceDTO] {
        try await Self.sources(req).all().map { Self.dto($0, req) }
    }

    static func findSource(_ req: Request) async throws -> LeadSource {
        try await req.scope(for: .leadsManage).find(LeadSource.self, req.parameters.get("sourceID", as: UUID.self), on: req.db)
    }

    static func validURL(_ raw: String?) throws -> String {
        guard let url = HTMLText.safeURL(raw) else {
            throw AppError.invalid("url", zh: "请填写 http(s) 开头的订阅源地址", en: "Enter a feed URL starting with http(s)")
        }
        return url
    }

    static func validName(_ raw: String?) throws -> String {
        let name = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw AppError.invalid("name", zh: "名称须为 1–200 字", en: "Name must be 1–200 characters") }
        return name
    }

    static func validInterval(_ raw: Int?) throws -> Int? {
        guard let raw else { return nil }
        guard (60...86_400).contains(raw) else { throw AppError.invalid("interval_seconds", zh: "抓取间隔须在 60–86400 秒之间", en: "interval_seconds must be 60–86400") }
        return raw
    }

    @Sendable func createSource(_ req: Request) async throws -> Response {
        let input = try req.content.decode(SourceInput.self)
        let actor = try req.requireActor()
        let tenantID = input.tenantId ?? actor.activeTenantID
        try await req.scope(for: .leadsManage).checkPayload(tenantID, on: req.db)
        guard let kind = LeadSource.Kind(rawValue: input.kind ?? "feed") else {
            throw AppError.invalid("kind", zh: "类型只能是 feed 或 webhook", en: "kind must be feed or webhook")
        }
        let source = LeadSource()
        source.tenantID = tenantID
        source.name = try Self.validName(input.name)
        source.kind = kind
        source.url = kind == .feed ? try Self.validURL(input.url) : nil
        source.enabled = input.enabled ?? true
        source.intervalSeconds = try Self.validInterval(input.intervalSeconds) ?? 900
        source.webhookSecret = Secrets.random(bytes: 24)
        source.failureCount = 0
        source.itemsFetched = 0
        source.nextPollAt = kind == .feed ? Date() : nil
        source.createdAt = Date()
        source.updatedAt = Date()
        try await Quota.create(forTenant: tenantID, limit: Self.sourcesPerTenant,
                               refusal: AppError.conflict("source_limit", zh: "每个单位最多 \(Self.sourcesPerTenant) 个线索来源，请先删除不用的来源",
                                                          en: "A tenant can keep at most \(Self.sourcesPerTenant) lead sources; delete one you no longer use first"),
                               on: req.db, count: { tx in try await LeadSource.query(on: tx).filter(\.$tenantID == tenantID).count() },
                               insert: { tx in try await source.create(on: tx) })
        if kind == .feed { try? await FeedPoller.ensureScheduler(on: req.db) }
        await req.audit("lead_source.create", tenant: tenantID, targetType: "lead_source", targetID: source.id?.uuidString ?? "",
                        after: ["name": source.name, "kind": kind.rawValue, "url": source.url ?? ""])
        return try await Self.dto(source, req).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateSource(_ req: Request) async throws -> LeadSourceDTO {
        let source = try await Self.findSource(req)
        let input = try req.content.decode(SourceInput.self)
        if let tenant = input.tenantId, tenant != source.tenantID {
            throw AppError.invalid("tenant_id", zh: "来源不能移到其他单位", en: "A source cannot move to another tenant")
        }
        if let kind = input.kind, kind != source.kind.rawValue {
            throw AppError.invalid("kind", zh: "来源类型不能修改", en: "A source's kind cannot change")
        }
        let before = ["name": source.name, "url": source.url ?? "", "enabled": String(source.enabled), "interval_seconds": String(source.intervalSeconds)]
        if let name = input.name { source.name = try Self.validName(name) }
        if let url = input.url, source.kind == .feed {
            let valid = try Self.validURL(url)
            if valid != source.url { source.url = valid; source.etag = nil; source.lastModified = nil }
        }
        if let enabled = input.enabled {
            if enabled && !source.enabled { source.failureCount = 0; source.nextPollAt = source.kind == .feed ? Date() : nil }
            source.enabled = enabled
        }
        if let interval = try Self.validInterval(input.intervalSeconds) { source.intervalSeconds = interval }
        source.updatedAt = Date()
        try await source.save(on: req.db)
        await req.audit("lead_source.update", tenant: source.tenantID, targetType: "lead_source", targetID: source.id?.uuidString ?? "", before: before,
                        after: ["name": source.name, "url": source.url ?? "", "enabled": String(source.enabled), "interval_seconds": String(source.intervalSeconds)])
        return Self.dto(source, req)
    }

    @Sendable func pollNow(_ req: Request) async throws -> Response {
        let source = try await Self.findSource(req)
        guard source.kind == .feed else {
            throw AppError.conflict("not_a_feed", zh: "网络钩子来源不需要抓取", en: "A webhook source is not polled")
        }
        let job = try await FeedPoller.enqueuePoll(source, slot: "manual-\(Int(Date().timeIntervalSince1970))", createdBy: req.actor?.userID, on: req.db)
        await req.audit("lead_source.poll", tenant: source.tenantID, targetType: "lead_source", targetID: source.id?.uuidString ?? "")
        return try await JobDTO(job).encodeResponse(status: .accepted, for: req)
    }

    @Sendable func rotateSecret(_ req: Request) async throws -> LeadSourceDTO {
        let source = try await Self.findSource(req)
        source.webhookSecret = Secrets.random(bytes: 24)
        source.updatedAt = Date()
        try await source.save(on: req.db)
        await req.audit("lead_source.rotate_secret", tenant: source.tenantID, targetType: "lead_source", targetID: source.id?.uuidString ?? "")
        return Self.dto(source, req)
    }

    // MARK: Webhook

    struct WebhookItem: Decodable { var title: String?; var body: String?; var url: String?; var id: String?; var publishedAt: String?; var html: Bool? }
    struct WebhookBody: Decodable {
        var title: String?; var body: String?; var url: String?; var id: String?; var publishedAt: String?; var html: Bool?
        var items: [WebhookItem]?
    }

    static func webhookThrottle(_ app: Application) -> LoginThrottle { app.leadsServices.webhookThrottle }

    @Sendable func webhook(_ req: Request) async throws -> Response {
        guard await req.application.leadsServices.webhookThrottle.allow("\(req.parameters.get("sourceID") ?? "")|\(req.clientIP)") else {
            throw AppError(.tooManyRequests, "rate_limited", zh: "推送过于频繁，请稍后再试", en: "Too many requests; try again later")
        }
        let invalid = AppError(.forbidden, "webhook_secret_invalid", zh: "网络钩子密钥或签名无效", en: "Invalid webhook secret or signature")
        guard let id = req.parameters.get("sourceID", as: UUID.self), let source = try await LeadSource.find(id, on: req.db),
              source.kind == .webhook, source.enabled else { throw invalid }
        let raw = req.body.data.map { Data(buffer: $0) } ?? Data()
        var authorized = false
        if let presented = req.headers.first(name: "X-Zhimei-Secret") {
            authorized = CSRF.constantTimeEqual(presented, source.webhookSecret)
        } else if let signature = req.headers.first(name: "X-Zhimei-Signature") {
            let mac = HMAC<SHA256>.authenticationCode(for: raw, using: SymmetricKey(data: Data(source.webhookSecret.utf8)))
            let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            authorized = CSRF.constantTimeEqual(signature.lowercased(), expected)
        }
        guard authorized else {
            await req.audit("lead.webhook", tenant: source.tenantID, targetType: "lead_source", targetID: id.uuidString, outcome: "denied", actorName: "webhook")
            throw invalid
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let body: WebhookBody
        do { body = try decoder.decode(WebhookBody.self, from: raw) } catch {
            throw AppError.badRequest(zh: "请求体须为 JSON 对象（title、body、url、id、published_at，或 items 数组）", en: "The body must be a JSON object (title, body, url, id, published_at, or an items array)")
        }
        var items = body.items ?? []
        if items.isEmpty { items = [WebhookItem(title: body.title, body: body.body, url: body.url, id: body.id, publishedAt: body.publishedAt, html: body.html)] }
        guard items.count <= 100 else { throw AppError.invalid("items", zh: "一次最多 100 条", en: "At most 100 items per request") }
        let dates = FeedDate()
        let incoming = try items.map { item -> IncomingLead in
            let title = item.title ?? "", text = item.body ?? ""
            guard !(title.isEmpty && text.isEmpty) else { throw AppError.invalid("title", zh: "每条须有标题或正文", en: "Each item needs a title or a body") }
            guard title.count <= 500, text.count <= 200_000 else { throw AppError.invalid("body", zh: "标题或正文过长", en: "Title or body too long") }
            return IncomingLead(title: title, text: text, isHTML: item.html ?? true, link: item.url, publishedAt: item.publishedAt.flatMap { dates.parse($0) },
                                guid: item.id, origin: .webhook, sourceID: id, sourceName: source.name)
        }
        let engine = try? await req.application.text.engine()
        let created = try await LeadIngest.ingest(incoming, tenantID: source.tenantID, engine: engine, on: req.db)
        source.itemsFetched += created.count
        source.lastSuccessAt = Date()
        source.updatedAt = Date()
        try await source.save(on: req.db)
        await req.audit("lead.webhook", tenant: source.tenantID, targetType: "lead_source", targetID: id.uuidString,
                        after: ["created": String(created.count)], actorName: "webhook")
        return try await WebhookResultDTO(created: created.count, ids: created.compactMap(\.id)).encodeResponse(status: .accepted, for: req)
    }
}

/// Pasted e-mails and documents.
enum LeadPaste {
    static let limit = 200_000

    /// Headers of a pasted e-mail (Subject, From, Date), if the text starts with a header block.
    static func emailHeaders(_ text: String) -> (headers: [String: String], body: String)? {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        guard let blank = normalized.range(of: "\n\n") else { return nil }
        let head = normalized[..<blank.lowerBound]
        var headers: [String: String] = [:]
        var last: String?
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", let key = last {
                headers[key, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty, key.count < 40, !key.contains(" ") else { return nil }
            headers[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            last = key
        }
        guard headers["subject"] != nil || headers["from"] != nil else { return nil }
        return (headers, String(normalized[blank.upperBound...]))
    }

    static func create(text: String, title: String?, url: String?, tenantID: UUID, on req: Request) async throws -> Lead {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AppError.invalid("text", zh: "请粘贴内容", en: "Paste some text") }
        guard trimmed.count <= limit else {
            throw AppError(.payloadTooLarge, "text_too_long", zh: "内容过长（上限 \(limit) 字）", en: "Text too long (limit \(limit) characters)")
        }
        if let title, title.count > 500 { throw AppError.invalid("title", zh: "标题过长（上限 500 字）", en: "Title too long (500 characters)") }
        var subject = title?.trimmingCharacters(in: .whitespaces)
        var body = trimmed
        var date: Date?
        var sourceName = "粘贴 / Paste"
        if let mail = emailHeaders(trimmed) {
            body = mail.body
            if subject?.isEmpty ?? true { subject = mail.headers["subject"] }
            date = mail.headers["date"].flatMap { FeedDate().parse($0) }
            if let from = mail.headers["from"] { sourceName = "邮件 / E-mail: " + String(from.prefix(150)) }
        }
        let looksHTML = body.range(of: "<[a-zA-Z!/][^>]*>", options: .regularExpression) != nil
        let item = IncomingLead(title: subject ?? "", text: body, isHTML: looksHTML, link: url, publishedAt: date, guid: UUID().uuidString,
                                origin: .paste, sourceID: nil, sourceName: sourceName)
        let engine = try? await req.application.text.engine()
        guard let lead = try await LeadIngest.ingest([item], tenantID: tenantID, engine: engine, on: req.db).first else { throw AppError.notFound }
        await req.audit("lead.paste", tenant: tenantID, targetType: "lead", targetID: lead.id?.uuidString ?? "", after: ["title": String(lead.title.prefix(100))])
        return lead
    }
}

/// Per-process rate limiters of the Leads module.
final class LeadsServices: Sendable {
    let webhookThrottle = LoginThrottle(limit: 120, window: 60)
    let tipThrottle: LoginThrottle

    init() {
        let limit = Environment.get("ZHIMEI_TIP_RATE_LIMIT").flatMap(Int.init) ?? 5
        tipThrottle = LoginThrottle(limit: limit, window: 600)
    }
}

extension Application {
    private struct LeadsServicesKey: StorageKey { typealias Value = LeadsServices }

    var leadsServices: LeadsServices {
        get {
            if let s = storage[LeadsServicesKey.self] { return s }
            let s = LeadsServices()
            storage[LeadsServicesKey.self] = s
            return s
        }
        set { storage[LeadsServicesKey.self] = newValue }
    }
}
