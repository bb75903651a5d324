import Fluent
import NIOConcurrencyHelpers
import Vapor

/// What a job handler gets: the job's data, a database, and a way to report progress.
public struct JobContext: Sendable {
    public let jobID: UUID
    public let kind: String
    public let tenantID: UUID?
    public let payload: String
    public let attempt: Int
    public let maxAttempts: Int
    public let owner: String
    public let db: any Database
    public let logger: Logger
    public let application: Application

    /// Records progress (stage and percent) that the UI shows live.
    public func progress(_ stage: String, _ percent: Int) async throws {
        try await JobQueue.progress(jobID: jobID, owner: owner, stage: stage, percent: percent, on: db)
    }

    /// True on the job's last try (a delivery records itself failed rather than queued; records that must be marked when a
    /// job is given up use `JobRegistry.onGiveUp`, which also covers a worker that died).
    public var isLastAttempt: Bool { attempt >= maxAttempts }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

/// A job handler returns an optional result summary; throwing schedules a retry.
public typealias JobHandler = @Sendable (JobContext) async throws -> String?

/// Called once when a job of its kind is dead-lettered — its last attempt threw, or its worker died during it — with
/// the job's context and the reason: a job that owns a record (an import) marks it failed, so the record does not stay
/// "queued" or "running" for good.
public typealias JobGiveUpHandler = @Sendable (JobContext, String) async throws -> Void

/// Called by housekeeping for each finished job of its kind just before the job's row is deleted: what the job left
/// outside its row (files in the blob store) goes with it.
public typealias JobPruneHandler = @Sendable (Job, Application) async -> Void

/// The job kinds this process can run.
public final class JobRegistry: Sendable {
    private let handlers = NIOLockedValueBox<[String: JobHandler]>([:])
    private let giveUpHandlers = NIOLockedValueBox<[String: JobGiveUpHandler]>([:])
    private let pruneHandlers = NIOLockedValueBox<[String: JobPruneHandler]>([:])

    public func register(_ kind: String, _ handler: @escaping JobHandler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    /// What to do when a job of `kind` is given up (see `JobGiveUpHandler`).
    public func onGiveUp(_ kind: String, _ handler: @escaping JobGiveUpHandler) {
        giveUpHandlers.withLockedValue { $0[kind] = handler }
    }

    /// What to delete with a finished job of `kind` when housekeeping prunes it (see `JobPruneHandler`).
    public func onPrune(_ kind: String, _ handler: @escaping JobPruneHandler) {
        pruneHandlers.withLockedValue { $0[kind] = handler }
    }

    public func pruneHandler(for kind: String) -> JobPruneHandler? {
        pruneHandlers.withLockedValue { $0[kind] }
    }

    public var pruneKinds: [String] { pruneHandlers.withLockedValue { Array($0.keys).sorted() } }

    public func handler(for kind: String) -> JobHandler? {
        handlers.withLockedValue { $0[kind] }
    }

    public func giveUpHandler(for kind: String) -> JobGiveUpHandler? {
        giveUpHandlers.withLockedValue { $0[kind] }
    }

    public var kinds: [String] { handlers.withLockedValue { Array($0.keys).sorted() } }
}
