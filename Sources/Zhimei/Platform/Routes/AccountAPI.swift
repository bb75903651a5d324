import Fluent
import Vapor

/// Sign-in, sign-out, the current person, their password and their API tokens.
struct AccountAPI {
    struct LoginInput: Content { var username: String; var password: String }
    struct PasswordInput: Content { var currentPassword: String; var newPassword: String }
    struct SwitchTenantInput: Content { var tenantId: UUID }

    func register(_ api: RoutesBuilder) {
        api.endpoint(.POST, "session", access: .anonymous,
                     doc: .init("Sign in (sets the session cookie) / 登录", tag: "account",
                                request: .object([("username", .string(maxLength: 64)), ("password", .string(maxLength: 256))], required: ["username", "password"]),
                                response: .ref("Me")), use: login)
        api.endpoint(.DELETE, "session", access: .authenticated, doc: .init("Sign out / 退出登录", tag: "account", status: 204), use: logout)
        api.endpoint(.GET, "me", access: .authenticated, doc: .init("The signed-in person / 当前用户", tag: "account", response: .ref("Me")), use: me)
        api.endpoint(.PUT, "me", "tenant", access: .authenticated,
                     doc: .init("Switch the active tenant / 切换当前单位", tag: "account",
                                request: .object([("tenant_id", .uuid)], required: ["tenant_id"]), response: .ref("Me")), use: switchTenant)
        api.endpoint(.POST, "me", "password", access: .authenticated,
                     doc: .init("Change own password / 修改密码", tag: "account",
                                request: .object([("current_password", .string(maxLength: 256)), ("new_password", .string(maxLength: 256))], required: ["current_password", "new_password"]),
                                status: 204), use: changePassword)
        api.endpoint(.GET, "tokens", access: .authenticated, doc: .init("List own API tokens / 我的 API 令牌", tag: "account", response: .array(.ref("Token"))), use: listTokens)
        api.endpoint(.POST, "tokens", access: .authenticated,
                     doc: .init("Create an API token (secret shown once) / 创建 API 令牌", tag: "account",
                                request: .object([("name", .string(maxLength: 64)), ("scopes", .array(.enumeration(TokenScope.allCases.map(\.rawValue)))),
                                                  ("expires_in_days", .nullable(.integer(minimum: 1, maximum: 3650)))], required: ["name", "scopes"]),
                                response: .ref("Token"), status: 201), use: createToken)
        api.endpoint(.DELETE, "tokens", ":tokenID", access: .authenticated,
                     doc: .init("Revoke an API token / 撤销令牌", tag: "account", response: .ref("Token")), use: revokeToken)
    }

    @Sendable func login(_ req: Request) async throws -> Response {
        let input = try req.content.decode(LoginInput.self)
        let (user, session, secret) = try await SessionService.signIn(username: input.username, password: input.password, on: req)
        let actor = try await ActorMiddleware.makeActor(user: user, session: session, tokenID: nil, scopes: nil, on: req.db)
        req.actor = actor
        let response = try await Self.me(actor, user: user, on: req).encodeResponse(for: req)
        response.cookies[SessionService.cookieName] = SessionService.cookie(secret, for: req, maxAge: nil)
        return response
    }

    @Sendable func logout(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        if let id = actor.sessionID { try await SessionService.signOut(id, on: req.db) }
        await req.audit("auth.logout", tenant: actor.homeTenantID, targetType: "user", targetID: actor.userID.uuidString)
        let response = Response(status: .noContent)
        response.cookies[SessionService.cookieName] = SessionService.cookie("", for: req, maxAge: 0)
        return response
    }

    @Sendable func me(_ req: Request) async throws -> MeDTO {
        let actor = try req.requireActor()
        guard let user = try await User.find(actor.userID, on: req.db) else { throw AppError.unauthenticated }
        return try await Self.me(actor, user: user, on: req)
    }

    static func me(_ actor: Actor, user: User, on req: Request) async throws -> MeDTO {
        let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == actor.userID).all()
        var permissions: [String: [Permission]] = [:]
        for tenantID in Set(actor.roles.keys) {
            permissions[tenantID.uuidString.lowercased()] = actor.permissions(in: tenantID).sorted { $0.rawValue < $1.rawValue }
        }
        return MeDTO(user: UserDTO(user, memberships: memberships), activeTenantId: actor.activeTenantID,
                     isPlatformAdmin: actor.isPlatformAdmin, permissions: permissions, csrfToken: actor.csrfToken)
    }

    @Sendable func switchTenant(_ req: Request) async throws -> MeDTO {
        let actor = try req.requireActor()
        let input = try req.content.decode(SwitchTenantInput.self)
        let exists = try await Tenant.find(input.tenantId, on: req.db) != nil
        guard exists, actor.roles[input.tenantId] != nil || actor.isPlatformAdmin else { throw AppError.notFound }
        guard let sessionID = actor.sessionID, let session = try await UserSession.find(sessionID, on: req.db) else {
            throw AppError.badRequest(zh: "只有浏览器会话可以切换单位", en: "Only browser sessions can switch tenants")
        }
        session.activeTenantID = input.tenantId
        try await session.save(on: req.db)
        guard let user = try await User.find(actor.userID, on: req.db) else { throw AppError.unauthenticated }
        let updated = try await ActorMiddleware.makeActor(user: user, session: session, tokenID: nil, scopes: nil, on: req.db)
        return try await Self.me(updated, user: user, on: req)
    }

    @Sendable func changePassword(_ req: Request) async throws -> HTTPStatus {
        let input = try req.content.decode(PasswordInput.self)
        try await UserService.changeOwnPassword(current: input.currentPassword, new: input.newPassword, on: req)
        return .noContent
    }

    @Sendable func listTokens(_ req: Request) async throws -> [TokenDTO] {
        try await TokenService.list(on: req).map { TokenDTO($0) }
    }

    @Sendable func createToken(_ req: Request) async throws -> Response {
        let (token, secret) = try await TokenService.create(try req.content.decode(TokenService.CreateInput.self), on: req)
        return try await TokenDTO(token, secret: secret).encodeResponse(status: .created, for: req)
    }

    @Sendable func revokeToken(_ req: Request) async throws -> TokenDTO {
        TokenDTO(try await TokenService.revoke(req.parameters.get("tokenID", as: UUID.self), on: req))
    }
}
