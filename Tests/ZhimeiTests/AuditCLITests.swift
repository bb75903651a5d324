import Fluent
import SQLKit
import XCTest
@testable import Zhimei

/// `zhimei admin verify-audit`, the operator's check of the audit chain, run as a real process.
final class AuditCLITests: XCTestCase {
    func testVerifyAuditExitsNonZeroAfterTampering() async throws {
        _ = try WorkerProcess.requireBinary()
        try await withTestApp { t in
            var env = ["ZHIMEI_DATA_DIR": t.settings.dataDirectory, "ZHIMEI_LOG_LEVEL": "error", "DATABASE_URL": t.settings.databaseURL ?? ""]
            if let schema = t.schema { env["ZHIMEI_PG_SCHEMA"] = schema }
            for i in 0..<5 {
                try await AuditLog.record(AuditEvent(actorID: nil, actorName: "editor\(i)", tenantID: nil, action: "story.approve"), on: t.db)
            }
            let clean = try WorkerProcess.run(["admin", "verify-audit"], environment: env)
            XCTAssertEqual(clean.status, 0, clean.output)
            XCTAssertTrue(clean.output.contains("audit chain OK: 6 entries"), clean.output)

            let sql = try XCTUnwrap(t.db as? any SQLDatabase)
            try await sql.raw("UPDATE audit_entries SET action = 'story.reject' WHERE actor_name = 'editor2'").run()
            let altered = try WorkerProcess.run(["admin", "verify-audit"], environment: env)
            XCTAssertEqual(altered.status, 1)
            XCTAssertTrue(altered.output.contains("BROKEN") && altered.output.contains("altered"), altered.output)

            try await sql.raw("UPDATE audit_entries SET action = 'story.approve' WHERE actor_name = 'editor2'").run()
            try await sql.raw("DELETE FROM audit_entries WHERE actor_name = 'editor3'").run()
            let deleted = try WorkerProcess.run(["admin", "verify-audit"], environment: env)
            XCTAssertEqual(deleted.status, 1)
            XCTAssertTrue(deleted.output.contains("link broken"), deleted.output)
        }
    }
}
