import Fluent
import Vapor

/// A social post, news item or comment being monitored (舆情信息).
final class OpinionPost: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "opinion_posts"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @OptionalField(key: "source_id") var sourceID: UUID?
    @Field(key: "platform") var platform: String
    /// The post's ID on its platform (generated from the content when the export has none).
    @Field(key: "external_id") var externalID: String
    @Field(key: "author") var author: String
    @Field(key: "text") var text: String
    @Field(key: "text_simplified") var textSimplified: String
    @Field(key: "language") var language: String
    @OptionalField(key: "url") var url: String?
    @Field(key: "posted_at") var postedAt: Date
    @Field(key: "received_at") var receivedAt: Date
    /// True when the export claimed a time in the future (the post is stored at its arrival time).
    @Field(key: "future_time") var futureTime: Bool
    @OptionalField(key: "repost_of") var repostOf: String?
    @OptionalField(key: "reply_to") var replyTo: String?
    @Field(key: "likes") var likes: Int
    @Field(key: "reposts") var reposts: Int
    @Field(key: "comments") var comments: Int
    @Field(key: "content_hash") var contentHash: String
    @Field(key: "simhash") var simhash: Int64
    @OptionalField(key: "duplicate_of") var duplicateOf: UUID?
    @Field(key: "sentiment") var sentiment: String
    @Field(key: "sentiment_score") var sentimentScore: Double
    @Field(key: "keywords") var keywords: [String]
    @Field(key: "entities") var entities: [String]
    @OptionalField(key: "region") var region: String?
    @OptionalField(key: "event_id") var eventID: UUID?
    @Field(key: "scheme_ids") var schemeIDs: [String]

    init() {}
}

/// An event (舆情事件): a cluster of posts about one thing, with its keyword centroid and running figures.
final class OpinionEvent: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_events"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "title") var title: String
    /// Centroid terms and weights, "word:weight" (strongest first, at most 60).
    @Field(key: "terms") var terms: [String]
    @Field(key: "post_count") var postCount: Int
    @Field(key: "positive") var positive: Int
    @Field(key: "neutral") var neutral: Int
    @Field(key: "negative") var negative: Int
    @Field(key: "first_at") var firstAt: Date
    @Field(key: "last_at") var lastAt: Date
    @Field(key: "status") var status: String
    @OptionalField(key: "merged_into") var mergedInto: UUID?
    @Field(key: "risk") var risk: Double
    @Field(key: "heat") var heat: Double
    @OptionalField(key: "topic_id") var topicID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var termWeights: [String: Double] {
        var out: [String: Double] = [:]
        for t in terms {
            guard let colon = t.lastIndex(of: ":"), let w = Double(t[t.index(after: colon)...]), w.isFinite else { continue }
            out[String(t[..<colon])] = w
        }
        return out
    }
}

/// A monitoring scheme (监测方案): a keyword rule with region, platform and exclusion filters.
final class OpinionScheme: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_schemes"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "name") var name: String
    @Field(key: "rule") var rule: String
    @Field(key: "regions") var regions: [String]
    @Field(key: "platforms") var platforms: [String]
    @Field(key: "exclusions") var exclusions: [String]
    /// Only posts from these sources (信息来源); nil or empty: any source.
    @OptionalField(key: "source_ids") var sourceIDs: [UUID]?
    @Field(key: "enabled") var enabled: Bool
    /// Deleted by a user (kept so alerts and reports that name it stay readable).
    @Field(key: "archived") var archived: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A source of posts: a batch-import channel, a streaming webhook (with a secret) or an RSS/Atom feed.
final class OpinionSource: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_sources"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "url") var url: String?
    @Field(key: "platform") var platform: String
    @Field(key: "webhook_secret") var webhookSecret: String
    @Field(key: "posts_received") var postsReceived: Int
    @Field(key: "created_at") var createdAt: Date
    /// Feed sources: seconds between polls (nil = `OpinionSchedule.defaultInterval`) and when the next one is due.
    @OptionalField(key: "interval_seconds") var intervalSeconds: Int?
    @OptionalField(key: "next_poll_at") var nextPollAt: Date?
    /// Switched off: a feed is not polled and a webhook refuses posts. Archived: deleted (kept for the posts' source).
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "archived") var archived: Bool
    /// The last feed poll and its outcome (nil error: it worked), and when posts last came in by any route.
    @OptionalField(key: "last_polled_at") var lastPolledAt: Date?
    @OptionalField(key: "last_outcome") var lastOutcome: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "last_received_at") var lastReceivedAt: Date?

    /// Whether posts are taken from it (polled, or accepted by its webhook).
    var isLive: Bool { enabled && !archived }

    init() {}
}

/// An alert rule (预警规则): thresholds on an event's recent volume, risk and negative share.
final class OpinionAlertRule: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_alert_rules"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "name") var name: String
    @OptionalField(key: "scheme_id") var schemeID: UUID?
    @Field(key: "min_posts") var minPosts: Int
    @Field(key: "window_minutes") var windowMinutes: Int
    @Field(key: "min_risk") var minRisk: Double
    @Field(key: "min_negative_share") var minNegativeShare: Double
    @Field(key: "require_burst") var requireBurst: Bool
    @Field(key: "email") var email: String
    @Field(key: "enabled") var enabled: Bool
    /// Deleted by a user (kept so its alerts stay readable).
    @Field(key: "archived") var archived: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A raised alert, with its ready-to-send e-mail (outbox) and delivery state.
final class OpinionAlert: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_alerts"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @Field(key: "rule_id") var ruleID: UUID
    @Field(key: "event_id") var eventID: UUID
    @Field(key: "title") var title: String
    @Field(key: "detail") var detail: String
    @Field(key: "risk") var risk: Double
    @Field(key: "window_posts") var windowPosts: Int
    /// JSON e-mail payload (to, subject, text) waiting for an SMTP relay: "ready for e-mail".
    @Field(key: "email_payload") var emailPayload: String
    @Field(key: "email_status") var emailStatus: String
    @Field(key: "notified") var notified: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// A batch import (导入任务): the uploaded file, the checkpoint to resume from and the row counts.
final class OpinionImport: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: see OpinionPost.
    static let schema = "opinion_imports"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @Field(key: "tenant_id") var tenantID: UUID
    @OptionalField(key: "source_id") var sourceID: UUID?
    @Field(key: "format") var format: String
    @Field(key: "path") var path: String
    @Field(key: "total_bytes") var totalBytes: Int64
    /// Byte offset of the first row not yet imported (the resume point).
    @Field(key: "checkpoint") var checkpoint: Int64
    @Field(key: "rows_read") var rowsRead: Int
    @Field(key: "imported") var imported: Int
    @Field(key: "duplicates") var duplicates: Int
    @Field(key: "skipped") var skipped: Int
    @Field(key: "future_times") var futureTimes: Int
    /// The first 100 problems, "row N: reason".
    @Field(key: "problems") var problems: [String]
    @Field(key: "status") var status: String
    @OptionalField(key: "job_id") var jobID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
