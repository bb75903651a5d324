import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Every route × every role × (own tenant, other tenant) → allowed or denied.
/// The expected rows are written out by hand per module (Tests/ZhimeiTests/Matrix); a registered
/// route missing from them fails the test, so each new module must add its routes.
final class AuthorizationMatrixTests: XCTestCase {
    static let actors: [(key: Character, username: String)] = [
        ("P", "admin"), ("A", "liuyang-admin"), ("C", "liuyang-chief"), ("E", "liuyang-editor"), ("R", "liuyang-reporter"),
        ("V", "liuyang-reviewer"), ("N", "liuyang-analyst"), ("S", "liuyang-agent"),
    ]

    /// All rows; a later module's row for the same route (a built page replacing a placeholder) wins.
    static var table: [String: MatrixRow] {
        MatrixModule.all.reduce(into: [:]) { table, module in table.merge(module.rows) { $1 } }
    }

    func testEveryRouteRoleAndTenant() async throws {
        try await withTestApp { t in
            // Roles the demo data does not have.
            for (username, role) in [("liuyang-reviewer", Role.reviewer), ("liuyang-analyst", .analyst), ("liuyang-agent", .serviceAgent)] {
                _ = try await AccountAdministration.createUser(username: username, displayName: username, tenantSlug: "liuyang", roles: [role], password: "Matrix-Passw0rd!", on: t.app)
            }
            var fixtures = MatrixFixtures(ids: [:])
            for module in MatrixModule.all { fixtures.ids.merge(try await module.fixtures(t)) { $1 } }
            var actors: [Character: TestActor] = [:]
            for (key, username) in Self.actors {
                actors[key] = try await t.token(for: username)
                fixtures.ownTokens[username] = try await t.token(for: username).tokenID
            }

            let table = Self.table
            var failures: [String] = []
            var checked = 0
            let routes = t.app.routes.all
            for route in routes {
                let key = "\(route.method.rawValue) /" + route.path.map { "\($0)" }.joined(separator: "/")
                guard route.declaredAccess != nil else { failures.append("\(key): declares no access rule"); continue }
                guard let row = table[key] else { failures.append("\(key): missing from the authorization matrix"); continue }
                let isAPI = key.contains(" /api/")
                let subjects: [(Character?, TestActor?)] = [(nil, nil)] + Self.actors.map { ($0.key, actors[$0.key]) }
                for (roleKey, actor) in subjects {
                    for other in row.tenantBound ? [false, true] : [false] {
                        await t.app.zhimei.loginThrottle.reset()
                        let username = roleKey.flatMap { k in Self.actors.first { $0.key == k }?.username }
                        let path = fill(route.path, fixtures: fixtures, other: other, username: username)
                        var headers: HTTPHeaders = [:]
                        var raw = row.body?(fixtures, other)
                        if key == "POST /login" || key == "POST /invite/:secret" {
                            headers = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "zm_csrf=k", "Accept": "text/html"]
                            raw = "_csrf=k&username=nobody&password=Wrong-Passw0rd1&confirm=Wrong-Passw0rd1"
                        } else if !isAPI {
                            headers = ["Accept": "text/html"]
                        }
                        let res = try await t.send(route.method, path, headers: headers, raw: raw, as: actor)
                        checked += 1
                        let status = res.status.code
                        let who = (roleKey.map(String.init) ?? "anonymous") + (other ? " (other tenant)" : "")
                        if status >= 500 { failures.append("\(key) as \(who): \(status) \(res.text.prefix(160))"); continue }
                        let expectAllowed: Bool
                        if row.allowed == "*" { expectAllowed = true }
                        else if let roleKey { expectAllowed = row.allowed.contains(roleKey) && (!other || (roleKey == "P" && !row.personal)) }
                        else { expectAllowed = false }
                        let redirectedToLogin = status == 303 && res.headers.first(name: .location)?.hasPrefix("/login?next=") == true
                        let denied = status == 401 || status == 403 || redirectedToLogin || (status == 404 && row.tenantBound)
                        if row.allowed == "*" {
                            if status == 401 && !["POST /api/v1/session", "POST /login"].contains(key) {
                                failures.append("\(key) as \(who): public route asked for sign-in")
                            }
                        } else if expectAllowed && denied {
                            failures.append("\(key) as \(who): expected allowed, got \(status) \(res.text.prefix(160))")
                        } else if !expectAllowed && !denied {
                            failures.append("\(key) as \(who): expected denied, got \(status)")
                        }
                    }
                }
            }
            let registered = Set(routes.map { "\($0.method.rawValue) /" + $0.path.map { "\($0)" }.joined(separator: "/") })
            for stale in Set(table.keys).subtracting(registered) { failures.append("\(stale): in the matrix but not registered") }
            XCTAssertGreaterThan(checked, 500)
            XCTAssertTrue(failures.isEmpty, "\(failures.count) authorization failures:\n" + failures.joined(separator: "\n"))
        }
    }

    private func fill(_ path: [PathComponent], fixtures: MatrixFixtures, other: Bool, username: String?) -> String {
        "/" + path.map { component -> String in
            guard case .parameter(let name) = component else { return "\(component)" }
            if name == "tokenID", !other { return (username.flatMap { fixtures.ownTokens[$0] } ?? UUID()).uuidString }
            return fixtures.id(name, other)
        }.joined(separator: "/")
    }
}
