import Foundation
import Vapor

/// A publication as the staff API shows it.
struct PublicationDTO: Content {
    var id: UUID
    var storyId: UUID
    var tenantId: UUID
    var version: Int
    var channel: String
    var state: String
    var headline: String
    var summary: String
    var publishAt: Date
    var publishedAt: Date?
    var correction: String?
    var killedAt: Date?
    var url: String

    init(_ p: Publication, context: RenderContext) {
        id = p.id ?? UUID(); storyId = p.storyID; tenantId = p.tenantID; version = p.storyVersion; channel = p.channel.rawValue
        state = p.state.rawValue; headline = p.headline; summary = p.summary; publishAt = p.publishAt; publishedAt = p.publishedAt
        correction = p.correction; killedAt = p.killedAt; url = context.input(p).articleURL
    }

    enum CodingKeys: String, CodingKey {
        case id, storyId = "story_id", tenantId = "tenant_id", version, channel, state, headline, summary
        case publishAt = "publish_at", publishedAt = "published_at", correction, killedAt = "killed_at", url
    }
}

/// One channel's preview of the story's current content.
struct ChannelPreviewDTO: Content {
    var channel: String
    var label: String
    var contentType: String
    var body: String
    var error: String?

    enum CodingKeys: String, CodingKey { case channel, label, contentType = "content_type", body, error }
}

/// A tenant's channel configuration.
struct ChannelDTO: Content {
    var kind: String
    var label: String
    var enabled: Bool
    var maxLength: Int
    var hashtags: [String]

    init(_ c: PublishChannel) {
        kind = c.kind.rawValue; label = c.kind.label.zh; enabled = c.enabled; maxLength = c.maxLength; hashtags = c.hashtags
    }

    enum CodingKeys: String, CodingKey { case kind, label, enabled, maxLength = "max_length", hashtags }
}

/// A destination (the secret is never returned).
struct DestinationDTO: Content {
    var id: UUID
    var tenantId: UUID
    var name: String
    var kind: String
    var target: String
    var enabled: Bool
    var hasSecret: Bool
    var createdAt: Date

    init(_ d: PublishDestination) {
        id = d.id ?? UUID(); tenantId = d.tenantID; name = d.name; kind = d.kind.rawValue; target = d.target; enabled = d.enabled
        hasSecret = !d.secret.isEmpty; createdAt = d.createdAt
    }

    enum CodingKeys: String, CodingKey { case id, tenantId = "tenant_id", name, kind, target, enabled, hasSecret = "has_secret", createdAt = "created_at" }
}

/// One delivery log entry.
struct DeliveryDTO: Content {
    var id: UUID
    var destinationId: UUID
    var storyId: UUID
    var version: Int
    var event: String
    var idempotencyKey: String
    var status: String
    var attempts: Int
    var lastError: String?
    var deliveredAt: Date?
    var createdAt: Date

    init(_ d: PublishDelivery) {
        id = d.id ?? UUID(); destinationId = d.destinationID; storyId = d.storyID; version = d.storyVersion; event = d.event
        idempotencyKey = d.idempotencyKey; status = d.status.rawValue; attempts = d.attempts; lastError = d.lastError
        deliveredAt = d.deliveredAt; createdAt = d.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, destinationId = "destination_id", storyId = "story_id", version, event, idempotencyKey = "idempotency_key", status, attempts
        case lastError = "last_error", deliveredAt = "delivered_at", createdAt = "created_at"
    }
}

/// OpenAPI schemas of the staff publishing API.
enum PublishingSchemas {
    static let all: [(String, Schema)] = [
        ("Publication", .object([
            ("id", .uuid), ("story_id", .uuid), ("tenant_id", .uuid), ("version", .integer), ("channel", .enumeration(ChannelKind.allCases.map(\.rawValue))),
            ("state", .enumeration(PublicationState.allCases.map(\.rawValue))), ("headline", .string), ("summary", .string),
            ("publish_at", .dateTime), ("published_at", .nullable(.dateTime)), ("correction", .nullable(.string)), ("killed_at", .nullable(.dateTime)), ("url", .string),
        ], required: ["id", "story_id", "tenant_id", "version", "channel", "state", "headline", "summary", "publish_at", "url"])),
        ("ChannelPreview", .object([("channel", .string), ("label", .string), ("content_type", .string), ("body", .string), ("error", .nullable(.string))],
                                   required: ["channel", "label", "content_type", "body"])),
        ("PublishChannel", .object([("kind", .string), ("label", .string), ("enabled", .boolean), ("max_length", .integer), ("hashtags", .array(.string))],
                                   required: ["kind", "label", "enabled", "max_length", "hashtags"])),
        ("PublishDestination", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("name", .string), ("kind", .enumeration(DestinationKind.allCases.map(\.rawValue))),
            ("target", .string), ("enabled", .boolean), ("has_secret", .boolean), ("created_at", .dateTime),
        ], required: ["id", "tenant_id", "name", "kind", "target", "enabled", "has_secret", "created_at"])),
        ("PublishDelivery", .object([
            ("id", .uuid), ("destination_id", .uuid), ("story_id", .uuid), ("version", .integer), ("event", .string), ("idempotency_key", .string),
            ("status", .enumeration(DeliveryStatus.allCases.map(\.rawValue))), ("attempts", .integer), ("last_error", .nullable(.string)),
            ("delivered_at", .nullable(.dateTime)), ("created_at", .dateTime),
        ], required: ["id", "destination_id", "story_id", "version", "event", "idempotency_key", "status", "attempts", "created_at"])),
    ]

    static let overrideSchema: Schema = .object([("headline", .string(maxLength: PublishingService.maxOverride)),
                                                 ("summary", .string(maxLength: PublishingService.maxOverride))], required: [])

    static let publishRequest: Schema = .object([
        ("channels", .array(.enumeration(ChannelKind.allCases.map(\.rawValue)), maxItems: 20)), ("at", .dateTime),
        ("overrides", .object(ChannelKind.allCases.map { ($0.rawValue, overrideSchema) }, required: [])),
    ], required: [])
}
