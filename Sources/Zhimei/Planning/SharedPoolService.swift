import Fluent
import Vapor

/// The shared pool between the provincial platform and the county centres (省县融合选题池).
/// A county submits (上报) a topic or a story to the platform; the platform assigns (下发) topics to counties.
/// Entries are read-only copies owned by the receiving tenant, recording the source tenant, object, person and time;
/// the receiver may adopt one as its own, editable topic that links back. Counties never see each other's work.
enum SharedPoolService {
    /// Submits a copy of a county's topic or story to the platform pool (上报). Other modules (Stories) call this.
    /// The actor needs topicsManage (topics) or storiesWrite (stories) in the source tenant. Submitting the same
    /// object twice is a 409 (`already_submitted`).
    @discardableResult
    static func submit(kind: PoolEntry.Kind, title: String, summary: String, body: String, keywords: [String] = [],
                       sourceTenantID: UUID, sourceID: UUID, on req: Request) async throws -> PoolEntry {
        let actor = try req.requireActor()
        try req.scope(for: kind == .topic ? .topicsManage : .storiesWrite).check(sourceTenantID)
        guard let source = try await Tenant.find(sourceTenantID, on: req.db) else { throw AppError.notFound }
        guard source.kind == .county else {
            throw AppError.invalid("source", zh: "只有县级中心可以向平台上报", en: "Only county centres submit to the platform pool")
        }
        let platform = try await platformTenant(for: source, on: req.db)
        let platformID = try platform.requireID()
        if try await PoolEntry.query(on: req.db).filter(\.$tenantID == platformID).filter(\.$kind == kind).filter(\.$sourceID == sourceID).first() != nil {
            throw AppError.conflict("already_submitted", zh: "已上报过，不能重复上报", en: "This was already submitted to the platform")
        }
        let entry = makeEntry(owner: platformID, direction: .submitted, kind: kind, title: title, summary: summary, body: body,
                              keywords: keywords, source: source, sourceID: sourceID, actor: actor)
        try await entry.create(on: req.db)
        await req.audit("pool.submit", tenant: sourceTenantID, targetType: kind.rawValue, targetID: sourceID.uuidString,
                        after: ["pool_entry_id": entry.id?.uuidString ?? "", "to_tenant_id": platformID.uuidString])
        let editors = try await approvers(in: platformID, on: req.db)
        try await NotificationService.notify(editors.filter { $0 != actor.userID }, tenantID: platformID, kind: "pool.submitted",
                                             title: "\(source.name) 上报了\(kind == .topic ? "选题" : "稿件")“\(entry.title)” / \(source.name) submitted “\(entry.title)”",
                                             link: "/planning/pool", on: req)
        return entry
    }

    /// Submits a county topic (上报).
    static func submitTopic(_ topic: Topic, on req: Request) async throws -> PoolEntry {
        try await submit(kind: .topic, title: topic.title, summary: topic.angle.isEmpty ? topic.title : topic.angle, body: topic.details,
                         keywords: topic.keywords, sourceTenantID: topic.tenantID, sourceID: try topic.requireID(), on: req)
    }

    /// Assigns a platform topic to counties (下发): one read-only copy per county. Already assigned counties keep theirs.
    static func assign(_ topic: Topic, to tenantIDs: [UUID], on req: Request) async throws -> [PoolEntry] {
        let actor = try req.requireActor()
        try req.scope(for: .topicsApprove).check(topic.tenantID)
        guard let source = try await Tenant.find(topic.tenantID, on: req.db) else { throw AppError.notFound }
        guard source.kind == .platform else {
            throw AppError.invalid("topic", zh: "只有平台的选题可以下发", en: "Only the platform's topics can be assigned to counties")
        }
        var seen = Set<UUID>()
        let unique = tenantIDs.filter { seen.insert($0).inserted }
        guard !unique.isEmpty, unique.count <= 200 else {
            throw AppError.invalid("tenant_ids", zh: "请选择 1–200 个县级中心", en: "Choose 1–200 county centres")
        }
        let targets = try await Tenant.query(on: req.db).filter(\.$id ~~ unique).all()
        guard targets.count == unique.count, targets.allSatisfy({ $0.kind == .county && !$0.disabled }) else {
            throw AppError.invalid("tenant_ids", zh: "只能下发给启用中的县级中心", en: "Assign only to active county centres")
        }
        let topicID = try topic.requireID()
        var entries: [PoolEntry] = []
        for target in targets {
            let tid = try target.requireID()
            if let existing = try await PoolEntry.query(on: req.db).filter(\.$tenantID == tid).filter(\.$kind == .topic).filter(\.$sourceID == topicID).first() {
                entries.append(existing)
                continue
            }
            let entry = makeEntry(owner: tid, direction: .assigned, kind: .topic, title: topic.title, summary: topic.angle.isEmpty ? topic.title : topic.angle,
                                  body: topic.details, keywords: topic.keywords, source: source, sourceID: topicID, actor: actor)
            try await entry.create(on: req.db)
            entries.append(entry)
            await req.audit("pool.assign", tenant: topic.tenantID, targetType: "topic", targetID: topicID.uuidString,
                            after: ["pool_entry_id": entry.id?.uuidString ?? "", "to_tenant_id": tid.uuidString])
            try await NotificationService.notify(try await approvers(in: tid, on: req.db), tenantID: tid, kind: "pool.assigned",
                                                 title: "\(source.name) 下发了选题“\(topic.title)” / \(source.name) assigned “\(topic.title)”",
                                                 link: "/planning/pool", on: req)
        }
        return entries
    }

