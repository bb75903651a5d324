import Fluent
import Vapor

/// The Planning module: its migrations and routes.
enum PlanningModule {
    static let migrations: [any Migration] = []

    static func register(_ app: Application) throws {}
}
