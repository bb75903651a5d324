import Fluent
import Foundation
import Vapor

/// What `zhimei search …` does; the executable only parses arguments.
public enum SearchActions {
    static func tenantID(_ slug: String?, on db: any Database) async throws -> UUID? {
        guard let slug else { return nil }
        guard let t = try await Tenant.query(on: db).filter(\.$slug == slug).first(), let id = t.id else {
            throw AppError.invalid("tenant", zh: "单位不存在：\(slug)", en: "No such tenant: \(slug)")
        }
        return id
    }

    /// Rebuilds the index; returns a summary line.
    public static func reindex(_ settings: Settings, tenantSlug: String?) async throws -> String {
        try await Bootstrap.withApplication(settings) { app in
            try await app.autoMigrate()
            let tenant = try await tenantID(tenantSlug, on: app.db)
            let start = Date()
            let n = try await SearchService.reindex(app: app, tenant: tenant, on: app.db)
            return String(format: "reindexed %d documents in %.1f s", n, Date().timeIntervalSince(start))
        }
    }

    /// Runs the consistency check; returns whether the index was consistent, and a report.
    public static func check(_ settings: Settings, tenantSlug: String?, repair: Bool) async throws -> (Bool, String) {
        try await Bootstrap.withApplication(settings) { app in
            try await app.autoMigrate()
            let tenant = try await tenantID(tenantSlug, on: app.db)
            let r = try await SearchService.check(app: app, tenant: tenant, repair: repair, on: app.db)
            let ok = r.missing == 0 && r.stale == 0 && r.orphaned == 0
            return (ok, "content \(r.content), indexed \(r.indexed), missing \(r.missing), stale \(r.stale), orphaned \(r.orphaned)"
                        + (repair ? " — repaired" : (ok ? " — consistent" : " — run with --repair to fix")))
        }
    }
}
