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
