import Fluent
import Vapor

/// Tenants and people: created, configured, invited, disabled, given roles.
struct AdminAPI {
    func register(_ api: RoutesBuilder) {
        api.endpoint(.GET, "tenants", access: .permission(.tenantRead), doc: .init("List tenants you can see / 单位列表", tag: "admin", response: .array(.ref("Tenant"))), use: listTenants)
        api.endpoint(.POST, "tenants", access: .permission(.tenantsCreate),
                     doc: .init("Create a county centre (platform admin) / 新建县级中心", tag: "admin",
                                request: .object([("name", .string(maxLength: 100)), ("slug", .string(maxLength: 40)), ("region", .nullable(.string(maxLength: 100))),
                                                  ("settings", .ref("TenantSettings"))], required: ["name", "slug"]),
                                response: .ref("Tenant"), status: 201), use: createTenant)
        api.endpoint(.GET, "tenants", ":tenantID", access: .permission(.tenantRead), doc: .init("One tenant / 单位详情", tag: "admin", response: .ref("Tenant")), use: getTenant)
        api.endpoint(.PATCH, "tenants", ":tenantID", access: .permission(.tenantSettings),
                     doc: .init("Change a tenant's settings / 修改单位设置", tag: "admin",
                                request: .object([("name", .string(maxLength: 100)), ("region", .string(maxLength: 100)), ("settings", .ref("TenantSettings")), ("disabled", .boolean)], required: []),
                                response: .ref("Tenant")), use: updateTenant)

        api.endpoint(.GET, "users", access: .permission(.usersManage),
                     doc: .init("List people / 用户列表", tag: "admin", response: .array(.ref("User")),
                                query: [("tenant_id", .uuid, "Only people of this tenant"), ("q", .string(maxLength: 64), "Username or name contains"),
                                        ("status", .enumeration(["active", "invited", "disabled"]), "Account state"),
                                        ("limit", .integer(minimum: 1, maximum: 500), "Page size (default 500)"),
                                        ("offset", .integer(minimum: 0, maximum: 1_000_000), "Skip this many (by username)")]), use: listUsers)
        api.endpoint(.POST, "users", access: .permission(.usersManage),
                     doc: .init("Create or invite a person (no password = invitation link) / 新建或邀请用户", tag: "admin",
                                request: .object([("username", .string(maxLength: 32)), ("display_name", .string(maxLength: 64)), ("email", .nullable(.string(maxLength: 200))),
                                                  ("tenant_id", .uuid), ("roles", .array(.enumeration(PlatformSchemas.roleNames))), ("password", .nullable(.string(maxLength: 128)))],
                                                 required: ["username", "display_name", "tenant_id", "roles"]),
                                response: .ref("User"), status: 201), use: createUser)
        api.endpoint(.GET, "users", ":userID", access: .permission(.usersManage), doc: .init("One person / 用户详情", tag: "admin", response: .ref("User")), use: getUser)
        api.endpoint(.PATCH, "users", ":userID", access: .permission(.usersManage),
                     doc: .init("Update a person / 修改用户", tag: "admin",
                                request: .object([("display_name", .string(maxLength: 64)), ("email", .nullable(.string(maxLength: 200))), ("language", .enumeration(["zh", "en"]))], required: []),
                                response: .ref("User")), use: updateUser)
        api.endpoint(.PUT, "users", ":userID", "roles", access: .permission(.usersManage),
                     doc: .init("Set a person's roles in one tenant / 设置角色", tag: "admin",
                                request: .object([("tenant_id", .uuid), ("roles", .array(.enumeration(PlatformSchemas.roleNames)))], required: ["tenant_id", "roles"]),
                                response: .ref("User")), use: setRoles)
        api.endpoint(.POST, "users", ":userID", "disable", access: .permission(.usersManage), doc: .init("Disable a person / 停用用户", tag: "admin", response: .ref("User")), use: disableUser)
        api.endpoint(.POST, "users", ":userID", "enable", access: .permission(.usersManage), doc: .init("Enable a person / 启用用户", tag: "admin", response: .ref("User")), use: enableUser)
        api.endpoint(.POST, "users", ":userID", "reset-password", access: .permission(.usersManage),
                     doc: .init("Issue a password-reset link / 生成重置密码链接", tag: "admin", response: .ref("User")), use: resetPassword)
    }

