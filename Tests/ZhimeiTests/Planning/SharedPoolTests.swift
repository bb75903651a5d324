import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The shared pool between the platform (湖南融媒体云) and the counties: submit (上报), assign (下发), adopt;
/// copies are read-only, carry provenance, and counties never see each other's work.
final class SharedPoolTests: XCTestCase {
    struct Source: Decodable { var tenantId: UUID; var tenantName: String; var type: String; var id: UUID; var sharedBy: UUID?; var sharedByName: String; var sharedAt: Date }
    struct Entry: Decodable {
        var id: UUID; var tenantId: UUID; var direction: String; var kind: String; var title: String; var summary: String; var body: String
        var keywords: [String]; var readOnly: Bool; var source: Source; var adoptedTopicId: UUID?
    }
    struct TopicOut: Decodable { var id: UUID; var tenantId: UUID; var title: String; var description: String; var status: String; var keywords: [String]; var poolEntryId: UUID? }

    func testSubmitAssignAdoptWithProvenanceAndIsolation() async throws {
        try await withTestApp { t in
            let hunan = try await t.tenant("hunan").requireID(), liuyang = try await t.tenant("liuyang").requireID()
            let ningxiang = try await t.tenant("ningxiang").requireID(), shaoshan = try await t.tenant("shaoshan").requireID()
            let ly = try await t.token(for: "liuyang-editor"), nx = try await t.token(for: "ningxiang-editor"), platform = try await t.token(for: "hunan-editor")
            let lyReporter = try await t.token(for: "liuyang-reporter")
            let lyEditorID = try await t.user("liuyang-editor").requireID()

            // 浏阳 proposes a topic and submits it (上报).
            let topic = try await t.send(.POST, "/api/v1/topics", json: ["title": "浏阳烟花节筹备", "description": "今年烟花节将首次采用无人机表演。",
                                                                         "angle": "传统与科技", "keywords": "烟花节"], as: ly)
            XCTAssertEqual(topic.status, .badRequest, "keywords must be an array")
            let own = try await t.send(.POST, "/api/v1/topics", json: ["title": "浏阳烟花节筹备", "description": "今年烟花节将首次采用无人机表演。", "angle": "传统与科技"], as: ly).json(TopicOut.self)
            _ = try await t.send(.PATCH, "/api/v1/topics/\(own.id)", json: ["keywords": ["烟花节", "无人机"]], as: ly)
            // 宁乡 has an unpublished topic of its own that nobody submitted.
            let secret = try await t.send(.POST, "/api/v1/topics", json: ["title": "宁乡未公开选题"], as: nx).json(TopicOut.self)

            let submitted = try await t.send(.POST, "/api/v1/topics/\(own.id)/submit", as: lyReporter)
            XCTAssertEqual(submitted.status, .created)
            let entry = try submitted.json(Entry.self)
            XCTAssertEqual(entry.tenantId, hunan, "owned by the receiving platform")
            XCTAssertEqual(entry.direction, "submitted")
            XCTAssertTrue(entry.readOnly)
            XCTAssertEqual(entry.source.tenantId, liuyang)
            XCTAssertEqual(entry.source.id, own.id)
            XCTAssertEqual(entry.source.type, "topic")
            XCTAssertEqual(entry.source.sharedByName, "浏阳市记者")
            XCTAssertEqual(entry.keywords, ["烟花节", "无人机"])
            let again = try await t.send(.POST, "/api/v1/topics/\(own.id)/submit", as: ly)
            XCTAssertEqual(again.status, .conflict)
            XCTAssertEqual(try again.error().code, "already_submitted")
            // The platform editors are told.
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$kind == "pool.submitted")
                                            .filter(\.$userID == t.user("hunan-editor").requireID()).count(), 1)

            // A copy, not a reference: changing the source later does not change it.
            _ = try await t.send(.PATCH, "/api/v1/topics/\(own.id)", json: ["title": "改过的标题"], as: ly)
            let platformView = try await t.send(.GET, "/api/v1/pool", as: platform).json([Entry].self)
            XCTAssertEqual(platformView.map(\.id), [entry.id])
            XCTAssertEqual(platformView[0].title, "浏阳烟花节筹备")
            // Read-only: there is no route that changes an entry.
            for method in [HTTPMethod.PATCH, .PUT, .DELETE] {
                let res = try await t.send(method, "/api/v1/pool/\(entry.id)", json: ["title": "hack"], as: platform)
                XCTAssertEqual(res.status, .notFound, "\(method)")
            }

