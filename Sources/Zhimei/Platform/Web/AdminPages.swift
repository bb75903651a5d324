import Fluent
import Vapor

/// Administration pages: tenants, people, audit log and jobs. They read through the same
/// services as the API; changes are sent to the API by small scripts in /js/app.js.
struct AdminPages {
    struct TenantRow: Encodable { var id: String; var name: String; var slug: String; var kind: String; var region: String; var disabled: Bool; var created: String }
    struct TenantsView: Encodable { var tenants: [TenantRow]; var canCreate: Bool }
    struct TenantView: Encodable { var tenant: TenantRow; var displayName: String; var language: String; var stages: String; var email: String; var canEdit: Bool; var canDisable: Bool }
    struct RoleOption: Encodable { var value: String; var label: String; var checked: Bool }
    struct UserRow: Encodable { var id: String; var username: String; var displayName: String; var email: String; var status: String; var statusLabel: String; var tenant: String; var roles: String; var lastLogin: String }
    struct UsersView: Encodable {
        var users: [UserRow]; var tenants: [TenantRow]; var roleOptions: [RoleOption]; var q: String; var tenantFilter: String; var statusFilter: String
        var total: Int; var pages: PageLinks
    }
    /// People a page of /admin/users.
    static let userPageSize = 100
    struct TenantRoles: Encodable { var tenantID: String; var tenantName: String; var roles: [RoleOption] }
    struct UserView: Encodable { var user: UserRow; var language: String; var roleSets: [TenantRoles]; var isSelf: Bool }
    struct AuditView: Encodable { var rows: [AuditRow]; var tenants: [TenantRow]; var actor: String; var action: String; var tenantFilter: String; var from: String; var to: String; var nextBefore: Int?; var nextQuery: String; var canVerify: Bool }
    struct JobRow: Encodable { var id: String; var kind: String; var state: String; var attempts: String; var stage: String; var percent: Int; var error: String; var created: String; var active: Bool; var dead: Bool; var stateLabel: String }
    struct StateCount: Encodable { var state: String; var label: String; var count: Int; var selected: Bool }
    struct KindOption: Encodable { var kind: String; var selected: Bool }
    struct JobsView: Encodable {
        var jobs: [JobRow]; var stateFilter: String; var states: [StateCount]; var kinds: [KindOption]; var kindFilter: String; var total: Int; var pages: PageLinks
    }
    /// Jobs a page of /admin/jobs.
    static let jobPageSize = 50

    func register(_ routes: RoutesBuilder) {
        let admin = routes.grouped("admin")
        admin.page(.GET, "tenants", access: .permission(.tenantRead), use: tenants)
        admin.page(.GET, "tenants", ":tenantID", access: .permission(.tenantRead), use: tenant)
        admin.page(.GET, "users", access: .permission(.usersManage), use: users)
        admin.page(.GET, "users", ":userID", access: .permission(.usersManage), use: user)
        admin.page(.GET, "audit", access: .permission(.auditRead), use: audit)
        admin.page(.GET, "jobs", access: .permission(.jobsManage), use: jobs)
    }

    static func row(_ t: Tenant, lang: String) -> TenantRow {
        TenantRow(id: t.id?.uuidString ?? "", name: t.name, slug: t.slug, kind: Localizer.text("tenants.kind.\(t.kind.rawValue)", lang),
                  region: t.region, disabled: t.disabled, created: DisplayTime.format(t.createdAt))
    }

    @Sendable func tenants(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let list = try await TenantService.list(on: req).map { Self.row($0, lang: lang) }
        return try await PageContext.render("admin/tenants", titleKey: "tenants.title", section: "tenants",
                                            body: TenantsView(tenants: list, canCreate: try req.requireActor().isPlatformAdmin), on: req)
    }

    @Sendable func tenant(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let t = try await req.scope(for: .tenantRead).find(Tenant.self, req.parameters.get("tenantID", as: UUID.self), on: req.db)
        let view = TenantView(tenant: Self.row(t, lang: lang), displayName: t.settings.displayName ?? "", language: t.settings.defaultLanguage,
                              stages: t.settings.reviewStages.joined(separator: ", "), email: t.settings.contactEmail ?? "",
                              canEdit: actor.can(.tenantSettings, in: try t.requireID()), canDisable: actor.isPlatformAdmin && t.kind == .county)
        return try await PageContext.render("admin/tenant", titleKey: "tenants.settings", section: "tenants", body: view, on: req)
    }

