import Fluent
import Vapor

/// Seeds the demo installation: a provincial platform, three county centres and their staff.
/// Idempotent: existing tenants and people are left as they are.
public enum DemoData {
    public static let password = "Zhimei@2026"
    public static let platform = (slug: "hunan", name: "湖南融媒体云", region: "湖南省")
    public static let counties: [(slug: String, name: String, region: String)] = [
        ("liuyang", "浏阳市融媒体中心", "湖南省长沙市浏阳市"),
        ("ningxiang", "宁乡市融媒体中心", "湖南省长沙市宁乡市"),
        ("shaoshan", "韶山市融媒体中心", "湖南省湘潭市韶山市"),
    ]
    public static let staff: [(suffix: String, name: String, role: Role)] = [
        ("reporter", "记者", .reporter), ("editor", "编辑", .editor), ("chief", "总编辑", .chiefEditor), ("admin", "管理员", .tenantAdmin),
    ]

    /// Creates what is missing; returns the number of records created.
    @discardableResult
    public static func seed(on db: any Database, passwordHasher: @Sendable (String) throws -> String) async throws -> Int {
        var created = 0
        let hash = try passwordHasher(password)
        let platformTenant = try await ensureTenant(slug: platform.slug, name: platform.name, region: platform.region, kind: .platform, parent: nil, on: db, created: &created)
        let platformID = try platformTenant.requireID()
        try await ensureUser("admin", "平台管理员", tenant: platformID, role: .platformAdmin, hash: hash, on: db, created: &created)
        try await ensureUser("hunan-editor", "省平台编辑", tenant: platformID, role: .editor, hash: hash, on: db, created: &created)
        for county in counties {
            let tenant = try await ensureTenant(slug: county.slug, name: county.name, region: county.region, kind: .county, parent: platformID, on: db, created: &created)
            let shortName = county.name.replacingOccurrences(of: "融媒体中心", with: "")
            for member in staff {
                try await ensureUser("\(county.slug)-\(member.suffix)", "\(shortName)\(member.name)", tenant: try tenant.requireID(), role: member.role, hash: hash, on: db, created: &created)
            }
        }
        if created > 0 {
            try await AuditLog.record(AuditEvent(actorID: nil, actorName: "system", tenantID: platformID, action: "demo.seed", note: "created \(created) records"), on: db)
        }
        return created
    }

    private static func ensureTenant(slug: String, name: String, region: String, kind: Tenant.Kind, parent: UUID?, on db: any Database, created: inout Int) async throws -> Tenant {
        if let existing = try await Tenant.query(on: db).filter(\.$slug == slug).first() { return existing }
        let tenant = Tenant(slug: slug, name: name, kind: kind, parentID: parent, region: region, settings: TenantSettings(displayName: name))
        try await tenant.create(on: db)
        created += 1
        return tenant
    }

    static func ensureUser(_ username: String, _ name: String, tenant: UUID, role: Role, hash: String, on db: any Database, created: inout Int) async throws {
        guard try await User.query(on: db).filter(\.$username == username).first() == nil else { return }
        let user = User(username: username, displayName: name, email: "\(username)@demo.zhimei.local", passwordHash: hash, homeTenantID: tenant)
        try await user.create(on: db)
        try await Membership(userID: try user.requireID(), tenantID: tenant, role: role).create(on: db)
        created += 1
    }
}
