import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Search routes. Results are narrowed per document kind by the person's tenant scope (tested in SearchTests);
    /// the check is platform-only; synonym groups belong to a tenant (payload-bound).
    static let search = MatrixModule(rows: [
        "GET /api/v1/search": MatrixRow(everyone),
        "POST /api/v1/search": MatrixRow(everyone, body: { _, _ in #"{"q":"烟花","limit":5}"# }),
        "GET /api/v1/search/related": MatrixRow("PACERVN"),
        "POST /api/v1/search/related": MatrixRow("PACERVN", body: { _, _ in #"{"text":"浏阳花炮安全生产检查"}"# }),
        "GET /api/v1/search/check": MatrixRow("P"),
        "POST /api/v1/search/check": MatrixRow("P", body: { _, _ in #"{"repair":false}"# }),
        "POST /api/v1/search/reindex": MatrixRow("P", body: { _, _ in "{}" }),
        "GET /api/v1/search/saved": MatrixRow(everyone),
        "POST /api/v1/search/saved": MatrixRow(everyone, body: { _, _ in #"{"name":"矩阵","query":"烟花"}"# }),
        // Only the owner's own saved searches are found (404 for everyone else, owner included once deleted).
        "PATCH /api/v1/search/saved/:savedID": MatrixRow(everyone, body: { _, _ in #"{"alert":false}"# }),
        "DELETE /api/v1/search/saved/:savedID": MatrixRow(everyone),
        "GET /api/v1/search/synonyms": MatrixRow("PA"),
        "PUT /api/v1/search/synonyms": MatrixRow("PA", tenantBound: true, body: { f, other in #"{"groups":[["烟花","花炮"]],"tenant_id":"\#(f.id("tenantID", other))"}"# }),
        "GET /search": MatrixRow(everyone),
        "GET /search/saved": MatrixRow(everyone),
        "GET /search/settings": MatrixRow("PA"),
        "GET /api/v1/search/history": MatrixRow(everyone),
        "DELETE /api/v1/search/history": MatrixRow(everyone),
    ], fixtures: { t in
        let reporter = try await t.user("liuyang-reporter")
        let saved = SavedSearch()
        saved.id = UUID(); saved.tenantID = reporter.$homeTenant.id; saved.userID = try reporter.requireID(); saved.name = "矩阵"
        saved.query = "烟花"; saved.kinds = []; saved.alert = true; saved.checkedAt = Date(); saved.createdAt = Date()
        try await saved.create(on: t.db)
        let id = try saved.requireID().uuidString
        return ["savedID": (id, id)]
    })
}
