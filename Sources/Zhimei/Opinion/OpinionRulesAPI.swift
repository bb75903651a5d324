import Fluent
import Vapor

/// Alert rules (预警规则) and raised alerts (预警记录) of the Opinion API: list, create, change, switch off and on, delete;
/// alerts newest first, a page at a time.
extension OpinionEventsAPI {
    struct RuleInput: Content {
        var name: String?; var schemeId: UUID?; var minPosts: Int?; var windowMinutes: Int?; var minRisk: Double?; var minNegativeShare: Double?
        var requireBurst: Bool?; var email: String?; var enabled: Bool?; var tenantId: UUID?
    }

    /// The request body of creating (name required) and changing a rule.
    static func ruleBody(required: [String]) -> Schema {
        .object([("name", .string(maxLength: 200)), ("scheme_id", .nullable(.uuid)), ("min_posts", .integer(minimum: 1, maximum: 1_000_000)),
                 ("window_minutes", .integer(minimum: 1, maximum: 10_080)), ("min_risk", .number), ("min_negative_share", .number),
                 ("require_burst", .boolean), ("email", .string(maxLength: 200)), ("enabled", .boolean), ("tenant_id", .uuid)], required: required)
    }

    /// The largest page of alerts the API serves.
    static let largestAlertPage = 200

    @Sendable func listRules(_ req: Request) async throws -> [OpinionAlertRuleDTO] {
        try await req.scope(for: .opinionRead).query(OpinionAlertRule.self, on: req.db).filter(\.$archived == false).sort(\.$createdAt).all().map(OpinionAlertRuleDTO.init)
    }

    @Sendable func createRule(_ req: Request) async throws -> Response {
        let input = try req.content.decode(RuleInput.self)
        let tenantID = try input.tenantId ?? req.requireActor().activeTenantID
        try await req.scope(for: .opinionManage).checkPayload(tenantID, on: req.db)
        guard input.name != nil else { throw AppError.invalid("name", zh: "请填写规则名称", en: "Enter a rule name") }
        let r = OpinionAlertRule()
        r.tenantID = tenantID; r.schemeID = nil; r.minPosts = 20; r.windowMinutes = 60; r.minRisk = 0; r.minNegativeShare = 0
        r.requireBurst = false; r.email = ""; r.enabled = true; r.archived = false; r.createdAt = Date()
        try await Self.apply(input, to: r, on: req)
        try await OpinionLimits.createRule(r, on: req.db)
        try await OpinionSchedule.ensureScheduler(on: req.db)
        await req.audit("opinion_alert_rule.create", tenant: tenantID, targetType: "opinion_alert_rule", targetID: r.id?.uuidString ?? "", after: ["name": r.name])
        return try await OpinionAlertRuleDTO(r).encodeResponse(status: .created, for: req)
    }

    @Sendable func updateRule(_ req: Request) async throws -> OpinionAlertRuleDTO {
        let r = try await Self.rule(req)
        let input = try req.content.decode(RuleInput.self)
        if let t = input.tenantId, t != r.tenantID { throw AppError.invalid("tenant_id", zh: "规则不能移到其他单位", en: "A rule cannot move to another tenant") }
        let before = Self.auditFields(r)
        try await Self.apply(input, to: r, on: req)
        // null (not just absent) clears: "scheme_id" puts the rule back on all the tenant's posts, "email" stops its mail.
        let nulls = Self.bodyNulls(req)
        if input.schemeId == nil, nulls.contains("scheme_id") { r.schemeID = nil }
        if input.email == nil, nulls.contains("email") { r.email = "" }
        if r.archived { r.enabled = false }   // a deleted rule stays off, as a deleted scheme does
        try await r.save(on: req.db)
        if r.enabled { try await OpinionSchedule.ensureScheduler(on: req.db) }
        await req.audit("opinion_alert_rule.update", tenant: r.tenantID, targetType: "opinion_alert_rule", targetID: r.id?.uuidString ?? "",
                        before: before, after: Self.auditFields(r))
        return OpinionAlertRuleDTO(r)
    }

    @Sendable func deleteRule(_ req: Request) async throws -> HTTPStatus {
        let r = try await Self.rule(req)
        r.archived = true
        r.enabled = false
        try await r.save(on: req.db)
        await req.audit("opinion_alert_rule.delete", tenant: r.tenantID, targetType: "opinion_alert_rule", targetID: r.id?.uuidString ?? "")
        return .noContent
    }

    /// A rule of the tenants the person manages.
    static func rule(_ req: Request) async throws -> OpinionAlertRule {
        try await req.scope(for: .opinionManage).find(OpinionAlertRule.self, req.parameters.get("ruleID", as: UUID.self), on: req.db)
    }

