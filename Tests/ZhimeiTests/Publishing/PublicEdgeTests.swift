import Fluent
import Foundation
import Vapor
import XCTVapor
import XCTest
@testable import Zhimei

/// The public edge port (`PublicEdgeServer`): a real listener on a real TCP port, compared with the main port's answers.
final class PublicEdgeTests: XCTestCase {
    /// Starts an edge listener on a free port for the test application.
    static func edge(_ app: Application) async throws -> (PublicEdgeServer, RawHTTPClient) {
        let edge = PublicEdgeServer(app: app)
        let port = try await edge.start(host: "127.0.0.1", port: 0)
        return (edge, RawHTTPClient(port: port))
    }

    static func comparable(_ headers: [(String, String)]) -> [String] {
        var h = HTTPHeaders()
        for (name, value) in headers { h.add(name: name, value: value) }
        return PublicCacheTests.comparable(h)
    }

    static func publish(_ t: TestApp) async throws -> (Story, TestActor) {
        let story = try await PublishingFixtures.approvedStory(t)
        let chief = try await t.session(for: "liuyang-chief")
        try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
        return (story, chief)
    }

    func testEdgeAnswersLikeTheMainPortWithAndWithoutTheCache() async throws {
        try await withTestApp { t in
            let (story, chief) = try await Self.publish(t)
            let (edge, client) = try await Self.edge(t.app)
            let id = story.id!.uuidString.lowercased()
            // Filled through the main port first (an edge hit) …
            for path in ["/site/liuyang/articles/\(id)", "/site/liuyang", "/api/v1/public/liuyang/items/\(id)"] {
                let main = try await t.send(.GET, path)
                XCTAssertEqual(main.status, .ok, path)
                let hits = edge.hitCount
                let answer = try await client.get(path)
                XCTAssertEqual(edge.hitCount, hits + 1, "answered from the cache: \(path)")
                XCTAssertEqual(answer.status, 200)
                XCTAssertEqual(answer.body, Data(buffer: main.body), "byte-identical body: \(path)")
                XCTAssertEqual(Self.comparable(answer.headers), PublicCacheTests.comparable(main.headers), path)
                XCTAssertEqual(answer.header("Content-Length"), String(answer.body.count))
                XCTAssertNotNil(answer.header("Content-Security-Policy"))
                XCTAssertNotNil(answer.header("Date"))
                XCTAssertNil(answer.header("Set-Cookie"))
                // If-None-Match → 304 with the same ETag and no body.
                let etag = try XCTUnwrap(answer.header("ETag"))
                let notModified = try await client.get(path, headers: ["If-None-Match: \"nope\", \(etag)"])
                XCTAssertEqual(notModified.status, 304)
                XCTAssertEqual(notModified.header("ETag"), etag)
                XCTAssertTrue(notModified.body.isEmpty)
                // A bad token or an editorial session means nothing on this port: stripped, the public answer comes back.
                let withCredentials = try await client.get(path, headers: ["Authorization: Bearer zm_not_a_token", "Cookie: \(chief.cookie ?? "")"])
                XCTAssertEqual(withCredentials.status, 200)
                XCTAssertEqual(withCredentials.body, answer.body)
                XCTAssertNil(withCredentials.header("Set-Cookie"))
            }
            // … and filled through the edge (a miss handed to the application, then a hit): same bytes as the main port.
            for path in ["/site/liuyang/tags/%E8%8A%B1%E7%82%AE", "/api/v1/public/liuyang/items?page=1&per_page=5", "/site/liuyang/sitemap.xml"] {
                let misses = edge.missCount, hits = edge.hitCount
                let first = try await client.get(path, headers: ["Cookie: \(chief.cookie ?? "")"])
                XCTAssertEqual(edge.missCount, misses + 1, path)
                let second = try await client.get(path)
                XCTAssertEqual(edge.hitCount, hits + 1, "the miss filled the cache: \(path)")
                let main = try await t.send(.GET, path)
                XCTAssertEqual(first.status, 200, path)
                XCTAssertEqual(first.body, Data(buffer: main.body), path)
                XCTAssertEqual(second.body, first.body, path)
                XCTAssertEqual(Self.comparable(first.headers), PublicCacheTests.comparable(main.headers), path)
                XCTAssertEqual(Self.comparable(second.headers), PublicCacheTests.comparable(main.headers), path)
                XCTAssertNil(first.header("Set-Cookie"), path)
            }
            // /metrics on the main port counts the edge's answers (the serving process registers its edge).
            t.app.publicEdge = edge
            let metrics = try await t.send(.GET, "/metrics").text
            XCTAssertTrue(metrics.contains("zhimei_public_edge_answers_total{source=\"cache\"} \(edge.hitCount)\n"), metrics)
            XCTAssertTrue(metrics.contains("zhimei_public_edge_answers_total{source=\"application\"} \(edge.missCount)\n"))
            XCTAssertGreaterThan(edge.hitCount, 0)
            await edge.shutdown()
        }
    }

