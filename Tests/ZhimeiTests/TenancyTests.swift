import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// Tenant isolation and administration: a county centre only ever sees and changes its own.
final class TenancyTests: XCTestCase {
    struct UserOut: Decodable { var id: UUID; var username: String; var homeTenantId: UUID; var status: String; var inviteUrl: String?; var roles: [Role] ; struct Role: Decodable { var tenantId: UUID; var role: String } }
    struct TenantOut: Decodable { var id: UUID; var slug: String; var name: String }
    struct NewUser: Encodable { var username: String; var displayName: String; var email: String?; var tenantId: UUID; var roles: [String]; var password: String? }

    func testTenantAdminSeesOnlyOwnPeopleAndTenant() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let users = try await t.send(.GET, "/api/v1/users", as: admin).json([UserOut].self)
            let liuyang = try await t.tenant("liuyang").requireID()
            XCTAssertEqual(users.count, 4)
            XCTAssertTrue(users.allSatisfy { $0.homeTenantId == liuyang })
            let tenants = try await t.send(.GET, "/api/v1/tenants", as: admin).json([TenantOut].self)
            XCTAssertEqual(tenants.map(\.slug), ["liuyang"])
            // Another centre's person and tenant look like they do not exist.
            let other = try await t.user("ningxiang-reporter").requireID()
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/users/\(other)", as: admin).status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/users/\(other)/disable", as: admin).status, .notFound)
            let ningxiang = try await t.tenant("ningxiang").requireID()
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/tenants/\(ningxiang)", as: admin).status, .notFound)
            struct Patch: Encodable { var name: String }
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/tenants/\(ningxiang)", json: Patch(name: "hacked"), as: admin).status, .notFound)
            try await XCTAssertEqualAsync(try await t.tenant("ningxiang").name, "宁乡市融媒体中心")
        }
    }

    func testOtherTenantIDsInPayloadsAreRefused() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let ningxiang = try await t.tenant("ningxiang").requireID()
            let res = try await t.send(.POST, "/api/v1/users", json: NewUser(username: "spy", displayName: "间谍", email: nil, tenantId: ningxiang, roles: ["reporter"], password: "Spy-Passw0rd!"), as: admin)
            XCTAssertEqual(res.status, .forbidden)
            XCTAssertEqual(try res.error().code, "tenant_forbidden")
            let own = try await t.user("liuyang-reporter").requireID()
            struct Roles: Encodable { var tenantId: UUID; var roles: [String] }
            let grant = try await t.send(.PUT, "/api/v1/users/\(own)/roles", json: Roles(tenantId: ningxiang, roles: ["editor"]), as: admin)
            XCTAssertEqual(grant.status, .forbidden)
            try await XCTAssertEqualAsync(try await Membership.query(on: t.db).filter(\.$tenant.$id == ningxiang).filter(\.$user.$id == own).count(), 0)
        }
    }

    func testTenantAdminCannotGrantPlatformAdmin() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let liuyang = try await t.tenant("liuyang").requireID()
            let res = try await t.send(.POST, "/api/v1/users", json: NewUser(username: "climber", displayName: "越权者", email: nil, tenantId: liuyang, roles: ["platform_admin"], password: "Climb-Passw0rd!"), as: admin)
            XCTAssertEqual(res.status, .forbidden)
            try await XCTAssertNilAsync(try await User.query(on: t.db).filter(\.$username == "climber").first())
        }
    }

    func testPlatformAdminCreatesTenantInvitesUserAndTheInviteSetsAPassword() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "admin")
            struct NewTenant: Encodable { var name: String; var slug: String; var region: String }
            let tenant = try await t.send(.POST, "/api/v1/tenants", json: NewTenant(name: "醴陵市融媒体中心", slug: "liling", region: "湖南省株洲市"), as: admin)
            XCTAssertEqual(tenant.status, .created)
            let tenantID = try tenant.json(TenantOut.self).id
            let dup = try await t.send(.POST, "/api/v1/tenants", json: NewTenant(name: "重复", slug: "liling", region: ""), as: admin)
            XCTAssertEqual(dup.status, .conflict)

            let invited = try await t.send(.POST, "/api/v1/users", json: NewUser(username: "liling-admin", displayName: "醴陵管理员", email: "a@liling.cn", tenantId: tenantID, roles: ["tenant_admin"], password: nil), as: admin)
            XCTAssertEqual(invited.status, .created)
            let user = try invited.json(UserOut.self)
            XCTAssertEqual(user.status, "invited")
            let link = try XCTUnwrap(user.inviteUrl)
            let secret = String(link.split(separator: "/").last ?? "")
            // The invitation page works, and setting a password activates the account.
            try await XCTAssertEqualAsync(try await t.send(.GET, "/invite/\(secret)", headers: ["Accept": "text/html"]).status, .ok)
            let accept = try await t.send(.POST, "/invite/\(secret)", headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "zm_csrf=k", "Accept": "text/html"],
                                          raw: "_csrf=k&password=Xiang-Jiang-2026&confirm=Xiang-Jiang-2026")
            XCTAssertEqual(accept.status, .seeOther)
            try await XCTAssertEqualAsync(try await t.user("liling-admin").status, .active)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/invite/\(secret)", headers: ["Accept": "text/html"]).status, .notFound, "links work once")
            let login = try await t.send(.POST, "/api/v1/session", json: AuthTests.Login(username: "liling-admin", password: "Xiang-Jiang-2026"))
            XCTAssertEqual(login.status, .ok)
            let actions = try await AuditEntry.query(on: t.db).sort(\.$id).all().map(\.action)
            XCTAssertTrue(actions.contains("tenant.create") && actions.contains("user.invite") && actions.contains("user.password_set"))
        }
    }

    func testTenantAdminChangesOwnSettingsAndItIsAudited() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "shaoshan-admin")
            let shaoshan = try await t.tenant("shaoshan").requireID()
            struct Patch: Encodable { var settings: TenantSettings }
            let settings = TenantSettings(displayName: "韶山融媒", defaultLanguage: "zh", reviewStages: ["初审", "终审"], contactEmail: "news@shaoshan.cn")
            let res = try await t.send(.PATCH, "/api/v1/tenants/\(shaoshan)", json: Patch(settings: settings), as: admin)
            XCTAssertEqual(res.status, .ok)
            try await XCTAssertEqualAsync(try await t.tenant("shaoshan").settings.reviewStages, ["初审", "终审"])
            let entry = try await AuditEntry.query(on: t.db).filter(\.$action == "tenant.update").first()
            XCTAssertTrue(entry?.summary.contains("初审→复审→终审") ?? false, "before value recorded")
            XCTAssertTrue(entry?.summary.contains("初审→终审") ?? false, "after value recorded")
            struct Disable: Encodable { var disabled: Bool }
            try await XCTAssertEqualAsync(try await t.send(.PATCH, "/api/v1/tenants/\(shaoshan)", json: Disable(disabled: true), as: admin).status, .forbidden, "only the platform disables tenants")
            let bad = try await t.send(.PATCH, "/api/v1/tenants/\(shaoshan)", raw: #"{"settings":{"default_language":"fr","review_stages":[]}}"#, as: admin)
            XCTAssertEqual(bad.status, .unprocessableEntity)
        }
    }

    func testDisablingAUserEndsSessionsAndBlocksTokensAndSignIn() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let victimSession = try await t.session(for: "liuyang-reporter")
            let victimToken = try await t.token(for: "liuyang-reporter")
            let id = try await t.user("liuyang-reporter").requireID()
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/users/\(id)/disable", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: victimSession).status, .unauthorized)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: victimToken).status, .unauthorized)
            let login = try await t.send(.POST, "/api/v1/session", json: AuthTests.Login(username: "liuyang-reporter", password: DemoData.password))
            XCTAssertEqual(login.status, .forbidden)
            XCTAssertEqual(try login.error().code, "account_disabled")
            let selfID = try await t.user("liuyang-admin").requireID()
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/users/\(selfID)/disable", as: admin).status, .conflict)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/users/\(id)/enable", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/session", json: AuthTests.Login(username: "liuyang-reporter", password: DemoData.password)).status, .ok)
        }
    }

    func testScopedQueriesFilterInTheDataLayer() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let scoped = try await TenantScope.only([liuyang]).query(User.self, on: t.db).all()
            XCTAssertEqual(Set(scoped.map { $0.$homeTenant.id }), [liuyang])
            let other = try await t.user("shaoshan-editor")
            do {
                _ = try await TenantScope.only([liuyang]).find(User.self, other.id, on: t.db)
                XCTFail("found another tenant's user")
            } catch let error as AppError {
                XCTAssertEqual(error.status, .notFound)
            }
            try await XCTAssertEqualAsync(try await TenantScope.all.query(User.self, on: t.db).count(), try await User.query(on: t.db).count())
        }
    }
}