            // Other counties see nothing: neither the submission nor 宁乡's own unsubmitted work from elsewhere.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool", as: nx).json([Entry].self).count, 0)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool/\(entry.id)", as: nx).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/pool/\(entry.id)/adopt", as: nx).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool", as: ly).json([Entry].self).count, 0, "the submitter does not own the copy")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/topics/\(secret.id)", as: platform).status, .notFound,
                                          "the platform sees only what was submitted")

            // The platform adopts the submission as its own topic, then assigns it down (下发) to two counties.
            let adopted = try await t.send(.POST, "/api/v1/pool/\(entry.id)/adopt", as: platform)
            XCTAssertEqual(adopted.status, .created)
            let platformTopic = try adopted.json(TopicOut.self)
            XCTAssertEqual(platformTopic.tenantId, hunan)
            XCTAssertEqual(platformTopic.poolEntryId, entry.id)
            XCTAssertEqual(platformTopic.status, "proposed")
            XCTAssertTrue(platformTopic.description.contains("浏阳市融媒体中心"), "the adopted topic says where it came from")
            let twice = try await t.send(.POST, "/api/v1/pool/\(entry.id)/adopt", as: platform)
            XCTAssertEqual(twice.status, .conflict)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool/\(entry.id)", as: platform).json(Entry.self).adoptedTopicId, platformTopic.id)

            // Only the platform's topics go down, only to active counties, only by editors.
            let countyAssign = try await t.send(.POST, "/api/v1/topics/\(own.id)/assign", json: ["tenant_ids": [ningxiang]], as: ly)
            XCTAssertEqual(countyAssign.status, .unprocessableEntity)
            XCTAssertEqual(try countyAssign.error().code, "invalid_topic")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/assign", json: ["tenant_ids": [hunan]], as: platform).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/assign", json: ["tenant_ids": [UUID]()], as: platform).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/assign", json: ["tenant_ids": [liuyang]], as: lyReporter).status, .forbidden)
            let assigned = try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/assign", json: ["tenant_ids": [liuyang, shaoshan, liuyang]], as: platform)
            XCTAssertEqual(assigned.status, .created)
            let copies = try assigned.json([Entry].self)
            XCTAssertEqual(Set(copies.map(\.tenantId)), [liuyang, shaoshan])
            XCTAssertTrue(copies.allSatisfy { $0.direction == "assigned" && $0.source.tenantId == hunan && $0.source.id == platformTopic.id && $0.source.sharedByName == "省平台编辑" })
            // Assigning again keeps the existing copies.
            let repeated = try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/assign", json: ["tenant_ids": [liuyang]], as: platform).json([Entry].self)
            XCTAssertEqual(repeated.map(\.id), copies.filter { $0.tenantId == liuyang }.map(\.id))

            // 浏阳 sees exactly its assignment; 宁乡 still sees nothing.
            let lyPool = try await t.send(.GET, "/api/v1/pool", as: ly).json([Entry].self)
            XCTAssertEqual(lyPool.count, 1)
            XCTAssertEqual(lyPool[0].source.tenantName, "湖南融媒体云")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool", as: nx).json([Entry].self).count, 0)
            try await XCTAssertEqualAsync(try await AppNotification.query(on: t.db).filter(\.$kind == "pool.assigned").filter(\.$userID == lyEditorID).count(), 1)
            let lyPage = try await t.send(.GET, "/planning/pool", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-editor"))
            XCTAssertTrue(lyPage.text.contains("湖南融媒体云"))
            XCTAssertTrue(lyPage.text.contains("/api/v1/pool/\(lyPool[0].id)/adopt"))
            let nxPage = try await t.send(.GET, "/planning/pool", headers: ["Accept": "text/html"], as: try await t.session(for: "ningxiang-editor"))
            XCTAssertFalse(nxPage.text.contains("浏阳烟花节筹备"))

            // 浏阳 adopts the assignment: an editable topic of its own, linked back.
            let mine = try await t.send(.POST, "/api/v1/pool/\(lyPool[0].id)/adopt", as: ly).json(TopicOut.self)
            XCTAssertEqual(mine.tenantId, liuyang)
            XCTAssertEqual(mine.poolEntryId, lyPool[0].id)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/topics/\(mine.id)", json: ["title": "浏阳版：烟花节"], as: ly).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/topics/\(mine.id)", as: nx).status, .notFound)

            // The platform's own topics cannot be submitted (it is the pool's owner).
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/topics/\(platformTopic.id)/submit", as: platform).status, .unprocessableEntity)

            let actions = Set(try await AuditEntry.query(on: t.db).all().map(\.action))
            XCTAssertTrue(actions.isSuperset(of: ["pool.submit", "pool.adopt", "pool.assign"]))
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "pool.assign").count(), 2)
        }
    }
}

/// `SharedPoolService.submit` as other modules (Stories) call it: a story copy goes to the platform only.
final class SharedPoolStoryTests: XCTestCase {
    func request(_ t: TestApp, as username: String) async throws -> Request {
        let req = Request(application: t.app, on: t.app.eventLoopGroup.next())
        req.actor = try await ActorMiddleware.makeActor(user: try await t.user(username), session: nil, tokenID: nil, scopes: nil, on: t.db)
        return req
    }