    func testPipelinedRequestsAreAnsweredInOrderAndHeadHasNoBody() async throws {
        try await withTestApp { t in
            let (story, _) = try await Self.publish(t)
            let (edge, client) = try await Self.edge(t.app)
            let id = story.id!.uuidString.lowercased()
            let article = "/site/liuyang/articles/\(id)", item = "/api/v1/public/liuyang/items/\(id)"
            let articleBody = Data(buffer: try await t.send(.GET, article).body)   // cached: a hit on the edge
            // A hit, a miss (rendered asynchronously), a HEAD hit, a miss, and a hit that closes: answers must come back in
            // this order although the hits are ready before the misses.
            let requests: [(String, String)] = [("GET", article), ("GET", item), ("HEAD", article), ("GET", "/site/liuyang/feed.rss"), ("GET", article)]
            var raw = ""
            for (i, (method, path)) in requests.enumerated() {
                raw += "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (i == requests.count - 1 ? "Connection: close\r\n" : "") + "\r\n"
            }
            let (answers, closed) = try await client.exchange(raw, methods: requests.map(\.0))
            XCTAssertEqual(answers.map(\.status), [200, 200, 200, 200, 200])
            XCTAssertTrue(closed, "Connection: close is honoured")
            guard answers.count == 5 else { return }
            XCTAssertEqual(answers[0].body, articleBody)
            let itemBody = Data(buffer: try await t.send(.GET, item).body)
            XCTAssertEqual(answers[1].body, itemBody)
            XCTAssertTrue(answers[1].header("Content-Type")?.hasPrefix("application/json") ?? false)
            XCTAssertTrue(answers[2].body.isEmpty, "HEAD has no body")
            XCTAssertEqual(answers[2].header("Content-Length"), String(articleBody.count), "HEAD announces the GET's length")
            XCTAssertTrue(answers[3].text.contains("<rss"))
            XCTAssertEqual(answers[4].body, articleBody)
            XCTAssertEqual(answers[4].header("Connection"), "close")
            // Keep-alive: many sequential requests on one connection.
            let many = String(repeating: "GET \(article) HTTP/1.1\r\nHost: x\r\n\r\n", count: 50)
            let (kept, keptClosed) = try await client.exchange(many, methods: Array(repeating: "GET", count: 50))
            XCTAssertEqual(kept.count, 50)
            XCTAssertTrue(kept.allSatisfy { $0.status == 200 && $0.body == articleBody })
            XCTAssertFalse(keptClosed)
            await edge.shutdown()
        }
    }

