import Fluent
import Vapor

/// The proofreading API (智能校对): text, documents, report downloads. Lexicon routes are in `LexiconAPI`.
struct ProofreadAPI {
    static let severities = ["block", "warn", "info"]
    static let categories = ["sensitive", "typo", "grammar", "punctuation", "format", "fact", "provider"]

    static let schemas: [(String, Schema)] = [
        ("ProofreadFinding", .object([
            ("category", .enumeration(categories)), ("subcategory", .nullable(.string)), ("severity", .enumeration(severities)),
            ("start", .integer(minimum: 0)), ("end", .integer(minimum: 0)), ("text", .string), ("message", .string), ("message_en", .string),
            ("suggestions", .array(.string)), ("rule_id", .string), ("confidence", .number), ("in_headline", .boolean),
        ], required: ["category", "severity", "start", "end", "text", "message", "message_en", "suggestions", "rule_id", "confidence", "in_headline"])),
        ("ProofreadReport", .object([
            ("tenant_id", .uuid), ("characters", .integer(minimum: 0)), ("blocked", .boolean),
            ("counts", .object([("block", .integer), ("warn", .integer), ("info", .integer)], required: ["block", "warn", "info"])),
            ("findings", .array(.ref("ProofreadFinding"))), ("headline", .nullable(.string)), ("text", .string),
            ("format", .nullable(.enumeration(ProofreadDocuments.Format.allCases.map(\.rawValue)))), ("encoding", .nullable(.string)),
        ], required: ["tenant_id", "characters", "blocked", "counts", "findings", "text"])),
    ]

    static let textRequest: Schema = .object([
        ("text", .string(maxLength: ProofreadService.maxCharacters)), ("headline", .nullable(.string(maxLength: 500))), ("tenant_id", .nullable(.uuid)),
        ("provider", .nullable(.boolean)),
    ], required: ["text"])

