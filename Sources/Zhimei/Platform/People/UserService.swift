import Fluent
import Vapor

/// Creating, inviting, updating and disabling people, and assigning their roles per tenant.
enum UserService {
    /// Input for a new person: with a password, or without one to send an invitation link.
    struct CreateInput: Content {
        var username: String
        var displayName: String
        var email: String?
        var tenantId: UUID
        var roles: [Role]
        var password: String?
    }

    struct UpdateInput: Content {
        var displayName: String?
        var email: String?
        var language: String?
    }

    struct RolesInput: Content {
        var tenantId: UUID
        var roles: [Role]
    }

    /// A created user, with the one-time invitation link when no password was set.
    struct Created {
        var user: User
        var inviteURL: String?
    }

    /// The people the actor may manage that match the filters (the page and the API page through the same query).
    static func query(tenantID: UUID?, query: String?, status: User.Status?, on req: Request) throws -> QueryBuilder<User> {
        var q = try req.scope(for: .usersManage).query(User.self, on: req.db)
        if let tenantID { q = q.filter(\.$homeTenant.$id == tenantID) }
        if let status { q = q.filter(\.$status == status) }
        if let text = query?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 64 {
            q = q.group(.or) { $0.filter(\.$username, .contains(inverse: false, .anywhere), text.lowercased()).filter(\.$displayName, .contains(inverse: false, .anywhere), text) }
        }
        return q
    }

    /// A page of them by username (before: the first 500, and nothing past them).
    static func list(tenantID: UUID?, query text: String?, status: User.Status?, offset: Int = 0, limit: Int = 500, on req: Request) async throws -> [User] {
        let start = max(0, offset), size = max(1, min(limit, 500))
        return try await query(tenantID: tenantID, query: text, status: status, on: req).sort(\.$username).range(start..<(start + size)).all()
    }

    static func find(_ id: UUID?, on req: Request) async throws -> User {
        try await req.scope(for: .usersManage).find(User.self, id, on: req.db)
    }

    static func create(_ input: CreateInput, on req: Request) async throws -> Created {
        let scope = try req.scope(for: .usersManage)
        try scope.checkPayload(input.tenantId)
        guard let tenant = try await Tenant.find(input.tenantId, on: req.db) else { throw AppError.notFound }
        let username = try Validate.username(input.username)
        let displayName = try Validate.name(input.displayName, field: "display_name", max: 64)
        let email = try Validate.email(input.email)
        try checkAssignable(input.roles, tenant: tenant, on: req)
        if try await User.query(on: req.db).filter(\.$username == username).first() != nil {
            throw AppError.conflict("username_taken", zh: "用户名“\(username)”已存在", en: "The username “\(username)” already exists")
        }
        var inviteSecret: String?
        let hash: String
        if let password = input.password, !password.isEmpty {
            if let problem = PasswordPolicy.check(password, username: username) { throw problem }
            hash = try await req.password.async.hash(password)
        } else {
            inviteSecret = Secrets.random()
            hash = "!invited"   // not a bcrypt hash: no password can match it
        }
        let user = User(username: username, displayName: displayName, email: email, passwordHash: hash, homeTenantID: input.tenantId,
                        status: inviteSecret == nil ? .active : .invited)
        if let inviteSecret {
            user.inviteTokenHash = Secrets.sha256(inviteSecret)
            user.inviteExpiresAt = Date().addingTimeInterval(7 * 86_400)
        }
        try await req.db.transaction { db in
            try await user.create(on: db)
            for role in Set(input.roles) {
                try await Membership(userID: try user.requireID(), tenantID: input.tenantId, role: role).create(on: db)
            }
        }
        await req.audit(inviteSecret == nil ? "user.create" : "user.invite", tenant: input.tenantId, targetType: "user", targetID: user.id?.uuidString ?? "",
                        after: ["username": username, "display_name": displayName, "roles": input.roles.map(\.rawValue).sorted().joined(separator: ",")])
        return Created(user: user, inviteURL: inviteSecret.map { inviteURL($0, on: req) })
    }

    static func inviteURL(_ secret: String, on req: Request) -> String {
        req.application.zhimei.settings.publicURL + "/invite/" + secret
    }

    static func update(_ id: UUID?, _ input: UpdateInput, on req: Request) async throws -> User {
        let user = try await find(id, on: req)
        let before = ["display_name": user.displayName, "email": user.email ?? "", "language": user.language]
        if let name = input.displayName { user.displayName = try Validate.name(name, field: "display_name", max: 64) }
        if let email = input.email { user.email = try Validate.email(email) }
        if let language = input.language { user.language = try Validate.language(language) }
        try await user.save(on: req.db)
        await req.audit("user.update", tenant: user.$homeTenant.id, targetType: "user", targetID: user.id?.uuidString ?? "",
                        before: before, after: ["display_name": user.displayName, "email": user.email ?? "", "language": user.language])
        return user
    }

