import AsyncKit
import SQLiteNIO
import Vapor

/// Turns every error into a bilingual response: JSON for API clients, an HTML page for browsers.
/// Errors a user can cause map to 4xx; anything else is logged and reported as a 500 without details.
struct BilingualErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let appError = Self.translate(error)
            if appError.status == .internalServerError {
                request.logger.report(error: error)
            }
            let response = Self.response(for: appError, request: request)
            if appError.status == .serviceUnavailable { response.headers.replaceOrAdd(name: .retryAfter, value: "5") }
            return response
        }
    }

    static func response(for error: AppError, request: Request) -> Response {
        let requestID = request.headers.first(name: "X-Request-ID")
        if wantsHTML(request) {
            let lang = Localizer.language(of: request)
            let page = ErrorPage.render(error: error, lang: lang, requestID: requestID)
            var headers = HTTPHeaders()
            headers.contentType = .html
            return Response(status: error.status, headers: headers, body: .init(string: page))
        }
        let body = ErrorBody(error: .init(code: error.code, message: error.zh, message_en: error.en, request_id: requestID))
        let response = Response(status: error.status)
        try? response.content.encode(body, as: .json)
        if error.status == .unauthorized, request.headers.bearerAuthorization != nil || request.url.path.hasPrefix("/api/") {
            response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"zhimei\"")
        }
        return response
    }

    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.url.path
        if path.hasPrefix("/api/") || path == "/openapi.json" || path == "/metrics" { return false }
        return request.headers.first(name: .accept)?.contains("text/html") ?? false
    }

    static func translate(_ error: Error) -> AppError {
        switch error {
        case let e as AppError:
            return e
        case is DecodingError:
            return .badRequest(zh: "请求体格式错误：\(describe(error))", en: "Malformed request body: \(describe(error))")
        case let e as AbortError:
            return translate(status: e.status, reason: e.reason)
        case is ConnectionPoolTimeoutError:
            // Every database connection stayed busy for the whole wait (an overload, e.g. many heavy searches at once):
            // the request did nothing, so the client may simply retry.
            return .busy
        case let e as SQLiteError where Self.isLockWait(e):
            // SQLite's write lock stayed taken for the whole lock wait (SQLiteBusyWait): the statement did nothing (its
            // transaction is rolled back), so again the client may retry.
            return .busy
        default:
            return AppError(.internalServerError, "internal", zh: "服务器内部错误，请稍后重试", en: "Internal server error; please try again later")
        }
    }

    /// An SQLite error that means "another connection held the lock for too long".
    static func isLockWait(_ e: SQLiteError) -> Bool {
        switch e.reason {
        case .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked: return true
        default: return false
        }
    }

    static func translate(status: HTTPResponseStatus, reason: String) -> AppError {
        switch status.code {
        case 400: return .badRequest(zh: "请求无效：\(reason)", en: "Bad request: \(reason)")
        case 401: return .unauthenticated
        case 403: return .forbidden
        case 404: return AppError(.notFound, "not_found", zh: "页面或对象不存在", en: "Not found")
        case 405: return AppError(.methodNotAllowed, "method_not_allowed", zh: "不支持该请求方法", en: "Method not allowed")
        case 413: return AppError(.payloadTooLarge, "payload_too_large", zh: "请求体过大", en: "Request body is too large")
        case 415: return AppError(.unsupportedMediaType, "unsupported_media_type", zh: "不支持的内容类型，请使用 JSON 或表单", en: "Unsupported content type; send JSON or a form")
        case 422: return AppError(.unprocessableEntity, "unprocessable", zh: "请求内容无法处理：\(reason)", en: "Unprocessable request: \(reason)")
        case 429: return AppError(.tooManyRequests, "rate_limited", zh: "请求过于频繁，请稍后再试", en: "Too many requests; try again later")
        case 400..<500: return AppError(status, "client_error", zh: "请求错误：\(reason)", en: "Request error: \(reason)")
        default: return AppError(.internalServerError, "internal", zh: "服务器内部错误，请稍后重试", en: "Internal server error; please try again later")
        }
    }

    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "(root)" : p
        }
        switch error {
        case .keyNotFound(let key, let c): return "missing \(path(c)).\(key.stringValue)".replacingOccurrences(of: "(root).", with: "")
        case .typeMismatch(_, let c): return "wrong type at \(path(c))"
        case .valueNotFound(_, let c): return "missing value at \(path(c))"
        case .dataCorrupted(let c): return "invalid data at \(path(c))"
        @unknown default: return "invalid"
        }
    }
}
