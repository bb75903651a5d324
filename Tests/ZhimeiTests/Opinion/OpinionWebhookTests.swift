import Crypto
import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The streaming webhook: shared secret or HMAC signature, posts stored once, wrong secrets refused, and a rate
/// limit per source and client address (every request counts, so guessing secrets is throttled too).
final class OpinionWebhookTests: XCTestCase {
    struct Source: Decodable { var id: UUID; var webhookPath: String; var webhookSecret: String? }
    struct Result: Decodable { var imported: Int; var duplicates: Int }

    func testWebhookAcceptsSecretOrSignatureAndIsRateLimited() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let created = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "微博推送", "kind": "webhook", "platform": "weibo"], as: editor)
            XCTAssertEqual(created.status, .created, created.text)
            let source = try created.json(Source.self)
            let secret = try XCTUnwrap(source.webhookSecret)
            await t.app.opinion.webhookThrottle.reset()

            // Shared secret: two posts stored.
            let body = #"{"posts":[{"id":"w1","author":"网友甲","text":"浏阳河边垃圾成堆，臭气熏天，没人管！"},{"id":"w2","author":"网友乙","text":"转发：浏阳河边垃圾成堆","repost_of":"w1"}]}"#
            var r = try await t.send(.POST, source.webhookPath, headers: ["X-Zhimei-Secret": secret], raw: body)
            XCTAssertEqual(r.status, .accepted, r.text)
            XCTAssertEqual(try r.json(Result.self).imported, 2)
            // Signature over the exact body: one post; the same body again is all duplicates.
            let one = #"{"id":"w3","author":"网友丙","text":"垃圾已经清运，感谢环卫工人"}"#
            let mac = HMAC<SHA256>.authenticationCode(for: Data(one.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            r = try await t.send(.POST, source.webhookPath, headers: ["X-Zhimei-Signature": signature], raw: one)
            XCTAssertEqual(r.status, .accepted, r.text)
            XCTAssertEqual(try r.json(Result.self).imported, 1)
            r = try await t.send(.POST, source.webhookPath, headers: ["X-Zhimei-Signature": signature], raw: one)
            XCTAssertEqual(try r.json(Result.self).duplicates, 1)
            // Wrong secret, a signature of another body, no credentials: 403 with a bilingual message, nothing stored.
            for headers: HTTPHeaders in [["X-Zhimei-Secret": "wrong"], ["X-Zhimei-Signature": signature], [:]] {
                let bad = try await t.send(.POST, source.webhookPath, headers: headers, raw: body.replacingOccurrences(of: "w1", with: "w9"))
                XCTAssertEqual(bad.status, .forbidden)
                XCTAssertEqual(try bad.error().code, "webhook_secret_invalid")
            }
            let stored = try await OpinionPost.query(on: t.db).filter(\.$sourceID == source.id).all()
            XCTAssertEqual(Set(stored.map(\.externalID)), ["w1", "w2", "w3"])
            XCTAssertTrue(stored.allSatisfy { $0.platform == "weibo" })

            // Rate limit: 120 requests a minute per source and address (the default), then 429 — also for good requests.
            await t.app.opinion.webhookThrottle.reset()
            var limitedAt: Int?
            for i in 1...125 {
                let res = try await t.send(.POST, source.webhookPath, headers: ["X-Zhimei-Secret": "wrong"], raw: "{}")
                if res.status == .tooManyRequests {
                    limitedAt = i
                    let detail = try res.error()
                    XCTAssertEqual(detail.code, "rate_limited")
                    break
                }
                XCTAssertEqual(res.status, .forbidden)
            }
            XCTAssertEqual(limitedAt, 121)
            r = try await t.send(.POST, source.webhookPath, headers: ["X-Zhimei-Secret": secret], raw: #"{"id":"w4","text":"又一条"}"#)
            XCTAssertEqual(r.status, .tooManyRequests)
            // Another source is not affected.
            let other = try await t.send(.POST, "/api/v1/opinion/sources", json: ["name": "另一推送", "kind": "webhook"], as: editor).json(Source.self)
            r = try await t.send(.POST, other.webhookPath, headers: ["X-Zhimei-Secret": try XCTUnwrap(other.webhookSecret)], raw: #"{"id":"o1","text":"另一来源的消息"}"#)
            XCTAssertEqual(r.status, .accepted, r.text)
        }
    }
}
