import Fluent
import Foundation
import NIOCore
import Vapor

/// Sample newsroom content for the demo installation (`zhimei demo --sample-content`, used by `scripts/run.sh`):
/// leads, topics, stories in every state of the chain (published ones through the real 初审 → 复审 → 终审 sign-off
/// and publishing), and a day of monitored posts with events and an alert. Everything goes through the application's
/// own API, in-process, as the demo people — the same permission checks, workflow, audit and side effects as a
/// person's requests. Runs once: a tenant that already has stories is left alone.
public enum DemoContent {
    /// What the seeding did, for the command's output.
    public struct Report: Sendable, CustomStringConvertible {
        public var stories = 0, published = 0, leads = 0, topics = 0, posts = 0, events = 0, alerts = 0, indexed = 0, facts = 0
        public var skipped: [String] = []
        public var description: String {
            var line = "sample content: \(stories) stories (\(published) published), \(leads) leads, \(topics) topics, "
                + "\(posts) monitored posts in \(events) events (\(alerts) alerts), \(facts) fact-base entries, \(indexed) search documents"
            if !skipped.isEmpty { line += "; already present in \(skipped.joined(separator: ", "))" }
            return line
        }
    }

    /// Seeds the sample content of every county centre that has no story yet. Needs `DemoData.seed` first.
    public static func seed(app: Application, passwordHasher: @Sendable (String) throws -> String) async throws -> Report {
        try await app.asyncBoot()
        var report = Report()
        let hash = try passwordHasher(DemoData.password)
        for county in DemoData.counties {
            guard let tenant = try await Tenant.query(on: app.db).filter(\.$slug == county.slug).first() else { continue }
            let tenantID = try tenant.requireID()
            if try await Story.query(on: app.db).filter(\.$tenantID == tenantID).count() > 0 {
                report.skipped.append(county.slug)
                continue
            }
            // A 复审 reviewer, so the three stages are signed by three different people (editor, reviewer, chief).
            var created = 0
            try await DemoData.ensureUser("\(county.slug)-reviewer", county.name.replacingOccurrences(of: "融媒体中心", with: "") + "审校员",
                                          tenant: tenantID, role: .reviewer, hash: hash, on: app.db, created: &created)
            try await withClients(app, slug: county.slug) { people in
                // 浏阳's fact base first: its stories are written and checked against it.
                if county.slug == "liuyang" {
                    for fact in DemoContentText.facts { _ = try await people.admin.call(.POST, "/api/v1/review/lexicon", fact); report.facts += 1 }
                }
                try await seedCounty(county.slug, people, report: &report)
                if county.slug == "liuyang" { try await seedOpinion(people, report: &report) }
            }
        }
        // Index now, so the search box finds the samples before the background sync first runs.
        report.indexed = try await SearchService.sync(app: app, on: app.db)
        return report
    }

    // MARK: Content of one county

    private static func seedCounty(_ slug: String, _ people: DemoPeople, report: inout Report) async throws {
        for lead in DemoContentText.leads where lead.tenant == slug {
            _ = try await people.reporter.call(.POST, "/api/v1/leads", ["title": lead.title, "text": lead.text])
            report.leads += 1
        }
        for topic in DemoContentText.topics where topic.tenant == slug {
            let made = try await people.reporter.call(.POST, "/api/v1/topics", ["title": topic.title, "description": topic.description, "angle": topic.angle])
            if topic.approved { _ = try await people.editor.call(.POST, "/api/v1/topics/\(try made.id())/approve") }
            report.topics += 1
        }
        for sample in DemoContentText.stories where sample.tenant == slug {
            let body: [[String: Any]] = sample.paragraphs.map { ["type": "paragraph", "spans": [["text": $0]]] }
            let story = try await people.reporter.call(.POST, "/api/v1/stories",
                                                       ["headline": sample.headline, "lead": sample.lead, "tags": sample.tags, "categories": [sample.category], "body": body])
            let id = try story.id()
            report.stories += 1
            guard sample.stage != .draft else { continue }
            _ = try await people.reporter.call(.POST, "/api/v1/review/stories/\(id)/submit", [:])
            // 初审 by the editor; a story "in review" waits at 复审.
            try await approve(id, by: people.editor, comment: "初审通过")
            guard sample.stage == .published else { continue }
            try await approve(id, by: people.reviewer, comment: "复审通过")
            try await approve(id, by: people.chief, comment: "同意刊发")
            _ = try await people.chief.call(.POST, "/api/v1/publishing/stories/\(id)/publish", [:])
            report.published += 1
        }
    }

    private static func approve(_ story: String, by person: DemoClient, comment: String) async throws {
        let state = try await person.call(.GET, "/api/v1/review/stories/\(story)")
        _ = try await person.call(.POST, "/api/v1/review/stories/\(story)/approve",
                                  ["round": state["round"] ?? 1, "stage_index": state["stage_index"] ?? 0, "comment": comment])
    }

    // MARK: Public-opinion monitoring (liuyang)

