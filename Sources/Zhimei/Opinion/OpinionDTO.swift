import Foundation
import Vapor

/// API shape of a post.
struct OpinionPostDTO: Content {
    var id: UUID
    var tenantId: UUID
    var platform: String
    var externalId: String
    var author: String
    var text: String
    var language: String
    var url: String?
    var postedAt: Date
    var futureTime: Bool
    var repostOf: String?
    var replyTo: String?
    var likes: Int
    var reposts: Int
    var comments: Int
    var duplicateOf: UUID?
    var sentiment: String
    var sentimentScore: Double
    var keywords: [String]
    var entities: [String]
    var region: String?
    var eventId: UUID?
    var schemeIds: [String]

    init(_ p: OpinionPost) {
        id = p.id ?? UUID(); tenantId = p.tenantID; platform = p.platform; externalId = p.externalID; author = p.author
        text = p.text; language = p.language; url = p.url; postedAt = p.postedAt; futureTime = p.futureTime
        repostOf = p.repostOf; replyTo = p.replyTo; likes = p.likes; reposts = p.reposts; comments = p.comments
        duplicateOf = p.duplicateOf; sentiment = p.sentiment; sentimentScore = p.sentimentScore.isFinite ? p.sentimentScore : 0
        keywords = p.keywords; entities = p.entities; region = p.region; eventId = p.eventID; schemeIds = p.schemeIDs
    }
}

/// API shape of an event.
struct OpinionEventDTO: Content {
    var id: UUID
    var tenantId: UUID
    var title: String
    var keywords: [String]
    var postCount: Int
    var positive: Int
    var neutral: Int
    var negative: Int
    var firstAt: Date
    var lastAt: Date
    var status: String
    var mergedInto: UUID?
    var risk: Double
    var heat: Double
    var topicId: UUID?

    init(_ e: OpinionEvent) {
        id = e.id ?? UUID(); tenantId = e.tenantID; title = e.title
        keywords = e.termWeights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10).map(\.key)
        postCount = e.postCount; positive = e.positive; neutral = e.neutral; negative = e.negative
        firstAt = e.firstAt; lastAt = e.lastAt; status = e.status; mergedInto = e.mergedInto
        risk = e.risk.isFinite ? e.risk : 0; heat = e.heat.isFinite ? e.heat : 0; topicId = e.topicID
    }
}

struct OpinionSchemeDTO: Content {
    var id: UUID; var tenantId: UUID; var name: String; var rule: String; var regions: [String]; var platforms: [String]
    var exclusions: [String]; var sourceIds: [UUID]; var enabled: Bool; var createdAt: Date
    /// The job matching the stored posts again, when this change queued one (`GET /api/v1/jobs/{id}` follows it).
    var rematchJobId: UUID?
    init(_ s: OpinionScheme, rematchJob: Job? = nil) {
        id = s.id ?? UUID(); tenantId = s.tenantID; name = s.name; rule = s.rule; regions = s.regions; platforms = s.platforms
        exclusions = s.exclusions; sourceIds = s.sourceIDs ?? []; enabled = s.enabled; createdAt = s.createdAt; rematchJobId = rematchJob?.id
    }
}

struct OpinionSourceDTO: Content {
    var id: UUID; var tenantId: UUID; var name: String; var kind: String; var url: String?; var platform: String
    var webhookPath: String; var webhookSecret: String?; var postsReceived: Int; var createdAt: Date
    var intervalMinutes: Int?; var nextPollAt: Date?
    var enabled: Bool; var lastPolledAt: Date?; var lastOutcome: String?; var lastError: String?; var lastReceivedAt: Date?
    init(_ s: OpinionSource, showSecret: Bool) {
        if s.kind == "feed" { intervalMinutes = Int(OpinionSchedule.interval(of: s) / 60); nextPollAt = s.nextPollAt }
        id = s.id ?? UUID(); tenantId = s.tenantID; name = s.name; kind = s.kind; url = s.url; platform = s.platform
        webhookPath = "/api/v1/opinion/webhook/\(id.uuidString)"; webhookSecret = showSecret ? s.webhookSecret : nil
        postsReceived = s.postsReceived; createdAt = s.createdAt
        enabled = s.isLive; lastPolledAt = s.lastPolledAt; lastOutcome = s.lastOutcome; lastError = s.lastError; lastReceivedAt = s.lastReceivedAt
    }
}

struct OpinionAlertRuleDTO: Content {
    var id: UUID; var tenantId: UUID; var name: String; var schemeId: UUID?; var minPosts: Int; var windowMinutes: Int
    var minRisk: Double; var minNegativeShare: Double; var requireBurst: Bool; var email: String; var enabled: Bool
    init(_ r: OpinionAlertRule) {
        id = r.id ?? UUID(); tenantId = r.tenantID; name = r.name; schemeId = r.schemeID; minPosts = r.minPosts; windowMinutes = r.windowMinutes
        minRisk = r.minRisk; minNegativeShare = r.minNegativeShare; requireBurst = r.requireBurst; email = r.email; enabled = r.enabled
    }
}

struct OpinionAlertDTO: Content {
    var id: UUID; var tenantId: UUID; var ruleId: UUID; var eventId: UUID; var title: String; var detail: String; var risk: Double
    var windowPosts: Int; var emailStatus: String; var emailPayload: String; var notified: Int; var createdAt: Date
    init(_ a: OpinionAlert) {
        id = a.id ?? UUID(); tenantId = a.tenantID; ruleId = a.ruleID; eventId = a.eventID; title = a.title; detail = a.detail
        risk = a.risk.isFinite ? a.risk : 0; windowPosts = a.windowPosts; emailStatus = a.emailStatus; emailPayload = a.emailPayload
        notified = a.notified; createdAt = a.createdAt
    }
}

struct OpinionImportDTO: Content {
    var id: UUID; var tenantId: UUID; var sourceId: UUID?; var format: String; var totalBytes: Int64; var checkpoint: Int64
    var rowsRead: Int; var imported: Int; var duplicates: Int; var skipped: Int; var futureTimes: Int; var problems: [String]
    var status: String; var jobId: UUID?; var createdAt: Date
    init(_ i: OpinionImport) {
        id = i.id ?? UUID(); tenantId = i.tenantID; sourceId = i.sourceID; format = i.format; totalBytes = i.totalBytes; checkpoint = i.checkpoint
        rowsRead = i.rowsRead; imported = i.imported; duplicates = i.duplicates; skipped = i.skipped; futureTimes = i.futureTimes
        problems = i.problems; status = i.status; jobId = i.jobID; createdAt = i.createdAt
    }
}

struct OpinionIngestResultDTO: Content {
    var imported: Int; var duplicates: Int; var skipped: Int; var futureTimes: Int; var ids: [UUID]; var eventIds: [UUID]
    var problems: [String]; var alerts: Int
}
