import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Sign-in, lockout, sessions, CSRF and passwords.
final class AuthTests: XCTestCase {
    struct Login: Encodable { var username: String; var password: String }

    func testLoginSetsSecureHttpOnlyCookieAndReturnsCSRFToken() async throws {
        try await withTestApp { t in
            let res = try await t.send(.POST, "/api/v1/session", headers: ["Host": "localhost:8080"], json: Login(username: "liuyang-editor", password: DemoData.password))
            XCTAssertEqual(res.status, .ok)
            let cookie = try XCTUnwrap(res.headers.setCookie?["zm_session"])
            XCTAssertTrue(cookie.isHTTPOnly)
            XCTAssertTrue(cookie.isSecure)
            XCTAssertEqual(cookie.sameSite, .lax)
            struct Me: Decodable { var csrfToken: String?; var user: User; struct User: Decodable { var username: String } }
            let me = try res.json(Me.self)
            XCTAssertEqual(me.user.username, "liuyang-editor")
            XCTAssertNotNil(me.csrfToken)
            // The cookie authenticates the next request.
            let whoami = try await t.send(.GET, "/api/v1/me", headers: ["Cookie": "zm_session=\(cookie.string)"])
            XCTAssertEqual(whoami.status, .ok)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "auth.login").all()
            XCTAssertEqual(audit.map(\.actorName), ["liuyang-editor"])
        }
    }

    func testWrongPasswordAndUnknownUserGiveTheSameBilingual401AndAreAudited() async throws {
        try await withTestApp { t in
            let wrong = try await t.send(.POST, "/api/v1/session", json: Login(username: "liuyang-editor", password: "Not-the-password1"))
            XCTAssertEqual(wrong.status, .unauthorized)
            let unknown = try await t.send(.POST, "/api/v1/session", json: Login(username: "nobody-here", password: "Not-the-password1"))
            XCTAssertEqual(unknown.status, .unauthorized)
            XCTAssertEqual(try wrong.error().code, "bad_credentials")
            XCTAssertEqual(try unknown.error().message, try wrong.error().message, "must not reveal whether the user exists")
            let failures = try await AuditEntry.query(on: t.db).filter(\.$action == "auth.login_failed").all()
            XCTAssertEqual(Set(failures.map(\.actorName)), ["liuyang-editor", "nobody-here"])
            XCTAssertTrue(failures.allSatisfy { $0.outcome == "denied" })
        }
    }

    func testFiveWrongPasswordsLockTheAccountEvenForTheRightPassword() async throws {
        try await withTestApp { t in
            for _ in 0..<5 {
                let res = try await t.send(.POST, "/api/v1/session", json: Login(username: "ningxiang-reporter", password: "Wrong-password-1"))
                XCTAssertEqual(res.status, .unauthorized)
            }
            let locked = try await t.send(.POST, "/api/v1/session", json: Login(username: "ningxiang-reporter", password: DemoData.password))
            XCTAssertEqual(locked.status, .tooManyRequests)
            XCTAssertEqual(try locked.error().code, "account_locked")
            // An operator unlocks it by resetting the password.
            try await AccountAdministration.resetPassword(username: "ningxiang-reporter", password: "Fresh-Passw0rd!", mustChange: true, on: t.app)
            let ok = try await t.send(.POST, "/api/v1/session", json: Login(username: "ningxiang-reporter", password: "Fresh-Passw0rd!"))
            XCTAssertEqual(ok.status, .ok)
            let count = try await AuditEntry.query(on: t.db).filter(\.$action == "auth.login_locked").count()
            XCTAssertEqual(count, 1)
        }
    }

    func testManyAttemptsFromOneAddressAreRateLimited() async throws {
        try await withTestApp { t in
            var statuses: [HTTPStatus] = []
            for i in 0..<22 {
                let res = try await t.send(.POST, "/api/v1/session", json: Login(username: "user\(i)", password: "Wrong-password-1"))
                statuses.append(res.status)
            }
            XCTAssertEqual(statuses.prefix(20).filter { $0 == .unauthorized }.count, 20)
            XCTAssertEqual(statuses.last, .tooManyRequests)
        }
    }

    /// A whole newsroom behind one NAT address signs in at shift change: successful sign-ins never count towards the limit.
    func testSuccessfulSignInsFromOneAddressAreNotRateLimited() async throws {
        try await withTestApp { t in
            for _ in 0..<25 {
                let res = try await t.send(.POST, "/api/v1/session", json: Login(username: "liuyang-reporter", password: "Zhimei@2026"))
                XCTAssertEqual(res.status, .ok, res.text)
            }
            for i in 0..<20 {
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/session", json: Login(username: "ghost\(i)", password: "Wrong-password-1")).status, .unauthorized)
            }
            let blocked = try await t.send(.POST, "/api/v1/session", json: Login(username: "liuyang-reporter", password: "Zhimei@2026"))
            XCTAssertEqual(blocked.status, .tooManyRequests, "twenty failures block the address, even for a right password")
        }
    }

    func testLogoutEndsTheSessionAndAnExpiredSessionGetsABilingual401() async throws {
        try await withTestApp { t in
            let actor = try await t.session(for: "shaoshan-chief")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: actor).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/session", as: actor).status, .noContent)
            let after = try await t.send(.GET, "/api/v1/me", as: actor)
            XCTAssertEqual(after.status, .unauthorized)
            XCTAssertEqual(try after.error().code, "session_expired")
            // A page request with an ended session is sent to the login page.
            let page = try await t.send(.GET, "/admin/users", headers: ["Accept": "text/html"], as: actor)
            XCTAssertEqual(page.status, .seeOther)
            XCTAssertTrue(page.headers.first(name: .location)?.hasPrefix("/login") ?? false)
        }
    }

    func testSessionPastItsExpiryIsRejected() async throws {
        try await withTestApp { t in
            let actor = try await t.session(for: "liuyang-admin")
            try await UserSession.query(on: t.db).set(\.$expiresAt, to: Date().addingTimeInterval(-5)).update()
            let res = try await t.send(.GET, "/api/v1/me", as: actor)
            XCTAssertEqual(res.status, .unauthorized)
            XCTAssertEqual(try res.error().code, "session_expired")
        }
    }

    func testCookieAuthenticatedChangesNeedTheCSRFToken() async throws {
        try await withTestApp { t in
            let admin = try await t.session(for: "admin")
            struct Tenant: Encodable { var name: String; var slug: String }
            let missing = try await t.send(.POST, "/api/v1/tenants", json: Tenant(name: "醴陵市融媒体中心", slug: "liling"), as: admin, csrf: false)
            XCTAssertEqual(missing.status, .forbidden)
            XCTAssertEqual(try missing.error().code, "csrf_failed")
            let forged = try await t.send(.POST, "/api/v1/tenants", headers: ["X-CSRF-Token": "forged"], json: Tenant(name: "醴陵市融媒体中心", slug: "liling"), as: admin, csrf: false)
            XCTAssertEqual(forged.status, .forbidden)
            let ok = try await t.send(.POST, "/api/v1/tenants", json: Tenant(name: "醴陵市融媒体中心", slug: "liling"), as: admin)
            XCTAssertEqual(ok.status, .created)
            // Bearer tokens carry no cookie and need no CSRF token.
            let token = try await t.token(for: "admin")
            let viaToken = try await t.send(.POST, "/api/v1/tenants", json: Tenant(name: "攸县融媒体中心", slug: "youxian"), as: token)
            XCTAssertEqual(viaToken.status, .created)
        }
    }

    func testLoginFormNeedsItsPreSessionCSRFCookie() async throws {
        try await withTestApp { t in
            let res = try await t.send(.POST, "/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"],
                                       raw: "username=admin&password=\(DemoData.password)&_csrf=abc")
            XCTAssertEqual(res.status, .forbidden)
            XCTAssertTrue(res.text.contains("表单已过期"), "the page shows the Chinese message")
            let good = try await t.send(.POST, "/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "zm_csrf=abc", "Accept": "text/html"],
                                        raw: "username=admin&password=Zhimei%402026&_csrf=abc&next=/admin/users")
            XCTAssertEqual(good.status, .seeOther)
            XCTAssertEqual(good.headers.first(name: .location), "/admin/users")
            // Open redirects are refused.
            let evil = try await t.send(.POST, "/login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "zm_csrf=abc", "Accept": "text/html"],
                                        raw: "username=admin&password=Zhimei%402026&_csrf=abc&next=//evil.example")
            XCTAssertEqual(evil.headers.first(name: .location), "/")
        }
    }

    func testChangePasswordChecksCurrentPasswordAndPolicyAndEndsOtherSessions() async throws {
        try await withTestApp { t in
            let me = try await t.session(for: "liuyang-reporter")
            let other = try await t.session(for: "liuyang-reporter")
            struct Change: Encodable { var currentPassword: String; var newPassword: String }
            let wrong = try await t.send(.POST, "/api/v1/me/password", json: Change(currentPassword: "nope-Nope-1", newPassword: "Another-Pass1"), as: me)
            XCTAssertEqual(wrong.status, .unprocessableEntity)
            let weak = try await t.send(.POST, "/api/v1/me/password", json: Change(currentPassword: DemoData.password, newPassword: "short"), as: me)
            XCTAssertEqual(weak.status, .unprocessableEntity)
            XCTAssertEqual(try weak.error().code, "invalid_password")
            let ok = try await t.send(.POST, "/api/v1/me/password", json: Change(currentPassword: DemoData.password, newPassword: "Another-Pass1"), as: me)
            XCTAssertEqual(ok.status, .noContent)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: me).status, .ok, "this session stays")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: other).status, .unauthorized, "other sessions end")
            let login = try await t.send(.POST, "/api/v1/session", json: Login(username: "liuyang-reporter", password: "Another-Pass1"))
            XCTAssertEqual(login.status, .ok)
        }
    }

    func testPasswordPolicy() {
        XCTAssertNotNil(PasswordPolicy.check("short1A!", username: "x"))
        XCTAssertNotNil(PasswordPolicy.check("lowercaseonly1", username: "x"), "two character classes and under 16 characters")
        XCTAssertNotNil(PasswordPolicy.check("Reporter-2026!", username: "reporter"), "contains the username")
        XCTAssertNil(PasswordPolicy.check("Zhimei@2026", username: "admin"))
        XCTAssertNil(PasswordPolicy.check("a long passphrase of words", username: "admin"), "16+ characters need no classes")
    }

    func testSecurityHeadersAndRequestIDOnEveryResponse() async throws {
        try await withTestApp { t in
            for path in ["/login", "/api/v1/me", "/healthz", "/nope"] {
                let res = try await t.send(.GET, path, headers: ["Accept": "text/html"])
                XCTAssertTrue(res.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") ?? false, path)
                XCTAssertEqual(res.headers.first(name: "X-Content-Type-Options"), "nosniff", path)
                XCTAssertEqual(res.headers.first(name: "X-Frame-Options"), "DENY", path)
                XCTAssertNotNil(res.headers.first(name: "X-Request-ID"), path)
            }
        }
    }
}
