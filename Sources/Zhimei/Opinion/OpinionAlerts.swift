import Fluent
import Foundation
import Vapor

/// Early warning (预警): after every ingest the touched events are checked against the tenant's alert rules (by a
/// running import every `OpinionImportJob.alertInterval` seconds), so an alert is raised by the request or job that
/// stored the posts, well within 60 s of their arrival.
/// An alert notifies, in the app and through the tenant's notification webhook, everyone in the tenant who may read
/// opinion data, and stores a ready-to-send e-mail (outbox) when the rule names an address.
/// A rule fires at most once per event per window.
enum OpinionAlerts {
    struct Figures: Sendable {
        var windowPosts: Int
        var negativeShare: Double
        var burst: Trend.Burst
        var risk: Double
        var heat: Double
        var schemeIDs: Set<String>
    }

    /// Events one pass of `evaluate` reads and updates at a time.
    static let eventsPerPass = 200

    /// Checks the rules of a tenant against the given events, all of them, `eventsPerPass` at a time; returns the alerts
    /// raised. (Before, only the first 200 were read: an API batch or a feed fetch touching more left the rest unchecked.)
    @discardableResult
    static func evaluate(eventIDs: Set<UUID>, tenantID: UUID, on db: any Database, logger: Logger?, now: Date = Date()) async throws -> [OpinionAlert] {
        guard !eventIDs.isEmpty else { return [] }
        // Every enabled rule: creation keeps a tenant's rules to `OpinionAlertRule.limitPerTenant`.
        let rules = try await OpinionAlertRule.query(on: db).filter(\.$tenantID == tenantID).filter(\.$enabled == true).sort(\.$createdAt).all()
        var raised: [OpinionAlert] = []
        for chunk in eventIDs.sorted(by: { $0.uuidString < $1.uuidString }).chunked(eventsPerPass) {
            raised += try await evaluate(Set(chunk), rules: rules, tenantID: tenantID, on: db, logger: logger, now: now)
        }
        return raised
    }

    /// One pass: risk and heat of up to `eventsPerPass` events, then the rules.
    private static func evaluate(_ eventIDs: Set<UUID>, rules: [OpinionAlertRule], tenantID: UUID, on db: any Database, logger: Logger?,
                                 now: Date) async throws -> [OpinionAlert] {
        let window = TimeInterval(rules.map(\.windowMinutes).min() ?? 60) * 60
        let events = try await OpinionEvent.query(on: db).filter(\.$tenantID == tenantID).filter(\.$id ~~ Array(eventIDs)).all()
        let ids = events.compactMap(\.id)
        let current = try await figures(eventIDs: ids, window: window, on: db, now: now)
        var byWindow = [window: current]
        // Risk and heat of every event in one transaction (one commit, not one per event).
        try await db.transaction { tx in
            for event in events {
                guard let f = current[event.id!] else { continue }
                event.risk = f.risk
                event.heat = f.heat
                if event.hasChanges { try await event.save(on: tx) }
            }
        }
        var raised: [OpinionAlert] = []
        for rule in rules {
            let w = TimeInterval(rule.windowMinutes) * 60
            if byWindow[w] == nil { byWindow[w] = try await figures(eventIDs: ids, window: w, on: db, now: now) }
            for event in events {
                guard let eventID = event.id, let f = byWindow[w]?[eventID] else { continue }
                if let scheme = rule.schemeID, !f.schemeIDs.contains(scheme.uuidString) { continue }
                guard f.windowPosts >= rule.minPosts, f.risk >= rule.minRisk, f.negativeShare >= rule.minNegativeShare,
                      !rule.requireBurst || f.burst.isBurst else { continue }
                let recent = try await OpinionAlert.query(on: db).filter(\.$ruleID == rule.id!).filter(\.$eventID == eventID)
                    .filter(\.$createdAt >= now.addingTimeInterval(-w)).count()
                guard recent == 0 else { continue }
                raised.append(try await raise(rule, event, f, on: db, logger: logger, now: now))
            }
        }
        return raised
    }

    static func raise(_ rule: OpinionAlertRule, _ event: OpinionEvent, _ f: Figures, on db: any Database, logger: Logger?, now: Date) async throws -> OpinionAlert {
        let alert = OpinionAlert()
        alert.id = UUID()
        alert.tenantID = event.tenantID
        alert.ruleID = rule.id!
        alert.eventID = event.id!
        alert.title = String("舆情预警 Alert：\(event.title)".prefix(300))
        alert.detail = String(format: "%d 条/%d 分钟，负面 %.0f%%，风险 %.1f，z=%.2f · %d posts in %d min, %.0f%% negative, risk %.1f",
                              f.windowPosts, rule.windowMinutes, f.negativeShare * 100, f.risk, f.burst.zScore,
                              f.windowPosts, rule.windowMinutes, f.negativeShare * 100, f.risk)
        alert.risk = f.risk
        alert.windowPosts = f.windowPosts
        if rule.email.isEmpty {
            alert.emailPayload = ""
            alert.emailStatus = "none"
        } else {
            let mail: [String: String] = ["to": rule.email, "subject": alert.title,
                                          "text": alert.detail + "\n/opinion/events/\(event.id!.uuidString)"]
            alert.emailPayload = String(decoding: (try? JSONEncoder().encode(mail)) ?? Data("{}".utf8), as: UTF8.self)
            alert.emailStatus = "ready"
        }
        alert.notified = 0
        alert.createdAt = now
        try await alert.create(on: db)
        let members = try await Membership.query(on: db).filter(\.$tenant.$id == event.tenantID).all()
            .filter { $0.role.permissions.contains(.opinionRead) }.map { $0.$user.id }
        let sent = try await NotificationService.notify(members, tenantID: event.tenantID, kind: "opinion.alert", title: alert.title,
                                                        link: "/opinion/events/\(event.id!.uuidString)", on: db, logger: logger)
        alert.notified = sent.count
        try await alert.save(on: db)
        try await AuditLog.record(AuditEvent(actorID: nil, actorName: "system", tenantID: event.tenantID, action: "opinion.alert",
                                             targetType: "opinion_event", targetID: event.id!.uuidString, note: alert.detail), on: db)
        return alert
    }
}
