import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Bad input gets a clear bilingual 4xx, never a 500 and never lost data.
final class BadInputTests: XCTestCase {
    func testMalformedJSONWrongTypesAndMissingFields() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            for body in ["{", "[]", #"{"name": 5, "slug": "x"}"#, #"{"slug":"only-slug"}"#, "\u{0}\u{1}garbage", #"{"name":"\#(String(repeating: "长", count: 500))","slug":"ok-slug"}"#] {
                let res = try await t.send(.POST, "/api/v1/tenants", raw: body, as: admin)
                XCTAssertTrue([400, 422].contains(res.status.code), "\(body.prefix(30)) → \(res.status)")
                _ = try res.error()
            }
            try await XCTAssertEqualAsync(try await Tenant.query(on: t.db).count(), 4, "nothing was created")
        }
    }

    func testOversizedBodyIs413() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let huge = #"{"name":""# + String(repeating: "a", count: 3 * 1024 * 1024) + #"","slug":"big"}"#
            let res = try await t.send(.POST, "/api/v1/tenants", raw: huge, as: admin, overNetwork: true)
            XCTAssertEqual(res.status, .payloadTooLarge)
            XCTAssertEqual(try res.error().code, "payload_too_large")
        }
    }

    func testUnsupportedContentTypeAndUnknownRoutesAndBadIDs() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let xml = try await t.send(.POST, "/api/v1/tenants", headers: ["Content-Type": "application/xml"], raw: "<tenant/>", as: admin)
            XCTAssertEqual(xml.status, .unsupportedMediaType)
            _ = try xml.error()
            let missing = try await t.send(.GET, "/api/v1/nothing-here", as: admin)
            XCTAssertEqual(missing.status, .notFound)
            _ = try missing.error()
            for id in ["not-a-uuid", "'%20OR%201=1--", UUID().uuidString] {
                try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/users/\(id)", as: admin).status, .notFound, id)
            }
            let badQuery = try await t.send(.GET, "/api/v1/users?tenant_id=robert'); DROP TABLE users;--", as: admin)
            XCTAssertEqual(badQuery.status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/users?q=%25'%22%5C", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await User.query(on: t.db).count(), 14)
        }
    }

    /// Every list API reads `limit` and `offset` the same way: a number out of range or not a number is a bilingual 422
    /// naming the parameter (before, the jobs, users, audit, pool and notification lists clamped it silently and read
    /// `limit=abc` as absent, while the opinion, leads and search lists answered 422); in range is served.
    func testListPagingParametersAreCheckedAlikeEverywhere() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let lists: [(path: String, largest: Int)] = [
                ("/api/v1/notifications", 200), ("/api/v1/jobs", 200), ("/api/v1/users", 500), ("/api/v1/pool", 500),
                ("/api/v1/opinion/events", 200), ("/api/v1/opinion/posts", 200), ("/api/v1/opinion/alerts", 200),
                ("/api/v1/opinion/imports", 200), ("/api/v1/leads", 200),
            ]
            for list in lists {
                for bad in ["limit=0", "limit=\(list.largest + 1)", "limit=abc", "limit=-5", "offset=-1", "offset=x", "offset=100000000"] {
                    let res = try await t.send(.GET, "\(list.path)?\(bad)", as: admin)
                    XCTAssertEqual(res.status, .unprocessableEntity, "\(list.path)?\(bad)")
                    let code = try res.error().code
                    XCTAssertEqual(code, "invalid_" + String(bad.prefix { $0 != "=" }), "\(list.path)?\(bad)")
                }
                try await XCTAssertEqualAsync(try await t.send(.GET, "\(list.path)?limit=\(list.largest)&offset=0", as: admin).status, .ok, list.path)
                try await XCTAssertEqualAsync(try await t.send(.GET, "\(list.path)?limit=&offset=", as: admin).status, .ok, "blank is absent: \(list.path)")
            }
            for bad in ["limit=0", "limit=501", "limit=x", "before_id=0", "before_id=x"] {
                let res = try await t.send(.GET, "/api/v1/audit?\(bad)", as: admin)
                XCTAssertEqual(res.status, .unprocessableEntity, "/api/v1/audit?\(bad)")
                _ = try res.error()
            }
        }
    }

    func testBrowsersGetABilingualHTMLErrorPage() async throws {
        try await withTestApp { t in
            let res = try await t.send(.GET, "/no-such-page", headers: ["Accept": "text/html"])
            XCTAssertEqual(res.status, .notFound)
            XCTAssertEqual(res.headers.contentType, .html)
            XCTAssertTrue(res.text.contains("页面或对象不存在") && res.text.contains("Not found"))
        }
    }

    func testHostileTextIsStoredAsTextAndEscapedInPages() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            let liuyang = try await t.tenant("liuyang").requireID()
            struct NewUser: Encodable { var username: String; var displayName: String; var tenantId: UUID; var roles: [String]; var password: String }
            let name = #"<script>alert(1)</script>"onmouseover="x"#
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/users", json: NewUser(username: "xss-test", displayName: name, tenantId: liuyang, roles: ["reporter"], password: "Xss-Passw0rd!"), as: admin).status, .created)
            try await XCTAssertEqualAsync(try await t.user("xss-test").displayName, name, "stored as typed")
            let session = try await t.session(for: "admin")
            let page = try await t.send(.GET, "/admin/users", headers: ["Accept": "text/html"], as: session)
            XCTAssertEqual(page.status, .ok)
            XCTAssertFalse(page.text.contains("<script>alert(1)</script>"))
            XCTAssertTrue(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }
}
