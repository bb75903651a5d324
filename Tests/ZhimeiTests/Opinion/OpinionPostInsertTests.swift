import Fluent
import Foundation
import SQLKit
import XCTest
@testable import Zhimei

/// Posts stored by the ingest's SQLKit insert are the rows Fluent would have written.
final class OpinionPostInsertTests: XCTestCase {
    func testInsertedPostsEqualFluentCreatedOnes() async throws {
        try await withTestApp { t in
            let tenant = try await t.tenant("liuyang").requireID()
            func post(_ id: String, full: Bool) -> OpinionPost {
                let p = OpinionPost()
                p.id = UUID(); p.tenantID = tenant; p.sourceID = full ? UUID() : nil; p.platform = "weibo"; p.externalID = id
                p.author = "用户'甲\""; p.text = "浏阳 text, 引号'\"；\u{1F600}"; p.textSimplified = "浏阳"; p.language = "zh"
                p.url = full ? "https://example.cn/p?a=1&b=2" : nil
                p.postedAt = Date(timeIntervalSince1970: 1_764_547_200.125); p.receivedAt = Date(timeIntervalSince1970: 1_796_400_000.5)
                p.futureTime = full; p.repostOf = full ? "p1" : nil; p.replyTo = full ? "p2" : nil
                p.likes = 1_000_000_000; p.reposts = 0; p.comments = 7; p.contentHash = "ffee01"; p.simhash = Int64.min + 3
                p.duplicateOf = full ? UUID() : nil; p.sentiment = "negative"; p.sentimentScore = -0.731
                p.keywords = full ? ["火灾", "a\"b", "逗号,"] : []; p.entities = full ? ["浏阳"] : []; p.region = full ? "湖南" : nil
                p.eventID = full ? UUID() : nil; p.schemeIDs = full ? [UUID().uuidString] : []
                return p
            }
            for full in [true, false] {
                let viaFluent = post("fluent-\(full)", full: full), viaInsert = post("insert-\(full)", full: full)
                try await viaFluent.create(on: t.db)
                try await OpinionIngest.insert([viaInsert], on: t.db)
                let a = try await XCTUnwrapAsync(try await OpinionPost.find(viaFluent.id, on: t.db))
                let b = try await XCTUnwrapAsync(try await OpinionPost.find(viaInsert.id, on: t.db))
                XCTAssertEqual(b.externalID, "insert-\(full)")
                XCTAssertEqual(Self.fields(a, except: ["id", "external_id"]), Self.fields(b, except: ["id", "external_id"]))
                XCTAssertEqual(b.sourceID, viaInsert.sourceID); XCTAssertEqual(b.duplicateOf, viaInsert.duplicateOf)
                XCTAssertEqual(b.eventID, viaInsert.eventID); XCTAssertEqual(b.keywords, viaInsert.keywords)
                XCTAssertEqual(b.postedAt.timeIntervalSince1970, viaInsert.postedAt.timeIntervalSince1970, accuracy: 0.001)
                XCTAssertEqual(b.simhash, Int64.min + 3)
                // The same storage in the database itself (SQLite keeps a type per value).
                if let sql = t.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                    let typed = OpinionIngest.postColumns.map { "typeof(\($0)) AS \($0)" }.joined(separator: ", ")
                    func types(_ id: UUID?) async throws -> [String] {
                        let row = try await XCTUnwrapAsync(try await sql.raw("SELECT \(unsafeRaw: typed) FROM opinion_posts WHERE id = \(bind: id)").first())
                        return try OpinionIngest.postColumns.map { try row.decode(column: $0, as: String.self) }
                    }
                    let fluentTypes = try await types(viaFluent.id), insertTypes = try await types(viaInsert.id)
                    XCTAssertEqual(fluentTypes, insertTypes)
                }
            }
        }
    }

    /// Every field but the named ones, as text, for comparing two posts.
    static func fields(_ p: OpinionPost, except: Set<String>) -> [String: String] {
        let all: [String: String] = [
            "tenant_id": "\(p.tenantID)", "platform": p.platform, "author": p.author, "text": p.text,
            "text_simplified": p.textSimplified, "language": p.language, "url": "\(p.url as Any)",
            "posted_at": "\(p.postedAt.timeIntervalSince1970)", "received_at": "\(p.receivedAt.timeIntervalSince1970)",
            "future_time": "\(p.futureTime)", "repost_of": "\(p.repostOf as Any)", "reply_to": "\(p.replyTo as Any)",
            "likes": "\(p.likes)", "reposts": "\(p.reposts)", "comments": "\(p.comments)", "content_hash": p.contentHash,
            "simhash": "\(p.simhash)", "sentiment": p.sentiment, "sentiment_score": "\(p.sentimentScore)",
            "keywords": "\(p.keywords)", "entities": "\(p.entities)", "region": "\(p.region as Any)",
            "scheme_ids": "\(p.schemeIDs.count)", "source_id": "\(p.sourceID != nil)", "duplicate_of": "\(p.duplicateOf != nil)",
            "event_id": "\(p.eventID != nil)"]
        return all.filter { !except.contains($0.key) }
    }
}