    @Sendable func listTenants(_ req: Request) async throws -> [TenantDTO] {
        try await TenantService.list(on: req).map(TenantDTO.init)
    }

    @Sendable func createTenant(_ req: Request) async throws -> Response {
        let tenant = try await TenantService.create(try req.content.decode(TenantService.CreateInput.self), on: req)
        return try await TenantDTO(tenant).encodeResponse(status: .created, for: req)
    }

    @Sendable func getTenant(_ req: Request) async throws -> TenantDTO {
        TenantDTO(try await req.scope(for: .tenantRead).find(Tenant.self, req.parameters.get("tenantID", as: UUID.self), on: req.db))
    }

    @Sendable func updateTenant(_ req: Request) async throws -> TenantDTO {
        TenantDTO(try await TenantService.update(req.parameters.get("tenantID", as: UUID.self), try req.content.decode(TenantService.UpdateInput.self), on: req))
    }

    /// A user with the memberships the actor may see.
    static func dto(_ user: User, on req: Request, inviteURL: String? = nil) async throws -> UserDTO {
        let scope = try req.scope(for: .usersManage)
        let memberships = try await scope.query(Membership.self, on: req.db).filter(\.$user.$id == user.requireID()).all()
        return UserDTO(user, memberships: memberships, inviteURL: inviteURL)
    }

    @Sendable func listUsers(_ req: Request) async throws -> [UserDTO] {
        let status: User.Status? = try Validate.choice(try req.query.get(String?.self, at: "status"), field: "status")
        let tenantID = try Self.optionalUUID(req, "tenant_id")
        let page = try ListPage(req, standard: 500, largest: 500, largestOffset: 1_000_000)
        let users = try await UserService.list(tenantID: tenantID, query: try req.query.get(String?.self, at: "q"), status: status,
                                               offset: page.offset, limit: page.limit, on: req)
        let scope = try req.scope(for: .usersManage)
        let ids = users.compactMap(\.id)
        let memberships = ids.isEmpty ? [] : try await scope.query(Membership.self, on: req.db).filter(\.$user.$id ~~ ids).all()
        let byUser = Dictionary(grouping: memberships, by: { $0.$user.id })
        return users.map { UserDTO($0, memberships: byUser[$0.id ?? UUID()] ?? []) }
    }

    static func optionalUUID(_ req: Request, _ name: String) throws -> UUID? {
        guard let raw = try? req.query.get(String.self, at: name), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else { throw AppError.invalid(name, zh: "“\(name)”不是有效的 ID", en: "“\(name)” is not a valid ID") }
        return id
    }

    @Sendable func createUser(_ req: Request) async throws -> Response {
        let created = try await UserService.create(try req.content.decode(UserService.CreateInput.self), on: req)
        return try await Self.dto(created.user, on: req, inviteURL: created.inviteURL).encodeResponse(status: .created, for: req)
    }

    @Sendable func getUser(_ req: Request) async throws -> UserDTO {
        try await Self.dto(try await UserService.find(req.parameters.get("userID", as: UUID.self), on: req), on: req)
    }

    @Sendable func updateUser(_ req: Request) async throws -> UserDTO {
        let user = try await UserService.update(req.parameters.get("userID", as: UUID.self), try req.content.decode(UserService.UpdateInput.self), on: req)
        return try await Self.dto(user, on: req)
    }

    @Sendable func setRoles(_ req: Request) async throws -> UserDTO {
        let id = req.parameters.get("userID", as: UUID.self)
        _ = try await UserService.setRoles(id, try req.content.decode(UserService.RolesInput.self), on: req)
        return try await Self.dto(try await UserService.find(id, on: req), on: req)
    }

    @Sendable func disableUser(_ req: Request) async throws -> UserDTO {
        try await Self.dto(try await UserService.setDisabled(req.parameters.get("userID", as: UUID.self), disabled: true, on: req), on: req)
    }

    @Sendable func enableUser(_ req: Request) async throws -> UserDTO {
        try await Self.dto(try await UserService.setDisabled(req.parameters.get("userID", as: UUID.self), disabled: false, on: req), on: req)
    }

    @Sendable func resetPassword(_ req: Request) async throws -> UserDTO {
        let id = req.parameters.get("userID", as: UUID.self)
        let url = try await UserService.issueReset(id, on: req)
        return try await Self.dto(try await UserService.find(id, on: req), on: req, inviteURL: url)
    }
}
