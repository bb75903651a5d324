import Crypto
import Vapor

/// Synchronizer-token CSRF protection for cookie-authenticated requests.
/// Token-authenticated API calls carry no cookie, so they need no CSRF token.
enum CSRF {
    static let header = "X-CSRF-Token"
    static let field = "_csrf"
    /// Cookie used to protect the sign-in form before a session exists (double submit).
    static let preSessionCookie = "zm_csrf"

    static func verify(_ request: Request, actor: Actor) throws {
        guard actor.sessionID != nil, let expected = actor.csrfToken else { return }
        guard ![.GET, .HEAD, .OPTIONS].contains(request.method) else { return }
        let presented = request.headers.first(name: header) ?? formToken(request)
        guard let presented, constantTimeEqual(presented, expected) else { throw AppError.csrf }
    }

    /// Checks the sign-in form's token against its cookie.
    static func verifyPreSession(_ request: Request) throws {
        let cookie = request.cookies[preSessionCookie]?.string
        let presented = request.headers.first(name: header) ?? formToken(request)
        guard let cookie, let presented, !cookie.isEmpty, constantTimeEqual(cookie, presented) else { throw AppError.csrf }
    }

    static func formToken(_ request: Request) -> String? {
        guard let type = request.headers.contentType,
              type == .urlEncodedForm || type == .formData else { return nil }
        return try? request.content.get(String.self, at: field)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Random secrets and their stored digests.
enum Secrets {
    /// A URL-safe random string with `bytes` bytes of entropy.
    static func random(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func sha256(_ value: String) -> String {
        SHA256.hash(data: Data(value.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
