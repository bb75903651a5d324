import Fluent
import Vapor

/// The Stories module: its migrations and routes.
enum StoriesModule {
    static let migrations: [any Migration] = [
        M030_CreateStories(),
        M031_CreateStoryVersions(),
    ]

    static func register(_ app: Application) throws {
        app.zhimei.api.register(StoriesAPI.schemas)
        StoriesAPI().register(app.grouped("api", "v1"))
        StoriesPages().register(app)
    }
}
