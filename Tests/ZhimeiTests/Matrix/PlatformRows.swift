import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Platform routes: system, account, administration, audit, jobs, workbench and placeholder pages.
    static let platform = MatrixModule(rows: [
        "GET /healthz": MatrixRow("*"), "GET /readyz": MatrixRow("*"), "GET /metrics": MatrixRow("*"), "GET /openapi.json": MatrixRow("*"),
        "GET /docs/api": MatrixRow("*"), "GET /login": MatrixRow("*"), "POST /login": MatrixRow("*"), "GET /lang/:code": MatrixRow("*"),
        "GET /invite/:secret": MatrixRow("*"), "POST /invite/:secret": MatrixRow("*"),
        "POST /api/v1/session": MatrixRow("*", body: { _, _ in #"{"username":"nobody-x","password":"Wrong-passw0rd"}"# }),
        "DELETE /api/v1/session": MatrixRow(everyone), "GET /api/v1/me": MatrixRow(everyone),
        "PUT /api/v1/me/tenant": MatrixRow(everyone, tenantBound: true, body: { f, other in #"{"tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "POST /api/v1/me/password": MatrixRow(everyone, body: { _, _ in #"{"current_password":"wrong-Passw0rd","new_password":"Another-Passw0rd1"}"# }),
        "GET /api/v1/tokens": MatrixRow(everyone),
        "POST /api/v1/tokens": MatrixRow(everyone, body: { _, _ in #"{"name":"matrix","scopes":["read"]}"# }),
        "DELETE /api/v1/tokens/:tokenID": MatrixRow(everyone, tenantBound: true, personal: true),
        "GET /api/v1/tenants": MatrixRow(everyone),
        "POST /api/v1/tenants": MatrixRow("P", body: { _, _ in #"{"name":"矩阵测试中心","slug":"m-\#(UUID().uuidString.prefix(8).lowercased())"}"# }),
        "GET /api/v1/tenants/:tenantID": MatrixRow(everyone, tenantBound: true),
        "PATCH /api/v1/tenants/:tenantID": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"region":"湖南省"}"# }),
        "GET /api/v1/users": MatrixRow("PA"),
        "POST /api/v1/users": MatrixRow("PA", tenantBound: true, body: { f, other in
            #"{"username":"m\#(UUID().uuidString.prefix(10).lowercased())","display_name":"矩阵","tenant_id":"\#(f.id("tenantID", other))","roles":["reporter"]}"# }),
        "GET /api/v1/users/:userID": MatrixRow("PA", tenantBound: true),
        "PATCH /api/v1/users/:userID": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"display_name":"目标人员"}"# }),
        "PUT /api/v1/users/:userID/roles": MatrixRow("PA", tenantBound: true, body: { f, other in #"{"tenant_id":"\#(f.id("tenantID", other))","roles":["reporter"]}"# }),
        "POST /api/v1/users/:userID/disable": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/users/:userID/enable": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/users/:userID/reset-password": MatrixRow("PA", tenantBound: true),
        "GET /api/v1/audit": MatrixRow("PA"),
        "POST /api/v1/audit/verify": MatrixRow("P"),
        "GET /api/v1/jobs": MatrixRow("PA"),
        "GET /api/v1/jobs/:jobID": MatrixRow("PA", tenantBound: true),
        "GET /api/v1/jobs/:jobID/events": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/jobs/:jobID/retry": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/jobs/:jobID/discard": MatrixRow("PA", tenantBound: true),
        "GET /": MatrixRow(everyone),
        // Placeholder pages of modules not built yet; a module that ships replaces its row in its own file.
        "GET /leads": MatrixRow("PACERNS"), "GET /planning": MatrixRow("PCER"), "GET /assets": MatrixRow("PCER"), "GET /stories": MatrixRow("PACERVN"),
        "GET /search": MatrixRow("PACERVN"), "GET /review": MatrixRow("PCEV"), "GET /publishing": MatrixRow("PC"), "GET /opinion": MatrixRow("PCEN"),
        "GET /analytics": MatrixRow("PACEN"), "GET /services": MatrixRow("PS"), "GET /broadcast": MatrixRow("PCER"), "GET /live": MatrixRow("PCER"),
        "GET /knowledge": MatrixRow("PACERVN"),
        "GET /admin/tenants": MatrixRow(everyone), "GET /admin/tenants/:tenantID": MatrixRow(everyone, tenantBound: true),
        "GET /admin/users": MatrixRow("PA"), "GET /admin/users/:userID": MatrixRow("PA", tenantBound: true),
        "GET /admin/audit": MatrixRow("PA"), "GET /admin/jobs": MatrixRow("PA"),
        "GET /account": MatrixRow(everyone), "GET /account/password": MatrixRow(everyone), "GET /account/tokens": MatrixRow(everyone),
        "POST /logout": MatrixRow(everyone),
    ], fixtures: { t in
        let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
        let own = try await AccountAdministration.createUser(username: "liuyang-target", displayName: "目标", tenantSlug: "liuyang", roles: [.reporter], password: "Matrix-Passw0rd!", on: t.app)
        let other = try await AccountAdministration.createUser(username: "ningxiang-target", displayName: "目标", tenantSlug: "ningxiang", roles: [.reporter], password: "Matrix-Passw0rd!", on: t.app)
        func finishedJob(_ tenant: UUID) async throws -> String {
            let job = try await JobQueue.enqueue(kind: "platform.cleanup_sessions", tenantID: tenant, on: t.db)
            job.state = .succeeded   // a finished job, so its event stream ends at once
            try await job.save(on: t.db)
            return try job.requireID().uuidString
        }
        let otherToken = try await t.token(for: "ningxiang-editor").tokenID!.uuidString
        return [
            "tenantID": (liuyang.uuidString, ningxiang.uuidString),
            "userID": (own.uuidString, other.uuidString),
            "jobID": (try await finishedJob(liuyang), try await finishedJob(ningxiang)),
            "tokenID": ("per-actor", otherToken),
            "code": ("en", "en"),
            "secret": ("not-a-real-invite", "not-a-real-invite"),
        ]
    })

    /// The text engine's API: any signed-in person.
    static let text = MatrixModule(rows: [
        "POST /api/v1/text/segment": MatrixRow(everyone, body: { _, _ in #"{"text":"浏阳市融媒体中心"}"# }),
        "POST /api/v1/text/convert": MatrixRow(everyone, body: { _, _ in #"{"text":"新闻","config":"s2t"}"# }),
        "POST /api/v1/text/keywords": MatrixRow(everyone, body: { _, _ in #"{"text":"花炮产业"}"# }),
        "POST /api/v1/text/summarize": MatrixRow(everyone, body: { _, _ in #"{"text":"花炮产业。出口增长。"}"# }),
        "POST /api/v1/text/simhash": MatrixRow(everyone, body: { _, _ in #"{"text":"花炮产业"}"# }),
    ])
}
