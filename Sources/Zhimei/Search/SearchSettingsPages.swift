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

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "search", "settings", access: .permission(.tenantSettings), use: page)
    }

    @Sendable func page(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let tenantID = try await req.tenantForSettings()
        let groups = try await SearchSynonym.query(on: req.db).filter(\.$tenantID == tenantID).sort(\.$createdAt).sort(\.$id).all()
        let upkeep = actor.isPlatformAdmin && actor.canAnywhere(.tenantsCreate)
        let wantsCheck = ((try? req.query.get(String?.self, at: "check")) ?? nil) == "1"
        let check = upkeep && wantsCheck ? try await SearchService.check(app: req.application, tenant: nil, repair: false, on: req.db) : nil
        let view = PageView(tenantID: tenantID.uuidString, tenantName: try await Tenant.find(tenantID, on: req.db)?.name ?? "",
                            synonymLines: groups.map { $0.words.joined(separator: " ") }.joined(separator: "\n"), groupCount: groups.count,
                            maxGroups: SearchAPI.maxSynonymGroups, canUpkeep: upkeep, check: check)
        return try await PageContext.render("search/settings", titleKey: "search.settings", section: "search/settings", body: view, on: req)
    }
}
