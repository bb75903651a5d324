import Fluent
import Foundation
import Vapor

/// The shared pool on the publishing side: the platform republishes a county's published story with credit, and a
/// county picks up a story its platform published. The copy is a new story of the receiving tenant (created through
/// `StoryService`, so it has its own versions), marked approved because it was reviewed and published at its source,
/// and published with a credit line naming the source on every channel.
enum RepublishService {
    struct Input: Content {
        var tenantId: UUID
        var channels: [String]?
    }

    static func republish(storyID: UUID?, _ input: Input, on req: Request) async throws -> [Publication] {
        guard let storyID, let source = try await Story.find(storyID, on: req.db) else { throw AppError.notFound }
        // Only what is live on the source's public site can be taken (it is public already, so reading it here leaks nothing).
        guard let live = try await Publication.query(on: req.db).filter(\.$storyID == storyID).filter(\.$channel == .website)
            .filter(\.$state == .published).sort(\.$storyVersion, .descending).first() else { throw AppError.notFound }
        try req.scope(for: .publish).checkPayload(input.tenantId)
        guard let target = try await Tenant.find(input.tenantId, on: req.db), let sourceTenant = try await Tenant.find(source.tenantID, on: req.db) else {
            throw AppError.invalid("tenant_id", zh: "单位不存在", en: "No such tenant")
        }
        let platformTakesCounty = target.kind == .platform && sourceTenant.$parent.id == target.id
        let countyTakesPlatform = sourceTenant.kind == .platform && target.$parent.id == sourceTenant.id
        guard platformTakesCounty || countyTakesPlatform else {
            throw AppError(.unprocessableEntity, "pool_direction", zh: "只能由平台转发下属县级中心的稿件，或由县级中心采用本平台的稿件",
                           en: "The platform republishes its counties' stories; a county picks up its platform's stories")
        }
        let credit = "\(sourceTenant.name)（\(live.snapshot.byline.isEmpty ? live.authorName : live.snapshot.byline)）"
        let snap = live.snapshot
        let content = StoryService.ContentInput(headline: snap.headline, subtitle: snap.subtitle, lead: snap.lead, byline: snap.byline,
                                                tags: snap.tags, categories: snap.categories, location: snap.location, language: snap.language,
                                                embargo: nil, body: snap.body, aigc: snap.aigc)
        let copy = try await StoryService.create(.init(content: content, tenantId: target.requireID()), note: "republish:\(storyID.uuidString)", on: req)
        try await StoryService.setStatus(copy, .approved, on: req)
        let kinds = try await PublishingService.channels(input.channels, tenantID: copy.tenantID, on: req.db)
        let actor = try PublishingAPI.actor(req)
        let rows = try await PublishingService.publish(copy, kinds: kinds, at: nil, overrides: [:], credit: credit, actor: actor, app: req.application, on: req.db)
        await req.audit("publishing.republish", tenant: copy.tenantID, targetType: "story", targetID: try copy.requireID().uuidString,
                        after: ["source_story_id": storyID.uuidString, "source_tenant_id": source.tenantID.uuidString, "credit": credit])
        return rows
    }
}
