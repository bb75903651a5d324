import Fluent
import Vapor

/// The Opinion module (舆情, 管): ingest of social posts and feeds, processing (sentiment, dedupe, entities),
/// events, spread, hot topics and alerts, response cards, reports and the dashboard. Migrations 090–109.
enum OpinionModule {
    static let migrations: [any Migration] = [
        M090_CreateOpinionPosts(),
        M091_CreateOpinionEvents(),
        M092_CreateOpinionSettings(),
        M093_OpinionFeedSchedule(),
        M094_UniqueOpinionPostIDs(),
        M095_OpinionPostsByArrival(),
        M096_OpinionHourlyCounts(),
        M097_OpinionEventFiguresIndex(),
        M098_OpinionSourceState(),
        M099_SchemeSources(),
    ]

    static func register(_ app: Application) throws {
        app.opinion = OpinionServices(textDirectory: app.zhimei.settings.textDataDirectory)
        app.zhimei.api.register(OpinionSchemas.all)
        let api = app.routes.grouped("api", "v1")
        OpinionAPI().register(api)
        OpinionEventsAPI().register(api)
        OpinionPages().register(app.routes)
        OpinionSourcePages().register(app.routes)
        OpinionPostPages().register(app.routes)
        OpinionImportPages().register(app.routes)
        OpinionImportJob.register(app)
        OpinionSchemeRematch.register(app)
        OpinionFeeds.register(app)
        OpinionSchedule.register(app)
    }
}
