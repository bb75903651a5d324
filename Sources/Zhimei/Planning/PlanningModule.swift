import Fluent
import Vapor

/// The Planning module (选题策划) and the cross-cutting notifications service: migrations and routes.
enum PlanningModule {
    static let migrations: [any Migration] = NotificationsModule.migrations + [
        M022_CreateTopics(),
        M023_CreateTopicCoverage(),
        M024_CreateTopicComments(),
        M025_CreateInterviewOutlines(),
        M026_CreateSharedPool(),
    ]

    static func register(_ app: Application) throws {
        try NotificationsModule.register(app)
        app.zhimei.api.register(PlanningAPI.schemas)
        PlanningAPI().register(app.routes.grouped("api", "v1"))
        PlanningPages().register(app.routes)
    }
}