    private static func seedOpinion(_ people: DemoPeople, report: inout Report) async throws {
        let scheme = DemoContentText.opinionScheme
        _ = try await people.editor.call(.POST, "/api/v1/opinion/schemes", ["name": scheme.name, "rule": scheme.rule])
        _ = try await people.chief.call(.POST, "/api/v1/opinion/alert-rules",
                                        ["name": "负面声量突增", "min_posts": 8, "window_minutes": 120, "min_negative_share": 0.5,
                                         "email": "duty@liuyang.demo.zhimei.local"])
        // The day's posts arrive through a webhook source, so the sources page shows it with its posts.
        let source = try await people.editor.call(.POST, "/api/v1/opinion/sources", ["name": "微博舆情推送", "kind": "webhook", "platform": "weibo"])
        let posts = opinionPosts(now: Date())
        var body: [String: Any] = ["posts": posts]
        if let id = source["id"] as? String { body["source_id"] = id }
        let result = try await people.editor.call(.POST, "/api/v1/opinion/posts", body)
        report.posts += result["imported"] as? Int ?? 0
        report.events += Set(result["event_ids"] as? [String] ?? []).count
        report.alerts += result["alerts"] as? Int ?? 0
    }

    /// A day of posts: each sample event's phrases combined by a fixed pseudo-random sequence (the same on every run),
    /// in time order, some of them reposts of or replies to earlier posts of the same event.
    static func opinionPosts(now: Date) -> [[String: Any]] {
        var seed: UInt64 = 0x5EED_2026
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(max(1, n)))
        }
        let iso = ISO8601DateFormatter()
        var out: [(at: Date, post: [String: Any])] = []
        for story in DemoContentText.opinionStories {
            var earlier: [String] = []
            for i in 0..<story.posts {
                let span = story.hoursAgo.upperBound - story.hoursAgo.lowerBound
                // Later posts come closer to now: the volume grows towards the present, as a spreading story does.
                let hoursAgo = story.hoursAgo.upperBound - span * Double(i) / Double(max(1, story.posts - 1))
                let at = now.addingTimeInterval(-hoursAgo * 3600)
                let id = "demo-\(story.key)-\(i + 1)"
                let subject = story.subjects[next(story.subjects.count)]
                let comment = story.comments[next(story.comments.count)]
                var post: [String: Any] = [
                    "id": id, "author": DemoContentText.opinionAuthors[next(DemoContentText.opinionAuthors.count)],
                    "time": iso.string(from: at), "platform": i % 3 == 0 ? "news" : "weibo",
                    "text": "\(story.hashtag)\(subject)：\(comment)", "likes": 5 + next(300), "reposts": next(60), "comments": next(40),
                ]
                if let parent = earlier.isEmpty ? nil : earlier[next(earlier.count)] {
                    if i % 3 == 1 { post["repost_of"] = parent } else if i % 3 == 2 { post["reply_to"] = parent }
                }
                earlier.append(id)
                out.append((at, post))
            }
        }
        return out.sorted { $0.at < $1.at }.map(\.post)
    }

    // MARK: In-process API calls as the demo people

    /// The demo people of one county centre, each with a client.
    struct DemoPeople {
        let reporter: DemoClient, editor: DemoClient, reviewer: DemoClient, chief: DemoClient, admin: DemoClient
    }

    /// Gives `body` a client per demo person, each with a short-lived API token that is deleted afterwards.
    private static func withClients(_ app: Application, slug: String, _ body: (DemoPeople) async throws -> Void) async throws {
        var tokens: [APIToken] = []
        func client(_ suffix: String) async throws -> DemoClient {
            guard let user = try await User.query(on: app.db).filter(\.$username == "\(slug)-\(suffix)").first() else {
                throw AppError(.notFound, "demo_user_missing", zh: "缺少演示账号 \(slug)-\(suffix)，请先运行 zhimei demo",
                               en: "Demo account \(slug)-\(suffix) is missing; run zhimei demo first")
            }
            let (token, secret) = try await TokenService.issue(user: try user.requireID(), name: "demo content", scopes: TokenScope.allCases,
                                                               expiresAt: Date().addingTimeInterval(600), on: app.db)
            tokens.append(token)
            return DemoClient(app: app, bearer: secret)
        }
        do {
            let people = DemoPeople(reporter: try await client("reporter"), editor: try await client("editor"),
                                    reviewer: try await client("reviewer"), chief: try await client("chief"), admin: try await client("admin"))
            try await body(people)
        } catch {
            for token in tokens { try? await token.delete(on: app.db) }
            throw error
        }
        for token in tokens { try await token.delete(on: app.db) }
    }
}

/// One demo person's calls to the application's API, answered in-process by its responder.
struct DemoClient: Sendable {
    let app: Application
    let bearer: String

    /// Sends a JSON request; a status of 400 or more is an error that names the call and the answer.
    func call(_ method: HTTPMethod, _ path: String, _ json: [String: Any]? = nil) async throws -> [String: Any] {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: bearer)
        headers.replaceOrAdd(name: .accept, value: "application/json")
        var body: ByteBuffer?
        if let json {
            headers.contentType = .json
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        let request = Request(application: app, method: method, url: URI(path: path), headers: headers, collectedBody: body,
                              remoteAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 0), logger: app.logger,
                              on: app.eventLoopGroup.next())
        let response = try await app.responder.current.respond(to: request).get()
        let data = try await response.body.collect(on: request.eventLoop).get().map { Data(buffer: $0) } ?? Data()
        guard response.status.code < 400 else {
            throw AppError(.internalServerError, "demo_content_failed", zh: "示例内容写入失败：\(method) \(path) → \(response.status.code)",
                           en: "Sample content failed: \(method) \(path) → \(response.status.code) \(String(decoding: data, as: UTF8.self).prefix(300))")
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

fileprivate extension [String: Any] {
    /// The "id" of an API answer.
    func id() throws -> String {
        guard let id = self["id"] as? String else { throw AppError.badRequest(zh: "答复缺少 id", en: "The answer has no id") }
        return id
    }
}
