import Fluent
import Vapor
import SQLKit
import XCTest
@testable import Zhimei

/// Every migration runs up and down, and up again, on the backend under test.
final class MigrationTests: XCTestCase {
    func tables(_ t: TestApp) async throws -> Set<String> {
        let sql = try XCTUnwrap(t.db as? any SQLDatabase)
        if sql.dialect.name == "postgresql" {
            let rows = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = \(bind: t.schema ?? "public")").all()
            return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
        }
        let rows = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }

    func testMigrationsRunUpDownAndUpAgain() async throws {
        try await withTestApp { t in
            let expected: Set<String> = ["tenants", "users", "memberships", "sessions", "api_tokens", "audit_entries", "jobs"]
            try await XCTAssertTrueAsync(expected.isSubset(of: try await tables(t)), "\(try await tables(t))")
            try await t.app.autoRevert()
            try await XCTAssertTrueAsync(try await tables(t).isDisjoint(with: expected), "revert drops every table: \(try await tables(t))")
            try await t.app.autoMigrate()
            try await XCTAssertTrueAsync(expected.isSubset(of: try await tables(t)))
            try await XCTAssertEqualAsync(try await DemoData.seed(on: t.db) { try Bcrypt.hash($0, cost: 4) }, 18, "schema is usable after re-migration")
        }
    }

    func testMigrationsAreNumberedInOrder() {
        let names = ZhimeiMigrations.all.map { String(describing: type(of: $0)) }
        let numbers = names.compactMap { Int($0.dropFirst().prefix(3)) }
        XCTAssertEqual(numbers.count, names.count, "every migration is named Mnnn_…: \(names)")
        XCTAssertEqual(numbers, numbers.sorted(), "\(names)")
        XCTAssertEqual(Set(numbers).count, numbers.count, "numbers are unique: \(names)")
    }
}
