import Crypto
import Fluent
import Foundation
import Vapor
import XCTest
@testable import Zhimei

/// Delivery to external destinations through the job system: HMAC-signed webhook, ninjs push and a directory, with
/// retries, resends and idempotency keys that keep every receiver free of duplicates.
final class DeliveryTests: XCTestCase {
    func testWebhookNinjsPushAndDirectoryDeliverExactlyOnce() async throws {
        let receiver = try await DeliveryReceiver.start()
        do {
            try await withTestApp { t in
                let admin = try await t.session(for: "liuyang-admin")
                let tenantID = try await t.tenant("liuyang").requireID()
                func add(_ body: String) async throws -> DestinationDTO {
                    let r = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations", raw: body, as: admin)
                    XCTAssertEqual(r.status, .created, r.text)
                    return try JSONDecoder.publishing.decode(DestinationDTO.self, from: Data(buffer: r.body))
                }
                let hook = try await add(#"{"name":"合作网站","kind":"webhook","target":"\#(receiver.url("hook"))","secret":"s3cret"}"#)
                _ = try await add(#"{"name":"IPTC","kind":"ninjs_push","target":"\#(receiver.url("ninjs"))"}"#)
                let dir = try await add(#"{"name":"印刷","kind":"directory","target":"print-outbox"}"#)
                XCTAssertTrue(hook.hasSecret)
                let bad = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations", raw: #"{"name":"x","kind":"directory","target":"../../etc"}"#, as: admin)
                XCTAssertEqual(bad.status, .unprocessableEntity)

                receiver.failNext(1)   // the first webhook attempt fails: the job retries with backoff
                let story = try await PublishingFixtures.approvedStory(t)
                let chief = try await t.session(for: "liuyang-chief")
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
                try await PublishingFixtures.drainJobs(t)
                // Backoff: make the retried job due now and run again.
                for job in try await Job.query(on: t.db).filter(\.$kind == DeliveryService.deliverJob).filter(\.$state == .queued).all() {
                    job.runAt = Date().addingTimeInterval(-1); try await job.save(on: t.db)
                }
                try await PublishingFixtures.drainJobs(t)

                let deliveries = try await PublishDelivery.query(on: t.db).filter(\.$storyID == story.id!).all()
                XCTAssertEqual(deliveries.count, 3)
                XCTAssertTrue(deliveries.allSatisfy { $0.status == .delivered }, deliveries.map { "\($0.status) \($0.lastError ?? "")" }.joined(separator: "; "))
                let hooks = receiver.requests.filter { $0.path == "/hook" }
                XCTAssertEqual(hooks.count, 1)
                let first = try XCTUnwrap(hooks.first)
                let key = try XCTUnwrap(first.headers.first(name: "Idempotency-Key"))
                XCTAssertTrue(key.hasPrefix(story.id!.uuidString.lowercased() + "-v1-publish-"))
                let timestamp = try XCTUnwrap(first.headers.first(name: "X-Zhimei-Timestamp"))
                XCTAssertEqual(first.headers.first(name: "X-Zhimei-Signature"), NotificationService.signature(secret: "s3cret", timestamp: timestamp, body: first.body))
                let ninjs = try XCTUnwrap(receiver.requests.first { $0.path == "/ninjs" })
                if let dir = PublishingFixtures.ninjsDirectory {
                    let schema = JSONSchemaValidator(schema: try JSONNode.parse(Data(contentsOf: dir.appendingPathComponent("ninjs-schema_3.1.json"))))
                    XCTAssertEqual(schema.validate(try JSONNode.parse(ninjs.body)), [])
                }
                let outbox = t.app.zhimei.settings.dataDirectory + "/publishing/outbox/\(tenantID.uuidString.lowercased())/print-outbox"
                var files = try FileManager.default.contentsOfDirectory(atPath: outbox)
                XCTAssertEqual(files.count, 1)

                // Resend from the log: same key, the directory keeps one file.
                let fileDelivery = try XCTUnwrap(deliveries.first { $0.destinationID == dir.id })
                // … and a file a killed process left half-written for that key is cleared by the delivery that succeeds.
                let partial = t.app.zhimei.settings.dataDirectory + "/publishing/partial/\(tenantID.uuidString.lowercased())/print-outbox"
                let orphan = partial + "/" + fileDelivery.idempotencyKey + ".tmp-" + UUID().uuidString
                let otherKey = partial + "/other-key.tmp-" + UUID().uuidString
                try Data("{\"half".utf8).write(to: URL(fileURLWithPath: orphan))
                try Data("{".utf8).write(to: URL(fileURLWithPath: otherKey))
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/deliveries/\(fileDelivery.id!)/resend", as: admin).status, .ok)
                let hookDelivery = try XCTUnwrap(deliveries.first { $0.destinationID == hook.id })
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/deliveries/\(hookDelivery.id!)/resend", as: admin).status, .ok)
                try await PublishingFixtures.drainJobs(t)
                files = try FileManager.default.contentsOfDirectory(atPath: outbox)
                XCTAssertEqual(files, [fileDelivery.idempotencyKey + ".json"])
                XCTAssertFalse(FileManager.default.fileExists(atPath: orphan), "the killed attempt's file is gone")
                XCTAssertTrue(FileManager.default.fileExists(atPath: otherKey), "another key's file in progress is left alone")
                let resent = receiver.requests.filter { $0.path == "/hook" }
                XCTAssertEqual(resent.count, 2)
                XCTAssertEqual(Set(resent.compactMap { $0.headers.first(name: "Idempotency-Key") }).count, 1, "a resend carries the same key")

                // A kill is delivered too, under its own key.
                try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: "{}", as: chief).status, .ok)
                try await PublishingFixtures.drainJobs(t)
                let kill = receiver.requests.filter { $0.path == "/hook" }.last
                XCTAssertTrue(kill?.headers.first(name: "Idempotency-Key")?.contains("-kill-") ?? false)
                let log = try await t.send(.GET, "/api/v1/publishing/destinations/\(hook.id)/deliveries", as: admin)
                XCTAssertEqual(log.status, .ok)
                XCTAssertTrue(log.text.contains("\"kill\""))
                let page = try await t.send(.GET, "/publishing/destinations", headers: ["Accept": "text/html"], as: admin)
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains(hookDelivery.idempotencyKey))
                // Deleting a destination stops deliveries but keeps its log.
                try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/publishing/destinations/\(hook.id)", as: admin).status, .noContent)
                try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/publishing/destinations/\(hook.id)", as: admin).status, .noContent)
                try await XCTAssertFalseAsync(try await t.send(.GET, "/api/v1/publishing/tenants/\(tenantID)/destinations", as: admin).text.contains(hook.id.uuidString))
            }
        } catch {
            try? await receiver.stop()
            throw error
        }
        try await receiver.stop()
    }

