import Fluent
import Vapor

/// The Leads module: its migrations and routes.
enum LeadsModule {
    static let migrations: [any Migration] = []

    static func register(_ app: Application) throws {}
}
