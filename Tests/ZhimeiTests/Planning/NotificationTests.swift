import Fluent
import NIOConcurrencyHelpers
import Vapor
import XCTest
@testable import Zhimei

/// Notifications: the bell's count, the list, marking read, and webhook delivery (HMAC-signed, retried).
final class NotificationTests: XCTestCase {
    struct NotificationOut: Decodable { var id: UUID; var kind: String; var title: String; var link: String; var read: Bool; var tenantId: UUID }
    struct Count: Decodable { var count: Int }
    struct Updated: Decodable { var updated: Int }
    struct HookOut: Decodable { var tenantId: UUID; var url: String; var enabled: Bool; var secret: String?; var secretHint: String; var lastStatus: Int? }

    func testNotifyListCountAndMarkReadArePersonal() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let reporter = try await t.user("liuyang-reporter").requireID(), editor = try await t.user("liuyang-editor").requireID()
            try await NotificationService.notify([reporter, reporter, editor, UUID()], tenantID: liuyang, kind: "test.kind",
                                                 title: "稿件待审 / waiting", link: "javascript:alert(1)", on: t.db)
            let asReporter = try await t.token(for: "liuyang-reporter"), asEditor = try await t.token(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications/unread-count", as: asReporter).json(Count.self).count, 1, "duplicates and unknown people are skipped")
            let mine = try await t.send(.GET, "/api/v1/notifications", as: asReporter).json([NotificationOut].self)
            XCTAssertEqual(mine.count, 1)
            XCTAssertEqual(mine[0].link, "/", "only in-app links are kept")
            XCTAssertEqual(mine[0].tenantId, liuyang)
            // Someone else cannot mark it read.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/notifications/read", json: ["ids": [mine[0].id]], as: asEditor).json(Updated.self).updated, 0)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications/unread-count", as: asReporter).json(Count.self).count, 1)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/notifications/read", json: ["ids": [mine[0].id]], as: asReporter).json(Updated.self).updated, 1)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications/unread-count", as: asReporter).json(Count.self).count, 0)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications?unread=true", as: asReporter).json([NotificationOut].self).count, 0)
            // Mark all read: the editor's one.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/notifications/read-all", as: asEditor).json(Updated.self).updated, 1)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/notifications/read-all", as: asEditor).json(Updated.self).updated, 0)
            // No webhook configured: nothing queued.
            try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == NotificationService.deliverJob).count(), 0)
        }
    }

    func testWebhookSettingsNeedTenantSettingsAndStayInTheTenant() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            let body = ["url": "https://hooks.example.org/zhimei"]
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/notification-webhooks/\(liuyang)", json: body, as: editor).status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/notification-webhooks/\(ningxiang)", json: body, as: admin).status, .notFound)
            let bad = try await t.send(.PUT, "/api/v1/notification-webhooks/\(liuyang)", json: ["url": "javascript:alert(1)"], as: admin)
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertEqual(try bad.error().code, "invalid_url")
            let created = try await t.send(.PUT, "/api/v1/notification-webhooks/\(liuyang)", json: body, as: admin)
            XCTAssertEqual(created.status, .ok)
            let hook = try created.json(HookOut.self)
            XCTAssertTrue(hook.secret?.hasPrefix("whsec_") == true, "a generated secret is shown once")
            let listed = try await t.send(.GET, "/api/v1/notification-webhooks", as: admin).json([HookOut].self)
            XCTAssertEqual(listed.map(\.tenantId), [liuyang])
            XCTAssertNil(listed[0].secret, "the secret is not shown again")
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "notifications.webhook.save").count(), 1)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/notification-webhooks/\(liuyang)", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notification-webhooks", as: admin).json([HookOut].self).count, 0)
        }
    }

    /// A receiver on 127.0.0.1 that fails the first delivery (HTTP 500) and accepts the retry.
    final class Receiver: @unchecked Sendable {
        // @unchecked: state is behind the lock; the app is started and stopped by one test.
        struct Hit: Sendable { var headers: [String: String]; var body: Data }
        let app: Application
        let hits = NIOLockedValueBox<[Hit]>([])
        var port = 0

        init(failFirst: Int) async throws {
            app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            let hits = self.hits
            app.post("hook") { req async -> Response in
                let data = req.body.data.map { Data(buffer: $0) } ?? Data()
                var headers: [String: String] = [:]
                for (name, value) in req.headers { headers[name.lowercased()] = value }
                let n = hits.withLockedValue { $0.append(Hit(headers: headers, body: data)); return $0.count }
                return Response(status: n <= failFirst ? .internalServerError : .ok)
            }
            app.http.server.configuration.hostname = "127.0.0.1"
            app.http.server.configuration.port = 0
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            port = app.http.server.shared.localAddress?.port ?? 0
        }

        func stop() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }

    func testWebhookDeliveryIsSignedAndRetriedAfterAFailure() async throws {
        try await withTestApp { t in
            let receiver = try await Receiver(failFirst: 1)
            do {
                XCTAssertGreaterThan(receiver.port, 0)
                let liuyang = try await t.tenant("liuyang").requireID()
                let admin = try await t.token(for: "liuyang-admin")
                let secret = "test-secret-0123456789abcdef"
                let res = try await t.send(.PUT, "/api/v1/notification-webhooks/\(liuyang)",
                                           json: ["url": "http://127.0.0.1:\(receiver.port)/hook", "secret": secret], as: admin)
                XCTAssertEqual(res.status, .ok)
                XCTAssertNil(try res.json(HookOut.self).secret, "a chosen secret is not echoed")

                let reporter = try await t.user("liuyang-reporter").requireID()
                let created = try await NotificationService.notify([reporter], tenantID: liuyang, kind: "review.waiting", title: "稿件等待初审", link: "/stories/x", on: t.db)
                let notification = try XCTUnwrap(created.first)
                let jobs = try await Job.query(on: t.db).filter(\.$kind == NotificationService.deliverJob).all()
                XCTAssertEqual(jobs.count, 1)
                XCTAssertEqual(jobs.first?.idempotencyKey, "notifications.deliver:\(notification.id!.uuidString)")
                // Enqueuing again is idempotent.
                try await NotificationService.enqueueDelivery(notification, on: t.db)
                try await XCTAssertEqualAsync(try await Job.query(on: t.db).filter(\.$kind == NotificationService.deliverJob).count(), 1)

                let pool = JobWorkerPool(application: t.app, concurrency: 1, lease: 30)
                try await XCTAssertTrueAsync(try await pool.runOne(owner: "w1"))
                var job = try await Job.find(jobs[0].id, on: t.db)!
                XCTAssertEqual(job.state, .queued, "HTTP 500 schedules a retry")
                XCTAssertEqual(job.attempts, 1)
                XCTAssertEqual(job.lastError?.contains("HTTP 500"), true)
                try await XCTAssertEqualAsync(try await NotificationWebhook.query(on: t.db).first()?.lastStatus, 500)
                job.runAt = Date().addingTimeInterval(-1)
                try await job.save(on: t.db)
                try await XCTAssertTrueAsync(try await pool.runOne(owner: "w1"))
                job = try await Job.find(jobs[0].id, on: t.db)!
                XCTAssertEqual(job.state, .succeeded)
                XCTAssertEqual(job.attempts, 2)
                try await XCTAssertEqualAsync(try await NotificationWebhook.query(on: t.db).first()?.lastStatus, 200)

                let hits = receiver.hits.withLockedValue { $0 }
                XCTAssertEqual(hits.count, 2)
                for hit in hits {
                    XCTAssertEqual(hit.headers["idempotency-key"], notification.id!.uuidString, "the same key on every attempt")
                    let timestamp = try XCTUnwrap(hit.headers["x-zhimei-timestamp"])
                    let expected = NotificationService.signature(secret: secret, timestamp: timestamp, body: hit.body)
                    XCTAssertEqual(hit.headers["x-zhimei-signature"], expected)
                    // Independent check of the HMAC, so a broken `signature` cannot pass by agreeing with itself.
                    var message = Data(timestamp.utf8); message.append(UInt8(ascii: ".")); message.append(hit.body)
                    let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
                    XCTAssertEqual(expected, "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
                    XCTAssertNotEqual(NotificationService.signature(secret: "wrong-secret-0123456789", timestamp: timestamp, body: hit.body), expected)
                    XCTAssertEqual(hit.headers["x-zhimei-event"], "review.waiting")
                    let json = try JSONSerialization.jsonObject(with: hit.body) as? [String: Any]
                    XCTAssertEqual(json?["id"] as? String, notification.id!.uuidString)
                    XCTAssertEqual(json?["title"] as? String, "稿件等待初审")
                    XCTAssertEqual(json?["recipient_username"] as? String, "liuyang-reporter")
                    XCTAssertEqual(json?["link"] as? String, "/stories/x")
                }
                XCTAssertEqual(hits.map { $0.headers["x-zhimei-attempt"] }, ["1", "2"])
            } catch {
                try? await receiver.stop()
                throw error
            }
            try await receiver.stop()
        }
    }

    func testNotificationPagesAndBell() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            try await NotificationService.notify([try await t.user("liuyang-reporter").requireID()], tenantID: liuyang, kind: "topic.mention",
                                                 title: "<script>alert(1)</script>提醒", link: "/planning", on: t.db)
            let reporter = try await t.session(for: "liuyang-reporter")
            let page = try await t.send(.GET, "/notifications", headers: ["Accept": "text/html"], as: reporter)
            XCTAssertEqual(page.status, .ok, page.text)
            XCTAssertTrue(page.text.contains("data-notifications"), "the bell is in the top bar")
            XCTAssertTrue(page.text.contains("/js/notifications.js"))
            XCTAssertTrue(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;提醒"), "titles are escaped")
            XCTAssertFalse(page.text.contains("<script>alert(1)"))
            try await XCTAssertEqualAsync(try await t.send(.GET, "/notifications/settings", headers: ["Accept": "text/html"], as: reporter).status, .forbidden)
            let admin = try await t.session(for: "liuyang-admin")
            let settings = try await t.send(.GET, "/notifications/settings", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(settings.status, .ok)
            XCTAssertTrue(settings.text.contains("/api/v1/notification-webhooks/\(liuyang)"))
        }
    }

    /// Every notification can be reached: the page shows 50 at a time, all or unread only, with the unread count of
    /// all of them; the API pages by offset; "mark all read" marks every one in one statement.
    func testNotificationsPageThroughEveryOne() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let reporter = try await t.user("liuyang-reporter").requireID()
            var made: [AppNotification] = []
            for i in 0..<130 {
                made += try await NotificationService.notify([reporter], tenantID: liuyang, kind: "test.kind", title: "第\(i)条提醒", link: "/planning", on: t.db)
            }
            // Distinct times, the first oldest; the first 20 read.
            let start = Date().addingTimeInterval(-100_000)
            for (i, n) in made.enumerated() {
                n.createdAt = start.addingTimeInterval(Double(i) * 60)
                if i < 20 { n.readAt = Date() }
                try await n.save(on: t.db)
            }
            let session = try await t.session(for: "liuyang-reporter")
            let first = try await t.send(.GET, "/notifications", headers: ["Accept": "text/html"], as: session)
            XCTAssertEqual(first.status, .ok)
            XCTAssertTrue(first.text.contains("第129条提醒") && first.text.contains("第80条提醒") && !first.text.contains("第79条提醒"), "page 1: the newest 50")
            XCTAssertTrue(first.text.contains("<strong>110</strong>"), "the unread count of all of them")
            XCTAssertTrue(first.text.contains("href=\"/notifications?page=3\""), "a link to the last page")
            let last = try await t.send(.GET, "/notifications?page=3", headers: ["Accept": "text/html"], as: session)
            XCTAssertTrue(last.text.contains("第0条提醒") && last.text.contains("第29条提醒") && !last.text.contains("第30条提醒"))
            let unread = try await t.send(.GET, "/notifications?unread=1&page=3", headers: ["Accept": "text/html"], as: session)
            XCTAssertTrue(unread.text.contains("第20条提醒") && !unread.text.contains("第19条提醒"), "unread only: the read ones are left out")
            XCTAssertTrue(unread.text.contains("page=2&amp;unread=1") || unread.text.contains("page=2&unread=1"), "the pager keeps the filter")

            let token = try await t.token(for: "liuyang-reporter")
            var seen: [UUID] = []
            for offset in [0, 50, 100] {
                seen += try await t.send(.GET, "/api/v1/notifications?limit=50&offset=\(offset)", as: token).json([NotificationOut].self).map(\.id)
            }
            XCTAssertEqual(Set(seen).count, 130, "every notification once over the pages")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/notifications/read-all", as: token).json(Updated.self).updated, 110)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/notifications/unread-count", as: token).json(Count.self).count, 0)
            let other = try await AppNotification.query(on: t.db).filter(\.$userID != reporter).filter(\.$readAt != nil).count()
            XCTAssertEqual(other, 0, "nobody else's were marked")
        }
    }
}