    func testStaffPagesRender() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            let desk = try await t.send(.GET, "/publishing", headers: ["Accept": "text/html"], as: chief)
            XCTAssertEqual(desk.status, .ok)
            XCTAssertTrue(desk.text.contains("/publishing/stories/\(story.id!.uuidString)"))
            let page = try await t.send(.GET, "/publishing/stories/\(story.id!)", headers: ["Accept": "text/html"], as: chief)
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.text.contains("<script>alert"), "previews are escaped")
            XCTAssertTrue(page.text.contains("二〇二四年"), "the broadcast preview is shown")
            let previews = try await t.send(.GET, "/api/v1/publishing/stories/\(story.id!)/previews", as: chief)
            XCTAssertEqual(previews.status, .ok)
            XCTAssertTrue(previews.text.contains("\"channel\":\"ninjs3\""))
            // States in words, not codes; correcting and killing are offered only once something is published.
            XCTAssertTrue(desk.text.contains("已通过"))
            XCTAssertFalse(page.text.contains("更正与撤稿"))
            XCTAssertTrue(page.text.contains("datetime-local"), "the schedule is picked, not typed as ISO 8601")
            let storyPage = try await t.send(.GET, "/stories/\(story.id!)", headers: ["Accept": "text/html"], as: chief).text
            XCTAssertTrue(storyPage.contains("href=\"/publishing/stories/\(story.id!.uuidString)\"") && storyPage.contains("href=\"/review/stories/\(story.id!.uuidString)\""),
                          "an approved story links to its review record and its publishing page")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
            let published = try await t.send(.GET, "/publishing/stories/\(story.id!)", headers: ["Accept": "text/html"], as: chief).text
            XCTAssertTrue(published.contains("更正与撤稿"))
            XCTAssertTrue(published.contains("<td>已发布</td>"), "publication state in words")
            XCTAssertFalse(published.contains(">published<"))
            let admin = try await t.session(for: "liuyang-admin")
            let destinations = try await t.send(.GET, "/publishing/destinations", headers: ["Accept": "text/html"], as: admin).text
            XCTAssertTrue(destinations.contains("S3 兼容对象存储"), "destination kinds in words")
        }
    }
}