    func testEdgeRefusesWhatIsNotPublicAndBadRequestsBilingually() async throws {
        try await withTestApp { t in
            let (story, _) = try await Self.publish(t)
            let (edge, client) = try await Self.edge(t.app)
            let id = story.id!.uuidString.lowercased()
            func check(_ raw: String, _ status: Int, _ code: String, file: StaticString = #filePath, line: UInt = #line) async throws {
                let (answers, closed) = try await client.exchange(raw, methods: ["GET"])
                let answer = try XCTUnwrap(answers.first, "no answer to \(raw.prefix(60))", file: file, line: line)
                XCTAssertEqual(answer.status, status, String(raw.prefix(60)), file: file, line: line)
                XCTAssertTrue(closed, "the connection is closed after a refusal", file: file, line: line)
                let json = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
                let error = json?["error"] as? [String: Any]
                XCTAssertEqual(error?["code"] as? String, code, file: file, line: line)
                XCTAssertFalse((error?["message"] as? String ?? "").isEmpty, "Chinese message", file: file, line: line)
                XCTAssertFalse((error?["message_en"] as? String ?? "").isEmpty, "English message", file: file, line: line)
                XCTAssertNotNil(answer.header("Content-Security-Policy"), file: file, line: line)
            }
            // The editorial app is not reachable through this port.
            for path in ["/login", "/", "/api/v1/publishing/stories/\(id)/previews", "/metrics", "/openapi.json", "/css/site.css", "/site/", "/api/v1/public/"] {
                try await check("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found")
            }
            let long = "/site/liuyang/articles/" + String(repeating: "a", count: PublicSiteCache.maxKeyLength)
            try await check("GET \(long) HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long")
            try await check("POST /site/liuyang HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "method_not_allowed")
            try await check("GET /site/liuyang HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 413, "body_not_accepted")
            try await check("GET /site/liuyang HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413, "body_not_accepted")
            try await check("GET /site/liuyang HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 20_000))\r\n\r\n", 431, "headers_too_large")
            try await check("HELLO THERE\r\n\r\n", 400, "bad_request")
            // An unknown tenant or story is the application's own bilingual 404, as on the main port.
            let unknown = try await client.get("/api/v1/public/nowhere/items/\(id)")
            XCTAssertEqual(unknown.status, 404)
            XCTAssertEqual(unknown.body.isEmpty, false)
            // The server is still fine afterwards.
            let ok = try await client.get("/site/liuyang/articles/\(id)")
            XCTAssertEqual(ok.status, 200)
            await edge.shutdown()
        }
    }

    /// Kill and correction reach the edge: at once in the process that made the change, and in another process
    /// (its own cache, one-hour TTL) within the generation poll interval.
    func testKillAndCorrectionReachTheEdgeOfAnotherProcess() async throws {
        try await withTestApp { a in
            let b = try await Application.make(.testing)
            do {
                try await configure(b, settings: a.settings)   // same SQLite file or PostgreSQL schema, own cache
                b.publicSiteCache = PublicSiteCache(ttl: 3600, pollInterval: 0.5)
                let (story, chief) = try await Self.publish(a)
                let (edgeA, clientA) = try await Self.edge(a.app)
                let (edgeB, clientB) = try await Self.edge(b)
                let id = story.id!.uuidString.lowercased()
                let article = "/site/liuyang/articles/\(id)", item = "/api/v1/public/liuyang/items/\(id)"
                try await XCTAssertEqualAsync(try await clientB.get(article).status, 200)
                try await XCTAssertEqualAsync(try await clientB.get(item).status, 200)
                let hits = edgeB.hitCount
                try await XCTAssertEqualAsync(try await clientB.get(article).status, 200)
                XCTAssertEqual(edgeB.hitCount, hits + 1, "B's edge serves the article from its cache")
                let polls = b.publicSiteCache.pollCount
                while b.publicSiteCache.pollCount < polls + 1 { try await Task.sleep(nanoseconds: 20_000_000) }

                try await XCTAssertEqualAsync(try await a.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":"更正：数字有误"}"#, as: chief).status, .ok)
                let corrected = try await clientA.get(article).text
                XCTAssertTrue(corrected.contains("更正：数字有误"), "the changing process's edge has new bytes at once")
                var start = Date()
                while !(try await clientB.get(article).text.contains("更正：数字有误")) {
                    guard Date().timeIntervalSince(start) < 3 else { XCTFail("correction not seen by B's edge"); break }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                let correctionDelay = Date().timeIntervalSince(start)
                _ = try await clientB.get(item)
                start = Date()
                try await XCTAssertEqualAsync(try await a.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: #"{"reason":"撤稿"}"#, as: chief).status, .ok)
                try await XCTAssertEqualAsync(try await clientA.get(article).status, 410)
                while try await clientB.get(article).status != 410 {
                    guard Date().timeIntervalSince(start) < 3 else { XCTFail("kill not seen by B's edge"); break }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                let killDelay = Date().timeIntervalSince(start)
                let tombstone = try await clientB.get(item)
                XCTAssertEqual(tombstone.status, 410)
                let json = try JSONSerialization.jsonObject(with: tombstone.body) as? [String: Any]
                XCTAssertEqual(json?["state"] as? String, "killed")
                // The article's 410 page is cached: the next read is an edge hit with the same 410.
                let hitsBefore = edgeB.hitCount
                try await XCTAssertEqualAsync(try await clientB.get(article).status, 410)
                XCTAssertEqual(edgeB.hitCount, hitsBefore + 1)
                // So is the content API's tombstone: same bytes, no-cache, from the cache.
                let again = try await clientB.get(item)
                XCTAssertEqual(edgeB.hitCount, hitsBefore + 2, "the tombstone is answered from the cache")
                XCTAssertEqual(again.status, 410)
                XCTAssertEqual(again.body, tombstone.body)
                XCTAssertEqual(again.header("Cache-Control"), "no-cache")
                XCTAssertLessThan(correctionDelay, 1.2, "correction reached B's edge after \(correctionDelay) s")
                XCTAssertLessThan(killDelay, 1.2, "kill reached B's edge after \(killDelay) s")
                print("edge cross-process: correction seen after \(Int(correctionDelay * 1000)) ms, kill after \(Int(killDelay * 1000)) ms (poll 500 ms, \(TestApp.backendName))")
                await edgeA.shutdown()
                await edgeB.shutdown()
            } catch {
                try? await b.asyncShutdown()
                throw error
            }
            try await b.asyncShutdown()
        }
    }
    /// The serving process starts its edge when the port is free, and keeps running without it when the port is taken.
    func testABusyPublicPortDoesNotStopTheServer() async throws {
        try await withTestApp { t in
            let (taken, _) = try await Self.edge(t.app)
            let port = try XCTUnwrap(taken.port)
            try await PublicEdgeLifecycle(host: "127.0.0.1", port: port).didBootAsync(t.app)
            XCTAssertNil(t.app.publicEdge, "no edge on a busy port, and no error either")
            await taken.shutdown()
            try await PublicEdgeLifecycle(host: "127.0.0.1", port: port).didBootAsync(t.app)
            let edge = try XCTUnwrap(t.app.publicEdge, "the edge started once the port was free")
            try await XCTAssertEqualAsync(try await RawHTTPClient(port: port).get("/site/liuyang").status, 200)
            await PublicEdgeLifecycle(host: "127.0.0.1", port: port).shutdownAsync(t.app)
            XCTAssertGreaterThan(edge.missCount + edge.hitCount, 0)
        }
    }

    /// A tenant rename (any save of the tenant) and a channel-rule change bump the publish generation: the cached
    /// pages carry the new name within the poll interval, although their TTL is an hour.
    func testTenantRenameAndChannelChangeRefreshTheSite() async throws {
        try await withTestApp { t in
            t.app.publicSiteCache = PublicSiteCache(ttl: 3600, pollInterval: 0.2)
            _ = try await Self.publish(t)
            let tenant = try await t.tenant("liuyang")
            let tenantID = try tenant.requireID()
            let (edge, client) = try await Self.edge(t.app)
            let home = try await client.get("/site/liuyang")
            XCTAssertTrue(home.text.contains(tenant.name))
            let polls = t.app.publicSiteCache.pollCount
            while t.app.publicSiteCache.pollCount < polls + 1 { try await Task.sleep(nanoseconds: 20_000_000) }
            func generation() async throws -> Int64? { try await PublishGeneration.all(on: t.db).first { $0.0 == tenantID }?.1 }
            let before = try await generation()
            let admin = try await t.session(for: "liuyang-admin")
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/tenants/\(tenantID)", raw: #"{"name":"浏阳融媒新名"}"#, as: admin).status, .ok)
            let afterRename = try await generation()
            XCTAssertEqual(afterRename, (before ?? 0) + 1, "the rename bumped the generation")
            let start = Date()
            while !(try await client.get("/site/liuyang").text.contains("浏阳融媒新名")) {
                guard Date().timeIntervalSince(start) < 3 else { XCTFail("the renamed tenant never reached the cached home page"); break }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 1.2)
            try await XCTAssertEqualAsync(try await t.send(.PUT, "/api/v1/publishing/tenants/\(tenantID)/channels/social", raw: #"{"max_length":100}"#, as: admin).status, .ok)
            let afterChannel = try await generation()
            XCTAssertEqual(afterChannel, (afterRename ?? 0) + 1, "a channel change bumped the generation")
            XCTAssertEqual(t.app.publicSiteCache.count(tenant: "liuyang"), 0, "and dropped this process's entries at once")
            await edge.shutdown()
        }
    }
}
