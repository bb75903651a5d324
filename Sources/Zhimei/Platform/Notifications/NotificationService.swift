import Fluent
import Vapor

/// Notifications: in the UI (the bell and /notifications) and by the tenant's webhook.
/// Any module calls `NotificationService.notify(…)`; webhook delivery is a retried job, so a slow or
/// broken receiver never fails the caller.
enum NotificationService {
    static let deliverJob = "notifications.deliver"
    static let maxTitle = 300
    static let maxLink = 500

    /// Notifies people in the UI and by the tenant's webhook (if configured). Never throws for webhook failures.
    /// Unknown user IDs and duplicates are skipped. The caller decides whether the acting person is included.
    static func notify(_ userIDs: [UUID], tenantID: UUID, kind: String, title: String, link: String, on req: Request) async throws {
        try await notify(userIDs, tenantID: tenantID, kind: kind, title: title, link: link, on: req.db, logger: req.logger)
    }

    /// The same for jobs and other code without a request (`ctx.db`, `app.db`).
    @discardableResult
    static func notify(_ userIDs: [UUID], tenantID: UUID, kind: String, title: String, link: String,
                       on db: any Database, logger: Logger? = nil) async throws -> [AppNotification] {
        var seen = Set<UUID>()
        let wanted = userIDs.filter { seen.insert($0).inserted }
        guard !wanted.isEmpty else { return [] }
        let existing = Set(try await User.query(on: db).filter(\.$id ~~ wanted).all().compactMap(\.id))
        let now = Date()
        var created: [AppNotification] = []
        for userID in wanted where existing.contains(userID) {
            let n = AppNotification()
            n.id = UUID()
            n.tenantID = tenantID
            n.userID = userID
            n.kind = String(kind.replacingOccurrences(of: "\u{0}", with: "").prefix(100))
            n.title = String(title.replacingOccurrences(of: "\u{0}", with: "").prefix(maxTitle))
            n.link = safeLink(link)
            n.createdAt = now
            try await n.create(on: db)
            created.append(n)
        }
        // Webhook delivery: only when the tenant configured one; a failure to enqueue is logged, never thrown.
        do {
            if let hook = try await NotificationWebhook.query(on: db).filter(\.$tenantID == tenantID).first(), hook.enabled {
                for n in created {
                    try await enqueueDelivery(n, on: db)
                }
            }
        } catch {
            logger?.warning("notification webhook enqueue failed: \(String(reflecting: error))")
        }
        return created
    }

    /// Queues the webhook delivery of one notification (idempotent per notification).
    static func enqueueDelivery(_ n: AppNotification, on db: any Database) async throws {
        let id = try n.requireID()
        let payload = String(decoding: try JSONEncoder().encode(DeliveryPayload(notificationID: id)), as: UTF8.self)
        try await JobQueue.enqueue(kind: deliverJob, payload: payload, tenantID: n.tenantID,
                                   idempotencyKey: "\(deliverJob):\(id.uuidString)", maxAttempts: 6, on: db)
    }

