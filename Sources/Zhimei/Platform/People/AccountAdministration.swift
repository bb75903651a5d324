import Fluent
import Vapor

/// Account management for operators at the command line (`zhimei admin …`); every change is audited.
public enum AccountAdministration {
    /// Creates a person with a role in a tenant given by its slug.
    public static func createUser(username rawUsername: String, displayName: String, tenantSlug: String, roles: [Role], password: String,
                                  on app: Application) async throws -> UUID {
        let db = app.db
        let username = try Validate.username(rawUsername)
        guard let tenant = try await Tenant.query(on: db).filter(\.$slug == tenantSlug).first() else {
            throw AppError(.notFound, "tenant_not_found", zh: "找不到单位“\(tenantSlug)”", en: "No tenant with slug “\(tenantSlug)”")
        }
        if roles.contains(.platformAdmin), tenant.kind != .platform {
            throw AppError.invalid("roles", zh: "平台管理员角色只能在平台本身授予", en: "The platform-admin role can only be granted on the platform tenant")
        }
        if let problem = PasswordPolicy.check(password, username: username) { throw problem }
        if try await User.query(on: db).filter(\.$username == username).first() != nil {
            throw AppError.conflict("username_taken", zh: "用户名“\(username)”已存在", en: "The username “\(username)” already exists")
        }
        let hash = try await app.password.async.hash(password)
        let user = User(username: username, displayName: try Validate.name(displayName, field: "display_name", max: 64), email: nil,
                        passwordHash: hash, homeTenantID: try tenant.requireID())
        try await user.create(on: db)
        for role in Set(roles) { try await Membership(userID: try user.requireID(), tenantID: try tenant.requireID(), role: role).create(on: db) }
        try await AuditLog.record(AuditEvent(actorID: nil, actorName: "cli", tenantID: tenant.id, action: "user.create", targetType: "user",
                                             targetID: user.id?.uuidString ?? "", after: ["username": username, "roles": roles.map(\.rawValue).joined(separator: ",")]), on: db)
        return try user.requireID()
    }

    /// Sets a new password, unlocks the account and ends its sessions. With `mustChange`, the person must pick a new one at sign-in.
    public static func resetPassword(username: String, password: String, mustChange: Bool, on app: Application) async throws {
        let db = app.db
        guard let user = try await User.query(on: db).filter(\.$username == username.lowercased()).first() else {
            throw AppError(.notFound, "user_not_found", zh: "找不到用户“\(username)”", en: "No user “\(username)”")
        }
        if let problem = PasswordPolicy.check(password, username: user.username) { throw problem }
        user.passwordHash = try await app.password.async.hash(password)
        user.failedLogins = 0
        user.lockedUntil = nil
        user.mustChangePassword = mustChange
        if user.status == .invited { user.status = .active }
        try await user.save(on: db)
        try await SessionService.endAll(userID: try user.requireID(), on: db)
        try await AuditLog.record(AuditEvent(actorID: nil, actorName: "cli", tenantID: user.$homeTenant.id, action: "user.reset_password",
                                             targetType: "user", targetID: user.id?.uuidString ?? ""), on: db)
    }
}
