import Vapor

/// Who is making a request and what they may do in which tenant.
public struct Actor: Sendable {
    public let userID: UUID
    public let username: String
    public let displayName: String
    public let homeTenantID: UUID
    /// Roles per tenant.
    public let roles: [UUID: Set<Role>]
    /// Set for requests authenticated with an API token: the token's scopes cap the permissions.
    public let tokenScopes: Set<TokenScope>?
    public let tokenID: UUID?
    /// Set for browser sessions.
    public let sessionID: UUID?
    public let csrfToken: String?
    /// The tenant the UI is working in.
    public let activeTenantID: UUID
    public let language: String
    public let mustChangePassword: Bool

    public var isPlatformAdmin: Bool {
        roles.values.contains { $0.contains(.platformAdmin) }
    }

    /// Permissions in a tenant, capped by token scopes. A platform admin holds every permission everywhere.
    public func permissions(in tenantID: UUID) -> Set<Permission> {
        var granted: Set<Permission> = isPlatformAdmin ? Set(Permission.allCases) : []
        for role in roles[tenantID] ?? [] { granted.formUnion(role.permissions) }
        return capped(granted)
    }

    public func can(_ permission: Permission, in tenantID: UUID) -> Bool {
        permissions(in: tenantID).contains(permission)
    }

    /// True when the actor holds the permission in at least one tenant.
    public func canAnywhere(_ permission: Permission) -> Bool {
        if isPlatformAdmin { return capped([permission]).contains(permission) }
        return roles.keys.contains { can(permission, in: $0) }
    }

    /// The tenants where the actor holds a permission; `.all` for a platform admin.
    public func scope(for permission: Permission) -> TenantScope {
        if isPlatformAdmin, capped([permission]).contains(permission) { return .all }
        return .only(Set(roles.keys.filter { can(permission, in: $0) }))
    }

    private func capped(_ permissions: Set<Permission>) -> Set<Permission> {
        guard let scopes = tokenScopes else { return permissions }
        return permissions.filter { scopes.contains($0.tokenScope) }
    }
}

extension Request {
    private struct ActorKey: StorageKey { typealias Value = Actor }

    /// The signed-in actor, if any (set by `ActorMiddleware`).
    public var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    public func requireActor() throws -> Actor {
        guard let actor else { throw AppError.unauthenticated }
        return actor
    }

    /// The tenants where the current actor holds `permission`; 403 when there are none.
    public func scope(for permission: Permission) throws -> TenantScope {
        let scope = try requireActor().scope(for: permission)
        if case .only(let ids) = scope, ids.isEmpty { throw AppError.forbidden }
        return scope
    }

    /// The tenant a settings page shows: the active one, or the first (by name) the person may manage when they may not
    /// manage the active one; 403 when there is none.
    public func tenantForSettings(_ permission: Permission = .tenantSettings) async throws -> UUID {
        let actor = try requireActor()
        if actor.can(permission, in: actor.activeTenantID) { return actor.activeTenantID }
        guard let first = try await scope(for: permission).query(Tenant.self, on: db).sort(\.$name).first() else { throw AppError.forbidden }
        return try first.requireID()
    }

    /// The client's address for audit entries and rate limits.
    public var clientIP: String {
        if let forwarded = headers.first(name: "X-Forwarded-For")?.split(separator: ",").first,
           application.trustForwardedFor {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "-"
    }
}