    /// Only paths inside the app; anything else becomes "/".
    static func safeLink(_ link: String) -> String {
        let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("/"), !trimmed.hasPrefix("//"), !trimmed.contains("\\"), !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 }),
              trimmed.count <= maxLink else { return "/" }
        return trimmed
    }

    static func unreadCount(userID: UUID, on db: any Database) async throws -> Int {
        try await AppNotification.query(on: db).filter(\.$userID == userID).filter(\.$readAt == nil).count()
    }

    /// The actor's own notifications, newest first (the page and the API page through the same query).
    static func query(for userID: UUID, unreadOnly: Bool, on db: any Database) -> QueryBuilder<AppNotification> {
        let q = AppNotification.query(on: db).filter(\.$userID == userID)
        if unreadOnly { q.filter(\.$readAt == nil) }
        return q
    }

    /// A page of the actor's own notifications, newest first.
    /// Notifications a page of the API holds at most.
    static let largestPage = 200

    static func list(for userID: UUID, unreadOnly: Bool, limit: Int, offset: Int = 0, on db: any Database) async throws -> [AppNotification] {
        let size = max(1, min(limit, largestPage)), start = max(0, offset)
        return try await query(for: userID, unreadOnly: unreadOnly, on: db).sort(\.$createdAt, .descending).sort(\.$id)
            .range(start..<(start + size)).all()
    }

    /// Marks the actor's own notifications read; IDs of other people's notifications are ignored.
    /// Marks everyone's unread notifications of `kind` that point at `link` as read: they asked for something that is
    /// no longer waiting (a review stage someone has decided), so they should not stay in anyone's unread count.
    static func settle(kind: String, link: String, tenantID: UUID, on db: any Database) async throws {
        try await AppNotification.query(on: db).filter(\.$tenantID == tenantID).filter(\.$kind == kind).filter(\.$link == link)
            .filter(\.$readAt == nil).set(\.$readAt, to: Date()).update()
    }

    static func markRead(_ ids: [UUID]?, userID: UUID, on db: any Database) async throws -> Int {
        var q = AppNotification.query(on: db).filter(\.$userID == userID).filter(\.$readAt == nil)
        if let ids {
            guard !ids.isEmpty else { return 0 }
            q = q.filter(\.$id ~~ ids)
        }
        // One UPDATE (before: one save and commit per notification — thousands for "mark all read" after a busy week).
        let count = try await q.countRows()
        guard count > 0 else { return 0 }
        try await q.set(\.$readAt, to: Date()).update()
        return count
    }

    // MARK: - Webhook delivery

    struct DeliveryPayload: Codable {
        var notificationID: UUID
        enum CodingKeys: String, CodingKey { case notificationID = "notification_id" }
    }

    /// What the receiver gets (JSON, snake_case).
    struct WebhookBody: Codable {
        var id: UUID
        var event: String
        var kind: String
        var title: String
        var link: String
        var tenantId: UUID
        var recipientId: UUID
        var recipientUsername: String
        var createdAt: Date
    }

    struct DeliveryError: Error, CustomStringConvertible {
        let description: String
    }

    /// `sha256=` + hex HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret.
    static func signature(secret: String, timestamp: String, body: Data) -> String {
        var message = Data(timestamp.utf8)
        message.append(UInt8(ascii: "."))
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The `notifications.deliver` job: POSTs one notification to the tenant's webhook; a non-2xx answer or a
    /// network error throws, so the job system retries with backoff.
    static func deliver(_ ctx: JobContext) async throws -> String? {
        let payload = try ctx.decode(DeliveryPayload.self)
        guard let n = try await AppNotification.find(payload.notificationID, on: ctx.db) else { return "notification deleted; nothing to send" }
        guard let hook = try await NotificationWebhook.query(on: ctx.db).filter(\.$tenantID == n.tenantID).first(), hook.enabled else {
            return "no enabled webhook; skipped"
        }
        let recipient = try await User.find(n.userID, on: ctx.db)
        let body = WebhookBody(id: try n.requireID(), event: "notification", kind: n.kind, title: n.title, link: n.link, tenantId: n.tenantID,
                               recipientId: n.userID, recipientUsername: recipient?.username ?? "", createdAt: n.createdAt)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(body)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: .userAgent, value: "Zhimei-Notifications/1")
        headers.add(name: "X-Zhimei-Event", value: n.kind)
        headers.add(name: "X-Zhimei-Timestamp", value: timestamp)
        headers.add(name: "X-Zhimei-Signature", value: signature(secret: hook.secret, timestamp: timestamp, body: data))
        headers.add(name: "Idempotency-Key", value: n.id?.uuidString ?? "")
        headers.add(name: "X-Zhimei-Attempt", value: String(ctx.attempt))
        try await ctx.progress("sending", 50)
        var status: Int?
        var failure: String?
        do {
            guard let url = OutboundURL.validated(hook.url) else { throw Abort(.badRequest, reason: "invalid webhook URL") }
            var request = ClientRequest(method: .POST, url: URI(string: url), headers: headers, body: ByteBuffer(data: data))
            request.timeout = .seconds(15)
            let response = try await ctx.application.client.send(request)
            status = Int(response.status.code)
            if !(200..<300).contains(Int(response.status.code)) { failure = "HTTP \(response.status.code)" }
        } catch {
            failure = String(describing: error)
        }
        hook.lastDeliveryAt = Date()
        hook.lastStatus = status
        hook.lastError = failure.map { String($0.prefix(500)) }
        try? await hook.save(on: ctx.db)
        if let failure { throw DeliveryError(description: "webhook delivery failed: \(failure)") }
        return "delivered (HTTP \(status ?? 0))"
    }

    // MARK: - Webhook settings

    struct WebhookInput: Content {
        var url: String
        var secret: String?
        var enabled: Bool?
    }

    /// Creates or replaces a tenant's webhook (tenantSettings). Returns the webhook and, when one was generated, the secret.
    static func saveWebhook(tenantID: UUID?, _ input: WebhookInput, on req: Request) async throws -> (NotificationWebhook, String?) {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, tenantID, on: req.db)
        let tid = try tenant.requireID()
        let url = input.url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard OutboundURL.validated(url, maxLength: 500) != nil else {
            throw AppError.invalid("url", zh: "网络钩子地址必须是 http(s) 网址（不超过 500 字符）", en: "The webhook URL must be an http(s) URL (at most 500 characters)")
        }
        if let secret = input.secret, secret.count < 16 || secret.count > 200 || secret.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw AppError.invalid("secret", zh: "签名密钥长度须为 16–200 个字符", en: "The signing secret must be 16–200 characters long")
        }
        let existing = try await req.scope(for: .tenantSettings).query(NotificationWebhook.self, on: req.db).filter(\.$tenantID == tid).first()
        let hook = existing ?? NotificationWebhook()
        let before = existing.map { ["url": $0.url, "enabled": String($0.enabled)] }
        var generated: String?
        if hook.id == nil {
            hook.id = UUID()
            hook.tenantID = tid
            hook.createdAt = Date()
        }
        hook.url = url
        if let secret = input.secret {
            hook.secret = secret
        } else if existing == nil {
            generated = "whsec_" + Secrets.random(bytes: 24)
            hook.secret = generated!
        }
        hook.enabled = input.enabled ?? true
        hook.updatedAt = Date()
        try await hook.save(on: req.db)
        await req.audit("notifications.webhook.save", tenant: tid, targetType: "notification_webhook", targetID: hook.id?.uuidString ?? "",
                        before: before, after: ["url": url, "enabled": String(hook.enabled), "secret_changed": String(input.secret != nil || generated != nil)])
        return (hook, generated)
    }

    static func deleteWebhook(tenantID: UUID?, on req: Request) async throws -> Bool {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, tenantID, on: req.db)
        let tid = try tenant.requireID()
        guard let hook = try await req.scope(for: .tenantSettings).query(NotificationWebhook.self, on: req.db).filter(\.$tenantID == tid).first() else { return false }
        try await hook.delete(on: req.db)
        await req.audit("notifications.webhook.delete", tenant: tid, targetType: "notification_webhook", targetID: hook.id?.uuidString ?? "",
                        before: ["url": hook.url], after: nil)
        return true
    }
}
