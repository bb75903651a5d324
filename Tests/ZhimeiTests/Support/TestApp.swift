import Fluent
import FluentPostgresDriver
import Foundation
import NIOCore
import SQLKit
import Vapor
import XCTVapor
import XCTest
@testable import Zhimei

/// A configured application on a fresh database: a temporary SQLite file, or — when
/// `ZHIMEI_TEST_DATABASE_URL` is set — its own PostgreSQL schema. The same tests run on both.
final class TestApp: @unchecked Sendable {
    // @unchecked: used from one test at a time.
    let app: Application
    let settings: Settings
    let schema: String?

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ZHIMEI_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The text engine's data: `$ZHIMEI_TEXT_DATA`, else `data/text` in the package (written by scripts/text/setup-data.sh).
    static var textDataDirectory: String? {
        if let dir = ProcessInfo.processInfo.environment["ZHIMEI_TEXT_DATA"], FileManager.default.fileExists(atPath: dir + "/dict.txt") { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("data/text").path
        return FileManager.default.fileExists(atPath: dir + "/dict.txt") ? dir : nil
    }

    static var backendName: String { postgresURL == nil ? "sqlite" : "postgresql" }

    /// Settings for a fresh data directory (and schema) with cheap password hashing.
    static func settings(extra: [String: String] = [:]) -> (Settings, String?) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-test-\(UUID().uuidString.prefix(8))").path
        var env = ["ZHIMEI_DATA_DIR": dir, "ZHIMEI_BCRYPT_COST": "4", "ZHIMEI_LOG_LEVEL": "warning"]
        if let text = textDataDirectory { env["ZHIMEI_TEXT_DATA"] = text }
        var schema: String?
        if let url = postgresURL {
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            env["DATABASE_URL"] = url
            env["ZHIMEI_PG_SCHEMA"] = name
            schema = name
        }
        env.merge(extra) { $1 }
        return (Settings.load(environment: env), schema)
    }

    private init(app: Application, settings: Settings, schema: String?) {
        self.app = app
        self.settings = settings
        self.schema = schema
    }

    /// Makes the application, migrates, and seeds the demo tenants and staff.
    static func make(seed: Bool = true, extra: [String: String] = [:]) async throws -> TestApp {
        let (settings, schema) = Self.settings(extra: extra)
        let app = try await Application.make(.testing)
        do {
            try await configure(app, settings: settings)
            if let schema, let sql = app.db as? any SQLDatabase {
                try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
            try await app.autoMigrate()
            if seed {
                _ = try await DemoData.seed(on: app.db) { try Bcrypt.hash($0, cost: 4) }
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return TestApp(app: app, settings: settings, schema: schema)
    }

    func shutdown() async throws {
        if let schema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
        }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: settings.dataDirectory)
    }

    var db: any Database { app.db }

    // MARK: - Requests

    /// Sends a request through the whole middleware stack.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: (any Encodable)? = nil, raw: String? = nil,
              as actor: TestActor? = nil, csrf: Bool = true, overNetwork: Bool = false) async throws -> TestingHTTPResponse {
        var headers = headers
        var body = ByteBuffer()
        if let json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            body = ByteBuffer(data: try encoder.encode(json))
            headers.contentType = .json
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers.contentType == nil { headers.contentType = .json }
        }
        if headers.first(name: .accept) == nil { headers.replaceOrAdd(name: .accept, value: "application/json") }
        actor?.authorize(&headers, csrf: csrf && ![.GET, .HEAD].contains(method))
        let request = TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: body)
        // In memory by default; over a real socket when the HTTP layer itself is under test (body limits).
        let tester = try overNetwork ? app.testable(method: .running(hostname: "127.0.0.1", port: Int.random(in: 20000...40000))) : app.testable()
        return try await tester.performTest(request: request)
    }

    // MARK: - Actors

    func tenant(_ slug: String) async throws -> Tenant {
        guard let tenant = try await Tenant.query(on: db).filter(\.$slug == slug).first() else { throw TestError("no tenant \(slug)") }
        return tenant
    }

    func user(_ username: String) async throws -> User {
        guard let user = try await User.query(on: db).filter(\.$username == username).first() else { throw TestError("no user \(username)") }
        return user
    }

    /// A browser session for a user, created directly (no password round trip).
    func session(for username: String) async throws -> TestActor {
        let user = try await user(username)
        let secret = "test-\(UUID().uuidString)"
        let session = UserSession()
        session.tokenHash = Secrets.sha256(secret)
        session.$user.id = try user.requireID()
        session.csrfToken = "csrf-\(UUID().uuidString)"
        session.activeTenantID = user.$homeTenant.id
        session.ip = "127.0.0.1"
        session.userAgent = "test"
        session.lastSeenAt = Date()
        session.expiresAt = Date().addingTimeInterval(3600)
        try await session.create(on: db)
        return TestActor(username: username, cookie: secret, csrf: session.csrfToken, bearer: nil, tokenID: nil)
    }

    /// An API token with the given scopes, created directly.
    func token(for username: String, scopes: [TokenScope] = TokenScope.allCases) async throws -> TestActor {
        let user = try await user(username)
        let (token, secret) = try await TokenService.issue(user: try user.requireID(), name: "test", scopes: scopes, expiresAt: nil, on: db)
        return TestActor(username: username, cookie: nil, csrf: nil, bearer: secret, tokenID: try token.requireID())
    }
}

/// Credentials a test request carries.
struct TestActor: Sendable {
    let username: String
    let cookie: String?
    let csrf: String?
    let bearer: String?
    let tokenID: UUID?

    func authorize(_ headers: inout HTTPHeaders, csrf sendCSRF: Bool) {
        if let bearer { headers.bearerAuthorization = BearerAuthorization(token: bearer) }
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "zm_session=\(cookie)") }
        if sendCSRF, let csrf { headers.replaceOrAdd(name: "X-CSRF-Token", value: csrf) }
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension TestingHTTPResponse {
    /// The decoded JSON body (snake_case keys).
    func json<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer: body))
    }

    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }

    /// The bilingual error body, asserting both languages are present.
    func error(file: StaticString = #filePath, line: UInt = #line) throws -> ErrorBody.Detail {
        let detail = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body)).error
        XCTAssertFalse(detail.message.isEmpty, "Chinese message missing", file: file, line: line)
        XCTAssertFalse(detail.message_en.isEmpty, "English message missing", file: file, line: line)
        XCTAssertNotEqual(detail.message, detail.message_en, file: file, line: line)
        return detail
    }
}

/// Runs `body` against a fresh test application and always shuts it down.
func withTestApp(seed: Bool = true, extra: [String: String] = [:], _ body: (TestApp) async throws -> Void) async throws {
    let t = try await TestApp.make(seed: seed, extra: extra)
    do {
        try await body(t)
    } catch {
        try? await t.shutdown()
        throw error
    }
    try await t.shutdown()
}
