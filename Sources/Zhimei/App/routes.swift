import Vapor

/// Registers every route. Each declares its access; API routes also describe themselves for OpenAPI.
func routes(_ app: Application) throws {
    app.zhimei.api.register(PlatformSchemas.all)
    SystemRoutes().register(app.routes)

    let api = app.routes.grouped("api", "v1")
    AccountAPI().register(api)
    AdminAPI().register(api)
    AuditJobsAPI().register(api)
    TextAPI().register(api)

    AuthPages().register(app.routes)
    WorkbenchPages().register(app.routes)
    AdminPages().register(app.routes)
    AccountPages().register(app.routes)
}