    /// Replaces the user's roles in one tenant.
    static func setRoles(_ id: UUID?, _ input: RolesInput, on req: Request) async throws -> [Membership] {
        let scope = try req.scope(for: .usersManage)
        try scope.checkPayload(input.tenantId)
        let user = try await find(id, on: req)
        let userID = try user.requireID()
        guard let tenant = try await Tenant.find(input.tenantId, on: req.db) else { throw AppError.notFound }
        try checkAssignable(input.roles, tenant: tenant, on: req)
        let actor = try req.requireActor()
        if userID == actor.userID, !input.roles.contains(.platformAdmin), actor.roles[input.tenantId]?.contains(.platformAdmin) == true {
            throw AppError.conflict("self_demotion", zh: "不能撤销自己的平台管理员角色", en: "You cannot remove your own platform-admin role")
        }
        let existing = try await Membership.query(on: req.db).filter(\.$user.$id == userID).filter(\.$tenant.$id == input.tenantId).all()
        let before = existing.map(\.role.rawValue).sorted().joined(separator: ",")
        if existing.contains(where: { $0.role == .platformAdmin }), !actor.isPlatformAdmin { throw AppError.forbidden }
        try await req.db.transaction { db in
            try await Membership.query(on: db).filter(\.$user.$id == userID).filter(\.$tenant.$id == input.tenantId).delete()
            for role in Set(input.roles) { try await Membership(userID: userID, tenantID: input.tenantId, role: role).create(on: db) }
        }
        let after = Set(input.roles).map(\.rawValue).sorted().joined(separator: ",")
        await req.audit("user.roles", tenant: input.tenantId, targetType: "user", targetID: userID.uuidString, before: ["roles": before], after: ["roles": after])
        return try await Membership.query(on: req.db).filter(\.$user.$id == userID).all()
    }

    static func setDisabled(_ id: UUID?, disabled: Bool, on req: Request) async throws -> User {
        let user = try await find(id, on: req)
        let userID = try user.requireID()
        if try userID == req.requireActor().userID {
            throw AppError.conflict("self_disable", zh: "不能停用自己的账户", en: "You cannot disable your own account")
        }
        let before = user.status.rawValue
        if disabled {
            user.status = .disabled
        } else if user.status == .disabled {
            user.status = user.passwordHash.hasPrefix("$2") ? .active : .invited
        }
        try await user.save(on: req.db)
        if disabled {
            try await SessionService.endAll(userID: userID, on: req.db)
        }
        await req.audit(disabled ? "user.disable" : "user.enable", tenant: user.$homeTenant.id, targetType: "user", targetID: userID.uuidString,
                        before: ["status": before], after: ["status": user.status.rawValue])
        return user
    }

    /// Issues a one-time link with which the person sets a new password; old sessions end.
    static func issueReset(_ id: UUID?, on req: Request) async throws -> String {
        let user = try await find(id, on: req)
        let secret = Secrets.random()
        user.inviteTokenHash = Secrets.sha256(secret)
        user.inviteExpiresAt = Date().addingTimeInterval(3 * 86_400)
        try await user.save(on: req.db)
        try await SessionService.endAll(userID: try user.requireID(), on: req.db)
        await req.audit("user.reset_password", tenant: user.$homeTenant.id, targetType: "user", targetID: user.id?.uuidString ?? "")
        return inviteURL(secret, on: req)
    }

    /// Completes an invitation or reset link by setting a password.
    static func acceptInvite(secret: String, password: String, on req: Request) async throws -> User {
        guard secret.count < 200, let user = try await User.query(on: req.db).filter(\.$inviteTokenHash == Secrets.sha256(secret)).first(),
              let expires = user.inviteExpiresAt, expires > Date(), user.status != .disabled else {
            throw AppError(.notFound, "invite_invalid", zh: "邀请或重置链接无效或已过期", en: "The invitation or reset link is invalid or has expired")
        }
        if let problem = PasswordPolicy.check(password, username: user.username) { throw problem }
        user.passwordHash = try await req.password.async.hash(password)
        user.inviteTokenHash = nil
        user.inviteExpiresAt = nil
        user.status = .active
        user.mustChangePassword = false
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.save(on: req.db)
        await req.audit("user.password_set", tenant: user.$homeTenant.id, targetType: "user", targetID: user.id?.uuidString ?? "", actorName: user.username)
        return user
    }

    /// Changes the signed-in person's own password and ends their other sessions.
    static func changeOwnPassword(current: String, new: String, on req: Request) async throws {
        let actor = try req.requireActor()
        guard let user = try await User.find(actor.userID, on: req.db) else { throw AppError.unauthenticated }
        guard current.count <= 256, (try? await req.password.async.verify(current, created: user.passwordHash)) == true else {
            await req.audit("user.password_change", tenant: user.$homeTenant.id, targetType: "user", targetID: actor.userID.uuidString, outcome: "denied", note: "wrong current password")
            throw AppError.invalid("current_password", zh: "当前密码不正确", en: "The current password is wrong")
        }
        if current == new {
            throw AppError.invalid("new_password", zh: "新密码不能与当前密码相同", en: "The new password must differ from the current one")
        }
        if let problem = PasswordPolicy.check(new, username: user.username) { throw problem }
        user.passwordHash = try await req.password.async.hash(new)
        user.mustChangePassword = false
        try await user.save(on: req.db)
        try await SessionService.endAll(userID: actor.userID, except: actor.sessionID, on: req.db)
        await req.audit("user.password_change", tenant: user.$homeTenant.id, targetType: "user", targetID: actor.userID.uuidString)
    }

    /// Platform-admin roles only on the platform tenant and only by platform admins.
    static func checkAssignable(_ roles: [Role], tenant: Tenant, on req: Request) throws {
        guard roles.count <= Role.allCases.count else { throw AppError.invalid("roles", zh: "角色过多", en: "Too many roles") }
        if roles.contains(.platformAdmin) {
            guard try req.requireActor().isPlatformAdmin else { throw AppError.forbidden }
            guard tenant.kind == .platform else {
                throw AppError.invalid("roles", zh: "平台管理员角色只能在平台本身授予", en: "The platform-admin role can only be granted on the platform tenant")
            }
        }
    }
}
