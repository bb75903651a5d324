import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor
import XCTest
@testable import Zhimei

/// A local receiver for webhook / ninjs-push deliveries (127.0.0.1, random port): records every request and can
/// fail the first N so retries are exercised.
final class DeliveryReceiver: @unchecked Sendable {
    // @unchecked: mutable state is behind the locks.
    struct Received: Sendable { var path: String; var headers: HTTPHeaders; var body: Data }
    let app: Application
    let port: Int
    private let received = NIOLockedValueBox<[Received]>([])
    private let failures = NIOLockedValueBox<Int>(0)

    private init(app: Application, port: Int) { self.app = app; self.port = port }

    var requests: [Received] { received.withLockedValue { $0 } }
    func failNext(_ n: Int) { failures.withLockedValue { $0 = n } }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    static func start() async throws -> DeliveryReceiver {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        let box = NIOLockedValueBox<DeliveryReceiver?>(nil)
        app.post("**") { req async throws -> Response in
            let server = box.withLockedValue { $0 }!
            let fail = server.failures.withLockedValue { n -> Bool in if n > 0 { n -= 1; return true }; return false }
            if fail { return Response(status: .serviceUnavailable) }
            let data = req.body.data.map { Data(buffer: $0) } ?? Data()
            server.received.withLockedValue { $0.append(Received(path: req.url.path, headers: req.headers, body: data)) }
            return Response(status: .ok)
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestError("receiver has no port") }
        let server = DeliveryReceiver(app: app, port: port)
        box.withLockedValue { $0 = server }
        return server
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

enum PublishingFixtures {
    /// An approved story in a tenant, with an AIGC-labelled block, tags, a category, an image-free body and hostile text.
    static func approvedStory(_ t: TestApp, tenant slug: String = "liuyang", headline: String = "浏阳花炮节<script>alert(1)</script>开幕",
                              status: Story.Status = .approved) async throws -> Story {
        let tenant = try await t.tenant(slug)
        let s = Story()
        s.id = UUID(); s.tenantID = try tenant.requireID(); s.authorID = UUID(); s.authorName = "记者甲"
        s.headline = headline; s.subtitle = "副题"; s.lead = "2024年浏阳花炮出口增长3.5%，创历史新高。"; s.byline = "本台记者 张三"
        s.tags = ["花炮", "浏阳"]; s.categories = ["经济"]; s.location = "浏阳"; s.language = "zh"
        s.body = [
            .paragraph([InlineSpan("今年共有1234家企业参展，"), InlineSpan("比去年增加10500人次", bold: true), InlineSpan("。\u{1}")]),
            .heading(level: 2, [InlineSpan("现场 & 观众")]),
            .paragraph([InlineSpan("这段由 AI 生成的总结。")], aigc: AIGCLabel(provider: "builtin", model: "textrank-summary", generatedAt: Date())),
            .list(ordered: true, items: [[InlineSpan("第一项")], [InlineSpan("第二项")]]),
            .quote([InlineSpan("花炮是浏阳的名片")], attribution: "市长"),
        ]
        s.status = status; s.version = 1; s.createdAt = Date(); s.updatedAt = Date()
        try await s.create(on: t.db)
        let v = StoryVersion()
        v.storyID = s.id!; v.tenantID = s.tenantID; v.version = 1; v.snapshot = StorySnapshot(s); v.authorID = s.authorID
        v.authorName = "记者甲"; v.note = "create"; v.createdAt = Date()
        try await v.create(on: t.db)
        return s
    }

    /// Runs queued jobs until none is due.
    static func drainJobs(_ t: TestApp, max: Int = 100) async throws {
        let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
        var n = 0
        while n < max, try await pool.runOne(owner: "test") { n += 1 }
    }

    /// The official IPTC ninjs directory (../shared/eval/ninjs next to the repository), or nil when absent.
    static var ninjsDirectory: URL? {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = repo.deletingLastPathComponent().appendingPathComponent("shared/eval/ninjs")
        return FileManager.default.fileExists(atPath: dir.path) ? dir : nil
    }
}
