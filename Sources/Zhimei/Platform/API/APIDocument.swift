import NIOConcurrencyHelpers
import Vapor

/// The OpenAPI 3.1 description, generated from the routing table: every route that carries an
/// `APIOperation` appears, with its access rule and the shared error shape.
public final class APIDocument: Sendable {
    private let components = NIOLockedValueBox<[(String, Schema)]>([])

    /// Adds named schemas that operations reference with `.ref(name)`.
    public func register(_ schemas: [(String, Schema)]) {
        components.withLockedValue { $0.append(contentsOf: schemas) }
    }

    static let errorStatuses: [(Int, String)] = [
        (400, "Bad request / 请求无效"), (401, "Not signed in, or token invalid / 未登录或令牌无效"),
        (403, "Forbidden / 无权限"), (404, "Not found / 不存在"), (409, "Conflict / 冲突"),
        (413, "Body too large / 请求体过大"), (415, "Unsupported media type / 不支持的内容类型"),
        (422, "Invalid field / 字段无效"), (429, "Rate limited / 请求过于频繁"),
        (503, "A required engine or its data is unavailable / 依赖的引擎或数据不可用"),
    ]

    public func render(routes: [Route]) -> JSONValue {
        var paths: [(String, [(String, JSONValue)])] = []
        for route in routes {
            guard let op = route.operation else { continue }
            var parameters: [JSONValue] = []
            let pathString = "/" + route.path.map { component -> String in
                if case .parameter(let name) = component {
                    parameters.append(.object([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                                               ("schema", Schema.uuid.json)]))
                    return "{\(name)}"
                }
                return "\(component)"
            }.joined(separator: "/")
            for q in op.query {
                parameters.append(.object([("name", .string(q.name)), ("in", .string("query")), ("required", .bool(false)),
                                           ("description", .string(q.description)), ("schema", q.schema.json)]))
            }
            var responses: [(String, JSONValue)] = []
            let success: JSONValue
            if let schema = op.response {
                success = .object([("description", .string("OK")), ("content", .object([(op.responseMediaType, .object([("schema", schema.json)]))]))])
            } else {
                success = .object([("description", .string("OK (no content)"))])
            }
            responses.append((String(op.successStatus), success))
            let errorContent: JSONValue = .object([("application/json", .object([("schema", Schema.ref("Error").json)]))])
            for (code, text) in Self.errorStatuses {
                responses.append((String(code), .object([("description", .string(text)), ("content", errorContent)])))
            }
            let access = route.declaredAccess ?? .anonymous
            var operation: [(String, JSONValue)] = [
                ("operationId", .string(operationID(route))),
                ("summary", .string(op.summary)),
                ("tags", .array([.string(op.tag)])),
                ("description", .string("Access: \(access)")),
                ("parameters", .array(parameters)),
                ("responses", .object(responses)),
            ]
            if let request = op.request {
                operation.append(("requestBody", .object([
                    ("required", .bool(true)),
                    ("content", .object([("application/json", .object([("schema", request.json)]))])),
                ])))
            }
            operation.append(("security", access == .anonymous ? .array([]) : .array([.object([("bearerAuth", .array([]))]), .object([("cookieAuth", .array([]))])])))
            let method = route.method.rawValue.lowercased()
            if let index = paths.firstIndex(where: { $0.0 == pathString }) {
                paths[index].1.append((method, .object(operation)))
            } else {
                paths.append((pathString, [(method, .object(operation))]))
            }
        }
        let schemas = [("Error", Self.errorSchema)] + components.withLockedValue { $0 }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([
                ("title", .string("Zhimei (智媒) API")),
                ("version", .string("1.0.0")),
                ("description", .string("融媒智能中台 API. Authenticate with `Authorization: Bearer zm_…` (create a token under 账户 → API 令牌). Errors carry a Chinese and an English message.")),
            ])),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            ("components", .object([
                ("schemas", .object(schemas.map { ($0.0, $0.1.json) })),
                ("securitySchemes", .object([
                    ("bearerAuth", .object([("type", .string("http")), ("scheme", .string("bearer"))])),
                    ("cookieAuth", .object([("type", .string("apiKey")), ("in", .string("cookie")), ("name", .string("zm_session"))])),
                ])),
            ])),
        ])
    }

    private func operationID(_ route: Route) -> String {
        let parts = route.path.map { component -> String in
            if case .parameter(let name) = component { return "by_" + name }
            return "\(component)".replacingOccurrences(of: "-", with: "_")
        }.filter { $0 != "api" && $0 != "v1" }
        return route.method.rawValue.lowercased() + "_" + parts.joined(separator: "_")
    }

    static let errorSchema: Schema = .object([
        ("error", .object([
            ("code", .string), ("message", .string), ("message_en", .string), ("request_id", .nullable(.string)),
        ], required: ["code", "message", "message_en"])),
    ], required: ["error"])
}
