import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Every route × every role × (own tenant, other tenant) → allowed or denied.
/// The expected table is written out by hand; a route missing from it fails the test,
/// so each new module must add its routes here.
final class AuthorizationMatrixTests: XCTestCase {
    /// Role keys: P platform admin, A tenant admin, C chief editor, E editor, R reporter, V reviewer, N analyst, S service agent.
    static let signedIn: Set<Character> = ["P", "A", "C", "E", "R", "V", "N", "S"]
    static let actors: [(key: Character, username: String)] = [
        ("P", "admin"), ("A", "liuyang-admin"), ("C", "liuyang-chief"), ("E", "liuyang-editor"), ("R", "liuyang-reporter"),
        ("V", "liuyang-reviewer"), ("N", "liuyang-analyst"), ("S", "liuyang-agent"),
    ]

    /// One row: who may use the route on their own tenant's objects. "*" = anyone, even signed out.
    struct Row {
        let allowed: String
        /// True when the route names a tenant's object (path or payload), so the other-tenant column applies.
        let tenantBound: Bool
        /// Personal objects (API tokens) belong to one person: nobody else, not even a platform admin, reaches them.
        let personal: Bool
        let body: (@Sendable (Fixture, Bool) -> String)?
        init(_ allowed: String, tenantBound: Bool = false, personal: Bool = false, body: (@Sendable (Fixture, Bool) -> String)? = nil) {
            self.allowed = allowed
            self.tenantBound = tenantBound
            self.personal = personal
            self.body = body
        }
    }

