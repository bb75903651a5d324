import Fluent
import Vapor

/// The workbench (home page), the chain-module pages and the API reference page.
struct WorkbenchPages {
    struct StatView: Encodable { var key: String; var value: Int; var href: String }
    struct ChainStage: Encodable { var stage: String; var titleKey: String; var modules: [ModuleInfo] }
    struct HomeView: Encodable {
        var stats: [StatView]
        var todos: [WorkbenchTodos.Item]
        var chain: [ChainStage]
        var recent: [AuditRow]
        var hasStats: Bool { !stats.isEmpty }
        var hasTodos: Bool { !todos.isEmpty }
        var hasRecent: Bool { !recent.isEmpty }
        enum CodingKeys: String, CodingKey { case stats, todos, chain, recent, hasStats, hasTodos, hasRecent }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(stats, forKey: .stats)
            try c.encode(todos, forKey: .todos)
            try c.encode(hasTodos, forKey: .hasTodos)
            try c.encode(chain, forKey: .chain)
            try c.encode(recent, forKey: .recent)
            try c.encode(hasStats, forKey: .hasStats)
            try c.encode(hasRecent, forKey: .hasRecent)
        }
    }
    struct ModuleView: Encodable { var module: ModuleInfo; var planned: [String] }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "", access: .authenticated, use: home)
        // Built modules register their own pages at the same path.
        for module in ModuleCatalog.modules where !module.built {
            routes.page(.GET, PathComponent(stringLiteral: module.path), access: .permission(module.permission)) { req in
                try await self.modulePage(module, req)
            }
        }
        routes.page(.GET, "docs", "api", access: .anonymous, use: apiReference)
    }

    @Sendable func home(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        var stats: [StatView] = []
        // Administration figures for those who administer; a county's staff see their to-dos instead of "1 tenant".
        if actor.canAnywhere(.usersManage) {
            stats.append(.init(key: "home.stats.tenants", value: try await actor.scope(for: .tenantRead).query(Tenant.self, on: req.db).count(), href: "/admin/tenants"))
        }
        if actor.canAnywhere(.usersManage) {
            stats.append(.init(key: "home.stats.users", value: try await actor.scope(for: .usersManage).query(User.self, on: req.db).count(), href: "/admin/users"))
        }
        if actor.canAnywhere(.jobsManage) {
            let jobs = actor.scope(for: .jobsManage)
            stats.append(.init(key: "home.stats.jobs", value: try await jobs.query(Job.self, on: req.db).filter(\.$state == .queued).count(), href: "/admin/jobs?state=queued"))
            stats.append(.init(key: "home.stats.dead", value: try await jobs.query(Job.self, on: req.db).filter(\.$state == .dead).count(), href: "/admin/jobs?state=dead"))
        }
        let stages = [("策", "nav.plan"), ("采", "nav.gather"), ("编", "nav.edit"), ("审", "nav.review"), ("发", "nav.publish"), ("管", "nav.manage"), ("+", "nav.more")]
        let chain = stages.map { stage in
            ChainStage(stage: stage.0, titleKey: stage.1, modules: ModuleCatalog.modules.filter { $0.stage == stage.0 && actor.canAnywhere($0.permission) })
        }.filter { !$0.modules.isEmpty }
        var recent: [AuditRow] = []
        if actor.canAnywhere(.auditRead) {
            let entries = try await AuditQuery.entries(AuditFilter(limit: 8), on: req)
            recent = try await AuditRow.rows(entries, lang: Localizer.language(of: req), on: req.db)
        }
        return try await PageContext.render("home", titleKey: "nav.home", section: "home", body: HomeView(stats: stats, todos: try await WorkbenchTodos.collect(on: req), chain: chain, recent: recent), on: req)
    }

    func modulePage(_ module: ModuleInfo, _ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        return try await PageContext.render("module", titleKey: module.titleKey, section: module.path,
                                            body: ModuleView(module: module, planned: lang == "en" ? module.plannedEn : module.planned), on: req)
    }

    @Sendable func apiReference(_ req: Request) async throws -> View {
        try await PageContext.render("api-docs", titleKey: "nav.apidocs", section: "apidocs", body: [String: String](), on: req)
    }
}

/// An audit entry ready for a table.
struct AuditRow: Encodable {
    var id: Int
    var time: String
    var actor: String
    var tenant: String
    var action: String
    var target: String
    var ip: String
    var outcome: String
    var summary: String
    /// The action and the change summary in words (`AuditLabels`), for the page.
    var actionLabel = ""
    var changes: [String] = []

    static func rows(_ entries: [AuditEntry], lang: String, on db: any Database) async throws -> [AuditRow] {
        let tenantIDs = Set(entries.compactMap(\.tenantID))
        let names = tenantIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Tenant.query(on: db).filter(\.$id ~~ Array(tenantIDs)).all().compactMap { t in t.id.map { ($0, t.name) } })
        return entries.map { e in
            AuditRow(id: e.id ?? 0, time: DisplayTime.format(e.at), actor: e.actorName, tenant: e.tenantID.flatMap { names[$0] } ?? "—",
                     action: e.action, target: e.targetType.isEmpty ? "" : "\(e.targetType):\(e.targetID.prefix(8))", ip: e.ip,
                     outcome: e.outcome, summary: e.summary == "{}" ? "" : e.summary,
                     actionLabel: AuditLabels.action(e.action, lang), changes: AuditLabels.changes(e.summary, targetType: e.targetType, lang))
        }
    }
}
