import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Managing monitoring schemes and alert rules, and reading raised alerts, on SQLite and PostgreSQL: every touched event
/// is checked whatever the batch's size, schemes and rules are bounded where they are created (never cut off where they
/// are read), a rule can be changed and switched off and on, and alerts page through the API and the schemes page.
final class OpinionRuleManagementTests: XCTestCase {
    struct Result: Decodable { var imported: Int; var eventIds: [UUID]; var alerts: Int }
    struct Rule: Decodable { var id: UUID; var enabled: Bool; var minPosts: Int; var schemeId: UUID? }
    struct Alert: Decodable { var id: UUID; var tenantId: UUID; var eventId: UUID; var createdAt: Date }
    struct ErrorReply: Decodable { var error: Detail; struct Detail: Decodable { var code: String; var message: String; var messageEn: String } }

    func requireText() throws { if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") } }

    /// One API batch touching more than `eventsPerPass` events: all of them get risk and heat, and the burst among them
    /// raises its alert (before, only the first 200 events of a batch were read).
    func testAPIBatchTouchingManyEventsChecksEveryOne() async throws {
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            let posts = try await Self.burstAmongManyEvents(t, as: chief, events: 230)
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[\#(posts.joined(separator: ","))]}"#, as: chief)
            XCTAssertEqual(res.status, .created, res.text)
            let result = try res.json(Result.self)
            XCTAssertEqual(result.imported, 500)
            XCTAssertGreaterThan(Set(result.eventIds).count, OpinionAlerts.eventsPerPass, "the batch touches more events than one pass reads")
            let events = try await OpinionEvent.query(on: t.db).all()
            XCTAssertEqual(events.filter { $0.heat <= 0 }.map(\.title), [], "every touched event was checked")
            XCTAssertEqual(result.alerts, 1)
            let alerts = try await OpinionAlert.query(on: t.db).all()
            XCTAssertEqual(alerts.count, 1)
            XCTAssertTrue(alerts.first?.title.contains("化工厂") ?? false, alerts.first?.title ?? "")
        }
    }

    /// A tenant keeps at most 200 schemes and 100 rules: the next is refused with a bilingual 409, another tenant is not
    /// affected, deleting one frees a place; schemes stored beyond the limit (before it existed) are all still matched.
    func testSchemesAndRulesAreBoundedWhereCreatedAndAllAreRead() async throws {
        try requireText()
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let editor = try await t.token(for: "liuyang-editor"), other = try await t.token(for: "ningxiang-editor")
            for i in 0..<(OpinionLimits.schemesPerTenant - 1) { _ = try await Self.scheme(liuyang, name: "方案\(i)", rule: "占位词\(i)", on: t.db) }
            for i in 0..<(OpinionLimits.rulesPerTenant - 1) { _ = try await Self.rule(liuyang, name: "规则\(i)", on: t.db) }
            // A deleted one does not count.
            let archived = try await Self.scheme(liuyang, name: "已删除", rule: "旧词", on: t.db)
            archived.archived = true; archived.enabled = false
            try await archived.save(on: t.db)

            let last = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "第二百个", "rule": "停水"], as: editor)
            XCTAssertEqual(last.status, .created, last.text)
            let refused = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "多一个", "rule": "停电"], as: editor)
            XCTAssertEqual(refused.status, .conflict, refused.text)
            let reply = try refused.json(ErrorReply.self)
            XCTAssertEqual(reply.error.code, "scheme_limit")
            XCTAssertTrue(refused.text.contains("最多 200 个监测方案") && refused.text.contains("at most 200 monitoring schemes"), refused.text)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "宁乡方案", "rule": "停电"], as: other).status, .created)

            let lastRule = try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "第一百条"], as: editor)
            XCTAssertEqual(lastRule.status, .created, lastRule.text)
            let refusedRule = try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "多一条"], as: editor)
            XCTAssertEqual(refusedRule.status, .conflict, refusedRule.text)
            XCTAssertEqual(try refusedRule.json(ErrorReply.self).error.code, "rule_limit")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "宁乡规则"], as: other).status, .created)
            // Deleting frees a place.
            let freed = try await t.send(.DELETE, "/api/v1/opinion/alert-rules/\(try lastRule.json(Rule.self).id)", as: editor)
            XCTAssertEqual(freed.status, .noContent)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "又一条"], as: editor).status, .created)
            // The lists hold every scheme and rule kept.
            struct Item: Decodable { var id: UUID; var tenantId: UUID }
            let schemes = try await t.send(.GET, "/api/v1/opinion/schemes", as: editor).json([Item].self)
            XCTAssertEqual(schemes.filter { $0.tenantId == liuyang }.count, OpinionLimits.schemesPerTenant)
            let rules = try await t.send(.GET, "/api/v1/opinion/alert-rules", as: editor).json([Item].self)
            XCTAssertEqual(rules.filter { $0.tenantId == liuyang }.count, OpinionLimits.rulesPerTenant)

            // Schemes stored past the limit (as before it existed) are all matched at ingest, the last-named too.
            for i in 0..<5 { _ = try await Self.scheme(liuyang, name: "额外\(i)", rule: "额外词\(i)", on: t.db) }
            let late = try await Self.scheme(liuyang, name: "最后一个", rule: "金沙路 AND 积水", on: t.db)
            let res = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[{"id":"late1","text":"金沙路下穿通道积水严重，车辆无法通行。"}]}"#, as: editor)
            XCTAssertEqual(res.status, .created, res.text)
            let post = try await XCTUnwrapAsync(try await OpinionPost.query(on: t.db).filter(\.$externalID == "late1").first())
            XCTAssertTrue(post.schemeIDs.contains(try late.requireID().uuidString), "scheme \(OpinionLimits.schemesPerTenant + 6) of the tenant was not applied")
        }
    }

    /// Creations at once cannot pass the limit together: with room for two more rules, six concurrent requests make
    /// exactly two and are refused four times (the count and the insert run under a lock on the tenant's row; before,
    /// each request counted before any had inserted).
    func testConcurrentCreationsStopAtTheLimit() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            for i in 0..<(OpinionLimits.rulesPerTenant - 2) { _ = try await Self.rule(liuyang, name: "规则\(i)", on: t.db) }
            let editor = try await t.token(for: "liuyang-editor")
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for i in 0..<6 {
                    group.addTask { try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "同时\(i)"], as: editor).status }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.filter { $0 == .created }.count, 2, "\(statuses)")
            XCTAssertEqual(statuses.filter { $0 == .conflict }.count, 4, "\(statuses)")
            try await XCTAssertEqualAsync(try await OpinionAlertRule.query(on: t.db).filter(\.$tenantID == liuyang).filter(\.$archived == false).count(),
                                          OpinionLimits.rulesPerTenant)
        }
    }

    /// A rule changed through the API: validated, audited, switched off (it no longer fires) and on again (it fires).
    func testRuleIsChangedSwitchedOffAndOn() async throws {
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief"), other = try await t.token(for: "ningxiang-editor")
            let created = try await t.send(.POST, "/api/v1/opinion/alert-rules", json: ["name": "停水预警"], as: chief)
            XCTAssertEqual(created.status, .created, created.text)
            let rule = try created.json(Rule.self)
            XCTAssertEqual(rule.minPosts, 20)
            let scheme = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "停水监测", "rule": "停水"], as: chief)
            struct S: Decodable { var id: UUID }
            let schemeID = try scheme.json(S.self).id

            // Bad values are 422 and change nothing; another tenant's manager does not find the rule.
            for bad in [#"{"min_posts":0}"#, #"{"window_minutes":20000}"#, #"{"min_negative_share":1.5}"#, #"{"email":"no address"}"#, #"{"name":"  "}"#,
                        #"{"scheme_id":"\#(UUID().uuidString)"}"#] {
                let r = try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: bad, as: chief)
                XCTAssertTrue([.unprocessableEntity, .notFound].contains(r.status), "\(bad): \(r.status) \(r.text)")
            }
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"enabled":false}"#, as: other).status, .notFound)
            let stored = try await XCTUnwrapAsync(try await OpinionAlertRule.find(rule.id, on: t.db))
            XCTAssertTrue(stored.enabled)
            XCTAssertEqual(stored.minPosts, 20)

            // Narrowed to the scheme, one post enough, then switched off: posts arrive and nothing fires.
            let changed = try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"min_posts":1,"scheme_id":"\#(schemeID)","enabled":false}"#, as: chief)
            XCTAssertEqual(changed.status, .ok, changed.text)
            XCTAssertEqual(try changed.json(Rule.self).schemeId, schemeID)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "opinion_alert_rule.update").all()
            XCTAssertEqual(audit.count, 1)
            let summary = audit.first?.summary ?? ""
            XCTAssertTrue(summary.contains(#""before":{"email":"","enabled":"true","min_negative_share":"0.0","min_posts":"20""#), summary)
            XCTAssertTrue(summary.contains(#""enabled":"false","min_negative_share":"0.0","min_posts":"1""#), summary)
            let quiet = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[{"id":"q1","text":"浏阳某小区停水三天，居民很着急。"}]}"#, as: chief)
            XCTAssertEqual(try quiet.json(Result.self).alerts, 0, quiet.text)
            // Posts outside the scheme do not fire it when it is on; posts inside do.
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"enabled":true}"#, as: chief).status, .ok)
            let outside = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[{"id":"o1","text":"浏阳烟花节今晚举行，游客很多。"}]}"#, as: chief)
            XCTAssertEqual(try outside.json(Result.self).alerts, 0, outside.text)
            let fired = try await t.send(.POST, "/api/v1/opinion/posts", raw: #"{"posts":[{"id":"q2","text":"小区停水第四天，还是没有人来处理。"}]}"#, as: chief)
            XCTAssertEqual(try fired.json(Result.self).alerts, 1, fired.text)

            // A deleted rule cannot be switched back on.
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/opinion/alert-rules/\(rule.id)", as: chief).status, .noContent)
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"enabled":true}"#, as: chief).status, .ok)
            let deleted = try await XCTUnwrapAsync(try await OpinionAlertRule.find(rule.id, on: t.db))
            XCTAssertFalse(deleted.enabled)
            XCTAssertTrue(deleted.archived)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/alert-rules", as: chief).json([Rule].self).map(\.id), [])
        }
    }

    /// The schemes page edits a rule in place: its form shows the rule's values (its scheme chosen); null clears the
    /// scheme (back to all posts) and the e-mail, while a field left out stays as it was.
    func testRuleIsEditedFromThePageAndNullClears() async throws {
        try requireText()
        try await withTestApp { t in
            let chief = try await t.token(for: "liuyang-chief")
            struct S: Decodable { var id: UUID }
            let scheme = try await t.send(.POST, "/api/v1/opinion/schemes", json: ["name": "停水监测", "rule": "停水"], as: chief).json(S.self).id
            let created = try await t.send(.POST, "/api/v1/opinion/alert-rules", raw: #"{"name":"停水预警","scheme_id":"\#(scheme)","min_posts":7,"email":"duty@example.com","require_burst":true}"#, as: chief)
            XCTAssertEqual(created.status, .created, created.text)
            let rule = try created.json(Rule.self)

            let page = try await t.send(.GET, "/opinion/schemes", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-chief")).text
            for text in [#"data-api="/api/v1/opinion/alert-rules/\#(rule.id)" data-method="PATCH""#, #"<option value="\#(scheme)" selected>停水监测</option>"#,
                         #"name="min_posts" type="number" min="1" max="1000000" value="7""#, #"name="require_burst" checked"#, #"value="duty@example.com""#] {
                XCTAssertTrue(page.contains(text), "\(text) in the rule's edit form")
            }
            let renamed = try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"name":"停水（全市）"}"#, as: chief).json(Rule.self)
            XCTAssertEqual(renamed.schemeId, scheme, "a field left out stays")
            let cleared = try await t.send(.PATCH, "/api/v1/opinion/alert-rules/\(rule.id)", raw: #"{"scheme_id":null,"email":null,"min_posts":3}"#, as: chief)
            XCTAssertEqual(cleared.status, .ok, cleared.text)
            let stored = try await XCTUnwrapAsync(try await OpinionAlertRule.find(rule.id, on: t.db))
            XCTAssertNil(stored.schemeID)
            XCTAssertEqual(stored.email, "")
            XCTAssertEqual(stored.minPosts, 3)
            let audit = try await AuditEntry.query(on: t.db).filter(\.$action == "opinion_alert_rule.update").all().map(\.summary)
            XCTAssertTrue(audit.contains { $0.contains(#""scheme_id":"\#(scheme)""#) && $0.contains(#""scheme_id":"""#) }, "the audit has the scheme before and none after: \(audit)")
        }
    }

    /// Alerts page through the API (newest first, by event, bounded) and through the schemes page (50 a page), each
    /// tenant's alone; the page offers switching schemes and rules off and on.
    func testAlertsPageThroughAPIAndSchemesPage() async throws {
        try requireText()
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let editor = try await t.token(for: "liuyang-editor")
            let rule = try await Self.rule(liuyang, name: "分页规则", on: t.db)
            let otherRule = try await Self.rule(ningxiang, name: "宁乡规则", on: t.db)
            _ = try await Self.scheme(liuyang, name: "停水监测", rule: "停水", on: t.db)
            let events = (0..<3).map { _ in UUID() }
            let start = Date().addingTimeInterval(-100_000)
            for i in 0..<120 {
                try await Self.alert(rule, event: events[i % 3], title: "舆情预警 Alert：浏阳第\(i)号", at: start.addingTimeInterval(Double(i) * 60), on: t.db)
            }
            for i in 0..<10 { try await Self.alert(otherRule, event: UUID(), title: "舆情预警 Alert：宁乡第\(i)号", at: Date(), on: t.db) }

            let first = try await t.send(.GET, "/api/v1/opinion/alerts", as: editor).json([Alert].self)
            XCTAssertEqual(first.count, 50, "default page")
            XCTAssertTrue(first.allSatisfy { $0.tenantId == liuyang })
            XCTAssertEqual(first.map(\.createdAt), first.map(\.createdAt).sorted(by: >), "newest first")
            let last = try await t.send(.GET, "/api/v1/opinion/alerts?limit=50&offset=100", as: editor).json([Alert].self)
            XCTAssertEqual(last.count, 20)
            var all: [UUID] = []
            for offset in stride(from: 0, to: 120, by: 40) {
                all += try await t.send(.GET, "/api/v1/opinion/alerts?limit=40&offset=\(offset)", as: editor).json([Alert].self).map(\.id)
            }
            XCTAssertEqual(Set(all).count, 120, "every alert once over the pages")
            let byEvent = try await t.send(.GET, "/api/v1/opinion/alerts?event_id=\(events[1])&limit=200", as: editor).json([Alert].self)
            XCTAssertEqual(byEvent.count, 40)
            XCTAssertTrue(byEvent.allSatisfy { $0.eventId == events[1] })
            for bad in ["limit=0", "limit=201", "offset=-1", "event_id=abc"] {
                try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/opinion/alerts?\(bad)", as: editor).status, .unprocessableEntity, bad)
            }

            let page1 = try await t.send(.GET, "/opinion/schemes", as: editor)
            XCTAssertEqual(page1.status, .ok)
            XCTAssertTrue(page1.text.contains("浏阳第119号") && !page1.text.contains("浏阳第69号"), "page 1: the newest 50")
            XCTAssertFalse(page1.text.contains("宁乡第"), "another tenant's alerts")
            XCTAssertTrue(page1.text.contains("page=3"), "a link to the last page")
            let page3 = try await t.send(.GET, "/opinion/schemes?page=3", as: editor)
            XCTAssertTrue(page3.text.contains("浏阳第0号") && page3.text.contains("浏阳第19号") && !page3.text.contains("浏阳第20号"), "page 3: the oldest 20")
            XCTAssertTrue(page3.text.contains("101–120"))
            let beyond = try await t.send(.GET, "/opinion/schemes?page=99", as: editor)
            XCTAssertTrue(beyond.text.contains("浏阳第0号"), "a page past the end shows the last")
            // Switches for the scheme and the rule, and the rule form's fields.
            XCTAssertTrue(page1.text.contains("data-api=\"/api/v1/opinion/alert-rules/\(try rule.requireID())\" data-method=\"PATCH\" data-body='{\"enabled\":false}'"), "rule switch")
            XCTAssertTrue(page1.text.contains("data-method=\"PATCH\" data-body='{\"enabled\":false}'>停用</button>"))
            XCTAssertTrue(page1.text.contains("name=\"min_negative_share\"") && page1.text.contains("name=\"scheme_id\""))
            XCTAssertFalse(page1.text.contains("宁乡规则"))
        }
    }

    // MARK: Fixtures

    /// Makes an alert rule for negative bursts and returns JSON posts: two about each of `events` unrelated happenings
    /// (three nouns of their own each), then a burst of 40 angry posts that the rule fires on.
    static func burstAmongManyEvents(_ t: TestApp, as actor: TestActor, events: Int) async throws -> [String] {
        let rule = try await t.send(.POST, "/api/v1/opinion/alert-rules", raw: #"{"name":"负面突增","min_posts":20,"window_minutes":10,"min_negative_share":0.5}"#, as: actor)
        XCTAssertEqual(rule.status, .created, rule.text)
        let words = try SearchCorpus(dictionary: TestApp.textDataDirectory! + "/dict.txt").queryWords
        var posts: [String] = []
        for e in 0..<events {
            let (a, b, c) = (words[e * 3], words[e * 3 + 1], words[e * 3 + 2])
            for k in 0..<2 { posts.append(#"{"id":"e\#(e)-\#(k)","author":"网友\#(k)","text":"\#(a)\#(b)\#(c)，\#(a)的\#(b)有了\#(c)。"}"#) }
        }
        for i in 0..<40 { posts.append(#"{"id":"burst\#(i)","author":"居民\#(i)","text":"浏阳某化工厂排污，河水发臭，居民非常愤怒，投诉无人处理！"}"#) }
        return posts
    }

    static func scheme(_ tenant: UUID, name: String, rule: String, on db: any Database) async throws -> OpinionScheme {
        let s = OpinionScheme()
        s.tenantID = tenant; s.name = name; s.rule = rule; s.regions = []; s.platforms = []; s.exclusions = []; s.enabled = true
        s.archived = false; s.createdAt = Date(); s.updatedAt = Date()
        try await s.create(on: db)
        return s
    }

    static func rule(_ tenant: UUID, name: String, on db: any Database) async throws -> OpinionAlertRule {
        let r = OpinionAlertRule()
        r.tenantID = tenant; r.name = name; r.minPosts = 1000; r.windowMinutes = 60; r.minRisk = 0; r.minNegativeShare = 0
        r.requireBurst = false; r.email = ""; r.enabled = true; r.archived = false; r.createdAt = Date()
        try await r.create(on: db)
        return r
    }

    static func alert(_ rule: OpinionAlertRule, event: UUID, title: String, at: Date, on db: any Database) async throws {
        let a = OpinionAlert()
        a.id = UUID(); a.tenantID = rule.tenantID; a.ruleID = try rule.requireID(); a.eventID = event; a.title = title; a.detail = "10 条/60 分钟"
        a.risk = 10; a.windowPosts = 10; a.emailStatus = "none"; a.emailPayload = ""; a.notified = 0; a.createdAt = at
        try await a.create(on: db)
    }
}
