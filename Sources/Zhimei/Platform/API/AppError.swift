import Vapor

/// An error a user can cause: a stable code, a 4xx status and a message in Chinese and English.
public struct AppError: AbortError, DebuggableError, Sendable {
    public let status: HTTPResponseStatus
    public let code: String
    public let zh: String
    public let en: String
    public var reason: String { "\(zh) / \(en)" }
    public var identifier: String { code }

    public init(_ status: HTTPResponseStatus, _ code: String, zh: String, en: String) {
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
    }

    public static let unauthenticated = AppError(.unauthorized, "unauthenticated", zh: "请先登录", en: "Please sign in")
    public static let forbidden = AppError(.forbidden, "forbidden", zh: "没有权限执行此操作", en: "You do not have permission to do this")
    public static let notFound = AppError(.notFound, "not_found", zh: "找不到该对象", en: "Not found")
    /// The database stayed taken for the whole wait; nothing was done, the client may retry (503 with Retry-After).
    public static let busy = AppError(.serviceUnavailable, "busy", zh: "服务繁忙，请稍后重试", en: "The server is busy; please try again shortly")
    public static let csrf = AppError(.forbidden, "csrf_failed", zh: "表单已过期或来源无效，请刷新页面后重试", en: "The form expired or its origin is invalid; reload the page and try again")
    public static let badLogin = AppError(.unauthorized, "bad_credentials", zh: "用户名或密码错误", en: "Wrong username or password")
    public static let tokenRevoked = AppError(.unauthorized, "token_invalid", zh: "API 令牌无效、已撤销或已过期", en: "The API token is invalid, revoked or expired")
    public static let sessionExpired = AppError(.unauthorized, "session_expired", zh: "登录已过期，请重新登录", en: "Your session expired; please sign in again")

    public static func invalid(_ field: String, zh: String, en: String) -> AppError {
        AppError(.unprocessableEntity, "invalid_\(field)", zh: zh, en: en)
    }
    public static func badRequest(zh: String, en: String) -> AppError {
        AppError(.badRequest, "bad_request", zh: zh, en: en)
    }
    public static func conflict(_ code: String, zh: String, en: String) -> AppError {
        AppError(.conflict, code, zh: zh, en: en)
    }
}

/// The JSON error body every API error uses.
public struct ErrorBody: Content {
    public struct Detail: Content {
        public let code: String
        public let message: String
        public let message_en: String
        public let request_id: String?
    }
    public let error: Detail
}
