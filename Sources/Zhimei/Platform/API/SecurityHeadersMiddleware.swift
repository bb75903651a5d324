import Vapor

/// Adds security headers, including a strict Content-Security-Policy, to every response,
/// and a request ID that is echoed back and attached to the request's logger.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "font-src 'self'", "connect-src 'self'", "media-src 'self' blob:", "object-src 'none'",
        "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let incoming = request.headers.first(name: "X-Request-ID").flatMap { id in
            id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } ? id : nil
        }
        let requestID = incoming ?? UUID().uuidString.lowercased()
        request.headers.replaceOrAdd(name: "X-Request-ID", value: requestID)
        request.logger[metadataKey: "request_id"] = .string(requestID)
        let response = try await next.respond(to: request)
        let h = response.headers
        response.headers.replaceOrAdd(name: "X-Request-ID", value: requestID)
        if !h.contains(name: "Content-Security-Policy") {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        }
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "strict-origin-when-cross-origin")
        response.headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
        response.headers.replaceOrAdd(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        if request.url.path.hasPrefix("/api/") || response.headers.contentType == .html {
            if !h.contains(name: .cacheControl) {
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            }
        }
        return response
    }
}
