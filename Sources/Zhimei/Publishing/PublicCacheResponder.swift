import Foundation
import Vapor

/// The hot path of the public site and the content API: an anonymous GET whose answer is in `PublicSiteCache` is
/// answered before routing and before the middleware chain (no session or token lookup, no file-system probe, no
/// async hop), with the same headers the full chain adds. Everything else — other routes, misses, HEAD, requests
/// carrying a session cookie or a token — goes to Vapor's normal responder unchanged.
struct PublicCacheResponder: Responder {
    let cache: PublicSiteCache
    let metrics: Metrics
    let next: any Responder

    static let metricsRoute = "public cache hit"

    func respond(to request: Request) -> EventLoopFuture<Response> {
        if let response = hit(request) { return request.eventLoop.makeSucceededFuture(response) }
        return next.respond(to: request)
    }

    func hit(_ request: Request) -> Response? {
        guard request.method == .GET else { return nil }
        let key = request.url.string
        guard key.utf8.count <= PublicSiteCache.maxKeyLength, let slug = Self.tenantSlug(key) else { return nil }
        // Signed-in readers take the full chain: it renews or clears their session as on every other page.
        guard !request.headers.contains(name: .authorization), !Self.hasSessionCookie(request.headers) else { return nil }
        let start = DispatchTime.now().uptimeNanoseconds
        guard let entry = cache.servable(tenant: slug, key: key) else { return nil }
        let response = PublicSite.answer(request, entry)
        response.headers.add(name: "X-Request-ID", value: Self.requestID(request))
        metrics.observeRequest(method: "GET", route: Self.metricsRoute, status: Int(response.status.code),
                               seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return response
    }

    /// The tenant slug of /site/{slug}/… and /api/v1/public/{slug}/…, or nil for any other path (byte-wise: it runs
    /// on every request).
    static func tenantSlug(_ url: String) -> String? {
        var rest = url.utf8[...]
        if rest.starts(with: "/site/".utf8) {
            rest = rest.dropFirst(6)
        } else if rest.starts(with: "/api/v1/public/".utf8) {
            rest = rest.dropFirst(15)
        } else {
            return nil
        }
        let end = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let slug = rest[rest.startIndex..<end]
        return slug.isEmpty ? nil : String(Substring(slug))
    }

    static func hasSessionCookie(_ headers: HTTPHeaders) -> Bool {
        headers[.cookie].contains { $0.contains(SessionService.cookieName) }
    }

    /// Echoes a well-formed X-Request-ID as SecurityHeadersMiddleware does; otherwise the ID Vapor already made for the
    /// request's logger (a second UUID per request showed in the profile: it reads /dev/urandom).
    static func requestID(_ request: Request) -> String {
        if let id = request.headers.first(name: "X-Request-ID") {
            if id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) { return id }
            return UUID().uuidString.lowercased()   // Vapor logs the raw header; answer with a clean one
        }
        if case .string(let id)? = request.logger[metadataKey: "request-id"] { return id.lowercased() }
        return UUID().uuidString.lowercased()
    }

    /// The headers SecurityHeadersMiddleware adds to every answer (a test checks both paths answer alike).
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", SecurityHeadersMiddleware.contentSecurityPolicy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
}
