import Fluent
import SQLKit
import Vapor

/// The durable job queue: enqueue, claim with a lease, heartbeat, finish, retry with backoff, dead letters.
public enum JobQueue {
    /// Adds a job. With an idempotency key, a second enqueue returns the first job instead of adding another.
    @discardableResult
    public static func enqueue(kind: String, payload: String = "{}", tenantID: UUID?, idempotencyKey: String? = nil,
                               runAt: Date = Date(), maxAttempts: Int = 5, createdBy: UUID? = nil, on db: any Database) async throws -> Job {
        if let key = idempotencyKey, let existing = try await Job.query(on: db).filter(\.$idempotencyKey == key).first() {
            return existing
        }
        let job = Job()
        job.kind = kind
        job.tenantID = tenantID
        job.payload = payload
        job.state = .queued
        job.attempts = 0
        job.maxAttempts = max(1, maxAttempts)
        job.runAt = runAt
        job.idempotencyKey = idempotencyKey
        job.progressStage = "queued"
        job.progressPercent = 0
        job.createdBy = createdBy
        job.createdAt = Date()
        job.updatedAt = Date()
        do {
            try await job.create(on: db)
        } catch {
            // Lost a race with another enqueue of the same key: return the winner.
            guard (error as? any DatabaseError)?.isConstraintFailure == true, let key = idempotencyKey,
                  let existing = try await Job.query(on: db).filter(\.$idempotencyKey == key).first() else { throw error }
            return existing
        }
        return job
    }

    /// Claims the next runnable job: a queued job that is due, or a running job whose lease expired
    /// (its worker died). One statement, so two workers never claim the same job; on PostgreSQL
    /// `FOR UPDATE SKIP LOCKED` lets concurrent workers pass each other without waiting.
    /// `deadLettered` is called for each job found with its last attempt's lease run out (it is dead-lettered instead).
    public static func claim(owner: String, lease: TimeInterval, kinds: [String], on db: any Database,
                             deadLettered: @Sendable (Job, String) async -> Void = { _, _ in }) async throws -> Job? {
        guard let sql = db as? any SQLDatabase, !kinds.isEmpty else { return nil }
        let now = Date()
        let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        var kindList = SQLList(kinds.map { SQLBind($0) })
        kindList.separator = SQLRaw(", ")
        let query: SQLQueryString = """
            UPDATE jobs SET state = 'running', lease_owner = \(bind: owner), lease_expires_at = \(bind: now.addingTimeInterval(lease)),
                attempts = attempts + 1, updated_at = \(bind: now), progress_stage = 'running'
            WHERE id = (
                SELECT id FROM jobs
                WHERE kind IN (\(kindList)) AND ((state = 'queued' AND run_at <= \(bind: now)) OR (state = 'running' AND lease_expires_at < \(bind: now)))
                ORDER BY run_at LIMIT 1\(unsafeRaw: lock)
            )
            RETURNING id
            """
        guard let row = try await sql.raw(query).first(), let id = try? row.decode(column: "id", as: UUID.self) else { return nil }
        guard let job = try await Job.find(id, on: db) else { return nil }
        if job.attempts > job.maxAttempts {
            // Its last attempt died with its worker: no retries left.
            let reason = "worker lost during the last attempt (lease expired) / 最后一次执行时进程中断"
            if try await finish(job, owner: owner, state: .dead, error: reason, result: nil, on: db) { await deadLettered(job, reason) }
            return try await claim(owner: owner, lease: lease, kinds: kinds, on: db, deadLettered: deadLettered)
        }
        return job
    }

    /// Extends the lease of a running job; false if this worker no longer holds it.
    public static func heartbeat(jobID: UUID, owner: String, lease: TimeInterval, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.raw("""
            UPDATE jobs SET lease_expires_at = \(bind: Date().addingTimeInterval(lease))
            WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner) AND state = 'running' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    static func progress(jobID: UUID, owner: String, stage: String, percent: Int, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE jobs SET progress_stage = \(bind: String(stage.prefix(200))), progress_percent = \(bind: min(100, max(0, percent))), updated_at = \(bind: Date())
            WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner) AND state = 'running'
            """).run()
    }

    /// Marks success, a retry or a dead letter. Only the current lease holder can finish a job,
    /// so a worker that lost its lease cannot finish it a second time. Returns false if the lease was lost.
    @discardableResult
    public static func finish(_ job: Job, owner: String, state: Job.State, error: String?, result: String?, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase, let id = job.id else { return false }
        let now = Date()
        let rows = try await sql.raw("""
            UPDATE jobs SET state = \(bind: state.rawValue), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(bind: now),
                finished_at = \(bind: now), last_error = \(bind: error.map { String($0.prefix(2000)) }), result = \(bind: result),
                progress_stage = \(bind: state == .succeeded ? "done" : state.rawValue), progress_percent = \(bind: state == .succeeded ? 100 : job.progressPercent)
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND state = 'running' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// After a failed attempt: queue a retry with exponential backoff and jitter, or dead-letter it.
    /// Returns nil when this worker no longer held the lease (another worker has the job; nothing changed),
    /// so a give-up handler runs only for the worker that actually dead-lettered the job.
    @discardableResult
    public static func fail(_ job: Job, owner: String, error: String, baseDelay: TimeInterval = 2, on db: any Database) async throws -> Job.State? {
        guard let sql = db as? any SQLDatabase, let id = job.id else { return nil }
        if job.attempts >= job.maxAttempts {
            return try await finish(job, owner: owner, state: .dead, error: error, result: nil, on: db) ? .dead : nil
        }
        let delay = backoff(attempt: job.attempts, base: baseDelay)
        let rows = try await sql.raw("""
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL, run_at = \(bind: Date().addingTimeInterval(delay)),
                last_error = \(bind: String(error.prefix(2000))), updated_at = \(bind: Date()), progress_stage = 'retrying'
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND state = 'running' RETURNING id
            """).all()
        return rows.isEmpty ? nil : .queued
    }

    /// Exponential backoff with full jitter, capped at one hour: base·2^(n−1) · U(0.5, 1).
    public static func backoff(attempt: Int, base: TimeInterval) -> TimeInterval {
        let exponential = min(3600, base * pow(2, Double(max(0, attempt - 1))))
        return exponential * Double.random(in: 0.5...1.0)
    }

    /// Puts a dead or discarded job back in the queue with fresh attempts.
    public static func retry(_ job: Job, on db: any Database) async throws {
        job.state = .queued
        job.attempts = 0
        job.runAt = Date()
        job.finishedAt = nil
        job.progressStage = "queued"
        job.progressPercent = 0
        job.updatedAt = Date()
        try await job.save(on: db)
    }

    public static func discard(_ job: Job, on db: any Database) async throws {
        job.state = .discarded
        job.updatedAt = Date()
        job.finishedAt = Date()
        try await job.save(on: db)
    }

    /// Counts of jobs per state, for metrics and the admin page.
    public static func depth(on db: any Database) async throws -> [String: Int] {
        guard let sql = db as? any SQLDatabase else { return [:] }
        let rows = try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all()
        var out: [String: Int] = [:]
        for state in Job.State.allCases { out[state.rawValue] = 0 }
        for row in rows {
            if let state = try? row.decode(column: "state", as: String.self), let n = try? row.decode(column: "n", as: Int.self) { out[state] = n }
        }
        return out
    }
}