    /// Validates and applies the given fields.
    static func apply(_ input: RuleInput, to r: OpinionAlertRule, on req: Request) async throws {
        if let name = input.name {
            let n = PostRecord.clean(name, 200)
            guard !n.isEmpty else { throw AppError.invalid("name", zh: "请填写规则名称", en: "Enter a rule name") }
            r.name = n
        }
        if let id = input.schemeId {
            let scheme = try await req.scope(for: .opinionManage).find(OpinionScheme.self, id, on: req.db)
            guard scheme.tenantID == r.tenantID, !scheme.archived else {
                throw AppError.invalid("scheme_id", zh: "方案属于其他单位或已删除", en: "The scheme belongs to another tenant or was deleted")
            }
            r.schemeID = id
        }
        if let v = input.minPosts {
            guard (1...1_000_000).contains(v) else { throw AppError.invalid("min_posts", zh: "min_posts 须在 1–1000000 之间", en: "min_posts must be 1–1000000") }
            r.minPosts = v
        }
        if let v = input.windowMinutes {
            guard (1...10_080).contains(v) else { throw AppError.invalid("window_minutes", zh: "window_minutes 须在 1–10080 之间", en: "window_minutes must be 1–10080") }
            r.windowMinutes = v
        }
        if let v = input.minRisk {
            guard v.isFinite, (0...100).contains(v) else { throw AppError.invalid("min_risk", zh: "min_risk 须在 0–100 之间", en: "min_risk must be 0–100") }
            r.minRisk = v
        }
        if let v = input.minNegativeShare {
            guard v.isFinite, (0...1).contains(v) else { throw AppError.invalid("min_negative_share", zh: "min_negative_share 须在 0–1 之间", en: "min_negative_share must be 0–1") }
            r.minNegativeShare = v
        }
        if let v = input.requireBurst { r.requireBurst = v }
        if let v = input.email {
            let email = PostRecord.clean(v, 200)
            guard email.isEmpty || (email.contains("@") && !email.contains(" ") && !email.contains("\n")) else {
                throw AppError.invalid("email", zh: "邮箱地址无效", en: "Invalid e-mail address")
            }
            r.email = email
        }
        if let v = input.enabled { r.enabled = v }
    }

    /// The keys the JSON body sets to null.
    static func bodyNulls(_ req: Request) -> Set<String> {
        guard let buffer = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else { return [] }
        return Set(object.filter { $0.value is NSNull }.map(\.key))
    }

    static func auditFields(_ r: OpinionAlertRule) -> [String: String] {
        ["name": r.name, "scheme_id": r.schemeID?.uuidString ?? "", "enabled": String(r.enabled), "min_posts": String(r.minPosts), "window_minutes": String(r.windowMinutes),
         "min_risk": String(r.minRisk), "min_negative_share": String(r.minNegativeShare), "require_burst": String(r.requireBurst), "email": r.email]
    }

    @Sendable func listAlerts(_ req: Request) async throws -> [OpinionAlertDTO] {
        let page = try ListPage(req, standard: 50, largest: Self.largestAlertPage, largestOffset: Self.largestOffset)
        return try await Self.alerts(req, eventID: try OpinionParams.uuid(req, "event_id")).range(page.rows).all().map(OpinionAlertDTO.init)
    }

    /// The alerts the person may read, newest first (the API and the schemes page page through the same query).
    static func alerts(_ req: Request, eventID: UUID? = nil) throws -> QueryBuilder<OpinionAlert> {
        let q = try req.scope(for: .opinionRead).query(OpinionAlert.self, on: req.db)
        if let eventID { q.filter(\.$eventID == eventID) }
        return q.sort(\.$createdAt, .descending).sort(\.$id)
    }
}

/// How many monitoring schemes and alert rules a tenant may keep: ingest matches every post against each enabled scheme
/// and every check runs each enabled rule, so both are bounded where they are created rather than cut off silently
/// where they are read (before, a tenant's 201st scheme and 101st rule were ignored without a word).
enum OpinionLimits {
    static let schemesPerTenant = 200
    static let rulesPerTenant = 100

    /// Creates the scheme while the tenant keeps fewer than `schemesPerTenant` (switched-off ones count, deleted ones not).
    static func createScheme(_ s: OpinionScheme, on db: any Database) async throws {
        let tenantID = s.tenantID
        try await Quota.create(forTenant: tenantID, limit: schemesPerTenant,
                               refusal: AppError.conflict("scheme_limit", zh: "每个单位最多 \(schemesPerTenant) 个监测方案，请先删除不用的方案",
                                                          en: "A tenant can keep at most \(schemesPerTenant) monitoring schemes; delete one you no longer use first"),
                               on: db, count: { tx in
            try await OpinionScheme.query(on: tx).filter(\.$tenantID == tenantID).filter(\.$archived == false).count()
        }, insert: { tx in try await s.create(on: tx) })
    }

    /// Creates the rule while the tenant keeps fewer than `rulesPerTenant`.
    static func createRule(_ r: OpinionAlertRule, on db: any Database) async throws {
        let tenantID = r.tenantID
        try await Quota.create(forTenant: tenantID, limit: rulesPerTenant,
                               refusal: AppError.conflict("rule_limit", zh: "每个单位最多 \(rulesPerTenant) 条预警规则，请先删除不用的规则",
                                                          en: "A tenant can keep at most \(rulesPerTenant) alert rules; delete one you no longer use first"),
                               on: db, count: { tx in
            try await OpinionAlertRule.query(on: tx).filter(\.$tenantID == tenantID).filter(\.$archived == false).count()
        }, insert: { tx in try await r.create(on: tx) })
    }
}
