import Fluent
import Foundation
import Vapor

/// The staff publishing API: state and previews of a story, the actions, channels, destinations and delivery logs.
struct PublishingAPI {
    func register(_ api: RoutesBuilder) {
        let pub = api.grouped("publishing")
        let story = pub.grouped("stories", ":storyID")
        story.endpoint(.GET, access: .permission(.storiesRead),
                       doc: .init("A story's publications on every channel / 稿件发布状态", tag: "publishing", response: .array(.ref("Publication"))), use: state)
        story.endpoint(.GET, "previews", access: .permission(.storiesRead),
                       doc: .init("Side-by-side channel previews of the current version / 各渠道预览", tag: "publishing",
                                  response: .array(.ref("ChannelPreview"))), use: previews)
        story.endpoint(.POST, "publish", access: .permission(.publish),
                       doc: .init("Publish now, schedule or embargo; publishes a new version as an update / 发布、定时、更新", tag: "publishing",
                                  request: PublishingSchemas.publishRequest, response: .array(.ref("Publication"))), use: publish)
        story.endpoint(.POST, "correct", access: .permission(.publish),
                       doc: .init("Add a visible correction note on every channel / 更正", tag: "publishing",
                                  request: .object([("note", .string(maxLength: PublishingService.maxNote))], required: ["note"]),
                                  response: .array(.ref("Publication"))), use: correct)
        story.endpoint(.POST, "kill", access: .permission(.publish),
                       doc: .init("Kill (withdraw) everywhere; APIs return tombstones / 撤稿", tag: "publishing",
                                  request: .object([("reason", .string(maxLength: PublishingService.maxNote))], required: []),
                                  response: .array(.ref("Publication"))), use: kill)
        story.endpoint(.POST, "republish", access: .permission(.publish),
                       doc: .init("Shared pool: the platform republishes a county's live story, or a county picks up its platform's, with credit / 转发与采用",
                                  tag: "publishing",
                                  request: .object([("tenant_id", .uuid), ("channels", .array(.enumeration(ChannelKind.allCases.map(\.rawValue)), maxItems: 20))],
                                                   required: ["tenant_id"]),
                                  response: .array(.ref("Publication"))), use: republish)
        let tenant = pub.grouped("tenants", ":tenantID")
        tenant.endpoint(.GET, "channels", access: .permission(.storiesRead),
                        doc: .init("A tenant's channels and rules / 渠道设置", tag: "publishing", response: .array(.ref("PublishChannel"))), use: channels)
        tenant.endpoint(.PUT, "channels", ":kind", access: .permission(.tenantSettings),
                        doc: .init("Change a channel's rules / 修改渠道设置", tag: "publishing",
                                   request: .object([("enabled", .boolean), ("max_length", .integer(minimum: 0, maximum: 100_000)),
                                                     ("hashtags", .array(.string(maxLength: 30), maxItems: ChannelSettings.maxHashtags))], required: []),
                                   response: .ref("PublishChannel")), use: updateChannel)
        tenant.endpoint(.GET, "destinations", access: .permission(.tenantSettings),
                        doc: .init("A tenant's external destinations / 外发目标", tag: "publishing", response: .array(.ref("PublishDestination"))), use: destinations)
        tenant.endpoint(.POST, "destinations", access: .permission(.tenantSettings),
                        doc: .init("Add a destination (webhook, directory, s3, ninjs_push) / 新增外发目标", tag: "publishing",
                                   request: .object([
                                       ("name", .string(maxLength: 100)), ("kind", .enumeration(DestinationKind.allCases.map(\.rawValue))),
                                       ("target", .string(maxLength: 500)), ("secret", .string(maxLength: 200)), ("bucket", .string(maxLength: 200)),
                                       ("region", .string(maxLength: 200)), ("access_key", .string(maxLength: 200)), ("prefix", .string(maxLength: 200)),
                                       ("enabled", .boolean),
                                   ], required: ["name", "kind", "target"]),
                                   response: .ref("PublishDestination"), status: 201), use: createDestination)
        let destination = pub.grouped("destinations", ":destinationID")
        destination.endpoint(.DELETE, access: .permission(.tenantSettings),
                             doc: .init("Delete a destination / 删除外发目标", tag: "publishing", status: 204), use: deleteDestination)
        destination.endpoint(.GET, "deliveries", access: .permission(.tenantSettings),
                             doc: .init("A destination's delivery log / 投递记录", tag: "publishing", response: .array(.ref("PublishDelivery"))), use: deliveries)
        pub.endpoint(.POST, "deliveries", ":deliveryID", "resend", access: .permission(.tenantSettings),
                     doc: .init("Resend a delivery (same idempotency key) / 重新投递", tag: "publishing", response: .ref("PublishDelivery")), use: resend)
    }

