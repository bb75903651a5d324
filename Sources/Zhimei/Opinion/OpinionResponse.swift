import Fluent
import NIOConcurrencyHelpers
import Vapor

/// A text-generation provider that drafts response statements; until one is configured the template is used.
protocol StatementProvider: Sendable {
    var name: String { get }
    var model: String { get }
    func draftStatement(title: String, facts: [String], negativeShare: Double) async throws -> String
}

/// Where a statement provider is configured (`app.opinionStatement.provider = …`); when none is set here, the
/// configured text-generation provider (`app.proofreadProvider.config`) drafts through `ChatStatementProvider`.
final class OpinionStatementConfig: Sendable {
    private let box = NIOLockedValueBox<(any StatementProvider)?>(nil)
    var provider: (any StatementProvider)? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}

extension Application {
    private struct OpinionStatementKey: StorageKey { typealias Value = OpinionStatementConfig }
    var opinionStatement: OpinionStatementConfig {
        if let existing = storage[OpinionStatementKey.self] { return existing }
        let config = OpinionStatementConfig()
        storage[OpinionStatementKey.self] = config
        return config
    }
}

/// The response card (应对卡片) of an event: facts on a timeline, who is talking, when and where to respond, and a
/// statement draft (template, or AI-generated and labelled so, with provider, model and time).
struct ResponseCard: Content {
    var eventId: UUID
    var title: String
    var facts: [String]
    var whoIsTalking: [OpinionAnalysis.Count]
    var platforms: [OpinionAnalysis.Count]
    var respondWithinHours: Int
    var channels: [String]
    var statement: String
    var aiGenerated: Bool
    var aiLabel: String?
    var provider: String
    var model: String
    var generatedAt: Date
    /// Why the provider's draft is not shown (the template is) — nil when no provider is configured or it answered.
    var fallbackReason: String?
    /// The template of the draft (`StatementTemplate`), and the one the event's words and mood suggest.
    var template: String
    var suggestedTemplate: String
}

enum OpinionResponse {
    /// Suggested response time: high risk 1 h (the "golden hour"), medium 4 h, else 24 h.
    static func respondWithin(risk: Double) -> Int { risk >= 60 ? 1 : (risk >= 35 ? 4 : 24) }

    /// The explicitly set provider, else the configured OpenAI-compatible one, else nil (template only).
    static func statementProvider(_ app: Application) -> (any StatementProvider)? {
        if let p = app.opinionStatement.provider { return p }
        return app.proofreadProvider.config.map { ChatStatementProvider(config: $0, client: app.http.client.shared) }
    }

    /// The card of an event; `detail` when the caller has the event's figures already (the event page). The draft uses
    /// `template` when given, else the one the event suggests; a configured provider drafts instead (its own wording).
    static func card(_ event: OpinionEvent, detail known: OpinionAnalysis.Detail? = nil, template chosen: StatementTemplate? = nil,
                     app: Application, on db: any Database) async throws -> ResponseCard {
        let detail = if let known { known } else { try await OpinionAnalysis.detail(event, on: db) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "zh_CN"); f.timeZone = TimeZone(identifier: "Asia/Shanghai"); f.dateFormat = "MM-dd HH:mm"
        let facts = detail.timeline.prefix(6).map { "\(f.string(from: $0.postedAt)) \($0.author)（\(OpinionLabels.platform($0.platform, "zh"))）：\(String($0.text.prefix(80)))" }
        let negShare = event.postCount == 0 ? 0 : Double(event.negative) / Double(event.postCount)
        var channels = ["官方网站", "官方微博", "微信公众号"]
        if let top = detail.sources.first.map({ OpinionLabels.channel(for: $0.name) }), !channels.contains(top) { channels.insert(top, at: 0) }
        let posShare = event.postCount == 0 ? 0 : Double(event.positive) / Double(event.postCount)
        let words = ([event.title] + detail.keywords.prefix(10).map(\.word) + detail.timeline.prefix(6).map(\.text)).joined(separator: " ")
        let suggested = StatementTemplate.suggested(text: words, positiveShare: posShare, negativeShare: negShare)
        let template = chosen ?? suggested
        var statement = template.draft(title: event.title, facts: facts, negativeShare: negShare)
        var ai = false, provider = "zhimei-template", model = "statement-v2", fallback: String?
        if chosen == nil, let p = statementProvider(app) {
            do {
                statement = try await p.draftStatement(title: event.title, facts: facts, negativeShare: negShare)
                ai = true; provider = p.name; model = p.model
            } catch {
                app.logger.warning("statement provider failed, template used: \(error)")
                let reason = (error as? ChatStatementProvider.Failure)?.description ?? "生成失败 / generation failed"
                fallback = "已改用模板：\(reason) / template used instead"
            }
        }
        return ResponseCard(eventId: event.id!, title: event.title, facts: facts, whoIsTalking: detail.authors, platforms: detail.sources,
                            respondWithinHours: respondWithin(risk: event.risk), channels: Array(channels.prefix(5)), statement: statement,
                            aiGenerated: ai, aiLabel: ai ? "AI生成 / AI-generated" : nil, provider: provider, model: model, generatedAt: Date(),
                            fallbackReason: fallback, template: template.rawValue, suggestedTemplate: suggested.rawValue)
    }
}