    /// Pool entries the actor's tenants received, optionally only those (not) yet adopted.
    static func query(tenantID: UUID? = nil, adopted: Bool? = nil, on req: Request) throws -> QueryBuilder<PoolEntry> {
        let q = try req.scope(for: .topicsManage).query(PoolEntry.self, on: req.db)
        if let tenantID { q.filter(\.$tenantID == tenantID) }
        if let adopted { q.filter(\.$adoptedTopicID, adopted ? .notEqual : .equal, nil) }
        return q
    }

    /// A page of them, newest first (before: the newest 500, nothing older).
    static func list(tenantID: UUID? = nil, adopted: Bool? = nil, offset: Int = 0, limit: Int = 500, on req: Request) async throws -> [PoolEntry] {
        let start = max(0, offset), size = max(1, min(limit, 500))
        return try await query(tenantID: tenantID, adopted: adopted, on: req).sort(\.$sharedAt, .descending).sort(\.$id).range(start..<(start + size)).all()
    }

    static func find(_ id: UUID?, on req: Request) async throws -> PoolEntry {
        try await req.scope(for: .topicsManage).find(PoolEntry.self, id, on: req.db)
    }

    /// Adopts a pool entry as a new topic of the receiving tenant (a proposed, editable topic that links back).
    static func adopt(_ entry: PoolEntry, on req: Request) async throws -> Topic {
        let actor = try req.requireActor()
        if entry.adoptedTopicID != nil {
            throw AppError.conflict("already_adopted", zh: "该条目已被采用为选题", en: "This entry was already adopted as a topic")
        }
        let topic = Topic()
        topic.id = UUID()
        topic.tenantID = entry.tenantID
        topic.title = String(entry.title.prefix(TopicService.maxTitle))
        var details = entry.body.isEmpty ? entry.summary : entry.body
        details += "\n\n（来源：\(entry.sourceTenantName)\(entry.direction == .assigned ? "下发" : "上报")，\(DisplayTime.format(entry.sharedAt))）"
        topic.details = String(details.prefix(TopicService.maxText))
        topic.angle = entry.summary == entry.title ? "" : String(entry.summary.prefix(TopicService.maxAngle))
        topic.priority = .normal
        topic.status = .proposed
        topic.assigneeIDs = []
        topic.keywords = Array(entry.keywords.prefix(TopicService.maxKeywords))
        topic.poolEntryID = try entry.requireID()
        topic.createdBy = actor.userID
        topic.createdByName = actor.displayName
        topic.createdAt = Date()
        topic.updatedAt = topic.createdAt
        try await topic.create(on: req.db)
        entry.adoptedTopicID = topic.id
        entry.adoptedAt = Date()
        entry.adoptedByName = actor.displayName
        try await entry.save(on: req.db)
        await req.audit("pool.adopt", tenant: entry.tenantID, targetType: "pool_entry", targetID: entry.id?.uuidString ?? "",
                        after: ["topic_id": topic.id?.uuidString ?? "", "source_tenant_id": entry.sourceTenantID.uuidString, "source_id": entry.sourceID.uuidString])
        return topic
    }

    /// What the source side knows about its own topic's copies: whether it was submitted, and to which counties it was assigned.
    /// The topic must already have been found through the actor's scope.
    static func shares(of topic: Topic, on req: Request) async throws -> (submitted: Bool, assignedTo: Set<UUID>) {
        try req.scope(for: .topicsManage).check(topic.tenantID)
        let copies = try await PoolEntry.query(on: req.db).filter(\.$kind == .topic).filter(\.$sourceID == topic.requireID())
            .filter(\.$sourceTenantID == topic.tenantID).all()
        return (copies.contains { $0.direction == .submitted }, Set(copies.filter { $0.direction == .assigned }.map(\.tenantID)))
    }

    // MARK: - Helpers

    /// The platform a county reports to: its parent when that is the platform, else the (first) platform tenant.
    static func platformTenant(for county: Tenant, on db: any Database) async throws -> Tenant {
        if let parentID = county.$parent.id, let parent = try await Tenant.find(parentID, on: db), parent.kind == .platform { return parent }
        guard let platform = try await Tenant.query(on: db).filter(\.$kind == .platform).sort(\.$createdAt).first() else {
            throw AppError.conflict("no_platform", zh: "尚未配置省级平台", en: "No platform tenant is configured")
        }
        return platform
    }

    /// People who approve topics in a tenant (editors, chief editors): they hear about pool arrivals.
    static func approvers(in tenantID: UUID, on db: any Database) async throws -> [UUID] {
        let memberships = try await Membership.query(on: db).filter(\.$tenant.$id == tenantID).all()
        return Array(Set(memberships.filter { $0.role != .platformAdmin && $0.role.permissions.contains(.topicsApprove) }.map { $0.$user.id }))
    }

    private static func makeEntry(owner: UUID, direction: PoolEntry.Direction, kind: PoolEntry.Kind, title: String, summary: String, body: String,
                                  keywords: [String], source: Tenant, sourceID: UUID, actor: Actor) -> PoolEntry {
        let entry = PoolEntry()
        entry.id = UUID()
        entry.tenantID = owner
        entry.direction = direction
        entry.kind = kind
        entry.title = String(title.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
        entry.summary = String(summary.prefix(2000))
        entry.body = String(body.prefix(100_000))
        entry.keywords = Array(keywords.prefix(30))
        entry.sourceTenantID = source.id ?? UUID()
        entry.sourceTenantName = source.name
        entry.sourceID = sourceID
        entry.sharedBy = actor.userID
        entry.sharedByName = actor.displayName
        entry.sharedAt = Date()
        return entry
    }
}
