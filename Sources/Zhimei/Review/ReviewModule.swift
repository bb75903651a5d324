import Fluent
import Vapor

/// The Review module (审, 三审三校): its migrations and routes.
enum ReviewModule {
    static let migrations: [any Migration] = [
        M040_CreateReviewConfigs(),
        M041_CreateReviewCases(),
        M042_CreateReviewEvents(),
        M043_CreateFirstPasses(),
        M044_CreateAIGCLabelRemovals(),
    ]

    static func register(_ app: Application) throws {
        _ = app.reviewFirstPass
        app.zhimei.api.register(ReviewAPI.schemas)
        ReviewAPI().register(app.routes.grouped("api", "v1"))
        ReviewPages().register(app.routes)
    }
}
