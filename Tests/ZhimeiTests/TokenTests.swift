import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// API tokens: shown once, stored hashed, scoped, revocable, expiring.
final class TokenTests: XCTestCase {
    struct NewToken: Encodable { var name: String; var scopes: [String]; var expiresInDays: Int? }
    struct TokenOut: Decodable { var id: UUID; var token: String?; var scopes: [String]; var revokedAt: Date? }

    func testTokenIsShownOnceStoredHashedAndWorksAsBearer() async throws {
        try await withTestApp { t in
            let session = try await t.session(for: "liuyang-admin")
            let created = try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "发稿脚本", scopes: ["read"], expiresInDays: 30), as: session)
            XCTAssertEqual(created.status, .created)
            let token = try created.json(TokenOut.self)
            let secret = try XCTUnwrap(token.token)
            XCTAssertTrue(secret.hasPrefix("zm_"))
            let stored = try await APIToken.find(token.id, on: t.db)
            XCTAssertEqual(stored?.tokenHash, Secrets.sha256(secret))
            XCTAssertFalse(stored?.tokenHash.contains(secret) ?? true)
            let list = try await t.send(.GET, "/api/v1/tokens", as: session).json([TokenOut].self)
            XCTAssertEqual(list.count, 1)
            XCTAssertNil(list[0].token, "the secret is never listed")
            let me = try await t.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(secret)"])
            XCTAssertEqual(me.status, .ok)
        }
    }

    func testReadScopedTokenCannotWriteEvenForAnAdmin() async throws {
        try await withTestApp { t in
            let reader = try await t.token(for: "admin", scopes: [.read])
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/tenants", as: reader).status, .ok)
            struct Tenant: Encodable { var name: String; var slug: String }
            let denied = try await t.send(.POST, "/api/v1/tenants", json: Tenant(name: "醴陵", slug: "liling"), as: reader)
            XCTAssertEqual(denied.status, .forbidden)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/users", as: reader).status, .forbidden, "managing people needs the admin scope")
        }
    }

    func testRevokedAndExpiredTokensAreRejectedAndAudited() async throws {
        try await withTestApp { t in
            let session = try await t.session(for: "ningxiang-editor")
            let token = try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "x", scopes: ["read", "write"], expiresInDays: nil), as: session).json(TokenOut.self)
            let secret = try XCTUnwrap(token.token)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/tokens/\(token.id)", as: session).status, .ok)
            let revoked = try await t.send(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(secret)"])
            XCTAssertEqual(revoked.status, .unauthorized)
            XCTAssertEqual(try revoked.error().code, "token_invalid")
            let rejected = try await AuditEntry.query(on: t.db).filter(\.$action == "auth.token_rejected").count()
            XCTAssertEqual(rejected, 1)
            try await XCTAssertEqualAsync(try await AuditEntry.query(on: t.db).filter(\.$action == "token.revoke").count(), 1)

            let expiring = try await t.token(for: "ningxiang-editor")
            try await APIToken.query(on: t.db).filter(\.$revokedAt == nil).set(\.$expiresAt, to: Date().addingTimeInterval(-1)).update()
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/me", as: expiring).status, .unauthorized)
        }
    }

    func testSomeoneElsesTokenCannotBeRevoked() async throws {
        try await withTestApp { t in
            let a = try await t.session(for: "liuyang-editor")
            let b = try await t.session(for: "liuyang-reporter")
            let token = try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "mine", scopes: ["read"], expiresInDays: nil), as: a).json(TokenOut.self)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/tokens/\(token.id)", as: b).status, .notFound)
            try await XCTAssertNilAsync(try await APIToken.find(token.id, on: t.db)?.revokedAt)
        }
    }

    func testInvalidTokenInputsAreRejectedClearly() async throws {
        try await withTestApp { t in
            let a = try await t.session(for: "liuyang-editor")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "x", scopes: [], expiresInDays: nil), as: a).status, .unprocessableEntity)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "x", scopes: ["root"], expiresInDays: nil), as: a).status, .badRequest)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/tokens", json: NewToken(name: "x", scopes: ["read"], expiresInDays: 0), as: a).status, .unprocessableEntity)
        }
    }
}
