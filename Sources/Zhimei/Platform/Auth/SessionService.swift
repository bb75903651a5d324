import Fluent
import Vapor

/// Sign-in, sign-out and session lookup for browsers.
enum SessionService {
    static let cookieName = "zm_session"
    static let lockoutThreshold = 5
    static let lockoutDuration: TimeInterval = 15 * 60
    /// A valid bcrypt hash compared against when the user does not exist, so timing does not reveal usernames.
    static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5r0lTXKqGQqJFq1bS0YoE9c6sF1HqGW"

    /// Checks credentials; on success returns the user and a new session with its raw cookie secret.
    static func signIn(username rawUsername: String, password: String, on req: Request) async throws -> (User, UserSession, String) {
        let username = rawUsername.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let throttle = req.application.zhimei.loginThrottle
        guard await !throttle.isBlocked(req.clientIP) else {
            await req.audit("auth.login_throttled", tenant: nil, targetType: "user", targetID: username, outcome: "denied", actorName: username)
            throw AppError(.tooManyRequests, "rate_limited", zh: "登录尝试过于频繁，请稍后再试", en: "Too many sign-in attempts; try again later")
        }
        guard !username.isEmpty, username.count <= 64, !password.isEmpty, password.count <= 256 else {
            await throttle.record(req.clientIP)
            throw AppError.badLogin
        }
        guard let user = try await User.query(on: req.db).filter(\.$username == username).first() else {
            _ = try? await req.password.async.verify(password, created: decoyHash)
            await req.audit("auth.login_failed", tenant: nil, targetType: "user", targetID: username, outcome: "denied", note: "unknown user", actorName: username)
            await throttle.record(req.clientIP)
            throw AppError.badLogin
        }
        let tenantID = user.$homeTenant.id
        if let lockedUntil = user.lockedUntil, lockedUntil > Date() {
            await req.audit("auth.login_locked", tenant: tenantID, targetType: "user", targetID: user.id?.uuidString ?? "", outcome: "denied", actorName: username)
            await throttle.record(req.clientIP)
            throw AppError(.tooManyRequests, "account_locked", zh: "密码错误次数过多，账户已临时锁定 15 分钟", en: "Too many wrong passwords; the account is locked for 15 minutes")
        }
        let valid = (try? await req.password.async.verify(password, created: user.passwordHash)) ?? false
        guard valid, user.status == .active else {
            if user.status == .disabled {
                await req.audit("auth.login_failed", tenant: tenantID, targetType: "user", targetID: user.id?.uuidString ?? "", outcome: "denied", note: "disabled", actorName: username)
                throw AppError(.forbidden, "account_disabled", zh: "该账户已停用，请联系管理员", en: "This account is disabled; contact an administrator")
            }
            user.failedLogins += 1
            var note = "wrong password (\(user.failedLogins))"
            if user.failedLogins >= lockoutThreshold {
                user.lockedUntil = Date().addingTimeInterval(lockoutDuration)
                user.failedLogins = 0
                note = "wrong password; account locked"
            }
            try await user.save(on: req.db)
            await req.audit("auth.login_failed", tenant: tenantID, targetType: "user", targetID: user.id?.uuidString ?? "", outcome: "denied", note: note, actorName: username)
            await throttle.record(req.clientIP)
            throw AppError.badLogin
        }
        user.failedLogins = 0
        user.lockedUntil = nil
        user.lastLoginAt = Date()
        try await user.save(on: req.db)

        let secret = Secrets.random()
        let session = UserSession()
        session.tokenHash = Secrets.sha256(secret)
        session.$user.id = try user.requireID()
        session.csrfToken = Secrets.random(bytes: 24)
        session.activeTenantID = tenantID
        session.ip = req.clientIP
        session.userAgent = String((req.headers.first(name: .userAgent) ?? "").prefix(250))
        session.lastSeenAt = Date()
        session.expiresAt = Date().addingTimeInterval(req.application.zhimei.settings.sessionLifetime)
        try await session.create(on: req.db)
        await req.audit("auth.login", tenant: tenantID, targetType: "user", targetID: user.id?.uuidString ?? "", actorName: username)
        return (user, session, secret)
    }

    /// The session cookie, `Secure` unless the site is served over plain HTTP to a non-local host.
    static func cookie(_ value: String, for req: Request, maxAge: Int?) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, expires: maxAge == 0 ? Date(timeIntervalSince1970: 0) : nil, maxAge: maxAge, path: "/",
                          isSecure: secureCookies(req), isHTTPOnly: true, sameSite: .lax)
    }

    static func secureCookies(_ req: Request) -> Bool {
        let settings = req.application.zhimei.settings
        if settings.publicURL.hasPrefix("https://") { return true }
        if req.headers.first(name: "X-Forwarded-Proto") == "https" { return true }
        let host = (req.headers.first(name: .host) ?? "").split(separator: ":").first.map(String.init) ?? ""
        // Browsers accept Secure cookies from localhost over plain HTTP.
        return host == "localhost" || host == "127.0.0.1"
    }

    /// Ends a session.
    static func signOut(_ sessionID: UUID, on db: any Database) async throws {
        try await UserSession.query(on: db).filter(\.$id == sessionID).set(\.$endedAt, to: Date()).update()
    }

    /// Ends every session of a user (after a password change or when the account is disabled).
    static func endAll(userID: UUID, except: UUID? = nil, on db: any Database) async throws {
        var query = UserSession.query(on: db).filter(\.$user.$id == userID).filter(\.$endedAt == nil)
        if let except { query = query.filter(\.$id != except) }
        try await query.set(\.$endedAt, to: Date()).update()
    }
}
