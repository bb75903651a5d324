import Fluent
import Vapor

/// Where a lead came from.
public enum LeadOrigin: String, Codable, Sendable, CaseIterable {
    case feed, webhook, tip, paste
}

/// A lead's place in the inbox: new → claimed → converted (into a topic), or discarded.
public enum LeadStatus: String, Codable, Sendable, CaseIterable {
    case new, claimed, converted, discarded
}

/// A lead (线索): a signal worth looking at, from a feed, a webhook, a citizen tip or a paste.
/// Title and body are plain text: markup from a source is converted to inert text on the way in.
public final class Lead: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "leads"
    public static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @OptionalField(key: "source_id") public var sourceID: UUID?
    @Field(key: "origin") public var origin: LeadOrigin
    @Field(key: "source_name") public var sourceName: String
    /// Identity of the item inside its source (hash of GUID, link or title), so re-polls add nothing twice.
    @Field(key: "guid_hash") public var guidHash: String
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    @Field(key: "summary") public var summary: String
    @Field(key: "keywords") public var keywords: [String]
    @OptionalField(key: "source_url") public var sourceURL: String?
    /// When the item says it was published (the fetch time when it does not say).
    @Field(key: "published_at") public var publishedAt: Date
    @Field(key: "fetched_at") public var fetchedAt: Date
    /// zh-Hans, zh-Hant, en or other.
    @Field(key: "language") public var language: String
    /// Simplified copies of Traditional text.
    @OptionalField(key: "title_simplified") public var titleSimplified: String?
    @OptionalField(key: "body_simplified") public var bodySimplified: String?
    @Field(key: "category") public var category: String
    /// The 64-bit SimHash (bit pattern) and its four 16-bit bands, for near-duplicate look-ups.
    @Field(key: "simhash") public var simhash: Int64
    @Field(key: "band0") public var band0: Int
    @Field(key: "band1") public var band1: Int
    @Field(key: "band2") public var band2: Int
    @Field(key: "band3") public var band3: Int
    /// The near-duplicate cluster: the ID of its first lead.
    @Field(key: "cluster_id") public var clusterID: UUID
    @Field(key: "status") public var status: LeadStatus
    @OptionalField(key: "assignee_id") public var assigneeID: UUID?
    @OptionalField(key: "claimed_at") public var claimedAt: Date?
    @OptionalField(key: "topic_id") public var topicID: UUID?
    /// A tipster's contact (tips only).
    @OptionalField(key: "contact") public var contact: String?
    /// Blob keys of attached photos (tips only).
    @Field(key: "attachments") public var attachments: [String]
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    public var fingerprint: UInt64 { UInt64(bitPattern: simhash) }
}

/// A source of leads of one tenant: a polled feed (RSS 2.0, Atom, JSON Feed) or an inbound webhook.
public final class LeadSource: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "lead_sources"
    public static var tenantKey: FieldKey { "tenant_id" }

    public enum Kind: String, Codable, Sendable, CaseIterable { case feed, webhook }

    @ID(key: .id) public var id: UUID?
    @Field(key: "tenant_id") public var tenantID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "kind") public var kind: Kind
    @OptionalField(key: "url") public var url: String?
    @Field(key: "enabled") public var enabled: Bool
    /// Normal polling interval; failures stretch it (see `FeedPoller.nextInterval`).
    @Field(key: "interval_seconds") public var intervalSeconds: Int
    /// The webhook's shared secret (also the HMAC key). Shown to managers; rotate to change.
    @Field(key: "webhook_secret") public var webhookSecret: String
    @OptionalField(key: "etag") public var etag: String?
    @OptionalField(key: "last_modified") public var lastModified: String?
    @OptionalField(key: "next_poll_at") public var nextPollAt: Date?
    @OptionalField(key: "last_polled_at") public var lastPolledAt: Date?
    @OptionalField(key: "last_success_at") public var lastSuccessAt: Date?
    @OptionalField(key: "last_error") public var lastError: String?
    @OptionalField(key: "last_error_at") public var lastErrorAt: Date?
    @OptionalField(key: "last_status") public var lastStatus: Int?
    @Field(key: "failure_count") public var failureCount: Int
    @Field(key: "items_fetched") public var itemsFetched: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