/// Manual corrections of clustering: merge events, split posts out into a new event.
enum OpinionEvents {
    static func recount(_ e: OpinionEvent, on db: any Database) async throws {
        let posts = try await OpinionPost.query(on: db).filter(\.$eventID == e.id!).field(\.$sentiment).field(\.$postedAt).field(\.$keywords).all()
        e.postCount = posts.count
        e.positive = posts.filter { $0.sentiment == "positive" }.count
        e.negative = posts.filter { $0.sentiment == "negative" }.count
        e.neutral = e.postCount - e.positive - e.negative
        if let a = posts.map(\.postedAt).min() { e.firstAt = a }
        if let b = posts.map(\.postedAt).max() { e.lastAt = b }
        var tf: [String: Double] = [:]
        for p in posts { for k in p.keywords { tf[k, default: 0] += 1 } }
        let total = max(1, Double(posts.count))
        e.terms = tf.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(EventClusterer.centroidTerms)
            .map { "\($0.key):\(String(format: "%.4f", $0.value / total))" }
        e.updatedAt = Date()
        try await e.save(on: db)
    }

    /// Moves every post of `others` into `target`; the others become `merged`.
    static func merge(_ target: OpinionEvent, _ others: [OpinionEvent], on db: any Database) async throws {
        try await db.transaction { tx in
            for o in others where o.id != target.id {
                try await OpinionPost.query(on: tx).filter(\.$eventID == o.id!).set(\.$eventID, to: target.id!).update()
                o.status = "merged"; o.mergedInto = target.id; o.postCount = 0; o.positive = 0; o.neutral = 0; o.negative = 0
                o.updatedAt = Date()
                try await o.save(on: tx)
            }
            try await recount(target, on: tx)
        }
    }

    /// Moves the given posts of `event` into a new event titled after the first of them.
    static func split(_ event: OpinionEvent, postIDs: [UUID], on db: any Database) async throws -> OpinionEvent {
        let posts = try await OpinionPost.query(on: db).filter(\.$eventID == event.id!).filter(\.$id ~~ postIDs).sort(\.$postedAt).all()
        guard let first = posts.first else {
            throw AppError.invalid("post_ids", zh: "所选信息不属于该事件", en: "None of the posts belong to this event")
        }
        guard posts.count < event.postCount else {
            throw AppError.invalid("post_ids", zh: "不能拆出事件的全部信息", en: "Cannot split out every post of the event")
        }
        let created = OpinionIngest.newEvent(tenantID: event.tenantID, title: OpinionIngest.title(of: first.textSimplified), at: first.postedAt, now: Date())
        try await db.transaction { tx in
            try await created.create(on: tx)
            try await OpinionPost.query(on: tx).filter(\.$id ~~ posts.compactMap(\.id)).set(\.$eventID, to: created.id!).update()
            try await recount(created, on: tx)
            try await recount(event, on: tx)
        }
        return created
    }
}
