import Fluent
import Vapor

/// The signed-in person's own pages: profile and roles, password, API tokens.
struct AccountPages {
    struct RoleRow: Encodable { var tenant: String; var role: String }
    struct AccountView: Encodable { var username: String; var displayName: String; var email: String; var roles: [RoleRow]; var lastLogin: String }
    struct PasswordView: Encodable { var mustChange: Bool }
    struct TokenRow: Encodable { var id: String; var name: String; var prefix: String; var scopes: String; var expires: String; var lastUsed: String; var revoked: Bool; var created: String }
    struct TokensView: Encodable { var tokens: [TokenRow]; var scopes: [String] }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "account", access: .authenticated, use: account)
        routes.page(.GET, "account", "password", access: .authenticated, use: password)
        routes.page(.GET, "account", "tokens", access: .authenticated, use: tokens)
    }

    @Sendable func account(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        guard let user = try await User.find(actor.userID, on: req.db) else { throw AppError.unauthenticated }
        let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == actor.userID).with(\.$tenant).all()
        let roles = memberships.map { RoleRow(tenant: $0.tenant.name, role: AdminPages.roleLabel($0.role, lang)) }
        return try await PageContext.render("account/index", titleKey: "account.title", section: "account",
                                            body: AccountView(username: user.username, displayName: user.displayName, email: user.email ?? "", roles: roles,
                                                              lastLogin: DisplayTime.format(user.lastLoginAt)), on: req)
    }

    @Sendable func password(_ req: Request) async throws -> View {
        try await PageContext.render("account/password", titleKey: "password.title", section: "account",
                                     body: PasswordView(mustChange: try req.requireActor().mustChangePassword), on: req)
    }

    @Sendable func tokens(_ req: Request) async throws -> View {
        let rows = try await TokenService.list(on: req).map { t in
            TokenRow(id: t.id?.uuidString ?? "", name: t.name, prefix: t.prefix, scopes: t.scopes.map(\.rawValue).joined(separator: ", "),
                     expires: DisplayTime.format(t.expiresAt), lastUsed: DisplayTime.format(t.lastUsedAt), revoked: !t.isUsable, created: DisplayTime.format(t.createdAt))
        }
        return try await PageContext.render("account/tokens", titleKey: "tokens.title", section: "tokens",
                                            body: TokensView(tokens: rows, scopes: TokenScope.allCases.map(\.rawValue)), on: req)
    }
}
