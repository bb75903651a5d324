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

    // The newsroom chain (策采编审).
    try LeadsModule.register(app)
    try PlanningModule.register(app)
    try StoriesModule.register(app)
    try ReviewModule.register(app)
    try PublishingModule.register(app)
    try SearchModule.register(app)
    try OpinionModule.register(app)
}
