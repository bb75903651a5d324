import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Jobs across real worker processes: no job runs twice, and a killed worker's job is finished by another.
final class JobProcessTests: XCTestCase {
    /// Environment that points a `zhimei worker` process at the test's database and data directory.
    func workerEnvironment(_ t: TestApp, lease: Int = 30) -> [String: String] {
        var env = ["ZHIMEI_DATA_DIR": t.settings.dataDirectory, "ZHIMEI_DIAGNOSTIC_JOBS": "1", "ZHIMEI_LOG_LEVEL": "error",
                   "ZHIMEI_JOB_LEASE_SECONDS": String(lease), "DATABASE_URL": ""]
        if let url = t.settings.databaseURL { env["DATABASE_URL"] = url }
        if let schema = t.schema { env["ZHIMEI_PG_SCHEMA"] = schema }
        return env
    }

    func probeLines(_ t: TestApp) -> [[Substring]] {
        let text = (try? String(contentsOfFile: t.settings.dataDirectory + "/probe.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: " ") }
    }

    func waitFor(_ timeout: TimeInterval, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return false
    }

    func testTwoWorkerProcessesRunEachOfAThousandJobsExactlyOnce() async throws {
        _ = try WorkerProcess.requireBinary()
        try await withTestApp(seed: false, extra: ["ZHIMEI_DIAGNOSTIC_JOBS": "1"]) { t in
            var ids: Set<UUID> = []
            for _ in 0..<1000 {
                ids.insert(try await JobQueue.enqueue(kind: "diagnostics.probe", payload: "{}", tenantID: nil, on: t.db).requireID())
            }
            let env = workerEnvironment(t)
            let a = try WorkerProcess.start(["worker", "--concurrency", "3"], environment: env)
            let b = try WorkerProcess.start(["worker", "--concurrency", "3"], environment: env)
            defer { a.stop(); b.stop() }
            let finished = try await waitFor(240) {
                try await Job.query(on: t.db).filter(\.$state == .succeeded).count() == 1000
            }
            a.stop(); b.stop()
            XCTAssertTrue(finished, "all jobs finished")
            let lines = probeLines(t)
            XCTAssertEqual(lines.count, 1000, "each job ran once, no more")
            XCTAssertEqual(Set(lines.compactMap { UUID(uuidString: String($0[0])) }), ids)
            let processes = Set(lines.map { $0[2].split(separator: ":")[1] })
            XCTAssertEqual(processes, [Substring(String(a.pid)), Substring(String(b.pid))], "both processes took work")
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$attempts != 1).count(), 0, "no job was claimed twice")
        }
    }

    func testKilledWorkersJobCompletesExactlyOnceAfterTheLeaseExpires() async throws {
        _ = try WorkerProcess.requireBinary()
        try await withTestApp(seed: false, extra: ["ZHIMEI_DIAGNOSTIC_JOBS": "1"]) { t in
            let job = try await JobQueue.enqueue(kind: "diagnostics.probe", payload: #"{"sleepMilliseconds":4000}"#, tenantID: nil, on: t.db)
            let env = workerEnvironment(t, lease: 2)
            let first = try WorkerProcess.start(["worker", "--concurrency", "1"], environment: env)
            let running = try await waitFor(60) { try await Job.find(job.id, on: t.db)?.state == .running }
            XCTAssertTrue(running)
            try await Task.sleep(nanoseconds: 1_000_000_000)
            first.kill9()
            try await XCTAssertEqualAsync(try await Job.find(job.id, on: t.db)?.state, .running, "the dead worker still holds the lease")
            let second = try WorkerProcess.start(["worker", "--concurrency", "1"], environment: env)
            defer { second.stop() }
            let done = try await waitFor(60) { try await Job.find(job.id, on: t.db)?.state == .succeeded }
            second.stop()
            XCTAssertTrue(done)
            let lines = probeLines(t)
            XCTAssertEqual(lines.count, 1, "completed exactly once")
            XCTAssertEqual(lines.first?[1], "2", "on the second attempt")
            XCTAssertTrue(lines.first?[2].contains(":\(second.pid):") ?? false)
        }
    }
}
