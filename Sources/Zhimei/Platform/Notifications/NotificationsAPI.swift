import Fluent
import Vapor

struct NotificationDTO: Content {
    var id: UUID
    var tenantId: UUID
    var kind: String
    var title: String
    var link: String
    var read: Bool
    var readAt: Date?
    var createdAt: Date

    init(_ n: AppNotification) {
        id = n.id ?? UUID()
        tenantId = n.tenantID
        kind = n.kind
        title = n.title
        link = n.link
        read = n.readAt != nil
        readAt = n.readAt
        createdAt = n.createdAt
    }
}

struct NotificationWebhookDTO: Content {
    var tenantId: UUID
    var url: String
    var enabled: Bool
    var secretHint: String
    var lastDeliveryAt: Date?
    var lastStatus: Int?
    var lastError: String?
    var updatedAt: Date
    /// Present once, in the response that generated it.
    var secret: String?

    init(_ h: NotificationWebhook, secret: String? = nil) {
        tenantId = h.tenantID
        url = h.url
        enabled = h.enabled
        secretHint = String(h.secret.prefix(6)) + "…"
        lastDeliveryAt = h.lastDeliveryAt
        lastStatus = h.lastStatus
        lastError = h.lastError
        updatedAt = h.updatedAt
        self.secret = secret
    }
}

struct CountDTO: Content { var count: Int }
struct UpdatedDTO: Content { var updated: Int }
struct DeletedDTO: Content { var deleted: Bool }

