import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Health, readiness, metrics, the OpenAPI document and settings.
final class SystemTests: XCTestCase {
    func testHealthAndReadiness() async throws {
        try await withTestApp(seed: false) { t in
            try await XCTAssertEqualAsync(try await t.send(.GET, "/healthz").status, .ok)
            let ready = try await t.send(.GET, "/readyz")
            XCTAssertEqual(ready.status, .ok)
            XCTAssertTrue(ready.text.contains(TestApp.backendName))
        }
    }

    func testMetricsCountRequestsByRouteAndReportQueueDepth() async throws {
        try await withTestApp { t in
            _ = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: nil, on: t.db)
            for _ in 0..<3 { _ = try await t.send(.GET, "/healthz") }
            _ = try await t.send(.GET, "/api/v1/users/\(UUID())")
            let text = try await t.send(.GET, "/metrics").text
            XCTAssertTrue(text.contains(#"zhimei_http_requests_total{method="GET",route="/healthz",status="200"} 3"#), text)
            XCTAssertTrue(text.contains(#"route="/api/v1/users/:userID",status="401""#), "routes are labelled by pattern, not raw path")
            XCTAssertTrue(text.contains(#"zhimei_jobs_queue_depth{state="queued"} 1"#))
            XCTAssertTrue(text.contains("zhimei_http_request_duration_seconds_bucket"))
        }
    }

    func testOpenAPIDocumentDescribesEveryAPIRoute() async throws {
        try await withTestApp(seed: false) { t in
            let res = try await t.send(.GET, "/openapi.json")
            XCTAssertEqual(res.status, .ok)
            let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
            XCTAssertEqual(doc["openapi"] as? String, "3.1.0")
            let paths = try XCTUnwrap(doc["paths"] as? [String: [String: Any]])
            var operationIDs: [String] = []
            for route in t.app.routes.all where route.path.first.map({ "\($0)" }) == "api" {
                let path = "/" + route.path.map { c -> String in if case .parameter(let n) = c { return "{\(n)}" }; return "\(c)" }.joined(separator: "/")
                let op = paths[path]?[route.method.rawValue.lowercased()] as? [String: Any]
                XCTAssertNotNil(op, "\(route.method) \(path) is not documented")
                operationIDs.append(op?["operationId"] as? String ?? "")
                let responses = op?["responses"] as? [String: Any] ?? [:]
                XCTAssertNotNil(responses["401"], path)
                XCTAssertNotNil(responses["404"], path)
            }
            XCTAssertEqual(Set(operationIDs).count, operationIDs.count, "operation IDs are unique")
            let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
            for name in ["Error", "User", "Tenant", "Token", "AuditEntry", "Job", "Me"] { XCTAssertNotNil(schemas[name], name) }
        }
    }

    /// The HTTP parser closes the connection, with no response at all, on a request head over 80 KiB. So every
    /// documented query string must fit with each parameter at its longest, percent-encoded at 12 bytes per character
    /// (a 4-byte UTF-8 scalar), leaving 16 KiB for headers.
    func testEveryDocumentedQueryStringFitsInARequestHead() async throws {
        func longest(_ schema: Zhimei.Schema) -> Int? {
            switch schema {
            case .string(_, let maxLength): return maxLength.map { $0 * 12 }
            case .uuid: return 36
            case .dateTime: return 40 * 3
            case .boolean: return 5
            case .integer(let minimum, let maximum): return max(String(minimum ?? Int.min).count, String(maximum ?? Int.max).count)
            case .number: return 40
            case .enumeration(let values): return (values.map { $0.utf8.count * 3 }.max() ?? 0)
            default: return nil
            }
        }
        try await withTestApp(seed: false) { t in
            var checked = 0
            for route in t.app.routes.all {
                guard let op = route.operation, !op.query.isEmpty else { continue }
                let path = "/" + route.path.map { "\($0)" }.joined(separator: "/")
                var bytes = path.utf8.count + 40 // a path parameter's value, "?"
                for q in op.query {
                    guard let n = longest(q.schema) else { XCTFail("\(route.method) \(path): query parameter \(q.name) has no maximum length"); continue }
                    bytes += q.name.utf8.count + 2 + n
                }
                XCTAssertLessThanOrEqual(bytes, 64 * 1024, "\(route.method) \(path): a query string at its documented maximum does not fit")
                checked += 1
            }
            XCTAssertGreaterThan(checked, 10)
        }
        try await withTestApp { t in
            // The longest documented search, sent over a real connection, gets an answer (a closed connection throws).
            let admin = try await t.token(for: "admin")
            let emoji = "\u{1F4F0}"
            var items = SearchRequestParser.query.compactMap { q -> URLQueryItem? in
                guard case .string(_, let maxLength?) = q.schema else { return nil }
                return URLQueryItem(name: q.name, value: String(repeating: emoji, count: maxLength))
            }
            items.append(URLQueryItem(name: "limit", value: "100"))
            var url = URLComponents(); url.path = "/api/v1/search"; url.queryItems = items
            let encoded = try XCTUnwrap(url.percentEncodedQuery)
            XCTAssertGreaterThan(encoded.utf8.count, SearchRequestParser.maxQInURL * 12)
            let res = try await t.send(.GET, "/api/v1/search?" + encoded, as: admin, overNetwork: true)
            XCTAssertEqual(res.status, .unprocessableEntity, res.text) // the types are unknown, the dates are not dates
            XCTAssertTrue(res.text.contains("message_en"), res.text)
        }
    }

    func testSettingsFromEnvironmentAndConfigFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-settings-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"port": 9090, "public_url": "https://news.example.cn", "workers": 4}"#.write(toFile: dir + "/zhimei.json", atomically: true, encoding: .utf8)
        let fromFile = Settings.load(environment: ["ZHIMEI_DATA_DIR": dir])
        XCTAssertEqual(fromFile.port, 9090)
        XCTAssertEqual(fromFile.publicURL, "https://news.example.cn")
        XCTAssertEqual(fromFile.workerConcurrency, 4)
        XCTAssertNil(fromFile.databaseURL)
        XCTAssertEqual(fromFile.sqlitePath, dir + "/zhimei.sqlite")
        let overridden = Settings.load(environment: ["ZHIMEI_DATA_DIR": dir, "ZHIMEI_PORT": "7070", "DATABASE_URL": "postgres://x@y/z"])
        XCTAssertEqual(overridden.port, 7070, "environment wins over the file")
        XCTAssertEqual(overridden.databaseURL, "postgres://x@y/z")
        XCTAssertEqual(Settings.load(environment: [:]).dataDirectory, "./data")
    }
}
