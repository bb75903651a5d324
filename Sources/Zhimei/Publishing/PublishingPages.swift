import Fluent
import Vapor

/// Staff pages: the publishing desk (/publishing), a story's previews and actions (/publishing/stories/:storyID)
/// and the destinations with their delivery logs (/publishing/destinations). Actions go to the API (data-api forms).
struct PublishingPages {
    struct StoryRow: Encodable { var id: String; var headline: String; var status: String; var statusKey: String; var updated: String }
    struct StatusOption: Encodable { var value: String; var label: String; var count: Int; var selected: Bool }
    struct DeskView: Encodable {
        var stories: [StoryRow]; var hasStories: Bool; var siteURL: String; var canDestinations: Bool; var statuses: [StatusOption]; var pages: PageLinks
    }
    struct DeskQuery: Content { var status: String?; var page: Int? }
    /// Stories a page of the desk.
    static let deskPageSize = 50
    struct PreviewView: Encodable { var channel: String; var label: String; var body: String; var error: String; var isHTML: Bool }
    struct PubView: Encodable { var channel: String; var version: Int; var state: String; var time: String; var correction: String }
    struct ChannelOption: Encodable { var kind: String; var label: String; var enabled: Bool }
    struct StoryView: Encodable {
        var id: String; var headline: String; var status: String; var statusKey: String; var canPublish: Bool; var siteURL: String
        var previews: [PreviewView]; var publications: [PubView]; var channels: [ChannelOption]; var hasPublications: Bool
    }
    struct DeliveryView: Encodable { var id: String; var key: String; var event: String; var status: String; var attempts: Int; var error: String; var time: String }
    struct DestinationView: Encodable { var id: String; var name: String; var kind: String; var target: String; var deliveries: [DeliveryView] }
    struct KindOption: Encodable { var value: String; var label: String }
    struct DestinationsView: Encodable { var tenantID: String; var destinations: [DestinationView]; var kinds: [KindOption] }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "publishing", access: .permission(.storiesRead), use: desk)
        routes.page(.GET, "publishing", "stories", ":storyID", access: .permission(.storiesRead), use: story)
        routes.page(.GET, "publishing", "destinations", access: .permission(.tenantSettings), use: destinations)
    }

    static func activeTenant(_ req: Request, _ permission: Permission) async throws -> Tenant {
        let actor = try req.requireActor()
        return try await req.scope(for: permission).find(Tenant.self, actor.activeTenantID, on: req.db)
    }

    /// The desk: the tenant's approved (待发布) and published stories, most recently changed first, 50 a page, all or
    /// one of the two states (before: the 100 most recent, nothing older reachable from here).
    @Sendable func desk(_ req: Request) async throws -> View {
        let tenant = try await Self.activeTenant(req, .storiesRead)
        let query = (try? req.query.decode(DeskQuery.self)) ?? DeskQuery()
        let shown: [Story.Status] = [.approved, .published]
        let chosen = query.status.flatMap { Story.Status(rawValue: $0) }.flatMap { shown.contains($0) ? $0 : nil }
        func stories() throws -> QueryBuilder<Story> {
            try req.scope(for: .storiesRead).query(Story.self, on: req.db).filter(\.$tenantID == tenant.requireID())
        }
        var counts: [Story.Status: Int] = [:]
        for status in shown { counts[status] = try await stories().filter(\.$status == status).countRows() }
        let total = chosen.map { counts[$0] ?? 0 } ?? counts.values.reduce(0, +)
        let size = Self.deskPageSize
        let number = PageLinks.shown(query.page, size: size, total: total)
        let listed = chosen.map { [$0] } ?? shown
        let page = try await stories().filter(\.$status ~~ listed).sort(\.$updatedAt, .descending).sort(\.$id)
            .range(((number - 1) * size)..<(number * size)).all()
        let rows = page.map { StoryRow(id: $0.id?.uuidString ?? "", headline: $0.headline, status: $0.status.rawValue,
                                       statusKey: StoriesPages.statusKey($0.status), updated: DisplayTime.format($0.updatedAt)) }
        let lang = Localizer.language(of: req)
        let statuses = [StatusOption(value: "", label: Localizer.text("common.all", lang), count: counts.values.reduce(0, +), selected: chosen == nil)]
            + shown.map { StatusOption(value: $0.rawValue, label: Localizer.text(StoriesPages.statusKey($0), lang), count: counts[$0] ?? 0, selected: chosen == $0) }
        let view = DeskView(stories: rows, hasStories: !rows.isEmpty, siteURL: "/site/\(tenant.slug)",
                            canDestinations: req.actor?.can(.tenantSettings, in: try tenant.requireID()) ?? false, statuses: statuses,
                            pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/publishing",
                                             keep: [URLQueryItem(name: "status", value: chosen?.rawValue)]))
        return try await PageContext.render("publishing/desk", titleKey: "publishing.title", section: "publishing", body: view, on: req)
    }

    @Sendable func story(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req)
        let previews = try await PublishingPreview.previews(story, app: req.application, on: req.db).map {
            PreviewView(channel: $0.channel, label: $0.label, body: $0.body, error: $0.error ?? "", isHTML: $0.contentType.hasPrefix("text/html"))
        }
        let pubs = try await Publication.query(on: req.db).filter(\.$storyID == story.requireID()).sort(\.$storyVersion, .descending).sort(\.$channel).all()
        let channels = try await ChannelSettings.ensure(tenantID: story.tenantID, on: req.db)
        let tenant = try await Tenant.find(story.tenantID, on: req.db)
        let view = StoryView(id: try story.requireID().uuidString, headline: story.headline, status: story.status.rawValue,
                             statusKey: StoriesPages.statusKey(story.status),
                             canPublish: req.actor?.can(.publish, in: story.tenantID) ?? false,
                             siteURL: "/site/\(tenant?.slug ?? "")/articles/\(try story.requireID().uuidString.lowercased())",
                             previews: previews,
                             publications: pubs.map { PubView(channel: lang == "en" ? $0.channel.label.en : $0.channel.label.zh, version: $0.storyVersion,
                                                              state: Localizer.text("publishing.state.\($0.state.rawValue)", lang),
                                                              time: DisplayTime.format($0.publishedAt ?? $0.publishAt), correction: $0.correction ?? "") },
                             channels: channels.map { ChannelOption(kind: $0.kind.rawValue, label: lang == "en" ? $0.kind.label.en : $0.kind.label.zh, enabled: $0.enabled) },
                             hasPublications: !pubs.isEmpty)
        return try await PageContext.render("publishing/story", titleKey: "publishing.story", section: "publishing", body: view, on: req)
    }

    @Sendable func destinations(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let tenant = try await Self.activeTenant(req, .tenantSettings)
        var views: [DestinationView] = []
        for d in try await DestinationService.list(tenantID: tenant.requireID(), on: req) {
            let log = try await DestinationService.deliveries(d, limit: 50, on: req.db).map {
                DeliveryView(id: $0.id?.uuidString ?? "", key: $0.idempotencyKey, event: $0.event,
                             status: Localizer.text("publishing.delivery.\($0.status.rawValue)", lang), attempts: $0.attempts,
                             error: $0.lastError ?? "", time: DisplayTime.format($0.deliveredAt ?? $0.updatedAt))
            }
            views.append(DestinationView(id: d.id?.uuidString ?? "", name: d.name, kind: Localizer.text("publishing.kind.\(d.kind.rawValue)", lang),
                                         target: d.target, deliveries: log))
        }
        let view = DestinationsView(tenantID: try tenant.requireID().uuidString, destinations: views, kinds: DestinationKind.allCases.map { KindOption(value: $0.rawValue, label: Localizer.text("publishing.kind.\($0.rawValue)", lang)) })
        return try await PageContext.render("publishing/destinations", titleKey: "publishing.destinations", section: "publishing", body: view, on: req)
    }
}
