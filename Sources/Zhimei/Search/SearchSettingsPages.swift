import Fluent
import Foundation
import Vapor

/// 检索设置: a tenant's synonym groups (同义词), edited as lines of words, and — for platform admins — the index's upkeep:
/// the consistency check with its repair, and a rebuild followed live. Changes go to the Search API.
struct SearchSettingsPages {
    struct PageView: Encodable {
        var tenantID: String; var tenantName: String
        /// One group a line, its words separated by spaces (what the textarea shows and sends back).
        var synonymLines: String; var groupCount: Int; var maxGroups: Int
        var canUpkeep: Bool
        /// The consistency check's figures, when asked for (?check=1).
        var check: SearchService.CheckReport?
    }

    /// Most synonym groups a tenant keeps (the API refuses more).
    static let maxGroups = 500

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "search", "settings", access: .permission(.tenantSettings), use: page)
    }

    @Sendable func page(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        // The active tenant, or the first one the person administers when they do not administer the active one.
        var tenantID = actor.activeTenantID
        if !actor.can(.tenantSettings, in: tenantID) {
            guard let first = try await req.scope(for: .tenantSettings).query(Tenant.self, on: req.db).sort(\.$name).first() else { throw AppError.forbidden }
            tenantID = try first.requireID()
        }
        let groups = try await SearchSynonym.query(on: req.db).filter(\.$tenantID == tenantID).sort(\.$createdAt).sort(\.$id).all()
        let upkeep = actor.isPlatformAdmin && actor.canAnywhere(.tenantsCreate)
        let wantsCheck = ((try? req.query.get(String?.self, at: "check")) ?? nil) == "1"
        let check = upkeep && wantsCheck ? try await SearchService.check(app: req.application, tenant: nil, repair: false, on: req.db) : nil
        let view = PageView(tenantID: tenantID.uuidString, tenantName: try await Tenant.find(tenantID, on: req.db)?.name ?? "",
                            synonymLines: groups.map { $0.words.joined(separator: " ") }.joined(separator: "\n"), groupCount: groups.count,
                            maxGroups: Self.maxGroups, canUpkeep: upkeep, check: check)
        return try await PageContext.render("search/settings", titleKey: "search.settings", section: "search/settings", body: view, on: req)
    }
}
