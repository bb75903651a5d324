import Fluent
import Foundation
import Vapor

/// Publishing (发): publish now / schedule / embargo, update, correction, kill. Works on a database and the
/// application, so the API, the release job, the bench and the reliability script share one path.
enum PublishingService {
    static let releaseJob = "publishing.release"
    static let maxNote = 2000
    static let maxOverride = 500

    /// A per-channel headline/summary override.
    struct Override: Codable, Sendable {
        var headline: String?
        var summary: String?
    }

    /// A publish request.
    struct PublishInput: Content {
        /// Channel kinds; all enabled channels when absent.
        var channels: [String]?
        /// Schedule time; now when absent. The story's embargo, if later, wins.
        var at: Date?
        var overrides: [String: Override]?
    }

    /// Who acts, for audit entries written outside a request.
    struct ActorInfo: Sendable {
        var id: UUID?
        var name: String
        var ip: String = "-"
    }

    struct ReleasePayload: Codable { var storyID: UUID; var version: Int }

    static let notApproved = AppError(.conflict, "not_approved", zh: "只有审核通过的稿件才能发布", en: "Only approved stories can be published")

    /// Parses channel names; unknown names are a 422.
    static func channels(_ names: [String]?, tenantID: UUID, on db: any Database) async throws -> [ChannelKind] {
        let configured = try await ChannelSettings.ensure(tenantID: tenantID, on: db)
        guard let names else { return configured.filter(\.enabled).map(\.kind) }
        var kinds: [ChannelKind] = []
        for name in names.prefix(ChannelKind.allCases.count * 2) {
            guard let kind = ChannelKind(rawValue: name) else {
                throw AppError.invalid("channels", zh: "未知渠道：\(String(name.prefix(40)))", en: "Unknown channel: \(String(name.prefix(40)))")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        guard !kinds.isEmpty else { throw AppError.invalid("channels", zh: "请至少选择一个渠道", en: "Choose at least one channel") }
        return kinds
    }

    /// Publishes (or schedules) the story's current version on `kinds`. Idempotent per (story, version, channel).
    @discardableResult
    static func publish(_ story: Story, kinds: [ChannelKind], at: Date?, overrides: [String: Override], credit: String = "",
                        actor: ActorInfo, app: Application, on db: any Database) async throws -> [Publication] {
        guard story.status == .approved || story.status == .published else { throw notApproved }
        let storyID = try story.requireID()
        let now = Date()
        let releaseAt = max(now, at ?? now, story.embargo ?? now)
        let live = releaseAt <= now
        let settings = try await ChannelSettings.ensure(tenantID: story.tenantID, on: db)
        let context = try await RenderContext.make(tenantID: story.tenantID, app: app, on: db)
        let snapshot = StorySnapshot(story)
        let wasPublished = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$state == .published).count() > 0
        var result: [Publication] = []
        for kind in kinds {
            if let existing = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$storyVersion == story.version)
                .filter(\.$channel == kind).first() {
                if existing.state == .killed {
                    existing.state = live ? .published : .scheduled
                    existing.publishAt = releaseAt
                    existing.killedAt = nil
                    existing.killReason = nil
                    existing.publishedAt = live ? now : nil
                    try await existing.save(on: db)
                }
                result.append(existing)
                continue
            }
            let override = overrides[kind.rawValue]
            let p = Publication()
            p.id = UUID()
            p.tenantID = story.tenantID
            p.storyID = storyID
            p.storyVersion = story.version
            p.channel = kind
            p.state = live ? .published : .scheduled
            p.headline = clean(override?.headline, fallback: story.headline)
            p.summary = clean(override?.summary, fallback: story.lead)
            p.snapshot = snapshot
            p.authorName = story.authorName
            p.credit = String(credit.prefix(200))
            p.publishAt = releaseAt
            p.publishedAt = live ? now : nil
            p.createdBy = actor.id
            p.createdAt = now
            let first = try await firstPublished(storyID: storyID, channel: kind, on: db) ?? releaseAt
            p.firstPublishedAt = live ? first : nil
            let rule = settings.first { $0.kind == kind }
            let input = context.input(p, firstPublishedAt: first, maxLength: rule?.maxLength ?? 0, hashtags: rule?.hashtags ?? [])
            do {
                let rendition = try ChannelRenderer.render(kind, input)
                p.rendered = rendition.body
                p.contentType = rendition.contentType
            } catch let e as ChannelRuleError {
                throw AppError(.unprocessableEntity, "channel_rule", zh: e.zh, en: e.en)
            }
            do {
                try await p.create(on: db)
                result.append(p)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // A concurrent publish of the same version and channel won: keep its row.
                if let winner = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$storyVersion == story.version)
                    .filter(\.$channel == kind).first() { result.append(winner) }
            }
        }
        let action = wasPublished ? "publishing.update" : (live ? "publishing.publish" : "publishing.schedule")
        try await AuditLog.record(AuditEvent(actorID: actor.id, actorName: actor.name, tenantID: story.tenantID, action: action,
                                             targetType: "story", targetID: storyID.uuidString, ip: actor.ip,
                                             after: ["version": String(story.version), "channels": kinds.map(\.rawValue).joined(separator: ","),
                                                     "at": FeedRenderer.rfc3339(releaseAt)]), on: db)
        if live {
            try await goLive(storyID: storyID, version: story.version, app: app, on: db)
        } else {
            let payload = ChannelRenderer.json(ReleasePayload(storyID: storyID, version: story.version))
            try await JobQueue.enqueue(kind: releaseJob, payload: payload, tenantID: story.tenantID,
                                       idempotencyKey: "\(releaseJob):\(storyID.uuidString):\(story.version):\(Int(releaseAt.timeIntervalSince1970))",
                                       runAt: releaseAt, maxAttempts: 10, createdBy: actor.id, on: db)
        }
        return result
    }

    static func clean(_ value: String?, fallback: String) -> String {
        guard let value else { return fallback }
        let t = value.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? fallback : String(t.prefix(maxOverride))
    }

    static func firstPublished(storyID: UUID, channel: ChannelKind, on db: any Database) async throws -> Date? {
        try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$channel == channel)
            .filter(\.$publishedAt != nil).sort(\.$publishedAt, .ascending).first()?.publishedAt
    }

    /// Makes due publications of a version live: older versions on the same channels are superseded, the story is
    /// marked published, the public cache is invalidated and deliveries are queued.
    static func goLive(storyID: UUID, version: Int, app: Application, on db: any Database) async throws {
        let now = Date()
        let due = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$storyVersion == version)
            .filter(\.$state ~~ [.scheduled, .published]).all()
        var liveChannels: [ChannelKind] = []
        var tenantID: UUID?
        for p in due where p.publishAt <= now.addingTimeInterval(1) {
            tenantID = p.tenantID
            liveChannels.append(p.channel)
            if p.state == .scheduled {
                p.firstPublishedAt = try await firstPublished(storyID: storyID, channel: p.channel, on: db) ?? now
                p.state = .published
                p.publishedAt = now
                try await p.save(on: db)
            }
        }
        guard let tenantID, !liveChannels.isEmpty else { return }
        for old in try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$storyVersion < version)
            .filter(\.$state ~~ [.published, .scheduled]).filter(\.$channel ~~ liveChannels).all() {
            old.state = .superseded
            try await old.save(on: db)
        }
        if let story = try await Story.find(storyID, on: db), story.status == .approved {
            story.status = .published
            try await story.save(on: db)
        }
        try await PublicSiteCache.changed(tenantID: tenantID, app: app, on: db)
        try await DeliveryService.enqueue(storyID: storyID, version: version, event: "publish", tenantID: tenantID, on: db)
    }

    /// The release job: publishes what is due (schedule or embargo reached).
    static func release(_ ctx: JobContext) async throws -> String? {
        let payload = try ctx.decode(ReleasePayload.self)
        try await goLive(storyID: payload.storyID, version: payload.version, app: ctx.application, on: ctx.db)
        return "released v\(payload.version)"
    }

    /// A scheduled release whose job gave up: the story stays scheduled and unpublished past its time, so whoever scheduled
    /// it is told (in the app and by the tenant's webhook) and can publish it again from its page.
    static func releaseGaveUp(_ ctx: JobContext, reason: String) async throws {
        let payload = try ctx.decode(ReleasePayload.self)
        guard let job = try await Job.find(ctx.jobID, on: ctx.db), let scheduler = job.createdBy,
              let story = try await Story.find(payload.storyID, on: ctx.db) else { return }
        try await NotificationService.notify([scheduler], tenantID: story.tenantID, kind: "publishing.release_failed",
                                             title: "定时发布失败 Scheduled release failed：\(story.headline)",
                                             link: "/publishing/stories/\(payload.storyID.uuidString)", on: ctx.db, logger: ctx.logger)
        ctx.logger.warning("scheduled release of \(payload.storyID) v\(payload.version) given up: \(reason)")
    }

    /// Adds a visible correction note to every live publication of the story.
    static func correct(storyID: UUID, note: String, tenantID: UUID, actor: ActorInfo, app: Application, on db: any Database) async throws -> [Publication] {
        let text = note.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= maxNote else {
            throw AppError.invalid("note", zh: "更正说明不能为空且不超过 \(maxNote) 字", en: "The correction note must be 1–\(maxNote) characters")
        }
        let live = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$state == .published).all()
        guard let version = live.map(\.storyVersion).max() else {
            throw AppError.conflict("not_published", zh: "稿件尚未发布，无需更正", en: "The story is not published")
        }
        let now = Date()
        for p in live {
            p.correction = text
            p.correctedAt = now
            try await p.save(on: db)
        }
        try await AuditLog.record(AuditEvent(actorID: actor.id, actorName: actor.name, tenantID: tenantID, action: "publishing.correct",
                                             targetType: "story", targetID: storyID.uuidString, ip: actor.ip, after: ["note": String(text.prefix(200))]), on: db)
        try await PublicSiteCache.changed(tenantID: tenantID, app: app, on: db)
        // One delivery per correction: the note's time names it, so a retried delivery of the same correction keeps its key.
        let stamp = Int64((now.timeIntervalSince1970 * 1000).rounded())
        try await DeliveryService.enqueue(storyID: storyID, version: version, event: "correction-\(stamp)", tenantID: tenantID, on: db)
        return live
    }

    /// Kills (撤稿) the story everywhere: every publication is withdrawn and the APIs answer with tombstones.
    static func kill(storyID: UUID, reason: String, tenantID: UUID, actor: ActorInfo, app: Application, on db: any Database) async throws -> [Publication] {
        let text = String(reason.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(maxNote))
        let rows = try await Publication.query(on: db).filter(\.$storyID == storyID).filter(\.$state ~~ [.published, .scheduled]).all()
        guard let version = rows.map(\.storyVersion).max() else {
            throw AppError.conflict("not_published", zh: "稿件没有已发布或待发布的版本", en: "The story has no published or scheduled version")
        }
        let now = Date()
        for p in rows {
            p.state = .killed
            p.killedAt = now
            p.killReason = text
            try await p.save(on: db)
        }
        try await AuditLog.record(AuditEvent(actorID: actor.id, actorName: actor.name, tenantID: tenantID, action: "publishing.kill",
                                             targetType: "story", targetID: storyID.uuidString, ip: actor.ip, after: ["reason": String(text.prefix(200))]), on: db)
        try await PublicSiteCache.changed(tenantID: tenantID, app: app, on: db)
        try await DeliveryService.enqueue(storyID: storyID, version: version, event: "kill", tenantID: tenantID, on: db)
        return rows
    }
}

