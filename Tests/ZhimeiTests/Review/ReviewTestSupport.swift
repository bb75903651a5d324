import Fluent
import Foundation
import Vapor
import XCTVapor
@testable import Zhimei

/// Shared helpers for the review tests: stories written straight into the database (the Stories API has its own tests),
/// the review API's shapes, and one-call actions.
enum ReviewFixture {
    struct StageOut: Decodable { var index: Int; var name: String; var permission: String; var status: String; var signedBy: String? }
    struct EventOut: Decodable { var round: Int; var stageIndex: Int?; var stageName: String?; var action: String; var actorName: String; var comment: String; var at: Date }
    struct FirstPassOut: Decodable { var round: Int; var status: String; var checker: String; var message: String; var messageEn: String; var findings: [FindingOut] }
    struct FindingOut: Decodable { var category: String; var message: String; var excerpt: String }
    struct LabelOut: Decodable { var target: String; var blockIndex: Int?; var kind: String; var label: String; var provider: String; var model: String; var visible: Bool; var removable: Bool; var removedReason: String? }
    struct StateOut: Decodable {
        var storyId: UUID; var storyStatus: String; var state: String; var round: Int; var stageIndex: Int?; var stageName: String?
        var stages: [StageOut]; var actions: [String]; var firstPass: FirstPassOut?; var aigcLabels: [LabelOut]; var history: [EventOut]
        var distinctSigners: Bool
    }
    struct ItemOut: Decodable { var storyId: UUID; var state: String; var stageName: String; var round: Int }
    struct QueueOut: Decodable { var waiting: [ItemOut]; var mine: [ItemOut]; var decided: [ItemOut] }
    struct Act: Encodable { var round: Int?; var stageIndex: Int?; var comment: String? }

    static let aiLabel = AIGCLabel(provider: "builtin", model: "textrank-summary", generatedAt: Date(timeIntervalSince1970: 1_790_000_000))

    /// A draft story by `username` in the user's home tenant.
    static func story(_ t: TestApp, by username: String, headline: String = "浏阳花炮出口创新高", aiStory: Bool = false, aiBlock: Bool = false) async throws -> UUID {
        let user = try await t.user(username)
        let story = Story()
        story.id = UUID()
        story.tenantID = user.$homeTenant.id
        story.authorID = try user.requireID()
        story.authorName = user.displayName
        story.headline = headline
        story.subtitle = ""
        story.lead = "今年前三季度，浏阳花炮出口额同比增长。"
        story.byline = user.displayName
        story.tags = []
        story.categories = []
        story.location = "浏阳"
        story.language = "zh"
        story.body = [
            .paragraph([InlineSpan(text: "浏阳市花炮产业今年出口再创新高。")]),
            .paragraph([InlineSpan(text: "摘要：出口额同比增长两成。")], aigc: aiBlock ? aiLabel : nil),
        ]
        story.aigc = aiStory ? aiLabel : nil
        story.status = .draft
        story.version = 1
        story.createdAt = Date()
        story.updatedAt = Date()
        try await story.create(on: t.db)
        return story.id!
    }

    static func reviewer(_ t: TestApp, _ username: String = "liuyang-reviewer", tenant: String = "liuyang") async throws {
        if try await User.query(on: t.db).filter(\.$username == username).first() == nil {
            _ = try await AccountAdministration.createUser(username: username, displayName: "审校员\(username.suffix(2))", tenantSlug: tenant,
                                                           roles: [.reviewer], password: "Review-Passw0rd!", on: t.app)
        }
    }

    @discardableResult
    static func act(_ t: TestApp, _ action: String, _ story: UUID, as actor: TestActor, round: Int? = nil, stage: Int? = nil, comment: String? = nil) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/review/stories/\(story)/\(action)", json: Act(round: round, stageIndex: stage, comment: comment), as: actor)
    }

    static func state(_ t: TestApp, _ story: UUID, as actor: TestActor) async throws -> StateOut {
        try await t.send(.GET, "/api/v1/review/stories/\(story)", as: actor).json(StateOut.self)
    }

    static func storyStatus(_ t: TestApp, _ story: UUID) async throws -> Story.Status {
        guard let s = try await Story.find(story, on: t.db) else { throw TestError("no story") }
        return s.status
    }

    static func auditActions(_ t: TestApp, _ story: UUID) async throws -> [String] {
        try await AuditEntry.query(on: t.db).filter(\.$targetID == story.uuidString).sort(\.$id).all().map(\.action)
    }
}
