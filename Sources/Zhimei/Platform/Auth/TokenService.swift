import Fluent
import Vapor

/// Personal API tokens: created with scopes and an expiry, shown once, listed, revoked.
enum TokenService {
    struct CreateInput: Content {
        var name: String
        var scopes: [TokenScope]
        /// Days until expiry; none means the token does not expire.
        var expiresInDays: Int?
    }

    /// Stores a new token for a user (only the secret's digest is kept) and returns it with the secret.
    static func issue(user: UUID, name: String, scopes: [TokenScope], expiresAt: Date?, on db: any Database) async throws -> (APIToken, String) {
        let prefix = String(Secrets.random(bytes: 6).prefix(8))
        let secret = "zm_\(prefix)_\(Secrets.random())"
        let token = APIToken()
        token.$user.id = user
        token.name = name
        token.prefix = "zm_\(prefix)"
        token.tokenHash = Secrets.sha256(secret)
        token.scopes = Array(Set(scopes)).sorted { $0.rawValue < $1.rawValue }
        token.expiresAt = expiresAt
        try await token.create(on: db)
        return (token, secret)
    }

    static func list(on req: Request) async throws -> [APIToken] {
        let actor = try req.requireActor()
        return try await APIToken.query(on: req.db).filter(\.$user.$id == actor.userID).sort(\.$createdAt, .descending).all()
    }

    /// Creates a token and returns it with its secret, which is never shown again.
    static func create(_ input: CreateInput, on req: Request) async throws -> (APIToken, String) {
        let actor = try req.requireActor()
        let name = try Validate.name(input.name, field: "name", max: 64)
        guard !input.scopes.isEmpty else {
            throw AppError.invalid("scopes", zh: "至少选择一个权限范围", en: "Choose at least one scope")
        }
        if let days = input.expiresInDays, !(1...3650).contains(days) {
            throw AppError.invalid("expires_in_days", zh: "有效期须为 1–3650 天", en: "Expiry must be 1–3650 days")
        }
        // A token made with a token cannot exceed the scopes of the token that made it.
        if let current = actor.tokenScopes, !Set(input.scopes).isSubset(of: current) { throw AppError.forbidden }
        let count = try await APIToken.query(on: req.db).filter(\.$user.$id == actor.userID).filter(\.$revokedAt == nil).count()
        guard count < 50 else {
            throw AppError.conflict("too_many_tokens", zh: "有效令牌过多（上限 50 个），请先撤销不用的令牌", en: "Too many active tokens (50); revoke unused ones first")
        }
        let (token, secret) = try await issue(user: actor.userID, name: name, scopes: input.scopes,
                                              expiresAt: input.expiresInDays.map { Date().addingTimeInterval(Double($0) * 86_400) }, on: req.db)
        await req.audit("token.create", tenant: actor.homeTenantID, targetType: "api_token", targetID: token.id?.uuidString ?? "",
                        after: ["name": name, "scopes": token.scopes.map(\.rawValue).joined(separator: ",")])
        return (token, secret)
    }

    static func revoke(_ id: UUID?, on req: Request) async throws -> APIToken {
        let actor = try req.requireActor()
        guard let id, let token = try await APIToken.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == actor.userID).first() else {
            throw AppError.notFound
        }
        if token.revokedAt == nil {
            token.revokedAt = Date()
            try await token.save(on: req.db)
            await req.audit("token.revoke", tenant: actor.homeTenantID, targetType: "api_token", targetID: id.uuidString, after: ["name": token.name])
        }
        return token
    }
}