/// Tenant data every renderer needs.
struct RenderContext: Sendable {
    var tenantSlug: String
    var tenantName: String
    var baseURL: String

    static func make(tenantID: UUID, app: Application, on db: any Database) async throws -> RenderContext {
        guard let tenant = try await Tenant.find(tenantID, on: db) else { throw AppError.notFound }
        var base = app.zhimei.settings.publicURL
        while base.hasSuffix("/") { base.removeLast() }
        return RenderContext(tenantSlug: tenant.slug, tenantName: tenant.name, baseURL: base)
    }

    func input(_ p: Publication, firstPublishedAt: Date? = nil, maxLength: Int = 0, hashtags: [String] = []) -> RenderInput {
        RenderInput(storyID: p.storyID, version: p.storyVersion, snapshot: p.snapshot, headline: p.headline, summary: p.summary,
                    authorName: p.authorName, credit: p.credit, tenantSlug: tenantSlug, tenantName: tenantName, baseURL: baseURL,
                    publishedAt: p.publishedAt ?? p.publishAt,
                    firstPublishedAt: firstPublishedAt ?? p.firstPublishedAt ?? p.publishedAt ?? p.publishAt,
                    correction: p.correction, killed: p.state == .killed, maxLength: maxLength, hashtags: hashtags)
    }
}
