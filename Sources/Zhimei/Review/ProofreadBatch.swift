import Fluent
import Vapor

/// Batch proofreading (批量校对): uploaded files go to the blob store, one job checks them one by one and reports
/// progress ("3/10 name.docx"); the per-file counts are the job's result, and each checked file's whole report (text and
/// findings) is kept in the blob store beside it, so it can be opened and downloaded like a single document's. The
/// uploads are deleted when the job is done; the reports when housekeeping prunes the job (a week after it finished).
enum ProofreadBatch {
    static let kind = "review.proofread_batch"
    static let maxFiles = 50

    struct FileRef: Codable, Sendable { var key: String; var name: String }
    struct Payload: Codable, Sendable { var tenant: UUID; var files: [FileRef] }

    /// One file's outcome.
    struct FileResult: Content {
        var name: String
        /// "ok" or "error".
        var status: String
        var format: String?
        var encoding: String?
        var characters: Int
        var block: Int
        var warn: Int
        var info: Int
        var message: String?
        var messageEn: String?
        /// Whether the file's whole report is kept (`GET …/batch/{id}/files/{index}`).
        var report: Bool?
    }

    struct StatusDTO: Content {
        var id: UUID
        var state: String
        var percent: Int
        var stage: String
        var files: [FileResult]
        /// When the batch was started, and the names of its files (known before they are checked).
        var createdAt: Date
        var fileNames: [String]
    }

    static let schemas: [(String, Schema)] = [
        ("ProofreadBatch", .object([
            ("id", .uuid), ("state", .string), ("percent", .integer(minimum: 0, maximum: 100)), ("stage", .string),
            ("files", .array(.object([
                ("name", .string), ("status", .enumeration(["ok", "error"])), ("format", .nullable(.string)), ("encoding", .nullable(.string)),
                ("characters", .integer), ("block", .integer), ("warn", .integer), ("info", .integer),
                ("message", .nullable(.string)), ("message_en", .nullable(.string)), ("report", .nullable(.boolean)),
            ], required: ["name", "status", "characters", "block", "warn", "info"]))),
            ("created_at", .dateTime), ("file_names", .array(.string)),
        ], required: ["id", "state", "percent", "stage", "files", "created_at", "file_names"])),
    ]

    struct Form: Content { var files: [File]; var tenantId: UUID? }

    /// Stores the files and enqueues the job (202 with its status).
    static func start(on req: Request) async throws -> Response {
        guard req.headers.contentType?.type == "multipart" else {
            throw AppError(.unsupportedMediaType, "unsupported_media_type", zh: "请以 multipart/form-data 上传文件（字段 files[]）", en: "Upload the files as multipart/form-data (field files[])")
        }
        let form: Form
        do { form = try req.content.decode(Form.self) } catch {
            throw AppError.badRequest(zh: "缺少上传文件（字段 files[]）", en: "No uploaded files (field files[])")
        }
        guard !form.files.isEmpty, form.files.count <= maxFiles else {
            throw AppError.invalid("files", zh: "每批 1 到 \(maxFiles) 个文件", en: "A batch holds 1 to \(maxFiles) files")
        }
        let tenantID = try await ProofreadAPI.tenant(form.tenantId, on: req)
        // Every file is checked before any is stored: a refused batch leaves nothing behind.
        for file in form.files where file.data.readableBytes > ProofreadDocuments.maxBytes {
            throw AppError(.payloadTooLarge, "file_too_large", zh: "文件“\(file.filename.prefix(80))”超过 10 MB", en: "“\(file.filename.prefix(80))” is larger than 10 MB")
        }
        let batch = UUID().uuidString.lowercased()
        var refs: [FileRef] = []
        let job: Job
        do {
            for (i, file) in form.files.enumerated() {
                let key = "proofread/\(tenantID.uuidString.lowercased())/\(batch)/\(i)"
                try await req.application.zhimei.blobs.put(key, data: Data(buffer: file.data), contentType: "application/octet-stream")
                refs.append(FileRef(key: key, name: String(file.filename.prefix(255))))
            }
            let payload = String(decoding: try JSONEncoder().encode(Payload(tenant: tenantID, files: refs)), as: UTF8.self)
            job = try await JobQueue.enqueue(kind: kind, payload: payload, tenantID: tenantID, maxAttempts: 2, createdBy: req.requireActor().userID, on: req.db)
        } catch {
            // The files stored so far belong to no job: nothing would ever delete them.
            await deleteFiles(refs, app: req.application)
            throw error
        }
        await req.audit("review.proofread_batch", tenant: tenantID, targetType: "job", targetID: job.id?.uuidString ?? "", after: ["files": String(refs.count)])
        return try await status(job).encodeResponse(status: .accepted, for: req)
    }

