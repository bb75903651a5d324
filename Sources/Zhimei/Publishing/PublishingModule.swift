import Fluent
import Vapor

/// The Publishing module (发, 一次采集、多元分发): channels, publishing actions, the public site, the content API,
/// feeds, ninjs and delivery to external destinations.
enum PublishingModule {
    static let migrations: [any Migration] = [
        M070_CreatePublishChannels(),
        M071_CreatePublications(),
        M072_CreatePublishDestinations(),
        M073_CreatePublishDeliveries(),
        M074_CreatePublishGenerations(),
    ]

    static func register(_ app: Application) throws {
        let ttl = Environment.get("ZHIMEI_SITE_CACHE_TTL").flatMap(Double.init) ?? 10
        let pollMS = Environment.get("ZHIMEI_SITE_CACHE_POLL_MS").flatMap(Double.init) ?? 500
        app.publicSiteCache = PublicSiteCache(ttl: min(max(ttl, 0), 3600), pollInterval: min(max(pollMS, 0), 60_000) / 1000)
        app.lifecycle.use(PublicSiteCacheLifecycle())
        app.databases.middleware.use(TenantPublicChangeMiddleware())
        // Cached public answers are served before routing and middleware; everything else reaches the default responder.
        app.responder.use { app in
            PublicCacheResponder(cache: app.publicSiteCache, metrics: app.zhimei.metrics, next: app.responder.default)
        }
        app.zhimei.api.register(ContentAPI.schemas + PublishingSchemas.all)
        let api = app.routes.grouped("api", "v1")
        PublishingAPI().register(api)
        ContentAPI().register(api)
        PublicSite().register(app.routes)
        PublishingPages().register(app.routes)
        registerJobs(app)
    }

    static func registerJobs(_ app: Application) {
        app.zhimei.jobs.register(PublishingService.releaseJob) { ctx in try await PublishingService.release(ctx) }
        app.zhimei.jobs.onGiveUp(PublishingService.releaseJob) { ctx, reason in try await PublishingService.releaseGaveUp(ctx, reason: reason) }
        app.zhimei.jobs.register(DeliveryService.deliverJob) { ctx in try await DeliveryService.deliver(ctx) }
    }
}
