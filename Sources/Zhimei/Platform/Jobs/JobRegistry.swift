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

    /// True on the job's last try: a handler whose job owns a record (an import, a batch) marks it failed when this throws.
    public var isLastAttempt: Bool { attempt >= maxAttempts }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

/// A job handler returns an optional result summary; throwing schedules a retry.
public typealias JobHandler = @Sendable (JobContext) async throws -> String?

/// The job kinds this process can run.
public final class JobRegistry: Sendable {
    private let handlers = NIOLockedValueBox<[String: JobHandler]>([:])

    public func register(_ kind: String, _ handler: @escaping JobHandler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    public func handler(for kind: String) -> JobHandler? {
        handlers.withLockedValue { $0[kind] }
    }

    public var kinds: [String] { handlers.withLockedValue { Array($0.keys).sorted() } }
}
