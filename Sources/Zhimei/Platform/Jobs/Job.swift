import Fluent
import Vapor

/// A durable unit of background work, claimed by workers with a lease.
public final class Job: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "jobs"

    /// Life cycle: queued → running → succeeded, or back to queued for a retry, or dead after the last attempt.
    public enum State: String, Codable, Sendable, CaseIterable { case queued, running, succeeded, dead, discarded }

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "tenant_id") public var tenantID: UUID?
    @Field(key: "payload") public var payload: String
    @Field(key: "state") public var state: State
    @Field(key: "attempts") public var attempts: Int
    @Field(key: "max_attempts") public var maxAttempts: Int
    @Field(key: "run_at") public var runAt: Date
    @OptionalField(key: "lease_expires_at") public var leaseExpiresAt: Date?
    @OptionalField(key: "lease_owner") public var leaseOwner: String?
    @OptionalField(key: "idempotency_key") public var idempotencyKey: String?
    @Field(key: "progress_stage") public var progressStage: String
    @Field(key: "progress_percent") public var progressPercent: Int
    @OptionalField(key: "last_error") public var lastError: String?
    @OptionalField(key: "result") public var result: String?
    @OptionalField(key: "created_by") public var createdBy: UUID?
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date
    @OptionalField(key: "finished_at") public var finishedAt: Date?

    public init() {}
}