    static func actor(_ req: Request) throws -> PublishingService.ActorInfo {
        let a = try req.requireActor()
        return .init(id: a.userID, name: a.username, ip: req.clientIP)
    }

    static func dtos(_ rows: [Publication], app: Application, on db: any Database) async throws -> [PublicationDTO] {
        guard let tenantID = rows.first?.tenantID else { return [] }
        let context = try await RenderContext.make(tenantID: tenantID, app: app, on: db)
        return rows.map { PublicationDTO($0, context: context) }
    }

    @Sendable func state(_ req: Request) async throws -> [PublicationDTO] {
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req)
        let rows = try await Publication.query(on: req.db).filter(\.$storyID == story.requireID())
            .sort(\.$storyVersion, .descending).sort(\.$channel).all()
        return try await Self.dtos(rows, app: req.application, on: req.db)
    }

    @Sendable func previews(_ req: Request) async throws -> [ChannelPreviewDTO] {
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req)
        return try await PublishingPreview.previews(story, app: req.application, on: req.db)
    }

    @Sendable func publish(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req, for: .publish)
        let input = try Self.body(req, PublishingService.PublishInput.self) ?? .init()
        let kinds = try await PublishingService.channels(input.channels, tenantID: story.tenantID, on: req.db)
        let rows = try await PublishingService.publish(story, kinds: kinds, at: input.at, overrides: input.overrides ?? [:],
                                                       actor: try Self.actor(req), app: req.application, on: req.db)
        return try await Self.dtos(rows, app: req.application, on: req.db).encodeResponse(for: req)
    }

    @Sendable func republish(_ req: Request) async throws -> [PublicationDTO] {
        let input = try req.content.decode(RepublishService.Input.self)
        let rows = try await RepublishService.republish(storyID: req.parameters.get("storyID", as: UUID.self), input, on: req)
        return try await Self.dtos(rows, app: req.application, on: req.db)
    }

    struct NoteInput: Content { var note: String?; var reason: String? }

    @Sendable func correct(_ req: Request) async throws -> [PublicationDTO] {
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req, for: .publish)
        let input = try Self.body(req, NoteInput.self)
        let rows = try await PublishingService.correct(storyID: story.requireID(), note: input?.note ?? "", tenantID: story.tenantID,
                                                       actor: try Self.actor(req), app: req.application, on: req.db)
        return try await Self.dtos(rows, app: req.application, on: req.db)
    }

    @Sendable func kill(_ req: Request) async throws -> [PublicationDTO] {
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req, for: .publish)
        let input = try Self.body(req, NoteInput.self)
        let rows = try await PublishingService.kill(storyID: story.requireID(), reason: input?.reason ?? "", tenantID: story.tenantID,
                                                    actor: try Self.actor(req), app: req.application, on: req.db)
        return try await Self.dtos(rows, app: req.application, on: req.db)
    }

    /// An optional JSON body (empty means defaults).
    static func body<T: Decodable>(_ req: Request, _ type: T.Type) throws -> T? {
        guard let body = req.body.data, body.readableBytes > 0 else { return nil }
        return try req.content.decode(T.self)
    }

    static func tenantID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("tenantID", as: UUID.self) else { throw AppError.notFound }
        return id
    }

    @Sendable func channels(_ req: Request) async throws -> [ChannelDTO] {
        let tenant = try await req.scope(for: .storiesRead).find(Tenant.self, try Self.tenantID(req), on: req.db)
        return try await ChannelSettings.ensure(tenantID: tenant.requireID(), on: req.db).map(ChannelDTO.init)
    }

    @Sendable func updateChannel(_ req: Request) async throws -> ChannelDTO {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, try Self.tenantID(req), on: req.db)
        guard let kind = req.parameters.get("kind").flatMap(ChannelKind.init(rawValue:)) else { throw AppError.notFound }
        let input = try req.content.decode(ChannelSettings.Update.self)
        let rows = try await ChannelSettings.ensure(tenantID: tenant.requireID(), on: req.db)
        guard let channel = rows.first(where: { $0.kind == kind }) else { throw AppError.notFound }
        try ChannelSettings.update(channel, input)
        try await channel.save(on: req.db)
        try await PublicSiteCache.changed(tenantID: channel.tenantID, app: req.application, on: req.db)   // the site shows channel rules
        await req.audit("publishing.channel.update", tenant: channel.tenantID, targetType: "publish_channel", targetID: kind.rawValue,
                        after: ["enabled": String(channel.enabled), "max_length": String(channel.maxLength), "hashtags": channel.hashtags.joined(separator: ",")])
        return ChannelDTO(channel)
    }

    @Sendable func destinations(_ req: Request) async throws -> [DestinationDTO] {
        try await DestinationService.list(tenantID: try Self.tenantID(req), on: req).map(DestinationDTO.init)
    }

    @Sendable func createDestination(_ req: Request) async throws -> Response {
        let d = try await DestinationService.create(tenantID: try Self.tenantID(req), try req.content.decode(DestinationService.CreateInput.self), on: req)
        return try await DestinationDTO(d).encodeResponse(status: .created, for: req)
    }

    @Sendable func deleteDestination(_ req: Request) async throws -> HTTPStatus {
        try await DestinationService.delete(req.parameters.get("destinationID", as: UUID.self), on: req)
        return .noContent
    }

    @Sendable func deliveries(_ req: Request) async throws -> [DeliveryDTO] {
        let d = try await DestinationService.find(req.parameters.get("destinationID", as: UUID.self), on: req)
        return try await DestinationService.deliveries(d, on: req.db).map(DeliveryDTO.init)
    }

    @Sendable func resend(_ req: Request) async throws -> DeliveryDTO {
        DeliveryDTO(try await DestinationService.resend(req.parameters.get("deliveryID", as: UUID.self), on: req))
    }
}

