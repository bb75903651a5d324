import Fluent
import Foundation
import Vapor

/// Upkeep of the platform's own tables, run by every worker pool every few hours (idempotent, so several
/// processes doing it is harmless). Without it the feed scheduler alone leaves ~1,440 finished job rows a day.
/// It is a loop in the pool rather than a job so that it never adds rows of its own to the job table.
enum Housekeeping {
    /// Succeeded and discarded jobs are kept a week (the jobs page shows recent work); dead ones a month, for diagnosis.
    static let finishedJobRetention: TimeInterval = 7 * 86_400
    static let deadJobRetention: TimeInterval = 30 * 86_400
    static let interval: TimeInterval = 6 * 3600

    /// Deletes finished jobs past their retention and sessions that ended more than a day ago; returns deleted job rows.
    /// With the application, the prune handlers of the jobs' kinds run first (`JobRegistry.onPrune`).
    @discardableResult
    static func run(on db: any Database, now: Date = Date(), application: Application? = nil) async throws -> Int {
        let finishedCutoff = now.addingTimeInterval(-finishedJobRetention)
        let deadCutoff = now.addingTimeInterval(-deadJobRetention)
        func old() -> QueryBuilder<Job> {
            Job.query(on: db).group(.or) { or in
                or.group(.and) { $0.filter(\.$state ~~ [.succeeded, .discarded]).filter(\.$finishedAt < finishedCutoff) }
                or.group(.and) { $0.filter(\.$state == .dead).filter(\.$finishedAt < deadCutoff) }
            }
        }
        if let application {
            let jobs = application.zhimei.jobs
            if !jobs.pruneKinds.isEmpty {
                for job in try await old().filter(\.$kind ~~ jobs.pruneKinds).all() { await jobs.pruneHandler(for: job.kind)?(job, application) }
            }
        }
        let count = try await old().count()
        if count > 0 { try await old().delete() }
        try await pruneSessions(on: db, now: now)
        return count
    }

    /// Deletes sessions that ended or expired more than a day ago (also the `platform.cleanup_sessions` job).
    static func pruneSessions(on db: any Database, now: Date = Date()) async throws {
        let cutoff = now.addingTimeInterval(-86_400)
        try await UserSession.query(on: db).group(.or) { $0.filter(\.$expiresAt < cutoff).filter(\.$endedAt < cutoff) }.delete()
    }
}
