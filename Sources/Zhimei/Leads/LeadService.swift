import Fluent
import Vapor

/// The Leads module's service: what routes and other modules (Planning) call. Routes stay thin.
enum LeadService {
    /// A lead the actor may read (leadsRead scope); 404 otherwise.
    static func find(_ id: UUID?, on req: Request) async throws -> Lead {
        try await req.scope(for: .leadsRead).find(Lead.self, id, on: req.db)
    }

    /// A lead the actor may change (leadsManage scope); 404 otherwise.
    static func findManaged(_ id: UUID?, on req: Request) async throws -> Lead {
        try await req.scope(for: .leadsManage).find(Lead.self, id, on: req.db)
    }

    /// Marks a lead converted into a topic (audited). Converting again into the same topic is a no-op;
    /// a lead already converted into another topic is a 409 (`lead_already_converted`).
    static func markConverted(_ lead: Lead, topicID: UUID, on req: Request) async throws {
        try req.scope(for: .leadsRead).check(lead.tenantID)
        if lead.status == .converted, lead.topicID == topicID { return }
        if lead.status == .converted, lead.topicID != nil {
            throw AppError.conflict("lead_already_converted", zh: "该线索已转为其他选题", en: "This lead was already converted into another topic")
        }
        let before = ["status": lead.status.rawValue]
        lead.status = .converted
        lead.topicID = topicID
        if lead.assigneeID == nil, let actor = req.actor { lead.assigneeID = actor.userID }
        lead.updatedAt = Date()
        try await lead.save(on: req.db)
        await req.audit("lead.convert", tenant: lead.tenantID, targetType: "lead", targetID: lead.id?.uuidString ?? "",
                        before: before, after: ["status": "converted", "topic_id": topicID.uuidString])
    }

    /// Claims a lead for the actor (new or claimed → claimed, assignee = actor).
    static func claim(_ lead: Lead, on req: Request) async throws {
        let actor = try req.requireActor()
        guard lead.status == .new || lead.status == .claimed else {
            throw AppError.conflict("lead_closed", zh: "该线索已转为选题或已放弃，不能认领", en: "This lead was converted or discarded and cannot be claimed")
        }
        if lead.status == .claimed, let current = lead.assigneeID, current != actor.userID {
            throw AppError.conflict("lead_claimed", zh: "该线索已被他人认领，请由编辑改派", en: "Someone else claimed this lead; ask an editor to reassign it")
        }
        let before = ["status": lead.status.rawValue, "assignee_id": lead.assigneeID?.uuidString ?? ""]
        lead.status = .claimed
        lead.assigneeID = actor.userID
        lead.claimedAt = Date()
        lead.updatedAt = Date()
        try await lead.save(on: req.db)
        await req.audit("lead.claim", tenant: lead.tenantID, targetType: "lead", targetID: lead.id?.uuidString ?? "",
                        before: before, after: ["status": "claimed", "assignee_id": actor.userID.uuidString])
    }

    /// Assigns a lead to a person of the same tenant who holds leadsManage there (nil unassigns).
    static func assign(_ lead: Lead, to userID: UUID?, on req: Request) async throws {
        guard lead.status != .converted, lead.status != .discarded else {
            throw AppError.conflict("lead_closed", zh: "该线索已转为选题或已放弃，不能指派", en: "This lead was converted or discarded and cannot be assigned")
        }
        if let userID {
            let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == userID).filter(\.$tenant.$id == lead.tenantID).all()
            let user = try await User.find(userID, on: req.db)
            guard let user, user.status == .active, memberships.contains(where: { $0.role.permissions.contains(.leadsManage) }) else {
                throw AppError.invalid("assignee_id", zh: "只能指派给本单位有线索处理权限的人员", en: "Assign only to a person of this tenant who may handle leads")
            }
        }
        let before = ["status": lead.status.rawValue, "assignee_id": lead.assigneeID?.uuidString ?? ""]
        lead.assigneeID = userID
        lead.status = userID == nil ? .new : .claimed
        lead.claimedAt = userID == nil ? nil : Date()
        lead.updatedAt = Date()
        try await lead.save(on: req.db)
        await req.audit("lead.assign", tenant: lead.tenantID, targetType: "lead", targetID: lead.id?.uuidString ?? "",
                        before: before, after: ["status": lead.status.rawValue, "assignee_id": userID?.uuidString ?? ""])
    }

    /// Sets the status by hand: new (release), claimed, discarded. `converted` only comes through a topic.
    static func setStatus(_ lead: Lead, _ status: LeadStatus, on req: Request) async throws {
        switch status {
        case .converted:
            throw AppError.invalid("status", zh: "“已转选题”只能通过转为选题设置", en: "“converted” is set only by converting the lead into a topic")
        case .claimed:
            try await claim(lead, on: req)
            return
        case .new, .discarded:
            guard lead.status != .converted else {
                throw AppError.conflict("lead_converted", zh: "已转为选题的线索不能再更改状态", en: "A converted lead's status cannot change")
            }
            let before = ["status": lead.status.rawValue]
            lead.status = status
            if status == .new { lead.assigneeID = nil; lead.claimedAt = nil }
            lead.updatedAt = Date()
            try await lead.save(on: req.db)
            await req.audit(status == .new ? "lead.release" : "lead.discard", tenant: lead.tenantID, targetType: "lead",
                            targetID: lead.id?.uuidString ?? "", before: before, after: ["status": status.rawValue])
        }
    }
}
