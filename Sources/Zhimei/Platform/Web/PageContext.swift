import Fluent
import Vapor

/// What every page's layout needs: language, the signed-in person, navigation flags and the CSRF token.
struct PageContext<Body: Encodable>: Encodable {
    struct Person: Encodable {
        var displayName: String
        var username: String
    }
    struct TenantChoice: Encodable {
        var id: String
        var name: String
        var active: Bool
    }

    var lang: String
    var title: String
    var section: String
    var csrf: String
    var me: Person?
    var tenants: [TenantChoice]
    var multiTenant: Bool
    var activeTenantName: String
    var isPlatformAdmin: Bool
    var canUsers: Bool
    var canAudit: Bool
    var canJobs: Bool
    var canTenants: Bool
    /// The chain modules this person may open, grouped as in the sidebar (empty when signed out).
    var navGroups: [ModuleCatalog.NavGroup]
    var body: Body

    /// Builds the context and renders the template.
    static func render(_ template: String, titleKey: String, section: String, body: Body, on req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        var context = PageContext(lang: lang, title: Localizer.text(titleKey, lang), section: section, csrf: req.actor?.csrfToken ?? "",
                                  me: nil, tenants: [], multiTenant: false, activeTenantName: "", isPlatformAdmin: false, canUsers: false, canAudit: false,
                                  canJobs: false, canTenants: false, navGroups: [], body: body)
        if let actor = req.actor {
            context.me = Person(displayName: actor.displayName, username: actor.username)
            context.isPlatformAdmin = actor.isPlatformAdmin
            context.canUsers = actor.canAnywhere(.usersManage)
            context.canAudit = actor.canAnywhere(.auditRead)
            context.canJobs = actor.canAnywhere(.jobsManage)
            // Everyone may read their tenant, but the page is for those who set it up.
            context.canTenants = actor.canAnywhere(.tenantSettings) || actor.canAnywhere(.tenantsCreate)
            context.navGroups = ModuleCatalog.navGroups(for: actor, lang: lang)
            let ids = Array(actor.roles.keys)
            let tenants = actor.isPlatformAdmin
                ? try await Tenant.query(on: req.db).sort(\.$kind, .descending).sort(\.$name).all()
                : try await Tenant.query(on: req.db).filter(\.$id ~~ ids).sort(\.$name).all()
            context.tenants = tenants.map { TenantChoice(id: $0.id?.uuidString ?? "", name: $0.name, active: $0.id == actor.activeTenantID) }
            context.multiTenant = tenants.count > 1
            context.activeTenantName = tenants.first { $0.id == actor.activeTenantID }?.name ?? ""
        }
        return try await req.view.render(template, context)
    }
}

/// Formats times for tables in China Standard Time.
enum DisplayTime {
    static func format(_ date: Date?) -> String {
        guard let date else { return "—" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
