import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Opinion routes (舆情). Readers: P C E N (opinion.read); managers the same (opinion.manage); "create topic" also needs topics.manage.
    static let opinion = MatrixModule(rows: [
        "GET /api/v1/opinion/posts": MatrixRow("PCEN"),
        "GET /api/v1/opinion/posts/export": MatrixRow("PCEN"),
        "POST /api/v1/opinion/posts": MatrixRow("PCEN", tenantBound: true, body: { f, other in
            #"{"posts":[{"id":"m-\#(UUID().uuidString)","text":"矩阵测试信息：浏阳河边的垃圾无人清理。"}],"tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "POST /api/v1/opinion/imports": MatrixRow("PCEN", body: { _, _ in #"{"id":"m1","text":"矩阵导入"}"# }),
        "GET /api/v1/opinion/imports": MatrixRow("PCEN"),
        "GET /api/v1/opinion/imports/:importID": MatrixRow("PCEN", tenantBound: true),
        "POST /api/v1/opinion/imports/:importID/resume": MatrixRow("PCEN", tenantBound: true),
        "GET /api/v1/opinion/sources": MatrixRow("PCEN"),
        "POST /api/v1/opinion/sources": MatrixRow("PCEN", tenantBound: true, body: { f, other in
            #"{"name":"矩阵来源","kind":"webhook","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "POST /api/v1/opinion/sources/:opinionSourceID/poll": MatrixRow("PCEN", tenantBound: true),
        "PATCH /api/v1/opinion/sources/:opinionSourceID": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"name":"矩阵钩子"}"# }),
        "POST /api/v1/opinion/sources/:opinionSourceID/rotate-secret": MatrixRow("PCEN", tenantBound: true),
        "DELETE /api/v1/opinion/sources/:opinionSourceID": MatrixRow("PCEN", tenantBound: true),
        // Anonymous in the access sense: authenticated by the source's secret (403 without it).
        "POST /api/v1/opinion/webhook/:opinionSourceID": MatrixRow("*", body: { _, _ in #"{"posts":[{"text":"矩阵"}]}"# }),
        "GET /api/v1/opinion/events": MatrixRow("PCEN"),
        "GET /api/v1/opinion/events/:eventID": MatrixRow("PCEN", tenantBound: true),
        "PATCH /api/v1/opinion/events/:eventID": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"title":"矩阵事件"}"# }),
        "POST /api/v1/opinion/events/:eventID/merge": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"event_ids":[]}"# }),
        "POST /api/v1/opinion/events/:eventID/split": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"post_ids":["\#(UUID().uuidString)"]}"# }),
        "GET /api/v1/opinion/events/:eventID/response": MatrixRow("PCEN", tenantBound: true),
        "POST /api/v1/opinion/events/:eventID/topic": MatrixRow("PCE", tenantBound: true),
        "GET /api/v1/opinion/schemes": MatrixRow("PCEN"),
        "POST /api/v1/opinion/schemes": MatrixRow("PCEN", tenantBound: true, body: { f, other in
            #"{"name":"矩阵方案","rule":"垃圾 OR 污染","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "PATCH /api/v1/opinion/schemes/:schemeID": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"name":"矩阵方案"}"# }),
        "DELETE /api/v1/opinion/schemes/:schemeID": MatrixRow("PCEN", tenantBound: true),
        "GET /api/v1/opinion/schemes/:schemeID/report": MatrixRow("PCEN", tenantBound: true),
        "GET /api/v1/opinion/alert-rules": MatrixRow("PCEN"),
        "POST /api/v1/opinion/alert-rules": MatrixRow("PCEN", tenantBound: true, body: { f, other in
            #"{"name":"矩阵规则","min_posts":1000,"tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "PATCH /api/v1/opinion/alert-rules/:ruleID": MatrixRow("PCEN", tenantBound: true, body: { _, _ in #"{"min_posts":2000}"# }),
        "DELETE /api/v1/opinion/alert-rules/:ruleID": MatrixRow("PCEN", tenantBound: true),
        "GET /api/v1/opinion/alerts": MatrixRow("PCEN"),
        "GET /api/v1/opinion/dashboard": MatrixRow("PCEN"),
        "GET /opinion": MatrixRow("PCEN"),
        "GET /opinion/posts": MatrixRow("PCEN"),
        "GET /opinion/schemes": MatrixRow("PCEN"),
        "GET /opinion/sources": MatrixRow("PCEN"),
        "GET /opinion/imports": MatrixRow("PCEN"),
        "GET /opinion/events/:eventID": MatrixRow("PCEN", tenantBound: true),
    ], fixtures: { t in
        let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
        let analyzer = try await t.app.opinion.analyzer(t.app)
        func event(_ tenant: UUID) async throws -> String {
            let post = IncomingPost(externalID: UUID().uuidString, author: "矩阵", postedAt: nil, text: "矩阵测试：浏阳市某小区停水三天，居民投诉无人处理。",
                                    repostOf: nil, replyTo: nil, likes: 0, reposts: 0, comments: 0, url: nil, platform: "weibo", region: nil)
            let r = try await OpinionIngest.ingest([post], tenantID: tenant, sourceID: nil, analyzer: analyzer, on: t.db)
            return r.eventIDs.first!.uuidString
        }
        func source(_ tenant: UUID) async throws -> String {
            let s = OpinionSource()
            s.tenantID = tenant; s.name = "矩阵钩子"; s.kind = "webhook"; s.platform = "weibo"; s.webhookSecret = "matrix-secret"
            s.postsReceived = 0; s.createdAt = Date(); s.enabled = true; s.archived = false
            try await s.create(on: t.db)
            return try s.requireID().uuidString
        }
        func scheme(_ tenant: UUID) async throws -> String {
            let s = OpinionScheme()
            s.tenantID = tenant; s.name = "矩阵方案"; s.rule = "停水"; s.regions = []; s.platforms = []; s.exclusions = []; s.enabled = true
            s.archived = false; s.createdAt = Date(); s.updatedAt = Date()
            try await s.create(on: t.db)
            return try s.requireID().uuidString
        }
        func rule(_ tenant: UUID) async throws -> String {
            let r = OpinionAlertRule()
            r.tenantID = tenant; r.name = "矩阵规则"; r.minPosts = 1000; r.windowMinutes = 60; r.minRisk = 0; r.minNegativeShare = 0
            r.requireBurst = false; r.email = ""; r.enabled = true; r.archived = false; r.createdAt = Date()
            try await r.create(on: t.db)
            return try r.requireID().uuidString
        }
        func importRecord(_ tenant: UUID) async throws -> String {
            let i = OpinionImport()
            i.tenantID = tenant; i.format = "jsonl"; i.path = "/nonexistent/matrix.jsonl"; i.totalBytes = 0; i.checkpoint = 0; i.rowsRead = 0
            i.imported = 0; i.duplicates = 0; i.skipped = 0; i.futureTimes = 0; i.problems = []; i.status = "paused"; i.createdAt = Date(); i.updatedAt = Date()
            try await i.create(on: t.db)
            return try i.requireID().uuidString
        }
        return [
            "eventID": (try await event(liuyang), try await event(ningxiang)),
            "opinionSourceID": (try await source(liuyang), try await source(ningxiang)),
            "schemeID": (try await scheme(liuyang), try await scheme(ningxiang)),
            "ruleID": (try await rule(liuyang), try await rule(ningxiang)),
            "importID": (try await importRecord(liuyang), try await importRecord(ningxiang)),
        ]
    })
}
