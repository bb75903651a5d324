import Fluent
import Vapor

/// Resolves the actor from a bearer API token or the session cookie. Routes then decide
/// (through their declared `Access`) whether an actor is required.
struct ActorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            request.actor = try await actor(forToken: bearer.token, on: request)
        } else if let cookie = request.cookies[SessionService.cookieName]?.string, !cookie.isEmpty {
            request.actor = try await actor(forSession: cookie, on: request)
        }
        let response = try await next.respond(to: request)
        if request.sessionExpired, request.actor == nil {
            response.cookies[SessionService.cookieName] = SessionService.cookie("", for: request, maxAge: 0)
        }
        return response
    }

    private func actor(forToken token: String, on req: Request) async throws -> Actor {
        guard token.hasPrefix("zm_"), token.count < 200,
              let record = try await APIToken.query(on: req.db).filter(\.$tokenHash == Secrets.sha256(token)).first(),
              record.isUsable else {
            await req.audit("auth.token_rejected", tenant: nil, targetType: "api_token", targetID: String(token.prefix(11)), outcome: "denied")
            throw AppError.tokenRevoked
        }
        guard let user = try await User.find(record.$user.id, on: req.db), user.status == .active else { throw AppError.tokenRevoked }
        if (record.lastUsedAt.map { Date().timeIntervalSince($0) > 60 } ?? true) {
            record.lastUsedAt = Date()
            try await record.save(on: req.db)
        }
        return try await Self.makeActor(user: user, session: nil, tokenID: record.id, scopes: Set(record.scopes), on: req.db)
    }

    private func actor(forSession secret: String, on req: Request) async throws -> Actor? {
        guard secret.count < 200,
              let session = try await UserSession.query(on: req.db).filter(\.$tokenHash == Secrets.sha256(secret)).first(),
              session.endedAt == nil, session.expiresAt > Date() else {
            req.sessionExpired = true
            return nil
        }
        guard let user = try await User.find(session.$user.id, on: req.db), user.status == .active else {
            req.sessionExpired = true
            return nil
        }
        // Sliding expiry, written at most once a minute.
        if Date().timeIntervalSince(session.lastSeenAt) > 60 {
            session.lastSeenAt = Date()
            session.expiresAt = Date().addingTimeInterval(req.application.zhimei.settings.sessionLifetime)
            try await session.save(on: req.db)
        }
        return try await Self.makeActor(user: user, session: session, tokenID: nil, scopes: nil, on: req.db)
    }

    static func makeActor(user: User, session: UserSession?, tokenID: UUID?, scopes: Set<TokenScope>?, on db: any Database) async throws -> Actor {
        let userID = try user.requireID()
        let memberships = try await Membership.query(on: db).filter(\.$user.$id == userID).all()
        var roles: [UUID: Set<Role>] = [:]
        for m in memberships { roles[m.$tenant.id, default: []].insert(m.role) }
        let active = session?.activeTenantID.flatMap { roles[$0] != nil ? $0 : nil } ?? user.$homeTenant.id
        return Actor(userID: userID, username: user.username, displayName: user.displayName, homeTenantID: user.$homeTenant.id,
                     roles: roles, tokenScopes: scopes, tokenID: tokenID, sessionID: session?.id, csrfToken: session?.csrfToken,
                     activeTenantID: active, language: user.language, mustChangePassword: user.mustChangePassword)
    }
}

extension Request {
    private struct SessionExpiredKey: StorageKey { typealias Value = Bool }

    /// True when the request carried a session cookie that is no longer valid.
    var sessionExpired: Bool {
        get { storage[SessionExpiredKey.self] ?? false }
        set { storage[SessionExpiredKey.self] = newValue }
    }
}
