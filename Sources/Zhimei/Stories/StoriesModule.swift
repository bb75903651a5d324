import Fluent
import Vapor

/// The Stories module: its migrations and routes.
enum StoriesModule {
    static let migrations: [any Migration] = []

    static func register(_ app: Application) throws {}
}
