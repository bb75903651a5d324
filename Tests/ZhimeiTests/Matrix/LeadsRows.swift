import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Leads routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    static let leads = MatrixModule(rows: [
        "GET /api/v1/leads": MatrixRow("PACERNS"),
        "POST /api/v1/leads": MatrixRow("PCER", tenantBound: true, body: { f, other in #"{"text":"矩阵粘贴的线索正文。","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "GET /api/v1/leads/assignees": MatrixRow("PCER"),
        "GET /api/v1/leads/:leadID": MatrixRow("PACERNS", tenantBound: true),
        "POST /api/v1/leads/:leadID/claim": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/leads/:leadID/assign": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"assignee_id":null}"# }),
        "POST /api/v1/leads/:leadID/status": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"status":"new"}"# }),
        "GET /api/v1/leads/sources": MatrixRow("PACERNS"),
        "POST /api/v1/leads/sources": MatrixRow("PCER", tenantBound: true, body: { f, other in #"{"name":"矩阵来源","kind":"webhook","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "PATCH /api/v1/leads/sources/:sourceID": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"name":"矩阵来源"}"# }),
        "POST /api/v1/leads/sources/:sourceID/poll": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/leads/sources/:sourceID/rotate-secret": MatrixRow("PCER", tenantBound: true),
        // Anonymous in the access sense: authenticated by the source's secret (403 without it).
        "POST /api/v1/leads/webhook/:sourceID": MatrixRow("*", body: { _, _ in #"{"title":"矩阵"}"# }),
        "GET /leads": MatrixRow("PACERNS"),
        "GET /leads/sources": MatrixRow("PACERNS"),
        "GET /leads/:leadID": MatrixRow("PACERNS", tenantBound: true),
        "GET /leads/:leadID/photos/:index": MatrixRow("PACERNS", tenantBound: true),
        "GET /tips/:tenantSlug": MatrixRow("*"),
        "POST /tips/:tenantSlug": MatrixRow("*"),
    ], fixtures: { t in
        let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
        func lead(_ tenant: UUID) async throws -> String {
            let key = "leads/\(tenant.uuidString.lowercased())/tips/fixture.png"
            try await t.app.zhimei.blobs.put(key, data: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]), contentType: "image/png")
            let item = IncomingLead(title: "矩阵线索", text: "浏阳市融媒体中心矩阵测试线索正文。", isHTML: false, link: nil, publishedAt: nil, guid: UUID().uuidString,
                                    origin: .tip, sourceID: nil, sourceName: "矩阵", attachments: [key])
            return try await LeadIngest.ingest([item], tenantID: tenant, engine: nil, on: t.db)[0].requireID().uuidString
        }
        func source(_ tenant: UUID) async throws -> String {
            let s = LeadSource()
            s.tenantID = tenant; s.name = "矩阵订阅"; s.kind = .feed; s.url = "http://127.0.0.1:9/feed.xml"; s.enabled = true
            s.intervalSeconds = 900; s.webhookSecret = "matrix-secret"; s.failureCount = 0; s.itemsFetched = 0
            s.nextPollAt = Date().addingTimeInterval(3600); s.createdAt = Date(); s.updatedAt = Date()
            try await s.create(on: t.db)
            return try s.requireID().uuidString
        }
        return [
            "leadID": (try await lead(liuyang), try await lead(ningxiang)),
            "sourceID": (try await source(liuyang), try await source(ningxiang)),
            "index": ("0", "0"),
            "tenantSlug": ("liuyang", "ningxiang"),
        ]
    })
}
