import Fluent
import Vapor

/// API shape of a lead (JSON keys snake_case).
struct LeadDTO: Content {
    var id: UUID
    var tenantId: UUID
    var sourceId: UUID?
    var origin: LeadOrigin
    var sourceName: String
    var title: String
    var body: String
    var summary: String
    var keywords: [String]
    var sourceUrl: String?
    var publishedAt: Date
    var fetchedAt: Date
    var language: String
    var titleSimplified: String?
    var bodySimplified: String?
    var category: String
    var simhash: String
    var clusterId: UUID
    var clusterSize: Int
    var hot: Double
    var status: LeadStatus
    var assigneeId: UUID?
    var assigneeName: String?
    var claimedAt: Date?
    var topicId: UUID?
    var contact: String?
    var attachments: [String]

    init(_ l: Lead, clusterSize: Int = 1, hot: Double = 0, assigneeName: String? = nil) {
        id = l.id ?? UUID()
        tenantId = l.tenantID
        sourceId = l.sourceID
        origin = l.origin
        sourceName = l.sourceName
        title = l.title
        body = l.body
        summary = l.summary
        keywords = l.keywords
        sourceUrl = l.sourceURL
        publishedAt = l.publishedAt
        fetchedAt = l.fetchedAt
        language = l.language
        titleSimplified = l.titleSimplified
        bodySimplified = l.bodySimplified
        category = l.category
        simhash = String(format: "%016llx", l.fingerprint)
        clusterId = l.clusterID
        self.clusterSize = clusterSize
        self.hot = (hot * 1000).rounded() / 1000
        status = l.status
        assigneeId = l.assigneeID
        self.assigneeName = assigneeName
        claimedAt = l.claimedAt
        topicId = l.topicID
        contact = l.contact
        attachments = l.attachments
    }
}

struct LeadPageDTO: Content { var items: [LeadDTO]; var total: Int }
struct LeadDetailDTO: Content { var lead: LeadDTO; var cluster: [LeadDTO] }

/// API shape of a source with its health.
struct LeadSourceDTO: Content {
    var id: UUID
    var tenantId: UUID
    var name: String
    var kind: LeadSource.Kind
    var url: String?
    var enabled: Bool
    var intervalSeconds: Int
    var webhookPath: String
    /// Only for people who may manage the source's tenant's leads.
    var webhookSecret: String?
    var health: String
    var lastPolledAt: Date?
    var lastSuccessAt: Date?
    var lastError: String?
    var lastErrorAt: Date?
    var lastStatus: Int?
    var failureCount: Int
    var itemsFetched: Int
    var nextPollAt: Date?
    var createdAt: Date

    init(_ s: LeadSource, showSecret: Bool) {
        id = s.id ?? UUID()
        tenantId = s.tenantID
        name = s.name
        kind = s.kind
        url = s.url
        enabled = s.enabled
        intervalSeconds = s.intervalSeconds
        webhookPath = "/api/v1/leads/webhook/\(id.uuidString)"
        webhookSecret = showSecret ? s.webhookSecret : nil
        health = Self.health(s)
        lastPolledAt = s.lastPolledAt
        lastSuccessAt = s.lastSuccessAt
        lastError = s.lastError
        lastErrorAt = s.lastErrorAt
        lastStatus = s.lastStatus
        failureCount = s.failureCount
        itemsFetched = s.itemsFetched
        nextPollAt = s.nextPollAt
        createdAt = s.createdAt
    }

    /// ok (last poll succeeded), failing (1–2 failures in a row), down (3 or more), disabled, pending (never polled), webhook.
    static func health(_ s: LeadSource) -> String {
        if !s.enabled { return "disabled" }
        if s.kind == .webhook { return "webhook" }
        if s.failureCount >= 3 { return "down" }
        if s.failureCount > 0 { return "failing" }
        return s.lastSuccessAt == nil ? "pending" : "ok"
    }
}

struct AssigneeDTO: Content { var id: UUID; var username: String; var displayName: String; var tenantId: UUID }
struct WebhookResultDTO: Content { var created: Int; var ids: [UUID] }

enum LeadSchemas {
    static let statuses = LeadStatus.allCases.map(\.rawValue)
    static let categories = LeadCategory.allCases.map(\.rawValue)
    static let languages = ["zh-Hans", "zh-Hant", "en", "other"]
    static let healths = ["ok", "failing", "down", "disabled", "pending", "webhook"]

    static let all: [(String, Schema)] = [
        ("Lead", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("source_id", .nullable(.uuid)), ("origin", .enumeration(LeadOrigin.allCases.map(\.rawValue))),
            ("source_name", .string), ("title", .string), ("body", .string), ("summary", .string), ("keywords", .array(.string)),
            ("source_url", .nullable(.string)), ("published_at", .dateTime), ("fetched_at", .dateTime), ("language", .enumeration(languages)),
            ("title_simplified", .nullable(.string)), ("body_simplified", .nullable(.string)), ("category", .enumeration(categories)),
            ("simhash", .string), ("cluster_id", .uuid), ("cluster_size", .integer(minimum: 1)), ("hot", .number),
            ("status", .enumeration(statuses)), ("assignee_id", .nullable(.uuid)), ("assignee_name", .nullable(.string)),
            ("claimed_at", .nullable(.dateTime)), ("topic_id", .nullable(.uuid)), ("contact", .nullable(.string)), ("attachments", .array(.string)),
        ], required: ["id", "tenant_id", "origin", "source_name", "title", "body", "summary", "keywords", "published_at", "fetched_at", "language",
                      "category", "simhash", "cluster_id", "cluster_size", "hot", "status", "attachments"])),
        ("LeadPage", .object([("items", .array(.ref("Lead"))), ("total", .integer(minimum: 0))], required: ["items", "total"])),
        ("LeadDetail", .object([("lead", .ref("Lead")), ("cluster", .array(.ref("Lead")))], required: ["lead", "cluster"])),
        ("LeadSource", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("name", .string), ("kind", .enumeration(LeadSource.Kind.allCases.map(\.rawValue))),
            ("url", .nullable(.string)), ("enabled", .boolean), ("interval_seconds", .integer(minimum: 60)), ("webhook_path", .string),
            ("webhook_secret", .nullable(.string)), ("health", .enumeration(healths)), ("last_polled_at", .nullable(.dateTime)),
            ("last_success_at", .nullable(.dateTime)), ("last_error", .nullable(.string)), ("last_error_at", .nullable(.dateTime)),
            ("last_status", .nullable(.integer)), ("failure_count", .integer(minimum: 0)), ("items_fetched", .integer(minimum: 0)),
            ("next_poll_at", .nullable(.dateTime)), ("created_at", .dateTime),
        ], required: ["id", "tenant_id", "name", "kind", "enabled", "interval_seconds", "webhook_path", "health", "failure_count", "items_fetched", "created_at"])),
        ("LeadAssignee", .object([("id", .uuid), ("username", .string), ("display_name", .string), ("tenant_id", .uuid)],
                                 required: ["id", "username", "display_name", "tenant_id"])),
    ]
}