    func register(_ api: RoutesBuilder) {
        let p = api.grouped("proofread")
        p.endpoint(.POST, access: .permission(.textUse),
                   doc: .init("Proofread a text (sensitive content, typos, grammar, punctuation, format, facts) with the tenant's lexicons / 智能校对", tag: "review",
                              request: Self.textRequest, response: .ref("ProofreadReport")),
                   body: .collect(maxSize: "8mb"), use: text)
        p.endpoint(.POST, "document", access: .permission(.textUse),
                   doc: .init("Proofread an uploaded DOCX, HTML or TXT file (multipart field file, or the raw body with ?filename=; 10 MB; TXT/HTML in UTF-8, GBK or Big5) / 上传文档校对",
                              tag: "review", response: .ref("ProofreadReport"),
                              query: [("filename", .string(maxLength: 255), "File name (raw uploads)"),
                                      ("format", .enumeration(ProofreadDocuments.Format.allCases.map(\.rawValue)), "docx, html or txt (default: from the name or content)"),
                                      ("tenant_id", .uuid, "Tenant whose lexicons apply (default: the active tenant)")]),
                   body: .collect(maxSize: "10mb"), use: document)
        p.endpoint(.POST, "url", access: .permission(.textUse),
                   doc: .init("Fetch a web page (http/https; 5 MB, 10 s, no redirects; internal addresses refused) and proofread its text / 网页校对",
                              tag: "review", request: .object([("url", .string(maxLength: OutboundURL.maxLength)), ("tenant_id", .nullable(.uuid))], required: ["url"]),
                              response: .ref("ProofreadReport")), use: url)
        p.endpoint(.POST, "batch", access: .permission(.textUse),
                   doc: .init("Proofread many files as a background job (multipart files[]; ≤ 50 files, 10 MB each) / 批量校对", tag: "review",
                              response: .ref("ProofreadBatch"), status: 202),
                   body: .collect(maxSize: "60mb")) { req in try await ProofreadBatch.start(on: req) }
        p.endpoint(.GET, "batch", access: .permission(.textUse),
                   doc: .init("My batches, newest first (kept a week after they finish) / 我的批量校对", tag: "review", response: .array(.ref("ProofreadBatch")),
                              query: [("limit", .integer(minimum: 1, maximum: 100), "Page size (default 20)"),
                                      ("offset", .integer(minimum: 0, maximum: 100_000), "Offset")])) { req in
            try await ProofreadBatch.mine(on: req, page: try ListPage(req, standard: 20, largest: 100))
        }
        p.endpoint(.GET, "batch", ":batchID", access: .permission(.textUse),
                   doc: .init("A batch's progress and per-file results / 批量校对进度", tag: "review", response: .ref("ProofreadBatch"))) { req in
            try await ProofreadBatch.find(req.parameters.get("batchID", as: UUID.self), on: req)
        }
        p.endpoint(.GET, "batch", ":batchID", "files", ":index", access: .permission(.textUse),
                   doc: .init("One file's whole report from a finished batch (kept a week) / 批量校对中单个文件的完整报告", tag: "review",
                              response: .ref("ProofreadReport"))) { req in
            try await ProofreadBatch.fileReport(req.parameters.get("batchID", as: UUID.self), index: req.parameters.get("index", as: Int.self), on: req)
        }
        for format in ["html", "docx"] {
            p.endpoint(.POST, "report", PathComponent(stringLiteral: format), access: .permission(.textUse),
                       doc: .init(format == "html" ? "Proofreading report as an HTML file / 下载 HTML 校对报告" : "Proofreading report as a DOCX with Word comments / 下载带批注的 Word 校对报告",
                                  tag: "review", request: Self.textRequest, response: .string(format: "binary"),
                                  mediaType: format == "html" ? "text/html" : "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       body: .collect(maxSize: "8mb")) { req in try await Self.report(req, format: format) }
        }
    }

    struct TextInput: Content {
        var text: String
        var headline: String?
        var tenantId: UUID?
        /// Also ask the configured text-generation provider for advisory fluency suggestions.
        var provider: Bool?
    }

    /// The tenant whose lexicons apply: the named one (must be in the actor's scope) or the active one.
    static func tenant(_ id: UUID?, on req: Request) async throws -> UUID {
        let tenantID = try id ?? req.requireActor().activeTenantID
        try await req.scope(for: .textUse).checkPayload(tenantID, on: req.db)
        return tenantID
    }

    static func run(_ input: TextInput, on req: Request, format: String? = nil, encoding: String? = nil) async throws -> ProofreadReportDTO {
        try ProofreadService.validate(input.text)
        if let h = input.headline, h.count > 500 {
            throw AppError.invalid("headline", zh: "标题不超过 500 字", en: "The headline is at most 500 characters")
        }
        let tenantID = try await tenant(input.tenantId, on: req)
        let headline = input.headline.flatMap { $0.isEmpty ? nil : $0 }
        var findings = try await ProofreadService.check(input.text, headline: headline, tenantID: tenantID, app: req.application, db: req.db)
        if input.provider == true, let config = req.application.proofreadProvider.config {
            findings += await ProofreadProvider.suggestions(input.text, config: config, client: req.application.http.client.shared, logger: req.logger)
            findings.sort { ($0.ruleID.hasPrefix("headline.") ? 0 : 1, $0.start) < ($1.ruleID.hasPrefix("headline.") ? 0 : 1, $1.start) }
        }
        return ProofreadReportDTO(tenantID: tenantID, text: input.text, headline: headline, findings: findings, format: format, encoding: encoding)
    }

    @Sendable func text(_ req: Request) async throws -> ProofreadReportDTO {
        try await Self.run(try req.content.decode(TextInput.self), on: req)
    }

    struct UploadForm: Content {
        var file: File
        var format: String?
        var tenantId: UUID?
    }

    struct UploadQuery: Content {
        var filename: String?
        var format: String?
        var tenantId: UUID?
        enum CodingKeys: String, CodingKey { case filename, format, tenantId = "tenant_id" }
    }

    @Sendable func document(_ req: Request) async throws -> ProofreadReportDTO {
        let query: UploadQuery
        do { query = try req.query.decode(UploadQuery.self) } catch {
            throw AppError.invalid("query", zh: "查询参数无效", en: "Invalid query parameters")
        }
        var data: Data, filename = query.filename, format = query.format, tenantID = query.tenantId
        if req.headers.contentType?.type == "multipart" {
            let form: UploadForm
            do { form = try req.content.decode(UploadForm.self) } catch {
                throw AppError.badRequest(zh: "缺少上传文件（字段 file）", en: "No uploaded file (field file)")
            }
            data = Data(buffer: form.file.data)
            filename = form.file.filename
            format = form.format ?? format
            tenantID = form.tenantId ?? tenantID
        } else {
            data = req.body.data.map { Data(buffer: $0) } ?? Data()
        }
        let kind = try ProofreadDocuments.format(format, filename: filename, data: data)
        let (text, encoding) = try ProofreadDocuments.extract(data, format: kind)
        return try await Self.run(TextInput(text: text, headline: nil, tenantId: tenantID), on: req, format: kind.rawValue, encoding: encoding)
    }

    struct URLInput: Content {
        var url: String
        var tenantId: UUID?
    }

    @Sendable func url(_ req: Request) async throws -> ProofreadReportDTO {
        let input = try req.content.decode(URLInput.self)
        let tenantID = try await Self.tenant(input.tenantId, on: req)
        let (data, type) = try await ProofreadFetch.fetch(input.url, allowPrivate: req.application.proofreadFetch.allowPrivate)
        let kind: ProofreadDocuments.Format = (type ?? "").lowercased().contains("text/plain") ? .txt : .html
        let (text, encoding) = try ProofreadDocuments.extract(data, format: kind)
        return try await Self.run(TextInput(text: text, headline: nil, tenantId: tenantID), on: req, format: kind.rawValue, encoding: encoding)
    }

    static func report(_ req: Request, format: String) async throws -> Response {
        let r = try await run(try req.content.decode(TextInput.self), on: req)
        let data: Data, type: String
        if format == "docx" {
            data = try ProofreadReport.docx(r)
            type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        } else {
            data = Data(ProofreadReport.html(r).utf8)
            type = "text/html; charset=utf-8"
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"proofread-report.\(format)\"")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