extension JSONDecoder {
    /// The API's JSON (snake_case keys are explicit in the DTOs; ISO 8601 dates).
    static var publishing: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}

/// The shared pool on the publishing side: republishing with credit between a county and its platform.
final class RepublishTests: XCTestCase {
    func testPlatformRepublishesCountyStoryAndCountyPicksUpPlatformStory() async throws {
        try await withTestApp { t in
            let county = try await PublishingFixtures.approvedStory(t, tenant: "liuyang", headline: "浏阳县级稿件")
            let chief = try await t.session(for: "liuyang-chief")
            let admin = try await t.session(for: "admin")
            let hunan = try await t.tenant("hunan").requireID(), liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            // Not live yet: nothing to take.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(county.id!)/republish", raw: #"{"tenant_id":"\#(hunan)"}"#, as: admin).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(county.id!)/publish", raw: "{}", as: chief).status, .ok)
            let r = try await t.send(.POST, "/api/v1/publishing/stories/\(county.id!)/republish", raw: #"{"tenant_id":"\#(hunan)","channels":["website","rss"]}"#, as: admin)
            XCTAssertEqual(r.status, .ok, r.text)
            let copies = try await Publication.query(on: t.db).filter(\.$tenantID == hunan).all()
            XCTAssertEqual(Set(copies.map(\.channel)), [.website, .rss])
            XCTAssertTrue(copies.allSatisfy { $0.credit.hasPrefix("浏阳市融媒体中心") && $0.storyID != county.id })
            let copy = try XCTUnwrap(copies.first)
            let site = try await t.send(.GET, "/site/hunan/articles/\(copy.storyID.uuidString.lowercased())")
            XCTAssertTrue(site.text.contains("来源：浏阳市融媒体中心"))
            // A county picks up the platform's story; another county cannot take a county's story.
            let platformStory = copy.storyID
            let pick = try await t.send(.POST, "/api/v1/publishing/stories/\(platformStory)/republish", raw: #"{"tenant_id":"\#(liuyang)"}"#, as: chief)
            XCTAssertEqual(pick.status, .ok, pick.text)
            let ningxiangChief = try await t.session(for: "ningxiang-chief")
            let sideways = try await t.send(.POST, "/api/v1/publishing/stories/\(county.id!)/republish", raw: #"{"tenant_id":"\#(ningxiang)"}"#, as: ningxiangChief)
            XCTAssertEqual(sideways.status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(county.id!)/republish", raw: #"{"tenant_id":"\#(hunan)"}"#, as: chief).status, .forbidden)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "publishing.republish").count(), 2)
        }
    }
}
