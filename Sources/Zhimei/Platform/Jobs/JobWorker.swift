import Fluent
import NIOConcurrencyHelpers
import Vapor

/// Runs claimed jobs: several loops per process, each claiming, heartbeating and finishing one job at a time.
public final class JobWorkerPool: Sendable {
    let application: Application
    let concurrency: Int
    let lease: TimeInterval
    let pollInterval: TimeInterval
    let ownerPrefix: String
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    public init(application: Application, concurrency: Int, lease: TimeInterval, pollInterval: TimeInterval = 0.25) {
        self.application = application
        self.concurrency = max(1, concurrency)
        self.lease = lease
        self.pollInterval = pollInterval
        self.ownerPrefix = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    public func start() {
        let loops = (0..<concurrency).map { index in
            Task { [self] in await self.loop(owner: "\(ownerPrefix)#\(index)") }
        }
        let upkeep = Task { [application] in
            while !Task.isCancelled {
                do {
                    let pruned = try await Housekeeping.run(on: application.db, application: application)
                    if pruned > 0 { application.logger.info("housekeeping: pruned \(pruned) finished jobs") }
                } catch {
                    application.logger.warning("housekeeping failed: \(String(reflecting: error))")
                }
                try? await Task.sleep(nanoseconds: UInt64(Housekeeping.interval * 1e9))
            }
        }
        tasks.withLockedValue { $0.append(contentsOf: loops + [upkeep]) }
        application.logger.info("job workers started", metadata: ["concurrency": "\(concurrency)", "kinds": "\(application.zhimei.jobs.kinds)"])
    }

    public func stop() async {
        let running = tasks.withLockedValue { t -> [Task<Void, Never>] in defer { t = [] }; return t }
        running.forEach { $0.cancel() }
        for task in running { await task.value }
    }

    private func loop(owner: String) async {
        var idle = pollInterval
        while !Task.isCancelled {
            do {
                if try await runOne(owner: owner) {
                    idle = pollInterval
                    continue
                }
            } catch {
                application.logger.warning("job loop error: \(String(reflecting: error))")
            }
            try? await Task.sleep(nanoseconds: UInt64(idle * 1e9))
            idle = min(2, idle * 1.5)
        }
    }

    /// Claims and runs one job; false when nothing was runnable.
    public func runOne(owner: String) async throws -> Bool {
        let registry = application.zhimei.jobs
        let db = application.db
        let application = self.application
        guard let job = try await JobQueue.claim(owner: owner, lease: lease, kinds: registry.kinds, on: db, deadLettered: { job, reason in
                  await Self.gaveUp(job, reason: reason, owner: owner, application: application)
              }),
              let id = job.id, let handler = registry.handler(for: job.kind) else { return false }
        let context = Self.context(job, owner: owner, application: application)
        let logger = context.logger
        let heartbeat = Task { [lease] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1e9))
                if Task.isCancelled { break }
                _ = try? await JobQueue.heartbeat(jobID: id, owner: owner, lease: lease, on: db)
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await handler(context)
            heartbeat.cancel()
            let finished = try await JobQueue.finish(job, owner: owner, state: .succeeded, error: nil, result: result, on: db)
            application.zhimei.metrics.observeJob(kind: job.kind, outcome: finished ? "succeeded" : "lease_lost")
        } catch {
            heartbeat.cancel()
            let message = (error as? AppError)?.reason ?? String(describing: error)
            let state = try await JobQueue.fail(job, owner: owner, error: message, on: db)
            application.zhimei.metrics.observeJob(kind: job.kind, outcome: state.map { $0 == .dead ? "dead" : "retry" } ?? "lease_lost")
            logger.warning("job attempt \(job.attempts) failed: \(message)")
            if state == .dead { await Self.gaveUp(job, reason: message, owner: owner, application: application) }
        }
        return true
    }

    static func context(_ job: Job, owner: String, application: Application) -> JobContext {
        var logger = application.logger
        logger[metadataKey: "job_id"] = .string(job.id?.uuidString ?? "")
        logger[metadataKey: "job_kind"] = .string(job.kind)
        return JobContext(jobID: job.id ?? UUID(), kind: job.kind, tenantID: job.tenantID, payload: job.payload, attempt: job.attempts,
                          maxAttempts: job.maxAttempts, owner: owner, db: application.db, logger: logger, application: application)
    }

    /// Runs the kind's give-up handler for a dead-lettered job; its failure is logged, not thrown (the job stays dead).
    static func gaveUp(_ job: Job, reason: String, owner: String, application: Application) async {
        guard let handler = application.zhimei.jobs.giveUpHandler(for: job.kind) else { return }
        let context = context(job, owner: owner, application: application)
        do { try await handler(context, reason) } catch {
            context.logger.warning("give-up handler failed: \(String(reflecting: error))")
        }
    }
}

/// Starts in-process workers with `serve` and stops them at shutdown.
struct JobWorkerLifecycle: LifecycleHandler {
    let pool: JobWorkerPool

    func didBootAsync(_ application: Application) async throws { pool.start() }
    func shutdownAsync(_ application: Application) async { await pool.stop() }
}
