import Fluent
import Vapor

/// The Leads module (线索, 策): feed, webhook, tip and paste sources; analysed, clustered leads; the inbox.
enum LeadsModule {
    static let migrations: [any Migration] = [
        M010_CreateLeadSources(),
        M011_CreateLeads(),
        M012_UniqueLeadGUIDs(),
    ]

    static func register(_ app: Application) throws {
        app.leadsServices = LeadsServices()
        app.zhimei.api.register(LeadSchemas.all)
        LeadsAPI().register(app.routes.grouped("api", "v1"))
        LeadsPages().register(app.routes)
        FeedPoller.registerJobs(app)
        app.lifecycle.use(LeadsScheduleLifecycle())
    }
}
