import Fluent
import Foundation
import Vapor
import XCTest
import XCTVapor
@testable import Zhimei

/// 检索设置: a tenant admin sees and edits their tenant's synonym groups (one a line); platform admins also get the
/// index check, repair and rebuild; people who do not manage settings are refused.
final class SearchSettingsPageTests: XCTestCase {
    override func setUp() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing: run scripts/text/setup-data.sh") }
    }

    func testSynonymsAreShownOneGroupALineAndUpkeepIsForPlatformAdmins() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let tenant = try await t.user("liuyang-admin").$homeTenant.id
            let put = try await t.send(.PUT, "/api/v1/search/synonyms", raw: #"{"groups":[["烟花","花炮"],["融媒体中心","融媒中心"]],"tenant_id":"\#(tenant)"}"#, as: admin)
            XCTAssertEqual(put.status, .ok, put.text)
            let html: HTTPHeaders = ["Accept": "text/html"]
            let page = try await t.send(.GET, "/search/settings?check=1", headers: html, as: try await t.session(for: "liuyang-admin"))
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("烟花 花炮\n融媒中心 融媒体中心</textarea>"), page.text)
            XCTAssertTrue(page.text.contains(#"name="tenant_id" value="\#(tenant.uuidString)""#))
            XCTAssertTrue(page.text.contains("2 / 500"))
            XCTAssertTrue(page.text.contains(#"href="/search/settings""#), "the sidebar offers the page")
            XCTAssertFalse(page.text.contains("search-upkeep"), "index upkeep is for platform admins")
            XCTAssertFalse(page.text.contains("search-check"), "a tenant admin's ?check=1 runs nothing")

            // Another centre's admin sees their own (empty) groups.
            let other = try await t.send(.GET, "/search/settings", headers: html, as: try await t.session(for: "ningxiang-admin"))
            XCTAssertTrue(other.text.contains("0 / 500") && other.text.contains("\"></textarea>"), "another tenant's groups are not shown")

            let platform = try await t.send(.GET, "/search/settings?check=1", headers: html, as: try await t.session(for: "admin"))
            XCTAssertTrue(platform.text.contains("id=\"search-upkeep\"") && platform.text.contains("id=\"search-check\""), platform.text)
            let report = try await SearchService.check(app: t.app, tenant: nil, repair: false, on: t.db)
            XCTAssertTrue(platform.text.contains("<td class=\"num\">\(report.indexed)</td><td class=\"num\">\(report.content)</td>"), "the check's figures")

            let reporter = try await t.send(.GET, "/search/settings", headers: html, as: try await t.session(for: "liuyang-reporter"))
            XCTAssertEqual(reporter.status, .forbidden)
        }
    }
}
