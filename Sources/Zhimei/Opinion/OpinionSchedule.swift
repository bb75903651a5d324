import Fluent
import Vapor

/// The Opinion scheduler: a job (`opinion.schedule`) that runs every minute and re-enqueues itself, as the Leads
/// scheduler does. Each run polls the feed sources that are due (every `interval_seconds`, default 15 minutes) through
/// the `opinion.poll_feed` job, and re-evaluates risk, heat and the alert rules of events that were active in the last
/// day or still carry risk — so figures fall as the windows slide past, without waiting for new posts — and sends the
/// ready alert e-mails through the configured SMTP relay.
enum OpinionSchedule {
    static let kind = "opinion.schedule"
    static let defaultInterval = 900
    static let intervalRange = 60...86_400
    static let activeWindow: TimeInterval = 86_400
    /// Events re-evaluated per run, most recently updated first (each evaluation reads the event's recent posts).
    static let maxEvents = 500

    /// What one run did.
    struct Tick: Sendable, Equatable { var feedsDue: Int; var eventsEvaluated: Int; var alerts: Int; var emailsSent = 0 }

    static func register(_ app: Application) {
        app.zhimei.jobs.register(kind) { ctx in
            let t = try await tick(on: ctx.db, logger: ctx.logger)
            try await ensureScheduler(on: ctx.db)
            return "\(t.feedsDue) feeds due, \(t.eventsEvaluated) events evaluated, \(t.alerts) alerts, \(t.emailsSent) e-mails sent"
        }
        app.lifecycle.use(OpinionScheduleLifecycle())
    }

    /// Makes sure the scheduler job for the next minute exists (idempotent per minute).
    static func ensureScheduler(on db: any Database, now: Date = Date()) async throws {
        let minute = Int(now.timeIntervalSince1970 / 60) + 1
        try await JobQueue.enqueue(kind: kind, tenantID: nil, idempotencyKey: "\(kind):\(minute)",
                                   runAt: Date(timeIntervalSince1970: TimeInterval(minute * 60)), maxAttempts: 3, on: db)
    }

    static func interval(of source: OpinionSource) -> TimeInterval {
        TimeInterval(source.intervalSeconds.map { min(max($0, intervalRange.lowerBound), intervalRange.upperBound) } ?? defaultInterval)
    }

    @discardableResult
    static func tick(on db: any Database, logger: Logger?, now: Date = Date(), mail: SMTPClient? = SMTPClient.fromEnvironment()) async throws -> Tick {
        var result = Tick(feedsDue: 0, eventsEvaluated: 0, alerts: 0)
        // 1. Feed sources that are due: one poll job per source and due slot (a repeated run enqueues nothing new).
        let due = try await OpinionSource.query(on: db).filter(\.$kind == "feed").filter(\.$enabled == true).filter(\.$archived == false)
            .group(.or) { $0.filter(\.$nextPollAt == nil).filter(\.$nextPollAt <= now) }
            .limit(1000).all()
        for source in due {
            let slot = Int((source.nextPollAt ?? now).timeIntervalSince1970)
            _ = try await OpinionFeeds.enqueue(source, slot: String(slot), createdBy: nil, on: db)
            source.nextPollAt = now.addingTimeInterval(interval(of: source))
            try await source.save(on: db)
        }
        result.feedsDue = due.count
        // 2. Risk, heat and rules of recently active or still risky open events, per tenant.
        let events = try await OpinionEvent.query(on: db).filter(\.$status == "open")
            .group(.or) { $0.filter(\.$updatedAt >= now.addingTimeInterval(-activeWindow)).filter(\.$risk > 0) }
            .sort(\.$updatedAt, .descending).limit(maxEvents).field(\.$id).field(\.$tenantID).all()
        var byTenant: [UUID: [UUID]] = [:]
        for e in events { if let id = e.id { byTenant[e.tenantID, default: []].append(id) } }
        for (tenant, ids) in byTenant {
            result.alerts += try await OpinionAlerts.evaluate(eventIDs: Set(ids), tenantID: tenant, on: db, logger: logger, now: now).count
        }
        result.eventsEvaluated = events.count
        // 3. The e-mail outbox, when an SMTP relay is configured.
        if let mail { result.emailsSent = try await OpinionMailer.sendReady(client: mail, on: db, logger: logger).sent }
        return result
    }
}

/// Starts the scheduler at boot when the Opinion module has feed sources or events (best effort).
struct OpinionScheduleLifecycle: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        do {
            let feeds = try await OpinionSource.query(on: application.db).filter(\.$kind == "feed").count()
            let open = try await OpinionEvent.query(on: application.db).filter(\.$status == "open").count()
            if feeds + open > 0 {
                try await OpinionSchedule.ensureScheduler(on: application.db)
            }
        } catch {
            application.logger.debug("opinion scheduler not started: \(error)")
        }
    }
}