    func testAStorySubmittedByACountyReachesOnlyThePlatform() async throws {
        try await withTestApp { t in
            let hunan = try await t.tenant("hunan").requireID(), liuyang = try await t.tenant("liuyang").requireID()
            let storyID = UUID()
            let entry = try await SharedPoolService.submit(kind: .story, title: "浏阳稿件", summary: "摘要", body: "正文第一段。", keywords: ["浏阳"],
                                                           sourceTenantID: liuyang, sourceID: storyID, on: try await request(t, as: "liuyang-reporter"))
            XCTAssertEqual(entry.tenantID, hunan)
            XCTAssertEqual(entry.kind, .story)
            XCTAssertEqual(entry.sourceID, storyID)
            XCTAssertEqual(entry.sourceTenantName, "浏阳市融媒体中心")
            XCTAssertEqual(entry.sharedByName, "浏阳市记者")
            // Twice is a conflict; another tenant's object is out of reach; the platform does not submit to itself.
            do {
                _ = try await SharedPoolService.submit(kind: .story, title: "x", summary: "", body: "", sourceTenantID: liuyang, sourceID: storyID,
                                                       on: try await request(t, as: "liuyang-editor"))
                XCTFail("expected a conflict")
            } catch let e as AppError { XCTAssertEqual(e.code, "already_submitted") }
            do {
                _ = try await SharedPoolService.submit(kind: .story, title: "x", summary: "", body: "", sourceTenantID: liuyang, sourceID: UUID(),
                                                       on: try await request(t, as: "ningxiang-editor"))
                XCTFail("expected not found")
            } catch let e as AppError { XCTAssertEqual(e.status, .notFound) }
            do {
                _ = try await SharedPoolService.submit(kind: .story, title: "x", summary: "", body: "", sourceTenantID: hunan, sourceID: UUID(),
                                                       on: try await request(t, as: "hunan-editor"))
                XCTFail("expected invalid")
            } catch let e as AppError { XCTAssertEqual(e.status, .unprocessableEntity) }
            struct Entry: Decodable { var id: UUID; var kind: String; var readOnly: Bool }
            let platformPool = try await t.send(.GET, "/api/v1/pool", as: try await t.token(for: "hunan-editor")).json([Entry].self)
            XCTAssertEqual(platformPool.map(\.kind), ["story"])
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/pool", as: try await t.token(for: "ningxiang-editor")).json([Entry].self).count, 0)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "pool.submit").count(), 1)
        }
    }

    /// The platform's pool reaches every entry, 50 a page, all or only those waiting or already adopted, with their
    /// counts; the API pages by offset and filters by adoption. Before, the newest 500 were all there was.
    func testPoolPagesThroughEveryEntryByAdoption() async throws {
        try await withTestApp { t in
            let hunan = try await t.tenant("hunan"), liuyang = try await t.tenant("liuyang")
            let start = Date().addingTimeInterval(-100_000)
            try await t.db.transaction { tx in
                for i in 0..<80 {
                    let e = PoolEntry()
                    e.tenantID = try hunan.requireID(); e.direction = .submitted; e.kind = .topic; e.title = "县级上报选题\(i)号"; e.summary = "摘要"
                    e.body = ""; e.keywords = []; e.sourceTenantID = try liuyang.requireID(); e.sourceTenantName = liuyang.name; e.sourceID = UUID()
                    e.sharedByName = "浏阳编辑"; e.sharedAt = start.addingTimeInterval(Double(i) * 60)
                    if i % 4 == 0 { e.adoptedTopicID = UUID(); e.adoptedAt = Date(); e.adoptedByName = "平台编辑" }
                    try await e.create(on: tx)
                }
            }
            let admin = try await t.session(for: "admin")
            let first = try await t.send(.GET, "/planning/pool", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(first.status, .ok)
            XCTAssertTrue(first.text.contains("县级上报选题79号") && first.text.contains("县级上报选题30号") && !first.text.contains("<h3>县级上报选题29号 "), "page 1: the newest 50")
            XCTAssertTrue(first.text.contains("<span class=\"pill\">80</span>") && first.text.contains("<span class=\"pill\">60</span>")
                          && first.text.contains("<span class=\"pill\">20</span>"), "counts: all, waiting, adopted")
            let second = try await t.send(.GET, "/planning/pool?page=2", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(second.text.contains("<h3>县级上报选题0号 ") && second.text.contains("<h3>县级上报选题29号 "))
            let waiting = try await t.send(.GET, "/planning/pool?show=waiting&page=2", headers: ["Accept": "text/html"], as: admin)
            let shown = (0..<80).filter { waiting.text.contains("<h3>县级上报选题\($0)号 ") }
            XCTAssertEqual(shown, (0..<80).filter { $0 % 4 != 0 }.prefix(10).map { $0 }, "waiting only, the oldest ten on page 2")
            XCTAssertTrue(waiting.text.contains("show=waiting"), "the pager keeps the filter")

            let token = try await t.token(for: "admin")
            struct E: Decodable { var id: UUID; var adoptedTopicId: UUID? }
            let adopted = try await t.send(.GET, "/api/v1/pool?adopted=true", as: token).json([E].self)
            XCTAssertEqual(adopted.count, 20)
            XCTAssertTrue(adopted.allSatisfy { $0.adoptedTopicId != nil })
            var ids: [UUID] = []
            for offset in [0, 40] {
                ids += try await t.send(.GET, "/api/v1/pool?limit=40&offset=\(offset)", as: token).json([E].self).map(\.id)
            }
            XCTAssertEqual(Set(ids).count, 80)
        }
    }
}