    static func roleLabel(_ role: Role, _ lang: String) -> String { lang == "en" ? role.label.en : role.label.zh }

    static func assignableRoles(_ actor: Actor) -> [Role] {
        actor.isPlatformAdmin ? Role.allCases : Role.tenantAssignable
    }

    @Sendable func users(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let tenantFilter = try AdminAPI.optionalUUID(req, "tenant_id")
        let statusFilter = (try? req.query.get(String.self, at: "status")).flatMap(User.Status.init(rawValue:))
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        // Everyone who matches, 100 a page (before: the first 500 by username, with no sign of the rest).
        let total = try await UserService.query(tenantID: tenantFilter, query: q, status: statusFilter, on: req).countRows()
        let size = Self.userPageSize
        let number = PageLinks.shown(try? req.query.get(Int.self, at: "page"), size: size, total: total, largestOffset: 1_000_000)
        let list = try await UserService.list(tenantID: tenantFilter, query: q, status: statusFilter, offset: (number - 1) * size, limit: size, on: req)
        let scope = try req.scope(for: .usersManage)
        let tenants = try await scope.query(Tenant.self, on: req.db).sort(\.$kind, .descending).sort(\.$name).all()
        let tenantNames = Dictionary(uniqueKeysWithValues: tenants.compactMap { t in t.id.map { ($0, t.name) } })
        let ids = list.compactMap(\.id)
        let memberships = ids.isEmpty ? [] : try await scope.query(Membership.self, on: req.db).filter(\.$user.$id ~~ ids).all()
        let byUser = Dictionary(grouping: memberships, by: { $0.$user.id })
        let rows = list.map { u in Self.userRow(u, memberships: byUser[u.id ?? UUID()] ?? [], tenantNames: tenantNames, lang: lang) }
        let options = Self.assignableRoles(actor).map { RoleOption(value: $0.rawValue, label: Self.roleLabel($0, lang), checked: $0 == .reporter) }
        return try await PageContext.render("admin/users", titleKey: "users.title", section: "users",
                                            body: UsersView(users: rows, tenants: tenants.map { Self.row($0, lang: lang) }, roleOptions: options, q: q,
                                                            tenantFilter: tenantFilter?.uuidString ?? "", statusFilter: statusFilter?.rawValue ?? "", total: total,
                                                            pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/admin/users",
                                                                             keep: [URLQueryItem(name: "q", value: q), URLQueryItem(name: "tenant_id", value: tenantFilter?.uuidString),
                                                                                    URLQueryItem(name: "status", value: statusFilter?.rawValue)])), on: req)
    }

    static func userRow(_ u: User, memberships: [Membership], tenantNames: [UUID: String], lang: String) -> UserRow {
        let roles = memberships.map { "\(tenantNames[$0.$tenant.id] ?? "?")·\(roleLabel($0.role, lang))" }.sorted().joined(separator: "；")
        return UserRow(id: u.id?.uuidString ?? "", username: u.username, displayName: u.displayName, email: u.email ?? "",
                       status: u.status.rawValue, statusLabel: Localizer.text("status.\(u.status.rawValue)", lang), tenant: tenantNames[u.$homeTenant.id] ?? "—", roles: roles, lastLogin: DisplayTime.format(u.lastLoginAt))
    }

    @Sendable func user(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let u = try await UserService.find(req.parameters.get("userID", as: UUID.self), on: req)
        let scope = try req.scope(for: .usersManage)
        let tenants = try await scope.query(Tenant.self, on: req.db).sort(\.$kind, .descending).sort(\.$name).all()
        let memberships = try await scope.query(Membership.self, on: req.db).filter(\.$user.$id == u.requireID()).all()
        let names = Dictionary(uniqueKeysWithValues: tenants.compactMap { t in t.id.map { ($0, t.name) } })
        let roleSets = tenants.map { t -> TenantRoles in
            let held = Set(memberships.filter { $0.$tenant.id == t.id }.map(\.role))
            let roles = Self.assignableRoles(actor).filter { $0 != .platformAdmin || t.kind == .platform }
            return TenantRoles(tenantID: t.id?.uuidString ?? "", tenantName: t.name,
                               roles: roles.map { RoleOption(value: $0.rawValue, label: Self.roleLabel($0, lang), checked: held.contains($0)) })
        }
        let view = UserView(user: Self.userRow(u, memberships: memberships, tenantNames: names, lang: lang), language: u.language, roleSets: roleSets, isSelf: u.id == actor.userID)
        return try await PageContext.render("admin/user", titleKey: "users.title", section: "users", body: view, on: req)
    }

    @Sendable func audit(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let filter = try AuditFilter.parse(req)
        let entries = try await AuditQuery.entries(filter, on: req)
        let tenants = try await req.scope(for: .auditRead).query(Tenant.self, on: req.db).sort(\.$name).all()
        var query = URLComponents()
        query.queryItems = [("actor", filter.actor), ("action", filter.action), ("tenant_id", filter.tenantID?.uuidString),
                            ("from", try? req.query.get(String.self, at: "from")), ("to", try? req.query.get(String.self, at: "to"))]
            .compactMap { pair in pair.1.map { URLQueryItem(name: pair.0, value: $0) } }
        let view = AuditView(rows: try await AuditRow.rows(entries, lang: lang, on: req.db), tenants: tenants.map { Self.row($0, lang: lang) },
                             actor: filter.actor ?? "", action: filter.action ?? "", tenantFilter: filter.tenantID?.uuidString ?? "",
                             from: (try? req.query.get(String.self, at: "from")) ?? "", to: (try? req.query.get(String.self, at: "to")) ?? "",
                             nextBefore: entries.count == filter.limit ? entries.last?.id : nil, nextQuery: query.percentEncodedQuery ?? "",
                             canVerify: try req.scope(for: .auditRead) == .all)
        return try await PageContext.render("admin/audit", titleKey: "audit.title", section: "audit", body: view, on: req)
    }

    /// Every job of the person's scope, newest first, 50 a page, by state and kind (before: the newest 200 only).
    @Sendable func jobs(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let scope = try req.scope(for: .jobsManage)
        let stateFilter = (try? req.query.get(String.self, at: "state")).flatMap(Job.State.init(rawValue:))
        let kinds = req.application.zhimei.jobs.kinds
        let kindFilter = (try? req.query.get(String.self, at: "kind")).flatMap { kinds.contains($0) ? $0 : nil }
        func ofKind() -> QueryBuilder<Job> {
            let q = scope.query(Job.self, on: req.db)
            if let kindFilter { q.filter(\.$kind == kindFilter) }
            return q
        }
        var states: [StateCount] = []
        for state in Job.State.allCases {
            states.append(StateCount(state: state.rawValue, label: Localizer.text("state.\(state.rawValue)", lang),
                                     count: try await ofKind().filter(\.$state == state).countRows(), selected: state == stateFilter))
        }
        let total = stateFilter.map { s in states.first { $0.state == s.rawValue }?.count ?? 0 } ?? states.map(\.count).reduce(0, +)
        let size = Self.jobPageSize
        let number = PageLinks.shown(try? req.query.get(Int.self, at: "page"), size: size, total: total)
        let q = ofKind()
        if let stateFilter { q.filter(\.$state == stateFilter) }
        let list = try await q.sort(\.$createdAt, .descending).sort(\.$id).range(((number - 1) * size)..<(number * size)).all()
        let rows = list.map { j in
            JobRow(id: j.id?.uuidString ?? "", kind: j.kind, state: j.state.rawValue, attempts: "\(j.attempts)/\(j.maxAttempts)", stage: j.progressStage,
                   percent: j.progressPercent, error: j.lastError ?? "", created: DisplayTime.format(j.createdAt),
                   active: j.state == .queued || j.state == .running, dead: j.state == .dead,
                   stateLabel: Localizer.text("state.\(j.state.rawValue)", lang))
        }
        return try await PageContext.render("admin/jobs", titleKey: "jobs.title", section: "jobs",
                                            body: JobsView(jobs: rows, stateFilter: stateFilter?.rawValue ?? "", states: states,
                                                           kinds: kinds.map { KindOption(kind: $0, selected: $0 == kindFilter) }, kindFilter: kindFilter ?? "",
                                                           total: total,
                                                           pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/admin/jobs",
                                                                            keep: [URLQueryItem(name: "state", value: stateFilter?.rawValue),
                                                                                   URLQueryItem(name: "kind", value: kindFilter)])), on: req)
    }
}