    static let all = "PACERVNS"
    static let table: [String: Row] = [
        "GET /healthz": Row("*"), "GET /readyz": Row("*"), "GET /metrics": Row("*"), "GET /openapi.json": Row("*"),
        "GET /docs/api": Row("*"), "GET /login": Row("*"), "POST /login": Row("*"), "GET /lang/:code": Row("*"),
        "GET /invite/:secret": Row("*"), "POST /invite/:secret": Row("*"),
        "POST /api/v1/session": Row("*", body: { _, _ in #"{"username":"nobody-x","password":"Wrong-passw0rd"}"# }),
        "DELETE /api/v1/session": Row(all), "GET /api/v1/me": Row(all),
        "PUT /api/v1/me/tenant": Row(all, tenantBound: true, body: { f, other in #"{"tenant_id":"\#(f.tenant(other))"}"# }),
        "POST /api/v1/me/password": Row(all, body: { _, _ in #"{"current_password":"wrong-Passw0rd","new_password":"Another-Passw0rd1"}"# }),
        "GET /api/v1/tokens": Row(all),
        "POST /api/v1/tokens": Row(all, body: { _, _ in #"{"name":"matrix","scopes":["read"]}"# }),
        "DELETE /api/v1/tokens/:tokenID": Row(all, tenantBound: true, personal: true),
        "GET /api/v1/tenants": Row(all),
        "POST /api/v1/tenants": Row("P", body: { _, _ in #"{"name":"矩阵测试中心","slug":"m-\#(UUID().uuidString.prefix(8).lowercased())"}"# }),
        "GET /api/v1/tenants/:tenantID": Row(all, tenantBound: true),
        "PATCH /api/v1/tenants/:tenantID": Row("PA", tenantBound: true, body: { _, _ in #"{"region":"湖南省"}"# }),
        "GET /api/v1/users": Row("PA"),
        "POST /api/v1/users": Row("PA", tenantBound: true, body: { f, other in
            #"{"username":"m\#(UUID().uuidString.prefix(10).lowercased())","display_name":"矩阵","tenant_id":"\#(f.tenant(other))","roles":["reporter"]}"# }),
        "GET /api/v1/users/:userID": Row("PA", tenantBound: true),
        "PATCH /api/v1/users/:userID": Row("PA", tenantBound: true, body: { _, _ in #"{"display_name":"目标人员"}"# }),
        "PUT /api/v1/users/:userID/roles": Row("PA", tenantBound: true, body: { f, other in #"{"tenant_id":"\#(f.tenant(other))","roles":["reporter"]}"# }),
        "POST /api/v1/users/:userID/disable": Row("PA", tenantBound: true),
        "POST /api/v1/users/:userID/enable": Row("PA", tenantBound: true),
        "POST /api/v1/users/:userID/reset-password": Row("PA", tenantBound: true),
        "GET /api/v1/audit": Row("PA"),
        "POST /api/v1/audit/verify": Row("P"),
        "GET /api/v1/jobs": Row("PA"),
        "GET /api/v1/jobs/:jobID": Row("PA", tenantBound: true),
        "GET /api/v1/jobs/:jobID/events": Row("PA", tenantBound: true),
        "POST /api/v1/jobs/:jobID/retry": Row("PA", tenantBound: true),
        "POST /api/v1/jobs/:jobID/discard": Row("PA", tenantBound: true),
        "POST /api/v1/text/segment": Row(all, body: { _, _ in #"{"text":"浏阳市融媒体中心"}"# }),
        "POST /api/v1/text/convert": Row(all, body: { _, _ in #"{"text":"新闻","config":"s2t"}"# }),
        "POST /api/v1/text/keywords": Row(all, body: { _, _ in #"{"text":"花炮产业"}"# }),
        "POST /api/v1/text/summarize": Row(all, body: { _, _ in #"{"text":"花炮产业。出口增长。"}"# }),
        "POST /api/v1/text/simhash": Row(all, body: { _, _ in #"{"text":"花炮产业"}"# }),
        "GET /": Row(all),
        "GET /leads": Row("PACERNS"), "GET /planning": Row("PCER"), "GET /assets": Row("PCER"), "GET /stories": Row("PACERVN"),
        "GET /search": Row("PACERVN"), "GET /review": Row("PCEV"), "GET /publishing": Row("PC"), "GET /opinion": Row("PCEN"),
        "GET /analytics": Row("PACEN"), "GET /services": Row("PS"), "GET /broadcast": Row("PCER"), "GET /live": Row("PCER"),
        "GET /knowledge": Row("PACERVN"),
        "GET /admin/tenants": Row(all), "GET /admin/tenants/:tenantID": Row(all, tenantBound: true),
        "GET /admin/users": Row("PA"), "GET /admin/users/:userID": Row("PA", tenantBound: true),
        "GET /admin/audit": Row("PA"), "GET /admin/jobs": Row("PA"),
        "GET /account": Row(all), "GET /account/password": Row(all), "GET /account/tokens": Row(all),
        "POST /logout": Row(all),
    ]

    /// Objects of the own tenant (浏阳) and of another tenant (宁乡).
    struct Fixture: Sendable {
        let ownTenant: UUID, otherTenant: UUID
        let ownUser: UUID, otherUser: UUID
        let ownJob: UUID, otherJob: UUID
        let ownTokens: [String: UUID], otherToken: UUID
        func tenant(_ other: Bool) -> UUID { other ? otherTenant : ownTenant }
    }

    func testEveryRouteRoleAndTenant() async throws {
        try await withTestApp { t in
            // Roles the demo data does not have.
            for (username, role) in [("liuyang-reviewer", Role.reviewer), ("liuyang-analyst", .analyst), ("liuyang-agent", .serviceAgent)] {
                _ = try await AccountAdministration.createUser(username: username, displayName: username, tenantSlug: "liuyang", roles: [role], password: "Matrix-Passw0rd!", on: t.app)
            }
            let targets = try await (
                AccountAdministration.createUser(username: "liuyang-target", displayName: "目标", tenantSlug: "liuyang", roles: [.reporter], password: "Matrix-Passw0rd!", on: t.app),
                AccountAdministration.createUser(username: "ningxiang-target", displayName: "目标", tenantSlug: "ningxiang", roles: [.reporter], password: "Matrix-Passw0rd!", on: t.app))
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            func finishedJob(_ tenant: UUID) async throws -> UUID {
                let job = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: tenant, on: t.db)
                job.state = .succeeded
                try await job.save(on: t.db)
                return try job.requireID()
            }
            var actors: [Character: TestActor] = [:]
            var ownTokens: [String: UUID] = [:]
            for (key, username) in Self.actors {
                actors[key] = try await t.token(for: username)
                // A second token of the actor's own, to revoke without losing the one in use.
                ownTokens[username] = try await t.token(for: username).tokenID
            }
            let otherToken = try await XCTUnwrapAsync(try await t.token(for: "ningxiang-editor").tokenID)
            let fixture = Fixture(ownTenant: liuyang, otherTenant: ningxiang, ownUser: targets.0, otherUser: targets.1,
                                  ownJob: try await finishedJob(liuyang), otherJob: try await finishedJob(ningxiang), ownTokens: ownTokens, otherToken: otherToken)

            var failures: [String] = []
            var checked = 0
            let routes = t.app.routes.all
            for route in routes {
                let key = "\(route.method.rawValue) /" + route.path.map { "\($0)" }.joined(separator: "/")
                guard route.declaredAccess != nil else { failures.append("\(key): declares no access rule"); continue }
                guard let row = Self.table[key] else { failures.append("\(key): missing from the authorization matrix"); continue }
                let isAPI = key.contains(" /api/")
                let subjects: [(Character?, TestActor?)] = [(nil, nil)] + Self.actors.map { ($0.key, actors[$0.key]) }
                for (roleKey, actor) in subjects {
                    for other in row.tenantBound ? [false, true] : [false] {
                        await t.app.zhimei.loginThrottle.reset()
                        let path = fill(route.path, fixture: fixture, other: other, username: roleKey.flatMap { k in Self.actors.first { $0.key == k }?.username })
                        var headers: HTTPHeaders = [:]
                        var raw = row.body?(fixture, other)
                        if key == "POST /login" || key == "POST /invite/:secret" {
                            headers = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "zm_csrf=k", "Accept": "text/html"]
                            raw = "_csrf=k&username=nobody&password=Wrong-Passw0rd1&confirm=Wrong-Passw0rd1"
                        } else if !isAPI {
                            headers = ["Accept": "text/html"]
                        }
                        let res = try await t.send(route.method, path, headers: headers, raw: raw, as: actor)
                        checked += 1
                        let status = res.status.code
                        let who = roleKey.map(String.init) ?? "anonymous"
                        if status >= 500 { failures.append("\(key) as \(who)\(other ? " (other tenant)" : ""): \(status)"); continue }
                        let expectAllowed: Bool
                        if row.allowed == "*" { expectAllowed = true }
                        else if let roleKey { expectAllowed = row.allowed.contains(roleKey) && (!other || (roleKey == "P" && !row.personal)) }
                        else { expectAllowed = false }
                        let denied = status == 401 || status == 403 || (status == 303 && res.headers.first(name: .location)?.hasPrefix("/login") == true)
                            || (status == 404 && row.tenantBound)
                        if expectAllowed && (status == 401 || status == 403 || (status == 404 && row.tenantBound && !key.contains(":secret"))) && !(row.allowed == "*") {
                            failures.append("\(key) as \(who)\(other ? " (other tenant)" : ""): expected allowed, got \(status) \(res.text.prefix(120))")
                        } else if !expectAllowed && !denied {
                            failures.append("\(key) as \(who)\(other ? " (other tenant)" : ""): expected denied, got \(status)")
                        } else if row.allowed == "*" && status == 401 && !["POST /api/v1/session", "POST /login"].contains(key) {
                            failures.append("\(key) as \(who): public route asked for sign-in")
                        }
                    }
                }
            }
            let registered = Set(routes.map { "\($0.method.rawValue) /" + $0.path.map { "\($0)" }.joined(separator: "/") })
            for stale in Set(Self.table.keys).subtracting(registered) { failures.append("\(stale): in the matrix but not registered") }
            XCTAssertGreaterThan(checked, 500)
            XCTAssertTrue(failures.isEmpty, "\(failures.count) authorization failures:\n" + failures.joined(separator: "\n"))
        }
    }

    private func fill(_ path: [PathComponent], fixture f: Fixture, other: Bool, username: String?) -> String {
        "/" + path.map { component -> String in
            guard case .parameter(let name) = component else { return "\(component)" }
            switch name {
            case "tenantID": return f.tenant(other).uuidString
            case "userID": return (other ? f.otherUser : f.ownUser).uuidString
            case "jobID": return (other ? f.otherJob : f.ownJob).uuidString
            case "tokenID": return other ? f.otherToken.uuidString : (username.flatMap { f.ownTokens[$0] } ?? UUID()).uuidString
            case "code": return "en"
            case "secret": return "not-a-real-invite"
            default: return "x"
            }
        }.joined(separator: "/")
    }
}