/// The notifications API: the actor's own notifications, and the tenant's webhook (tenant admins).
struct NotificationsAPI {
    static let schemas: [(String, Schema)] = [
        ("Notification", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("kind", .string), ("title", .string), ("link", .string), ("read", .boolean),
            ("read_at", .nullable(.dateTime)), ("created_at", .dateTime),
        ], required: ["id", "tenant_id", "kind", "title", "link", "read", "created_at"])),
        ("NotificationWebhook", .object([
            ("tenant_id", .uuid), ("url", .string), ("enabled", .boolean), ("secret_hint", .string),
            ("last_delivery_at", .nullable(.dateTime)), ("last_status", .nullable(.integer)), ("last_error", .nullable(.string)),
            ("updated_at", .dateTime), ("secret", .nullable(.string)),
        ], required: ["tenant_id", "url", "enabled", "secret_hint", "updated_at"])),
    ]

    func register(_ api: RoutesBuilder) {
        api.endpoint(.GET, "notifications", access: .authenticated,
                     doc: .init("My notifications, newest first / 我的通知", tag: "notifications", response: .array(.ref("Notification")),
                                query: [("unread", .boolean, "Only unread ones"), ("limit", .integer(minimum: 1, maximum: 200), "At most this many (default 50)"),
                                        ("offset", .integer(minimum: 0, maximum: 100_000), "Skip this many (paging)")]),
                     use: list)
        api.endpoint(.GET, "notifications", "unread-count", access: .authenticated,
                     doc: .init("Number of unread notifications / 未读通知数", tag: "notifications",
                                response: .object([("count", .integer)], required: ["count"])), use: unreadCount)
        api.endpoint(.POST, "notifications", "read", access: .authenticated,
                     doc: .init("Mark some of my notifications read / 标为已读", tag: "notifications",
                                request: .object([("ids", .array(.uuid, maxItems: 500))], required: ["ids"]),
                                response: .object([("updated", .integer)], required: ["updated"])), use: markRead)
        api.endpoint(.POST, "notifications", "read-all", access: .authenticated,
                     doc: .init("Mark all my notifications read / 全部标为已读", tag: "notifications",
                                response: .object([("updated", .integer)], required: ["updated"])), use: markAllRead)

        api.endpoint(.GET, "notification-webhooks", access: .permission(.tenantSettings),
                     doc: .init("Notification webhooks of the tenants you administer / 通知网络钩子", tag: "notifications",
                                response: .array(.ref("NotificationWebhook"))), use: listWebhooks)
        api.endpoint(.PUT, "notification-webhooks", ":tenantID", access: .permission(.tenantSettings),
                     doc: .init("Set a tenant's notification webhook (no secret = generate one, shown once) / 设置通知网络钩子", tag: "notifications",
                                request: .object([("url", .string(maxLength: 500)), ("secret", .nullable(.string(maxLength: 200))), ("enabled", .boolean)], required: ["url"]),
                                response: .ref("NotificationWebhook")), use: saveWebhook)
        api.endpoint(.DELETE, "notification-webhooks", ":tenantID", access: .permission(.tenantSettings),
                     doc: .init("Remove a tenant's notification webhook / 删除通知网络钩子", tag: "notifications",
                                response: .object([("deleted", .boolean)], required: ["deleted"])), use: deleteWebhook)
        api.endpoint(.POST, "notification-webhooks", ":tenantID", "test", access: .permission(.tenantSettings),
                     doc: .init("Send a test notification to yourself and the webhook / 发送测试通知", tag: "notifications",
                                response: .ref("Notification"), status: 201), use: testWebhook)
    }

    @Sendable func list(_ req: Request) async throws -> [NotificationDTO] {
        let actor = try req.requireActor()
        let unread = (try? req.query.get(Bool.self, at: "unread")) ?? false
        let page = try ListPage(req, standard: 50, largest: NotificationService.largestPage)
        return try await NotificationService.list(for: actor.userID, unreadOnly: unread, limit: page.limit, offset: page.offset, on: req.db).map(NotificationDTO.init)
    }

    @Sendable func unreadCount(_ req: Request) async throws -> CountDTO {
        CountDTO(count: try await NotificationService.unreadCount(userID: try req.requireActor().userID, on: req.db))
    }

    struct ReadInput: Content { var ids: [UUID] }

    @Sendable func markRead(_ req: Request) async throws -> UpdatedDTO {
        let input = try req.content.decode(ReadInput.self)
        guard input.ids.count <= 500 else { throw AppError.invalid("ids", zh: "一次最多 500 条", en: "At most 500 at a time") }
        return UpdatedDTO(updated: try await NotificationService.markRead(input.ids, userID: try req.requireActor().userID, on: req.db))
    }

    @Sendable func markAllRead(_ req: Request) async throws -> UpdatedDTO {
        UpdatedDTO(updated: try await NotificationService.markRead(nil, userID: try req.requireActor().userID, on: req.db))
    }

    @Sendable func listWebhooks(_ req: Request) async throws -> [NotificationWebhookDTO] {
        try await req.scope(for: .tenantSettings).query(NotificationWebhook.self, on: req.db).sort(\.$createdAt).all().map { NotificationWebhookDTO($0) }
    }

    @Sendable func saveWebhook(_ req: Request) async throws -> NotificationWebhookDTO {
        let input = try req.content.decode(NotificationService.WebhookInput.self)
        let (hook, secret) = try await NotificationService.saveWebhook(tenantID: req.parameters.get("tenantID", as: UUID.self), input, on: req)
        return NotificationWebhookDTO(hook, secret: secret)
    }

    @Sendable func deleteWebhook(_ req: Request) async throws -> DeletedDTO {
        DeletedDTO(deleted: try await NotificationService.deleteWebhook(tenantID: req.parameters.get("tenantID", as: UUID.self), on: req))
    }

    @Sendable func testWebhook(_ req: Request) async throws -> Response {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, req.parameters.get("tenantID", as: UUID.self), on: req.db)
        let actor = try req.requireActor()
        let created = try await NotificationService.notify([actor.userID], tenantID: try tenant.requireID(), kind: "notifications.test",
                                                           title: "测试通知 / Test notification", link: "/notifications", on: req.db, logger: req.logger)
        guard let n = created.first else { throw AppError.notFound }
        await req.audit("notifications.webhook.test", tenant: tenant.id, targetType: "notification", targetID: n.id?.uuidString ?? "")
        return try await NotificationDTO(n).encodeResponse(status: .created, for: req)
    }
}
