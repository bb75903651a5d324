import Fluent
import SQLKit
import Vapor
import XCTest
@testable import Zhimei

/// The audit log: filters, and the hash chain that makes tampering visible.
final class AuditTests: XCTestCase {
    struct Entry: Decodable { var id: Int; var action: String; var actorName: String; var tenantId: UUID? }

    func testChainVerifiesAndDetectsAlteredAndDeletedEntries() async throws {
        try await withTestApp { t in
            for i in 0..<12 {
                try await AuditLog.record(AuditEvent(actorID: nil, actorName: "tester", tenantID: nil, action: "test.event", targetID: "\(i)"), on: t.db)
            }
            let clean = try await AuditLog.verify(on: t.db, batchSize: 5)
            XCTAssertTrue(clean.ok, clean.problems.joined(separator: "; "))
            try await XCTAssertEqualAsync(clean.checked, try await AuditEntry.query(on: t.db).count())

            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            let victim = try await AuditEntry.query(on: t.db).filter(\.$targetID == "5").first()!
            try await sql.raw("UPDATE audit_entries SET actor_name = 'someone-else' WHERE id = \(bind: victim.id!)").run()
            let altered = try await AuditLog.verify(on: t.db)
            XCTAssertFalse(altered.ok)
            XCTAssertTrue(altered.problems.contains { $0.contains("entry \(victim.id!)") && $0.contains("altered") }, altered.problems.joined(separator: "; "))

            try await sql.raw("UPDATE audit_entries SET actor_name = 'tester' WHERE id = \(bind: victim.id!)").run()
            try await XCTAssertTrueAsync(try await AuditLog.verify(on: t.db).ok, "restoring the value restores the chain")

            let deleted = try await AuditEntry.query(on: t.db).filter(\.$targetID == "8").first()!
            try await sql.raw("DELETE FROM audit_entries WHERE id = \(bind: deleted.id!)").run()
            let afterDelete = try await AuditLog.verify(on: t.db)
            XCTAssertFalse(afterDelete.ok)
            XCTAssertTrue(afterDelete.problems.contains { $0.contains("link broken") })
        }
    }

    func testConcurrentWritersKeepOneLinearChain() async throws {
        try await withTestApp(seed: false) { t in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await AuditLog.record(AuditEvent(actorID: nil, actorName: "w\(i % 4)", tenantID: nil, action: "test.parallel"), on: t.db)
                    }
                }
                try await group.waitForAll()
            }
            let result = try await AuditLog.verify(on: t.db)
            XCTAssertEqual(result.checked, 40)
            XCTAssertTrue(result.ok, result.problems.joined(separator: "; "))
        }
    }

    func testFiltersByActorActionTenantAndTimeAndScopesToTenant() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let ningxiang = try await t.tenant("ningxiang").requireID()
            try await AuditLog.record(AuditEvent(actorID: nil, actorName: "liuyang-editor", tenantID: liuyang, action: "story.submit"), on: t.db)
            try await AuditLog.record(AuditEvent(actorID: nil, actorName: "ningxiang-editor", tenantID: ningxiang, action: "story.submit"), on: t.db)
            let platform = try await t.token(for: "admin")
            let all = try await t.send(.GET, "/api/v1/audit?action=story.", as: platform).json([Entry].self)
            XCTAssertEqual(all.count, 2)
            let byActor = try await t.send(.GET, "/api/v1/audit?actor=ningxiang", as: platform).json([Entry].self)
            XCTAssertEqual(byActor.map(\.actorName), ["ningxiang-editor"])
            let byTenant = try await t.send(.GET, "/api/v1/audit?tenant_id=\(liuyang)&action=story", as: platform).json([Entry].self)
            XCTAssertEqual(byTenant.map(\.actorName), ["liuyang-editor"])
            let future = try await t.send(.GET, "/api/v1/audit?from=2099-01-01", as: platform).json([Entry].self)
            XCTAssertTrue(future.isEmpty)
            let badDate = try await t.send(.GET, "/api/v1/audit?from=yesterday", as: platform)
            XCTAssertEqual(badDate.status, .unprocessableEntity)
            // A tenant admin sees only their own tenant's entries, whatever they ask for.
            let countyAdmin = try await t.token(for: "liuyang-admin")
            let own = try await t.send(.GET, "/api/v1/audit?tenant_id=\(ningxiang)", as: countyAdmin).json([Entry].self)
            XCTAssertTrue(own.isEmpty)
            let mine = try await t.send(.GET, "/api/v1/audit", as: countyAdmin).json([Entry].self)
            XCTAssertFalse(mine.isEmpty)
            XCTAssertTrue(mine.allSatisfy { $0.tenantId == liuyang })
            // Pagination by ID.
            let page = try await t.send(.GET, "/api/v1/audit?limit=1", as: platform).json([Entry].self)
            let next = try await t.send(.GET, "/api/v1/audit?limit=1&before_id=\(page[0].id)", as: platform).json([Entry].self)
            XCTAssertLessThan(next[0].id, page[0].id)
        }
    }

    func testPermissionChangesAndLoginsAreAudited() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let reporter = try await t.user("shaoshan-reporter").requireID()
            let shaoshan = try await t.tenant("shaoshan").requireID()
            struct Roles: Encodable { var tenantId: UUID; var roles: [String] }
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/users/\(reporter)/roles", json: Roles(tenantId: shaoshan, roles: ["reporter", "editor"]), as: admin).status, .ok)
            let entry = try await XCTUnwrapAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "user.roles").first())
            XCTAssertEqual(entry.actorName, "admin")
            XCTAssertEqual(entry.tenantID, shaoshan)
            XCTAssertTrue(entry.summary.contains(#""before":{"roles":"reporter"}"#), entry.summary)
            XCTAssertTrue(entry.summary.contains(#""after":{"roles":"editor,reporter"}"#), entry.summary)
        }
    }
}
