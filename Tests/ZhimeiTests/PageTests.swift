import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The web UI: Chinese first, English on request, every chain stage in the navigation, demo data.
final class PageTests: XCTestCase {
    func testWorkbenchNavigationCoversTheChainInChineseAndEnglish() async throws {
        try await withTestApp { t in
            let admin = try await t.session(for: "admin")
            let zh = try await t.send(.GET, "/", headers: ["Accept": "text/html"], as: admin)
            XCTAssertEqual(zh.status, .ok)
            for text in ["线索", "选题策划", "媒资库", "稿件", "三审三校", "多渠道发布", "舆情监测", "人员与权限", "审计日志", "lang=\"zh-CN\"", "欢迎回来，"] {
                XCTAssertTrue(zh.text.contains(text), "missing \(text)")
            }
            XCTAssertTrue(zh.text.contains(#"<meta name="csrf-token" content="csrf-"#), "pages carry the CSRF token")
            let en = try await t.send(.GET, "/", headers: ["Accept": "text/html", "Cookie": "zm_lang=en; zm_session=\(admin.cookie!)"])
            for text in ["Leads", "Topic planning", "Review queue", "Publishing", "Opinion monitoring", "Audit log", "lang=\"en\"", "Welcome back, "] {
                XCTAssertTrue(en.text.contains(text), "missing \(text)")
            }
        }
    }

    /// Every link in a person's sidebar opens (a reviewer was offered 传播分析 and got a 403); modules they may not
    /// open are not offered at all.
    func testSidebarOffersOnlyPagesThePersonMayOpen() async throws {
        try await withTestApp { t in
            try await ReviewFixture.reviewer(t)
            var offered: [String: Set<String>] = [:]
            for username in ["admin", "liuyang-admin", "liuyang-chief", "liuyang-editor", "liuyang-reporter", "liuyang-reviewer"] {
                let actor = try await t.session(for: username)
                let home = try await t.send(.GET, "/", headers: ["Accept": "text/html"], as: actor)
                XCTAssertEqual(home.status, .ok, username)
                guard let nav = home.text.range(of: "<nav>"), let navEnd = home.text.range(of: "</nav>", range: nav.upperBound..<home.text.endIndex) else {
                    XCTFail("\(username): no sidebar"); continue
                }
                let links = home.text[nav.upperBound..<navEnd.lowerBound].components(separatedBy: "href=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                offered[username] = Set(links)
                for link in links {
                    let page = try await t.send(.GET, link, headers: ["Accept": "text/html"], as: actor)
                    XCTAssertEqual(page.status, .ok, "\(username) is offered \(link)")
                }
            }
            XCTAssertFalse(offered["liuyang-reviewer"]?.contains("/analytics") ?? true, "a reviewer does not read analytics")
            XCTAssertTrue(offered["liuyang-reviewer"]?.contains("/review") ?? false)
            XCTAssertTrue(offered["liuyang-reporter"]?.contains("/review") ?? false, "a reporter follows their submissions")
            XCTAssertFalse(offered["liuyang-reporter"]?.contains("/admin/tenants") ?? true, "tenant set-up is for administrators")
            XCTAssertTrue(offered["liuyang-admin"]?.contains("/admin/tenants") ?? false)
            XCTAssertTrue(offered["admin"]?.isSuperset(of: ["/leads", "/planning", "/stories", "/review", "/publishing", "/opinion", "/admin/audit"]) ?? false)
        }
    }

    func testUnbuiltModulesSaySoPlainly() async throws {
        try await withTestApp { t in
            let chief = try await t.session(for: "liuyang-chief")
            let unbuilt = ModuleCatalog.modules.filter { !$0.built && $0.permission != .servicesHandle }.map { "/" + $0.path }
            XCTAssertTrue(unbuilt.contains("/assets") && unbuilt.contains("/analytics"), "\(unbuilt)")
            XCTAssertFalse(unbuilt.contains("/publishing") || unbuilt.contains("/opinion") || unbuilt.contains("/search"))
            for path in unbuilt {
                let res = try await t.send(.GET, path, headers: ["Accept": "text/html"], as: chief)
                XCTAssertEqual(res.status, .ok, path)
                XCTAssertTrue(res.text.contains("该模块尚未上线"), path)
            }
        }
    }

    func testAdminPagesRenderWithData() async throws {
        try await withTestApp { t in
            let admin = try await t.session(for: "admin")
            let users = try await t.send(.GET, "/admin/users?tenant_id=\(try await t.tenant("shaoshan").requireID())", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(users.text.contains("shaoshan-chief"))
            XCTAssertFalse(users.text.contains("liuyang-chief"), "the tenant filter applies")
            let tenants = try await t.send(.GET, "/admin/tenants", headers: ["Accept": "text/html"], as: admin)
            for name in ["湖南融媒体云", "浏阳市融媒体中心", "宁乡市融媒体中心", "韶山市融媒体中心"] { XCTAssertTrue(tenants.text.contains(name)) }
            let audit = try await t.send(.GET, "/admin/audit?action=demo", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(audit.text.contains("demo.seed"))
            XCTAssertTrue(audit.text.contains("演示数据 · 生成"), "the action in words beside its code")
            XCTAssertFalse(audit.text.contains("{&quot;note&quot;"), "the change summary is shown as lines, not JSON")
            for path in ["/admin/jobs", "/account", "/account/tokens", "/account/password", "/docs/api"] {
                try await XCTAssertEqualAsync(try await t.send(.GET, path, headers: ["Accept": "text/html"], as: admin).status, .ok, path)
            }
        }
    }

    /// /admin/users reaches everyone who matches, 100 a page with the filters kept; the API pages by offset. Before,
    /// the first 500 by username were all there was.
    func testAdminUsersPageThroughEveryone() async throws {
        try await withTestApp { t in
            let shaoshan = try await t.tenant("shaoshan").requireID()
            let hash = try await User.query(on: t.db).first()?.passwordHash ?? ""
            try await t.db.transaction { tx in
                for i in 0..<230 {
                    let u = User()
                    u.username = String(format: "bulk-%03d", i); u.displayName = "批量用户\(i)号"; u.passwordHash = hash; u.status = i % 2 == 0 ? .active : .disabled
                    u.$homeTenant.id = shaoshan; u.language = "zh"; u.failedLogins = 0; u.mustChangePassword = false
                    try await u.create(on: tx)
                }
            }
            let admin = try await t.session(for: "admin")
            let first = try await t.send(.GET, "/admin/users?q=bulk", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(first.text.contains(">bulk-000<") && first.text.contains(">bulk-099<") && !first.text.contains(">bulk-100<"), "page 1: the first 100")
            XCTAssertTrue(first.text.contains("page=3&amp;q=bulk") || first.text.contains("page=3&q=bulk"), "the last page, the search kept")
            let last = try await t.send(.GET, "/admin/users?q=bulk&page=3", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(last.text.contains(">bulk-200<") && last.text.contains(">bulk-229<") && !last.text.contains(">bulk-199<"))
            let disabled = try await t.send(.GET, "/admin/users?q=bulk&status=disabled&page=2", headers: ["Accept": "text/html"], as: admin)
            XCTAssertTrue(disabled.text.contains(">bulk-201<") && !disabled.text.contains(">bulk-200<") && !disabled.text.contains(">bulk-199<"),
                          "disabled only: 115 of them, the second page from bulk-201")
            let token = try await t.token(for: "admin")
            struct U: Decodable { var username: String }
            var names: [String] = []
            for offset in [0, 100, 200] {
                names += try await t.send(.GET, "/api/v1/users?q=bulk&limit=100&offset=\(offset)", as: token).json([U].self).map(\.username)
            }
            XCTAssertEqual(Set(names).count, 230)
            XCTAssertEqual(names, names.sorted())
        }
    }

    func testLanguageSwitchSetsCookieAndOnlyRedirectsLocally() async throws {
        try await withTestApp { t in
            let res = try await t.send(.GET, "/lang/en?back=/admin/users", headers: ["Accept": "text/html"])
            XCTAssertEqual(res.headers.first(name: .location), "/admin/users")
            XCTAssertEqual(res.headers.setCookie?["zm_lang"]?.string, "en")
            let evil = try await t.send(.GET, "/lang/en?back=https://evil.example", headers: ["Accept": "text/html"])
            XCTAssertEqual(evil.headers.first(name: .location), "/")
        }
    }

    func testMustChangePasswordRedirectsPagesToThePasswordForm() async throws {
        try await withTestApp { t in
            try await AccountAdministration.resetPassword(username: "liuyang-editor", password: "Temp-Passw0rd!", mustChange: true, on: t.app)
            let editor = try await t.session(for: "liuyang-editor")
            let res = try await t.send(.GET, "/", headers: ["Accept": "text/html"], as: editor)
            XCTAssertEqual(res.headers.first(name: .location), "/account/password")
        }
    }

    func testDemoSeedIsIdempotent() async throws {
        try await withTestApp { t in
            try await XCTAssertEqualAsync(try await Tenant.query(on: t.db).count(), 4)
            try await XCTAssertEqualAsync(try await User.query(on: t.db).count(), 14)
            try await XCTAssertEqualAsync(try await DemoData.seed(on: t.db) { try Bcrypt.hash($0, cost: 4) }, 0)
            try await XCTAssertEqualAsync(try await User.query(on: t.db).count(), 14)
            let chief = try await t.user("ningxiang-chief")
            let roles = try await Membership.query(on: t.db).filter(\.$user.$id == chief.requireID()).all().map(\.role)
            XCTAssertEqual(roles, [.chiefEditor])
        }
    }
}
