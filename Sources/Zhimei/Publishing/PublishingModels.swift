import Fluent
import Foundation
import Vapor

/// The output channels a story can be published to. Each has its own renderer and rules (`ChannelRenderer`).
enum ChannelKind: String, Codable, Sendable, CaseIterable {
    case website
    /// The app / content API (JSON).
    case app
    case rss
    case atom
    case ninjs2
    case ninjs3
    case wechat
    case social
    case broadcast
    case plain

    /// Chinese and English names for the UI.
    var label: (zh: String, en: String) {
        switch self {
        case .website: return ("网站", "Website")
        case .app: return ("客户端/内容接口", "App / content API")
        case .rss: return ("RSS 2.0", "RSS 2.0")
        case .atom: return ("Atom", "Atom")
        case .ninjs2: return ("IPTC ninjs 2.2", "IPTC ninjs 2.2")
        case .ninjs3: return ("IPTC ninjs 3.1", "IPTC ninjs 3.1")
        case .wechat: return ("微信公众号", "WeChat article")
        case .social: return ("短社交帖", "Short social post")
        case .broadcast: return ("广播口播稿", "Broadcast script")
        case .plain: return ("纯文本/印刷", "Plain text / print")
        }
    }

    /// Default character limit of the rendered text (0 = none).
    var defaultMaxLength: Int {
        switch self {
        case .social: return 140
        case .wechat: return 20_000
        default: return 0
        }
    }
}

/// A tenant's channel: its kind, whether it is used, its limits and hashtags (社交帖话题).
final class PublishChannel: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "publish_channels"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "kind") var kind: ChannelKind
    @Field(key: "enabled") var enabled: Bool
    /// Character limit of the rendered text (0 = the channel has none).
    @Field(key: "max_length") var maxLength: Int
    /// Hashtags appended to social posts (without #).
    @Field(key: "hashtags") var hashtags: [String]
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// The state of one publication.
enum PublicationState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its time (schedule or embargo).
    case scheduled
    case published
    /// Replaced by a newer version of the same story on the same channel.
    case superseded
    /// Withdrawn everywhere (撤稿); the APIs answer with a tombstone.
    case killed
}

/// One story version on one channel: an immutable snapshot plus the channel's rendered output.
/// Unique per (story, version, channel), so a retried publish never creates a second copy.
final class Publication: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "publications"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "story_id") var storyID: UUID
    @Field(key: "story_version") var storyVersion: Int
    @Field(key: "channel") var channel: ChannelKind
    @Field(key: "state") var state: PublicationState
    /// Headline and summary as published on this channel (after per-channel overrides).
    @Field(key: "headline") var headline: String
    @Field(key: "summary") var summary: String
    @Field(key: "snapshot") var snapshot: StorySnapshot
    /// The channel's rendered output (HTML, JSON, text), fixed at publication.
    @Field(key: "rendered") var rendered: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "author_name") var authorName: String
    /// Credit line when the story was republished from another tenant (共享稿库).
    @Field(key: "credit") var credit: String
    @OptionalField(key: "correction") var correction: String?
    @OptionalField(key: "corrected_at") var correctedAt: Date?
    @Field(key: "publish_at") var publishAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    /// When the story first went live on this channel (any version): feeds keep this as the item date.
    @OptionalField(key: "first_published_at") var firstPublishedAt: Date?
    @OptionalField(key: "killed_at") var killedAt: Date?
    @OptionalField(key: "kill_reason") var killReason: String?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Kinds of external destination.
enum DestinationKind: String, Codable, Sendable, CaseIterable {
    /// JSON POST with an HMAC-SHA256 signature header.
    case webhook
    /// Files in a directory under the data directory.
    case directory
    /// Objects in an S3-compatible bucket.
    case s3
    /// HTTP POST of the ninjs 3.1 document.
    case ninjsPush = "ninjs_push"
}

/// An external destination of a tenant (外发目标).
final class PublishDestination: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "publish_destinations"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: DestinationKind
    /// URL (webhook, ninjs push, S3 endpoint) or a directory name under the outbox.
    @Field(key: "target") var target: String
    /// HMAC secret (webhook) or S3 secret key.
    @Field(key: "secret") var secret: String
    /// S3: bucket, region, access_key.
    @Field(key: "options") var options: [String: String]
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "created_at") var createdAt: Date
    /// Deleted destinations are kept (their delivery log stays readable for audits) but never receive anything.
    @OptionalField(key: "deleted_at") var deletedAt: Date?

    init() {}
}

/// Delivery status.
enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    case queued, delivered, failed
}

/// One delivery of one story version (publish, correction or kill) to one destination.
final class PublishDelivery: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "publish_deliveries"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "destination_id") var destinationID: UUID
    @Field(key: "story_id") var storyID: UUID
    @Field(key: "story_version") var storyVersion: Int
    /// "publish", "correction" or "kill".
    @Field(key: "event") var event: String
    /// Sent as `Idempotency-Key` and used as the file/object name; unique.
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "status") var status: DeliveryStatus
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