    static func status(_ job: Job) -> StatusDTO {
        let files = job.result.flatMap { try? JSONDecoder().decode([FileResult].self, from: Data($0.utf8)) } ?? []
        let names = (try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)))?.files.map(\.name) ?? files.map(\.name)
        return StatusDTO(id: job.id ?? UUID(), state: job.state.rawValue, percent: min(max(job.progressPercent, 0), 100), stage: job.progressStage, files: files,
                         createdAt: job.createdAt, fileNames: names)
    }

    /// The person's own batches in their scope, newest first (they stay as long as their job: a week after it finished).
    static func mine(on req: Request, page: ListPage) async throws -> [StatusDTO] {
        let actor = try req.requireActor()
        return try await req.scope(for: .textUse).query(Job.self, on: req.db).filter(\.$kind == kind).filter(\.$createdBy == actor.userID)
            .sort(\.$createdAt, .descending).sort(\.$id).range(page.rows).all().map(status)
    }

    /// The batch's status for its tenant's users (404 for anyone else, and for jobs that are not batches).
    static func find(_ id: UUID?, on req: Request) async throws -> StatusDTO {
        guard let id, let job = try await req.scope(for: .textUse).query(Job.self, on: req.db).filter(\.$id == id).filter(\.$kind == kind).first() else {
            throw AppError.notFound
        }
        return status(job)
    }

    /// Checks every file; a bad file is reported, not retried.
    static func register(_ app: Application) {
        app.zhimei.jobs.register(kind) { ctx in
            let payload = try ctx.decode(Payload.self)
            var results: [FileResult] = []
            for (i, ref) in payload.files.enumerated() {
                try await ctx.progress("\(i + 1)/\(payload.files.count) \(ref.name)", payload.files.isEmpty ? 100 : i * 100 / payload.files.count)
                var r = FileResult(name: ref.name, status: "ok", characters: 0, block: 0, warn: 0, info: 0)
                do {
                    guard let data = try await ctx.application.zhimei.blobs.get(ref.key) else {
                        throw AppError.invalid("file", zh: "文件已不存在", en: "The file is gone")
                    }
                    let format = try ProofreadDocuments.format(nil, filename: ref.name, data: data)
                    let (text, encoding) = try ProofreadDocuments.extract(data, format: format)
                    let findings = try await ProofreadService.check(text, headline: nil, tenantID: payload.tenant, app: ctx.application, db: ctx.db)
                    let report = ProofreadReportDTO(tenantID: payload.tenant, text: text, headline: nil, findings: findings,
                                                    format: format.rawValue, encoding: encoding)
                    r.format = format.rawValue; r.encoding = encoding; r.characters = report.characters
                    r.block = report.counts.block; r.warn = report.counts.warn; r.info = report.counts.info
                    try await ctx.application.zhimei.blobs.put(reportKey(job: ctx.jobID, index: i), data: try JSONEncoder().encode(report),
                                                               contentType: "application/json")
                    r.report = true
                } catch let e as AppError {
                    r.status = "error"; r.message = e.zh; r.messageEn = e.en
                }
                results.append(r)
            }
            await deleteFiles(payload.files, app: ctx.application)
            try await ctx.progress("done", 100)
            return String(decoding: try JSONEncoder().encode(results), as: UTF8.self)
        }
        // A batch whose job gave up would otherwise keep its files in the blob store for good (a retry from the jobs
        // page then reports each file as gone).
        app.zhimei.jobs.onGiveUp(kind) { ctx, _ in
            let files = try ctx.decode(Payload.self).files
            await deleteFiles(files, app: ctx.application)
            await deleteReports(job: ctx.jobID, count: files.count, app: ctx.application)
        }
        app.zhimei.jobs.onPrune(kind) { job, app in
            guard let id = job.id, let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else { return }
            await deleteReports(job: id, count: payload.files.count, app: app)
        }
    }

    /// Where the report of the batch's file `index` is kept.
    static func reportKey(job: UUID, index: Int) -> String {
        "proofread-reports/\(job.uuidString.lowercased())/\(index).json"
    }

    /// The whole report of one file of a batch (404 for anyone outside the batch's tenant, and for a file that could not
    /// be read or whose report is gone with its job).
    static func fileReport(_ id: UUID?, index: Int?, on req: Request) async throws -> ProofreadReportDTO {
        let batch = try await find(id, on: req)
        guard let index, batch.files.indices.contains(index), batch.files[index].report == true,
              let data = try await req.application.zhimei.blobs.get(reportKey(job: batch.id, index: index)),
              let report = try? JSONDecoder().decode(ProofreadReportDTO.self, from: data) else {
            throw AppError.notFound
        }
        return report
    }

    static func deleteReports(job: UUID, count: Int, app: Application) async {
        for i in 0..<count { try? await app.zhimei.blobs.delete(reportKey(job: job, index: i)) }
    }

    static func deleteFiles(_ refs: [FileRef], app: Application) async {
        for ref in refs { try? await app.zhimei.blobs.delete(ref.key) }
    }
}
