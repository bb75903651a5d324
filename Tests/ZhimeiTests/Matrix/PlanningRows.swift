import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Planning routes (topics, board, coverage, comments, outlines, shared pool) and the notifications service.
    /// Rows for pages that replace a placeholder override the platform row.
    static let planning = MatrixModule(rows: [
        "GET /planning": MatrixRow("PCER"),
        "GET /planning/topics/:topicID": MatrixRow("PCER", tenantBound: true),
        "GET /planning/pool": MatrixRow("PCER"),
        "GET /api/v1/topics": MatrixRow("PCER"),
        "POST /api/v1/topics": MatrixRow("PCER", tenantBound: true, body: { f, other in #"{"title":"矩阵选题","priority":"high","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "GET /api/v1/topics/:topicID": MatrixRow("PCER", tenantBound: true),
        "PATCH /api/v1/topics/:topicID": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"angle":"矩阵角度"}"# }),
        // From proposed (or approved) "done" skips steps: 409 for whoever may try.
        "POST /api/v1/topics/:topicID/transition": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"to":"done"}"# }),
        "POST /api/v1/topics/:topicID/approve": MatrixRow("PCE", tenantBound: true),
        "POST /api/v1/topics/:topicID/coverage": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"kind":"photo","note":"矩阵"}"# }),
        "PATCH /api/v1/coverage/:coverageID": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"done":true}"# }),
        "DELETE /api/v1/coverage/:coverageID": MatrixRow("PCER", tenantBound: true),
        "GET /api/v1/topics/:topicID/comments": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/topics/:topicID/comments": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"body":"@liuyang-reporter 矩阵评论"}"# }),
        "GET /api/v1/topics/:topicID/outline": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/topics/:topicID/outline": MatrixRow("PCER", tenantBound: true),
        "PUT /api/v1/topics/:topicID/outline": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"content":"矩阵提纲"}"# }),
        "POST /api/v1/topics/:topicID/submit": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/topics/:topicID/assign": MatrixRow("PCE", tenantBound: true, body: { f, _ in #"{"tenant_ids":["\#(f.id("tenantID", false))"]}"# }),
        "GET /api/v1/pool": MatrixRow("PCER"),
        "GET /api/v1/pool/:entryID": MatrixRow("PCER", tenantBound: true),
        "POST /api/v1/pool/:entryID/adopt": MatrixRow("PCER", tenantBound: true),
        "GET /api/v1/planning/people": MatrixRow("PCER"),
        // Notifications: everyone reads and marks their own; tenant admins manage the webhook.
        "GET /notifications": MatrixRow(everyone),
        "GET /notifications/settings": MatrixRow("PA"),
        "GET /api/v1/notifications": MatrixRow(everyone),
        "GET /api/v1/notifications/unread-count": MatrixRow(everyone),
        "POST /api/v1/notifications/read": MatrixRow(everyone, body: { _, _ in #"{"ids":["\#(UUID().uuidString)"]}"# }),
        "POST /api/v1/notifications/read-all": MatrixRow(everyone),
        "GET /api/v1/notification-webhooks": MatrixRow("PA"),
        "PUT /api/v1/notification-webhooks/:tenantID": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"url":"http://127.0.0.1:9/hook","enabled":false}"# }),
        "DELETE /api/v1/notification-webhooks/:tenantID": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/notification-webhooks/:tenantID/test": MatrixRow("PA", tenantBound: true),
    ], fixtures: { t in
        let liuyang = try await t.tenant("liuyang").requireID(), ningxiang = try await t.tenant("ningxiang").requireID()
        let hunan = try await t.tenant("hunan")
        func topic(_ tenant: UUID) async throws -> Topic {
            let topic = Topic()
            topic.tenantID = tenant; topic.title = "矩阵选题"; topic.details = "矩阵测试选题"; topic.angle = ""; topic.priority = .normal
            topic.status = .proposed; topic.assigneeIDs = []; topic.keywords = ["矩阵"]; topic.createdBy = try await t.user("admin").requireID()
            topic.createdByName = "矩阵"; topic.createdAt = Date(); topic.updatedAt = Date()
            try await topic.create(on: t.db)
            return topic
        }
        func coverage(_ topic: Topic) async throws -> String {
            let item = CoverageItem()
            item.tenantID = topic.tenantID; item.topicID = try topic.requireID(); item.kind = .text; item.note = "矩阵"; item.done = false
            item.removed = false; item.createdAt = Date(); item.updatedAt = Date()
            try await item.create(on: t.db)
            return try item.requireID().uuidString
        }
        func entry(_ tenant: UUID) async throws -> String {
            let e = PoolEntry()
            e.tenantID = tenant; e.direction = .assigned; e.kind = .topic; e.title = "矩阵下发选题"; e.summary = "矩阵"; e.body = ""; e.keywords = []
            e.sourceTenantID = try hunan.requireID(); e.sourceTenantName = hunan.name; e.sourceID = UUID(); e.sharedByName = "矩阵"; e.sharedAt = Date()
            try await e.create(on: t.db)
            return try e.requireID().uuidString
        }
        let own = try await topic(liuyang), other = try await topic(ningxiang)
        return [
            "topicID": (try own.requireID().uuidString, try other.requireID().uuidString),
            "coverageID": (try await coverage(own), try await coverage(other)),
            "entryID": (try await entry(liuyang), try await entry(ningxiang)),
        ]
    })
}
