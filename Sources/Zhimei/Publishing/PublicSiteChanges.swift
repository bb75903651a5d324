import Fluent
import Vapor

/// Tenant changes the public site shows (its name in every page header, a disabled tenant's 404) bump the tenant's
/// publish generation, whichever code path saves the tenant: every serving process drops that tenant's cached answers
/// at its next generation poll (`ZHIMEI_SITE_CACHE_POLL_MS`), as for a publish. Runs in the saving database session,
/// so a rolled-back change does not bump.
struct TenantPublicChangeMiddleware: AsyncModelMiddleware {
    func update(model: Tenant, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        try await PublishGeneration.bump(tenantID: model.requireID(), on: db)
    }

    func delete(model: Tenant, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        let id = try model.requireID()
        try await next.delete(model, force: force, on: db)
        try await PublishGeneration.bump(tenantID: id, on: db)
    }
}