/// Channel previews of a story's current content (nothing is saved).
enum PublishingPreview {
    static func previews(_ story: Story, app: Application, on db: any Database) async throws -> [ChannelPreviewDTO] {
        let settings = try await ChannelSettings.ensure(tenantID: story.tenantID, on: db)
        let context = try await RenderContext.make(tenantID: story.tenantID, app: app, on: db)
        let p = Publication()
        p.tenantID = story.tenantID; p.storyID = try story.requireID(); p.storyVersion = story.version; p.channel = .website; p.state = .scheduled
        p.headline = story.headline; p.summary = story.lead; p.snapshot = StorySnapshot(story); p.authorName = story.authorName; p.credit = ""
        p.publishAt = Date()
        return settings.map { rule in
            let input = context.input(p, maxLength: rule.maxLength, hashtags: rule.hashtags)
            do {
                let r = try ChannelRenderer.render(rule.kind, input)
                return ChannelPreviewDTO(channel: rule.kind.rawValue, label: rule.kind.label.zh, contentType: r.contentType, body: r.body, error: nil)
            } catch let e as ChannelRuleError {
                return ChannelPreviewDTO(channel: rule.kind.rawValue, label: rule.kind.label.zh, contentType: "text/plain", body: "", error: e.zh + " / " + e.en)
            } catch {
                return ChannelPreviewDTO(channel: rule.kind.rawValue, label: rule.kind.label.zh, contentType: "text/plain", body: "", error: "\(error)")
            }
        }
    }
}
