import Fluent
import Vapor

/// One append-only audit record. `hash` covers this record and the previous record's hash,
/// so altering or deleting any row breaks the chain (`zhimei admin verify-audit`).
public final class AuditEntry: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "audit_entries"

    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// Milliseconds since 1970; an integer so the hashed value is identical on every backend.
    @Field(key: "at_ms") public var atMilliseconds: Int64
    @OptionalField(key: "actor_id") public var actorID: UUID?
    @Field(key: "actor_name") public var actorName: String
    @OptionalField(key: "tenant_id") public var tenantID: UUID?
    @Field(key: "action") public var action: String
    @Field(key: "target_type") public var targetType: String
    @Field(key: "target_id") public var targetID: String
    @Field(key: "ip") public var ip: String
    @Field(key: "outcome") public var outcome: String
    /// JSON: {"before": …, "after": …, "note": …}
    @Field(key: "summary") public var summary: String
    @Field(key: "prev_hash") public var prevHash: String
    @Field(key: "hash") public var hash: String

    public init() {}

    public var at: Date { Date(timeIntervalSince1970: Double(atMilliseconds) / 1000) }
}
