import Fluent
import Vapor

/// /notifications (everyone: their own) and /notifications/settings (tenant admins: the webhook).
struct NotificationPages {
    struct Row: Encodable { var id: String; var kind: String; var title: String; var link: String; var read: Bool; var created: String }
    struct ListView: Encodable {
        var rows: [Row]; var unread: Int; var total: Int; var unreadOnly: Bool; var canSettings: Bool; var empty: Bool; var pages: PageLinks
    }
    struct ListQuery: Content { var page: Int?; var unread: Int? }
    /// Notifications a page.
    static let pageSize = 50
    struct TenantLink: Encodable { var id: String; var name: String; var selected: Bool }
    struct SettingsView: Encodable {
        var tenants: [TenantLink]; var multiTenant: Bool; var tenantID: String; var tenantName: String; var configured: Bool; var url: String; var enabled: Bool
        var secretHint: String; var lastDelivery: String; var lastStatus: String; var lastError: String
    }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "notifications", access: .authenticated, use: list)
        routes.page(.GET, "notifications", "settings", access: .permission(.tenantSettings), use: settings)
    }

    /// Some notifications are stored in both languages ("中文 / English", "舆情预警 Alert：…", for webhooks and e-mail);
    /// the page shows the half in its language. A title in one language is shown as stored.
    static func title(_ stored: String, _ lang: String) -> String {
        if stored.hasPrefix("舆情预警 Alert：") { return OpinionLabels.alertTitle(stored, lang) }
        guard let cut = stored.range(of: " / ", options: .backwards),
              let first = stored[cut.upperBound...].unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              stored[..<cut.lowerBound].unicodeScalars.contains(where: { $0.value >= 0x4E00 && $0.value <= 0x9FFF }) else { return stored }
        return lang == "en" ? String(stored[cut.upperBound...]) : String(stored[..<cut.lowerBound])
    }

    @Sendable func list(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        // Every notification, 50 a page, all or unread only (before: the newest 200, and the unread count among them).
        let query = (try? req.query.decode(ListQuery.self)) ?? ListQuery()
        let unreadOnly = query.unread == 1
        let size = Self.pageSize
        let total = try await NotificationService.query(for: actor.userID, unreadOnly: unreadOnly, on: req.db).countRows()
        let number = PageLinks.shown(query.page, size: size, total: total)
        let items = try await NotificationService.list(for: actor.userID, unreadOnly: unreadOnly, limit: size, offset: (number - 1) * size, on: req.db)
        let lang = Localizer.language(of: req)
        let rows = items.map { Row(id: $0.id?.uuidString ?? "", kind: $0.kind, title: Self.title($0.title, lang), link: $0.link, read: $0.readAt != nil, created: DisplayTime.format($0.createdAt)) }
        let unread = try await NotificationService.unreadCount(userID: actor.userID, on: req.db)
        let view = ListView(rows: rows, unread: unread, total: total, unreadOnly: unreadOnly, canSettings: actor.canAnywhere(.tenantSettings), empty: rows.isEmpty,
                            pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/notifications",
                                             keep: [URLQueryItem(name: "unread", value: unreadOnly ? "1" : nil)]))
        return try await PageContext.render("notifications/index", titleKey: "notifications.title", section: "notifications", body: view, on: req)
    }

    @Sendable func settings(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let scope = try req.scope(for: .tenantSettings)
        let tenants = try await scope.query(Tenant.self, on: req.db).sort(\.$kind, .descending).sort(\.$name).all()
        let wanted = try AdminAPI.optionalUUID(req, "tenant_id") ?? actor.activeTenantID
        guard let tenant = tenants.first(where: { $0.id == wanted }) ?? tenants.first else { throw AppError.notFound }
        let tid = try tenant.requireID()
        let hook = try await scope.query(NotificationWebhook.self, on: req.db).filter(\.$tenantID == tid).first()
        let view = SettingsView(tenants: tenants.map { TenantLink(id: $0.id?.uuidString ?? "", name: $0.name, selected: $0.id == tid) }, multiTenant: tenants.count > 1,
                                tenantID: tid.uuidString, tenantName: tenant.name, configured: hook != nil, url: hook?.url ?? "",
                                enabled: hook?.enabled ?? true, secretHint: hook.map { String($0.secret.prefix(6)) + "…" } ?? "",
                                lastDelivery: DisplayTime.format(hook?.lastDeliveryAt), lastStatus: hook?.lastStatus.map(String.init) ?? "—",
                                lastError: hook?.lastError ?? "")
        return try await PageContext.render("notifications/settings", titleKey: "notifications.settings", section: "notifications", body: view, on: req)
    }
}

/// Registration of the notifications service (called from the Planning module, which owns it).
enum NotificationsModule {
    static let migrations: [any Migration] = [M020_CreateNotifications(), M021_CreateNotificationWebhooks()]

    static func register(_ app: Application) throws {
        app.zhimei.api.register(NotificationsAPI.schemas)
        NotificationsAPI().register(app.routes.grouped("api", "v1"))
        NotificationPages().register(app.routes)
        app.zhimei.jobs.register(NotificationService.deliverJob) { ctx in try await NotificationService.deliver(ctx) }
    }
}
