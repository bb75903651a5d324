import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Review routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    /// Path parameters: `storyID` uses the Stories module's fixture stories (a draft in 浏阳 and in 宁乡 whose author is
    /// no matrix actor); `tenantID` the platform's. Routes run in registration order, so by the time the decision rows run
    /// the platform admin (P, first in line) has submitted both stories; the decision bodies name a stage that is not the
    /// current one, so reviewers get 409 (allowed, refused by the workflow) and non-reviewers 403.
    static let review = MatrixModule(rows: [
        "GET /review": MatrixRow("PACERVN"),
        "GET /review/decided": MatrixRow("PACERVN"),
        "GET /review/settings": MatrixRow("PA"),
        "GET /review/stories/:storyID": MatrixRow("PACERVN", tenantBound: true),
        "GET /api/v1/review/queue": MatrixRow("PACERVN"),
        "GET /api/v1/review/stories/:storyID": MatrixRow("PACERVN", tenantBound: true),
        "GET /api/v1/review/stories/:storyID/history": MatrixRow("PACERVN", tenantBound: true),
        "POST /api/v1/review/stories/:storyID/submit": MatrixRow("PCER", tenantBound: true, body: { _, _ in #"{"comment":"矩阵送审"}"# }),
        "POST /api/v1/review/stories/:storyID/approve": MatrixRow("PCEV", tenantBound: true, body: { _, _ in #"{"round":1,"stage_index":5}"# }),
        "POST /api/v1/review/stories/:storyID/return": MatrixRow("PCEV", tenantBound: true, body: { _, _ in #"{"round":1,"stage_index":5,"comment":"矩阵"}"# }),
        "POST /api/v1/review/stories/:storyID/reject": MatrixRow("PCEV", tenantBound: true, body: { _, _ in #"{"round":1,"stage_index":5,"comment":"矩阵"}"# }),
        // Only the author or the submitter recalls: P submitted both fixture stories above; everyone else is refused.
        "POST /api/v1/review/stories/:storyID/recall": MatrixRow("P", tenantBound: true, body: { _, _ in #"{"comment":"矩阵撤回"}"# }),
        // The fixture stories carry no AI label: holders of aigc.label_remove get 409, everyone else 403.
        "POST /api/v1/review/stories/:storyID/aigc-labels/remove": MatrixRow("PC", tenantBound: true, body: { _, _ in #"{"reason":"矩阵"}"# }),
        "GET /api/v1/review/tenants/:tenantID/config": MatrixRow("PACERVN", tenantBound: true),
        "PUT /api/v1/review/tenants/:tenantID/config": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"distinct_signers":true}"# }),
        // Proofreading (issue 5): everyone with text.use; the lexicon is managed by tenant admins (and platform admins).
        "POST /api/v1/proofread": MatrixRow("PACERVNS", body: { _, _ in #"{"text":"矩阵校对文本。"}"# }),
        "POST /api/v1/proofread/document": MatrixRow("PACERVNS", body: { _, _ in #"{"text":"矩阵上传的文本"}"# }),
        // Loopback and unresolvable hosts are refused: permitted callers get 422.
        "POST /api/v1/proofread/url": MatrixRow("PACERVNS", body: { _, _ in #"{"url":"http://127.0.0.1:9/page.html"}"# }),
        // A JSON body is not a multipart upload: permitted callers get 415.
        "POST /api/v1/proofread/batch": MatrixRow("PACERVNS", body: { _, _ in #"{"files":[]}"# }),
        "GET /api/v1/proofread/batch": MatrixRow("PACERVNS"),
        "GET /api/v1/proofread/batch/:batchID": MatrixRow("PACERVNS", tenantBound: true),
        "GET /api/v1/proofread/batch/:batchID/files/:index": MatrixRow("PACERVNS", tenantBound: true),
        "POST /api/v1/proofread/report/html": MatrixRow("PACERVNS", body: { _, _ in #"{"text":"矩阵校对文本。"}"# }),
        "POST /api/v1/proofread/report/docx": MatrixRow("PACERVNS", body: { _, _ in #"{"text":"矩阵校对文本。"}"# }),
        "GET /api/v1/review/lexicon": MatrixRow("PA"),
        "POST /api/v1/review/lexicon": MatrixRow("PA", tenantBound: true, body: { f, other in
            #"{"kind":"sensitive","term":"矩阵词\#(UUID().uuidString.prefix(6))","category":"违禁","tenant_id":"\#(f.id("tenantID", other))"}"# }),
        // A JSON body is not a lexicon CSV: permitted callers get 422.
        "POST /api/v1/review/lexicon/import": MatrixRow("PA", body: { _, _ in #"{"not":"csv"}"# }),
        "GET /api/v1/review/lexicon/export": MatrixRow("PA"),
        "PUT /api/v1/review/lexicon/:lexiconEntryID": MatrixRow("PA", tenantBound: true, body: { _, _ in #"{"kind":"sensitive","term":"矩阵改词","category":"广告"}"# }),
        // Soft delete: deleting an already deleted entry of one's own tenant is a no-op 204.
        "DELETE /api/v1/review/lexicon/:lexiconEntryID": MatrixRow("PA", tenantBound: true),
        "GET /review/proofread": MatrixRow("PACERVNS"),
        "GET /review/lexicon": MatrixRow("PA"),
    ], fixtures: { t in
        func entry(_ slug: String) async throws -> String {
            let e = LexiconEntry()
            e.tenantID = try await t.tenant(slug).requireID()
            e.kind = .sensitive; e.term = "矩阵夹具词"; e.category = "违禁"; e.severity = "block"; e.title = ""; e.items = []; e.homophones = false; e.note = ""
            try await e.create(on: t.db)
            return try e.requireID().uuidString
        }
        // A finished batch of one file whose report is kept (no worker runs a finished job during the matrix).
        func batch(_ slug: String) async throws -> String {
            let tenant = try await t.tenant(slug).requireID()
            let job = try await JobQueue.enqueue(kind: ProofreadBatch.kind, payload: #"{"tenant":"\#(tenant.uuidString)","files":[]}"#, tenantID: tenant,
                                                 runAt: Date().addingTimeInterval(86_400), on: t.db)
            job.state = .succeeded
            job.result = #"[{"name":"矩阵.txt","status":"ok","characters":2,"block":0,"warn":0,"info":0,"report":true}]"#
            try await job.save(on: t.db)
            let report = ProofreadReportDTO(tenantID: tenant, text: "矩阵", headline: nil, findings: [])
            try await t.app.zhimei.blobs.put(ProofreadBatch.reportKey(job: try job.requireID(), index: 0), data: try JSONEncoder().encode(report),
                                             contentType: "application/json")
            return try job.requireID().uuidString
        }
        return ["lexiconEntryID": (try await entry("liuyang"), try await entry("ningxiang")),
                "batchID": (try await batch("liuyang"), try await batch("ningxiang"))]
    })
}
