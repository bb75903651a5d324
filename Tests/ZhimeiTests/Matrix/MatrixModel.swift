import Foundation
import Vapor
@testable import Zhimei

/// One row of the authorization matrix: who may use a route on their own tenant's objects.
struct MatrixRow: Sendable {
    /// Role keys: P platform admin, A tenant admin, C chief editor, E editor, R reporter, V reviewer, N analyst, S service agent;
    /// "*" means anyone, even signed out.
    let allowed: String
    /// True when the route names a tenant's object (in its path or payload), so the other-tenant column applies.
    let tenantBound: Bool
    /// Personal objects (API tokens) belong to one person: nobody else, not even a platform admin, reaches them.
    let personal: Bool
    /// A JSON body for the request, given the fixtures and whether to aim at the other tenant.
    let body: (@Sendable (MatrixFixtures, Bool) -> String)?

    init(_ allowed: String, tenantBound: Bool = false, personal: Bool = false, body: (@Sendable (MatrixFixtures, Bool) -> String)? = nil) {
        self.allowed = allowed
        self.tenantBound = tenantBound
        self.personal = personal
        self.body = body
    }
}

/// Objects the matrix points routes at: for each path parameter, an object of the own tenant (浏阳)
/// and one of the other tenant (宁乡).
struct MatrixFixtures: Sendable {
    var ids: [String: (own: String, other: String)]
    /// A second API token per actor, so revoking it does not lose the one in use.
    var ownTokens: [String: UUID] = [:]

    func id(_ parameter: String, _ other: Bool) -> String {
        guard let pair = ids[parameter] else { return UUID().uuidString }
        return other ? pair.other : pair.own
    }
}

/// A module's part of the matrix: its rows and the fixtures its path parameters need.
struct MatrixModule: Sendable {
    let rows: [String: MatrixRow]
    let fixtures: @Sendable (TestApp) async throws -> [String: (own: String, other: String)]

    init(rows: [String: MatrixRow], fixtures: @escaping @Sendable (TestApp) async throws -> [String: (own: String, other: String)] = { _ in [:] }) {
        self.rows = rows
        self.fixtures = fixtures
    }

    /// Every module's rows. A new module adds itself here.
    static let all: [MatrixModule] = [.platform, .text, .leads, .planning, .stories, .review, .publishing, .search, .opinion]

    static let everyone = "PACERVNS"
}
