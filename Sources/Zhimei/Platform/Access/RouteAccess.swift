import Vapor

/// What a route requires. Every route declares one; the authorization-matrix test fails on a route without it.
public enum Access: Sendable, Equatable, CustomStringConvertible {
    /// Anyone, signed in or not (login page, health checks, public site).
    case anonymous
    /// Any signed-in person (own profile, own tokens).
    case authenticated
    /// A signed-in person holding the permission in at least one tenant; the handler narrows by tenant scope.
    case permission(Permission)

    public var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case .authenticated: return "authenticated"
        case .permission(let p): return p.rawValue
        }
    }
}

extension Route {
    static let accessKey = "zhimei.access"

    /// Declares and enforces what this route requires.
    @discardableResult
    public func access(_ access: Access) -> Route {
        userInfo[AnySendableHashable(Self.accessKey)] = access
        responder = AccessResponder(access: access, isAPI: path.first.map { "\($0)" } == "api", next: responder)
        return self
    }

    /// The access a route declared, if any.
    public var declaredAccess: Access? {
        userInfo[AnySendableHashable(Self.accessKey)] as? Access
    }
}

/// Checks sign-in, permission and CSRF before the handler runs.
struct AccessResponder: AsyncResponder {
    let access: Access
    let isAPI: Bool
    let next: any Responder

    func respond(to request: Request) async throws -> Response {
        if access != .anonymous {
            guard let actor = request.actor else {
                if !isAPI && request.method == .GET {
                    let target = request.url.string
                    return request.redirect(to: "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
                }
                throw request.sessionExpired ? AppError.sessionExpired : AppError.unauthenticated
            }
            if case .permission(let permission) = access, !actor.canAnywhere(permission) {
                throw AppError.forbidden
            }
            if actor.mustChangePassword, !isAPI, request.method == .GET, !request.url.path.hasPrefix("/account") {
                return request.redirect(to: "/account/password")
            }
            try CSRF.verify(request, actor: actor)
        }
        return try await next.respond(to: request).get()
    }
}
