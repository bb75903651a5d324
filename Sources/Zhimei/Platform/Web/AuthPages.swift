import Fluent
import Vapor

/// Sign-in, sign-out, language switch and invitation pages. These are real form posts,
/// so signing in works without JavaScript.
struct AuthPages {
    struct LoginView: Encodable { var next: String; var error: String?; var username: String; var preCSRF: String; var notice: String? }
    struct InviteView: Encodable { var secret: String; var error: String?; var preCSRF: String }
    struct LoginForm: Content { var username: String; var password: String; var next: String? }
    struct InviteForm: Content { var password: String; var confirm: String }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "login", access: .anonymous, use: loginPage)
        routes.page(.POST, "login", access: .anonymous, use: login)
        routes.page(.POST, "logout", access: .authenticated, use: logout)
        routes.page(.GET, "lang", ":code", access: .anonymous, use: switchLanguage)
        routes.page(.GET, "invite", ":secret", access: .anonymous, use: invitePage)
        routes.page(.POST, "invite", ":secret", access: .anonymous, use: acceptInvite)
    }

    /// Only same-site paths are allowed as redirect targets.
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.hasPrefix("/\\"), raw.count < 500,
              !raw.contains("\r"), !raw.contains("\n") else { return "/" }
        return raw
    }

    private func renderLogin(_ req: Request, next: String, error: String?, username: String = "", notice: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let token = Secrets.random(bytes: 18)
        let view = try await PageContext.render("login", titleKey: "login.title", section: "login",
                                                body: LoginView(next: next, error: error, username: username, preCSRF: token, notice: notice), on: req)
        let response = try await view.encodeResponse(status: status, for: req)
        response.cookies[CSRF.preSessionCookie] = HTTPCookies.Value(string: token, maxAge: 3600, path: "/", isSecure: SessionService.secureCookies(req), isHTTPOnly: true, sameSite: .strict)
        return response
    }

    @Sendable func loginPage(_ req: Request) async throws -> Response {
        if req.actor != nil { return req.redirect(to: Self.safeNext(try? req.query.get(String.self, at: "next"))) }
        let notice = (try? req.query.get(String.self, at: "done")) != nil ? Localizer.text("invite.done", Localizer.language(of: req)) : nil
        return try await renderLogin(req, next: Self.safeNext(try? req.query.get(String.self, at: "next")), error: nil, notice: notice)
    }

    @Sendable func login(_ req: Request) async throws -> Response {
        let lang = Localizer.language(of: req)
        guard let form = try? req.content.decode(LoginForm.self) else {
            return try await renderLogin(req, next: "/", error: lang == "en" ? "Enter a username and password" : "请输入用户名和密码", status: .badRequest)
        }
        let next = Self.safeNext(form.next)
        do {
            try CSRF.verifyPreSession(req)
            let (_, _, secret) = try await SessionService.signIn(username: form.username, password: form.password, on: req)
            let response = req.redirect(to: next)
            response.cookies[SessionService.cookieName] = SessionService.cookie(secret, for: req, maxAge: nil)
            response.cookies[CSRF.preSessionCookie] = HTTPCookies.Value(string: "", maxAge: 0, path: "/")
            return response
        } catch let error as AppError {
            return try await renderLogin(req, next: next, error: lang == "en" ? error.en : error.zh, username: String(form.username.prefix(64)), status: error.status)
        }
    }

    @Sendable func logout(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        if let id = actor.sessionID { try await SessionService.signOut(id, on: req.db) }
        await req.audit("auth.logout", tenant: actor.homeTenantID, targetType: "user", targetID: actor.userID.uuidString)
        let response = req.redirect(to: "/login")
        response.cookies[SessionService.cookieName] = SessionService.cookie("", for: req, maxAge: 0)
        return response
    }

    @Sendable func switchLanguage(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") == "en" ? "en" : "zh"
        let response = req.redirect(to: Self.safeNext(try? req.query.get(String.self, at: "back")))
        response.cookies["zm_lang"] = HTTPCookies.Value(string: code, maxAge: 365 * 86_400, path: "/", isSecure: false, isHTTPOnly: false, sameSite: .lax)
        if let actor = req.actor, let user = try await User.find(actor.userID, on: req.db), user.language != code {
            user.language = code
            try await user.save(on: req.db)
        }
        return response
    }

    private func renderInvite(_ req: Request, secret: String, error: String?, status: HTTPStatus = .ok) async throws -> Response {
        let token = Secrets.random(bytes: 18)
        let view = try await PageContext.render("invite", titleKey: "invite.title", section: "login",
                                                body: InviteView(secret: secret, error: error, preCSRF: token), on: req)
        let response = try await view.encodeResponse(status: status, for: req)
        response.cookies[CSRF.preSessionCookie] = HTTPCookies.Value(string: token, maxAge: 3600, path: "/", isSecure: SessionService.secureCookies(req), isHTTPOnly: true, sameSite: .strict)
        return response
    }

    @Sendable func invitePage(_ req: Request) async throws -> Response {
        let secret = req.parameters.get("secret") ?? ""
        guard secret.count < 200, let user = try await User.query(on: req.db).filter(\.$inviteTokenHash == Secrets.sha256(secret)).first(),
              let expires = user.inviteExpiresAt, expires > Date() else {
            throw AppError(.notFound, "invite_invalid", zh: "邀请或重置链接无效或已过期", en: "The invitation or reset link is invalid or has expired")
        }
        return try await renderInvite(req, secret: secret, error: nil)
    }

    @Sendable func acceptInvite(_ req: Request) async throws -> Response {
        let lang = Localizer.language(of: req)
        let secret = req.parameters.get("secret") ?? ""
        guard let form = try? req.content.decode(InviteForm.self) else {
            return try await renderInvite(req, secret: secret, error: Localizer.text("password.policy", lang), status: .badRequest)
        }
        guard form.password == form.confirm else {
            return try await renderInvite(req, secret: secret, error: Localizer.text("password.mismatch", lang), status: .unprocessableEntity)
        }
        do {
            try CSRF.verifyPreSession(req)
            _ = try await UserService.acceptInvite(secret: secret, password: form.password, on: req)
            return req.redirect(to: "/login?done=1")
        } catch let error as AppError where error.code != "invite_invalid" {
            return try await renderInvite(req, secret: secret, error: lang == "en" ? error.en : error.zh, status: error.status)
        }
    }
}
