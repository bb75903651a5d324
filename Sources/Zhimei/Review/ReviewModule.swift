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
        M045_CreateReviewLexicon(),
    ]

    static func register(_ app: Application) throws {
        app.reviewFirstPass.use(ProofreadFirstPassChecker())
        app.zhimei.api.register(ReviewAPI.schemas)
        app.zhimei.api.register(ProofreadAPI.schemas)
        app.zhimei.api.register(LexiconAPI.schemas)
        app.zhimei.api.register(ProofreadBatch.schemas)
        ProofreadBatch.register(app)
        ReviewAPI().register(app.routes.grouped("api", "v1"))
        ProofreadAPI().register(app.routes.grouped("api", "v1"))
        LexiconAPI().register(app.routes.grouped("api", "v1"))
        ReviewPages().register(app.routes)
        ProofreadPages().register(app.routes)
    }
}
