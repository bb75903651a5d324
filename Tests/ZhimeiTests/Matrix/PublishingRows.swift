import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Publishing routes. Staff API: readers see state and previews; P A C publish (the fixture stories are drafts, so
    /// allowed roles get 409 not_approved); tenant settings (P A) manage channels, destinations and deliveries. The public
    /// site and content API are open to anyone ("*"), tenant by slug.
    static let publishing = MatrixModule(rows: [
        "GET /api/v1/publishing/stories/:storyID": MatrixRow("PACERVN", tenantBound: true),
        "GET /api/v1/publishing/stories/:storyID/previews": MatrixRow("PACERVN", tenantBound: true),
        "POST /api/v1/publishing/stories/:storyID/publish": MatrixRow("PAC", tenantBound: true, body: { _, _ in "{}" }),
        "POST /api/v1/publishing/stories/:storyID/correct": MatrixRow("PAC", tenantBound: true, body: { _, _ in #"{"note":"矩阵更正"}"# }),
        "POST /api/v1/publishing/stories/:storyID/kill": MatrixRow("PAC", tenantBound: true, body: { _, _ in #"{"reason":"矩阵"}"# }),
        // The fixture stories are drafts (never live), so allowed roles get 404 (nothing to take), others 403.
        "POST /api/v1/publishing/stories/:storyID/republish": MatrixRow("PAC", body: { f, other in #"{"tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "GET /api/v1/publishing/tenants/:tenantID/channels": MatrixRow("PACERVN", tenantBound: true),
        "PUT /api/v1/publishing/tenants/:tenantID/channels/:kind": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"max_length":140}"# }),
        "GET /api/v1/publishing/tenants/:tenantID/destinations": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/publishing/tenants/:tenantID/destinations": MatrixRow("PA", tenantBound: true,
                                                                             body: { _, _ in #"{"name":"矩阵","kind":"directory","target":"matrix"}"# }),
        "DELETE /api/v1/publishing/destinations/:destinationID": MatrixRow("PA", tenantBound: true),
        "GET /api/v1/publishing/destinations/:destinationID/deliveries": MatrixRow("PA", tenantBound: true),
        "POST /api/v1/publishing/deliveries/:deliveryID/resend": MatrixRow("PA", tenantBound: true),
        "GET /publishing": MatrixRow("PACERVN"),
        "GET /publishing/stories/:storyID": MatrixRow("PACERVN", tenantBound: true),
        "GET /publishing/destinations": MatrixRow("PA"),
        "GET /api/v1/public/:tenantSlug/items": MatrixRow("*"),
        "GET /api/v1/public/:tenantSlug/items/:storyID": MatrixRow("*"),
        "GET /api/v1/public/:tenantSlug/items/:storyID/ninjs": MatrixRow("*"),
        "GET /site/:tenantSlug": MatrixRow("*"),
        "GET /site/:tenantSlug/articles/:storyID": MatrixRow("*"),
        "GET /site/:tenantSlug/tags/:tag": MatrixRow("*"),
        "GET /site/:tenantSlug/categories/:category": MatrixRow("*"),
        "GET /site/:tenantSlug/categories/:category/feed.rss": MatrixRow("*"),
        "GET /site/:tenantSlug/categories/:category/feed.atom": MatrixRow("*"),
        "GET /site/:tenantSlug/search": MatrixRow("*"),
        "GET /site/:tenantSlug/sitemap.xml": MatrixRow("*"),
        "GET /site/:tenantSlug/feed.rss": MatrixRow("*"),
        "GET /site/:tenantSlug/feed.atom": MatrixRow("*"),
        "GET /site/:tenantSlug/media/:storyID/:mediaID": MatrixRow("*"),
    ], fixtures: { t in
        /// A destination with one delivery in a tenant (directory kind: nothing leaves the machine).
        func destination(_ slug: String) async throws -> (String, String) {
            let tenantID = try await t.tenant(slug).requireID()
            let d = PublishDestination()
            d.id = UUID(); d.tenantID = tenantID; d.name = "矩阵目标"; d.kind = .directory; d.target = "matrix-\(slug)"; d.secret = ""
            d.options = [:]; d.enabled = true; d.createdAt = Date()
            try await d.create(on: t.db)
            let delivery = PublishDelivery()
            delivery.id = UUID(); delivery.tenantID = tenantID; delivery.destinationID = d.id!; delivery.storyID = UUID(); delivery.storyVersion = 1
            delivery.event = "publish"; delivery.idempotencyKey = "matrix-\(slug)-\(UUID().uuidString)"; delivery.status = .failed; delivery.attempts = 1
            delivery.createdAt = Date(); delivery.updatedAt = Date()
            try await delivery.create(on: t.db)
            return (d.id!.uuidString, delivery.id!.uuidString)
        }
        let own = try await destination("liuyang"), other = try await destination("ningxiang")
        return ["destinationID": (own.0, other.0), "deliveryID": (own.1, other.1), "kind": ("website", "website"),
                "tenantSlug": ("liuyang", "ningxiang"), "tag": ("matrix", "matrix"), "category": ("economy", "economy")]
    })
}
