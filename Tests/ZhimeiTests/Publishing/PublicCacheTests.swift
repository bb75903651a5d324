import Fluent
import Foundation
import SQLKit
import Vapor
import XCTVapor
import XCTest
@testable import Zhimei

/// The public cache: the hot path answers exactly like the full middleware chain, only anonymous cached GETs take it,
/// and a change made by one server process reaches another process's cache within about a second.
final class PublicCacheTests: XCTestCase {
    /// Requests the hot path answered so far (`/metrics` counts them under their own route).
    static func hotHits(_ app: Application) -> Int {
        app.zhimei.metrics.render(queueDepth: [:]).split(separator: "\n")
            .filter { $0.hasPrefix("zhimei_http_requests_total{") && $0.contains("route=\"\(PublicCacheResponder.metricsRoute)\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
    }

    /// Header name/value pairs that must match between two answers (the request ID and framing differ by design).
    static func comparable(_ headers: HTTPHeaders) -> [String] {
        headers.filter { !["x-request-id", "content-length", "date", "connection"].contains($0.name.lowercased()) }
            .map { "\($0.name.lowercased()): \($0.value)" }.sorted()
    }

    func testHotPathAnswersLikeTheFullChainAndOnlyForAnonymousCachedReads() async throws {
        try await withTestApp { t in
            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
            let id = story.id!.uuidString.lowercased()
            for path in ["/site/liuyang/articles/\(id)", "/api/v1/public/liuyang/items/\(id)", "/site/liuyang/feed.atom", "/api/v1/public/liuyang/items?page=1"] {
                let before = Self.hotHits(t.app)
                let first = try await t.send(.GET, path, headers: ["Accept": "text/html"])   // miss: the full chain builds and caches
                XCTAssertEqual(first.status, .ok, path)
                XCTAssertEqual(Self.hotHits(t.app), before, "a miss is not a hot-path answer: \(path)")
                let second = try await t.send(.GET, path, headers: ["Accept": "text/html", "X-Request-ID": "abc-123"])
                XCTAssertEqual(Self.hotHits(t.app), before + 1, "the second read is answered from the cache: \(path)")
                XCTAssertEqual(second.status, .ok)
                XCTAssertEqual(second.text, first.text)
                XCTAssertEqual(Self.comparable(second.headers), Self.comparable(first.headers), path)
                XCTAssertEqual(second.headers.first(name: "X-Request-ID"), "abc-123")
                XCTAssertNotNil(second.headers.first(name: "Content-Security-Policy"))
                XCTAssertTrue(second.headers.first(name: .cacheControl)?.hasPrefix("public, max-age=") ?? false)
                // If-None-Match on the hot path: 304 with the same ETag.
                let etag = try XCTUnwrap(second.headers.first(name: .eTag))
                let notModified = try await t.send(.GET, path, headers: ["If-None-Match": etag])
                XCTAssertEqual(notModified.status, .notModified)
                XCTAssertEqual(notModified.headers.first(name: .eTag), etag)
                XCTAssertEqual(Self.hotHits(t.app), before + 2)
            }
            // A signed-in reader takes the full chain (same page, no hot-path count); a bad token is still refused.
            let before = Self.hotHits(t.app)
            let signedIn = try await t.send(.GET, "/site/liuyang/articles/\(id)", headers: ["Accept": "text/html"], as: chief)
            XCTAssertEqual(signedIn.status, .ok)
            XCTAssertEqual(Self.hotHits(t.app), before)
            let badToken = try await t.send(.GET, "/site/liuyang/articles/\(id)", headers: ["Authorization": "Bearer zm_not_a_token"])
            XCTAssertEqual(badToken.status, .unauthorized)
            // HEAD and other routes are untouched.
            try await XCTAssertEqualAsync(try await t.send(.HEAD, "/site/liuyang/articles/\(id)").status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/publishing/stories/\(id)/previews").status, .unauthorized)
            XCTAssertEqual(Self.hotHits(t.app), before)
            // A kill drops the cached answers: the article is gone at once.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: #"{"reason":"失实"}"#, as: chief).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/site/liuyang/articles/\(id)", headers: ["Accept": "text/html"]).status, .gone)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/public/liuyang/items/\(id)").status, .gone)
        }
    }

    func testAnAnswerBuiltBeforeAnInvalidationIsNotCached() throws {
        let cache = PublicSiteCache(ttl: 60, pollInterval: 0)
        let tenant = UUID(), other = UUID()
        let entry = PublicSite.entry("<p>x</p>", contentType: PublicSite.html, status: .ok, maxAge: 60, ttl: 60)
        let stale = cache.epoch
        cache.invalidate(tenantID: tenant)   // a publish landed while the answer was being built
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", entry, epoch: stale)
        XCTAssertNil(cache.get(tenant: "a", key: "/site/a"))
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", entry, epoch: cache.epoch)
        cache.put(tenant: "b", tenantID: other, key: "/site/b", entry, epoch: cache.epoch)
        XCTAssertNotNil(cache.get(tenant: "a", key: "/site/a"))
        // Invalidation is per tenant.
        cache.invalidate(tenantID: tenant)
        XCTAssertNil(cache.get(tenant: "a", key: "/site/a"))
        XCTAssertNotNil(cache.get(tenant: "b", key: "/site/b"))
        XCTAssertEqual(PublicCacheResponder.tenantSlug("/site/liuyang/articles/x"), "liuyang")
        XCTAssertEqual(PublicCacheResponder.tenantSlug("/api/v1/public/ningxiang/items?page=2"), "ningxiang")
        XCTAssertEqual(PublicCacheResponder.tenantSlug("/site/shaoshan?x=1"), "shaoshan")
        XCTAssertNil(PublicCacheResponder.tenantSlug("/api/v1/publishing/stories"))
        XCTAssertNil(PublicCacheResponder.tenantSlug("/site/"))
    }

    /// An expired entry: one reader rebuilds it, the others keep the old answer meanwhile, for at most one more TTL.
    func testAnExpiredEntryIsRebuiltByOneReaderWhileTheOthersKeepIt() throws {
        let ttl = 0.3
        let cache = PublicSiteCache(ttl: ttl, pollInterval: 0)
        let tenant = UUID()
        func entry(_ body: String) -> PublicSiteCache.Entry {
            PublicSite.entry(body, contentType: PublicSite.html, status: .ok, maxAge: 60, ttl: ttl)
        }
        let old = entry("<p>old</p>")
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", old, epoch: cache.epoch)
        XCTAssertEqual(cache.servable(tenant: "a", key: "/site/a")?.etag, old.etag, "fresh")
        Thread.sleep(forTimeInterval: ttl + 0.05)
        XCTAssertNil(cache.get(tenant: "a", key: "/site/a"), "expired for the application's own look-up")
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"), "the first reader rebuilds")
        XCTAssertEqual(cache.servable(tenant: "a", key: "/site/a")?.etag, old.etag, "the next readers keep the old answer")
        XCTAssertEqual(cache.servable(tenant: "a", key: "/site/a")?.etag, old.etag)
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/other"), "other keys are not affected")
        let new = entry("<p>new</p>")
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", new, epoch: cache.epoch)
        XCTAssertEqual(cache.servable(tenant: "a", key: "/site/a")?.etag, new.etag, "the rebuild replaced it")
        // A rebuild that never finishes pins the old answer for at most one more TTL.
        Thread.sleep(forTimeInterval: ttl + 0.05)
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"))
        XCTAssertEqual(cache.servable(tenant: "a", key: "/site/a")?.etag, new.etag)
        Thread.sleep(forTimeInterval: ttl)
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"), "past the grace period everyone goes to the application")
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"))
        // An invalidation drops expired entries too: nobody gets them afterwards.
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", old, epoch: cache.epoch)
        Thread.sleep(forTimeInterval: ttl + 0.05)
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"))
        cache.invalidate(tenantID: tenant)
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"))
        XCTAssertNil(cache.servable(tenant: "a", key: "/site/a"))
    }

    /// A full tenant keeps its cached pages: distinct URLs beyond the limit are answered but not stored, until entries expire.
    func testAFloodOfDistinctURLsDoesNotPushHotPagesOut() throws {
        let ttl = 0.3
        let cache = PublicSiteCache(ttl: ttl, pollInterval: 0)
        let tenant = UUID()
        let entry = PublicSite.entry("<p>x</p>", contentType: PublicSite.html, status: .ok, maxAge: 60, ttl: ttl)
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a", entry, epoch: cache.epoch)
        for i in 0..<(PublicSiteCache.maxEntriesPerTenant + 500) {
            cache.put(tenant: "a", tenantID: tenant, key: "/site/a/search?q=\(i)", entry, epoch: cache.epoch)
        }
        XCTAssertEqual(cache.count(tenant: "a"), PublicSiteCache.maxEntriesPerTenant)
        XCTAssertNotNil(cache.get(tenant: "a", key: "/site/a"), "the hot page survived the flood")
        XCTAssertNil(cache.get(tenant: "a", key: "/site/a/search?q=5400"), "beyond the limit: answered, not stored")
        // Once the flood has expired (past the one-TTL grace; full buckets are swept at most once a second), new
        // answers are stored again.
        Thread.sleep(forTimeInterval: max(2 * ttl, 1) + 0.1)
        let fresh = PublicSite.entry("<p>y</p>", contentType: PublicSite.html, status: .ok, maxAge: 60, ttl: ttl)
        cache.put(tenant: "a", tenantID: tenant, key: "/site/a/new", fresh, epoch: cache.epoch)
        XCTAssertNotNil(cache.get(tenant: "a", key: "/site/a/new"))
        XCTAssertEqual(cache.count(tenant: "a"), 1)
    }

    /// Two server processes on one database: a kill and a correction made through process A reach process B's cache
    /// through the generation poll (B's TTL is an hour, so nothing else could refresh it).
    func testAChangeOnOneProcessReachesAnotherProcessWithinASecond() async throws {
        try await withTestApp { a in
            let b = try await Application.make(.testing)
            do {
                try await configure(b, settings: a.settings)   // same SQLite file or PostgreSQL schema, own cache
                b.publicSiteCache = PublicSiteCache(ttl: 3600, pollInterval: 0.5)
                let story = try await PublishingFixtures.approvedStory(a)
                let chief = try await a.session(for: "liuyang-chief")
                try await XCTAssertEqualAsync(try await a.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
                let id = story.id!.uuidString.lowercased()
                let article = "/site/liuyang/articles/\(id)", item = "/api/v1/public/liuyang/items/\(id)"
                func get(_ path: String) async throws -> TestingHTTPResponse {
                    try await b.testable().performTest(request: TestingHTTPRequest(method: .GET, url: URI(path: path), headers: ["Accept": "text/html"], body: ByteBuffer()))
                }
                try await XCTAssertEqualAsync(try await get(article).status, .ok)
                try await XCTAssertEqualAsync(try await get(item).status, .ok)
                let hits = Self.hotHits(b)
                try await XCTAssertEqualAsync(try await get(article).status, .ok)
                XCTAssertEqual(Self.hotHits(b), hits + 1, "process B serves the article from its cache")
                // Let B's poller learn the current generation before the change.
                let polls = b.publicSiteCache.pollCount
                while b.publicSiteCache.pollCount < polls + 1 { try await Task.sleep(nanoseconds: 20_000_000) }

                // Correction on A → visible on B.
                try await XCTAssertEqualAsync(try await a.send(.POST, "/api/v1/publishing/stories/\(story.id!)/correct", raw: #"{"note":"更正：数字有误"}"#, as: chief).status, .ok)
                var start = Date()
                while !(try await get(article).text.contains("更正：数字有误")) {
                    XCTAssertLessThan(Date().timeIntervalSince(start), 3, "correction not seen by process B"); if Date().timeIntervalSince(start) > 3 { return }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                let correctionDelay = Date().timeIntervalSince(start)
                // Kill on A → 410 on B, for the page and the API item.
                _ = try await get(item)
                start = Date()
                try await XCTAssertEqualAsync(try await a.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: #"{"reason":"撤稿"}"#, as: chief).status, .ok)
                while try await get(article).status != .gone {
                    XCTAssertLessThan(Date().timeIntervalSince(start), 3, "kill not seen by process B"); if Date().timeIntervalSince(start) > 3 { return }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                let killDelay = Date().timeIntervalSince(start)
                try await XCTAssertEqualAsync(try await get(item).status, .gone)
                XCTAssertLessThan(correctionDelay, 1.2, "correction reached process B after \(correctionDelay) s")
                XCTAssertLessThan(killDelay, 1.2, "kill reached process B after \(killDelay) s")
                print("cross-process: correction seen after \(Int(correctionDelay * 1000)) ms, kill after \(Int(killDelay * 1000)) ms (poll 500 ms, \(TestApp.backendName))")
                let generation = try await PublishGeneration.all(on: a.db).first { $0.0 == story.tenantID }?.1
                XCTAssertEqual(generation, 3, "publish, correction and kill each bump the generation once")
            } catch {
                try? await b.asyncShutdown()
                throw error
            }
            try await b.asyncShutdown()
        }
    }
}
