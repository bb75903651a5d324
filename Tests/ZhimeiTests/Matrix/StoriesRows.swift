import Fluent
import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Stories routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    /// Readers: P A C E R V N; writers: P C E R.
    static let stories = MatrixModule(rows: [
        "GET /api/v1/stories": MatrixRow(readers),
        "POST /api/v1/stories": MatrixRow(writers, body: { _, _ in #"{"headline":"矩阵测试稿件","body":[{"type":"paragraph","spans":[{"text":"正文"}]}]}"# }),
        "GET /api/v1/stories/:storyID": MatrixRow(readers, tenantBound: true),
        "PUT /api/v1/stories/:storyID": MatrixRow(writers, tenantBound: true, body: { _, _ in #"{"base_version":1,"headline":"改标题"}"# }),
        "GET /api/v1/stories/:storyID/versions": MatrixRow(readers, tenantBound: true),
        "GET /api/v1/stories/:storyID/snapshot": MatrixRow(readers, tenantBound: true),
        "POST /api/v1/stories/:storyID/restore": MatrixRow(writers, tenantBound: true, body: { _, _ in #"{"version":1}"# }),
        "POST /api/v1/stories/:storyID/pool": MatrixRow(writers, tenantBound: true),
        "GET /api/v1/stories/:storyID/lock": MatrixRow(readers, tenantBound: true),
        "POST /api/v1/stories/:storyID/lock": MatrixRow(writers, tenantBound: true, body: { _, _ in #"{"take_over":true}"# }),
        "POST /api/v1/stories/:storyID/lock/heartbeat": MatrixRow(writers, tenantBound: true),
        "DELETE /api/v1/stories/:storyID/lock": MatrixRow(writers, tenantBound: true),
        "GET /api/v1/stories/:storyID/diff": MatrixRow(readers, tenantBound: true),
        "POST /api/v1/stories/convert": MatrixRow(writers, body: { _, _ in #"{"format":"html","content":"<p>粘贴<script>x</script></p>"}"# }),
        "POST /api/v1/stories/import": MatrixRow(writers),
        "GET /api/v1/stories/:storyID/export/docx": MatrixRow(readers, tenantBound: true),
        "GET /api/v1/stories/:storyID/export/txt": MatrixRow(readers, tenantBound: true),
        "POST /api/v1/stories/:storyID/media": MatrixRow(writers, tenantBound: true),
        "GET /api/v1/stories/:storyID/media/:mediaID": MatrixRow(readers, tenantBound: true),
        "POST /api/v1/stories/:storyID/assist": MatrixRow(readers, tenantBound: true, body: { _, _ in "{}" }),
        "GET /api/v1/stories/:storyID/html": MatrixRow(readers, tenantBound: true),
        "GET /stories": MatrixRow(readers),
        "GET /stories/new": MatrixRow(writers),
        "GET /stories/:storyID": MatrixRow(readers, tenantBound: true),
        "GET /stories/:storyID/edit": MatrixRow(writers, tenantBound: true),
        "GET /stories/:storyID/versions": MatrixRow(readers, tenantBound: true),
    ], fixtures: { t in
        func story(_ slug: String) async throws -> String {
            let tenant = try await t.tenant(slug)
            let s = Story()
            s.id = UUID(); s.tenantID = try tenant.requireID(); s.authorID = UUID(); s.authorName = "矩阵"
            s.headline = "矩阵稿件"; s.subtitle = ""; s.lead = ""; s.byline = ""; s.tags = ["矩阵"]; s.categories = []
            s.location = ""; s.language = "zh"; s.body = [.paragraph([InlineSpan("正文")])]; s.status = .draft; s.version = 1
            s.createdAt = Date(); s.updatedAt = Date()
            try await s.create(on: t.db)
            let v = StoryVersion()
            v.storyID = s.id!; v.tenantID = s.tenantID; v.version = 1; v.snapshot = StorySnapshot(s); v.authorID = s.authorID
            v.authorName = "矩阵"; v.note = "create"; v.createdAt = Date()
            try await v.create(on: t.db)
            return s.id!.uuidString
        }
        /// A one-pixel PNG in a tenant's story media.
        func media(_ slug: String) async throws -> String {
            let id = UUID().uuidString.lowercased()
            let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
            try await t.app.zhimei.blobs.put(StoryValidation.mediaPrefix(try await t.tenant(slug).requireID()) + id, data: png, contentType: "image/png")
            return id
        }
        return ["storyID": (try await story("liuyang"), try await story("ningxiang")), "mediaID": (try await media("liuyang"), try await media("ningxiang"))]
    })

    static let readers = "PACERVN"
    static let writers = "PCER"
}
