import Fluent
import Vapor

/// The Review module: its migrations and routes.
enum ReviewModule {
    static let migrations: [any Migration] = []

    static func register(_ app: Application) throws {}
}
