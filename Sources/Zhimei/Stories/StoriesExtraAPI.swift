import Fluent
import Vapor

/// Imports (DOCX, HTML, Markdown, text) into blocks, stored images, and new stories made from files.
enum StoryImporter {
    enum Format: String, CaseIterable { case docx, html, markdown, text }

    static let maxImageBytes = 10 * 1024 * 1024

    static func detect(format: String?, filename: String?, data: Data) throws -> Format {
        if let raw = format?.lowercased(), !raw.isEmpty {
            if raw == "md" { return .markdown }
            if raw == "txt" { return .text }
            guard let f = Format(rawValue: raw) else {
                throw AppError.invalid("format", zh: "格式只能是 docx、html、markdown 或 text", en: "format must be docx, html, markdown or text")
            }
            return f
        }
        let ext = (filename ?? "").split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "docx": return .docx
        case "html", "htm": return .html
        case "md", "markdown": return .markdown
        case "txt": return .text
        default: break
        }
        if data.prefix(2) == Data([0x50, 0x4B]) { return .docx }
        if let head = String(data: data.prefix(512), encoding: .utf8)?.lowercased(), head.contains("<html") || head.contains("<p") || head.contains("<!doctype") { return .html }
        return .text
    }

    static func text(_ data: Data) throws -> String {
        guard let s = String(data: data, encoding: .utf8) else {
            throw AppError.invalid("file", zh: "文本文件须为 UTF-8 编码", en: "Text files must be UTF-8")
        }
        return s
    }

    static func parse(_ data: Data, format: Format) throws -> [ImportedItem] {
        switch format {
        case .docx: return try DocxReader.read(data)
        case .html: return HTMLImporter.parse(try text(data))
        case .markdown: return MarkdownImporter.parse(try text(data))
        case .text: return PlainTextImporter.parse(try text(data))
        }
    }

    /// Stores images in the blob store under the tenant's story media and returns blocks plus story fields found.
    static func materialize(_ items: [ImportedItem], tenantID: UUID, on req: Request) async throws -> (blocks: [StoryBlock], meta: [String: String]) {
        var blocks: [StoryBlock] = []
        var meta: [String: String] = [:]
        for item in items {
            switch item {
            case .block(let b): blocks.append(b)
            case .meta(let field, let value): if meta[field] == nil { meta[field] = value }
            case .image(let data, let alt, let caption):
                guard data.count <= maxImageBytes, let type = ImageSniffer.contentType(data) else { continue }
                let key = StoryValidation.mediaPrefix(tenantID) + UUID().uuidString.lowercased()
                try await req.application.zhimei.blobs.put(key, data: data, contentType: type)
                blocks.append(.image(key: key, caption: String(caption.prefix(500)), alt: String(alt.prefix(500))))
            }
        }
        return (blocks, meta)
    }
}

/// Diff, import/export, media and assist routes.
struct StoriesExtraAPI {
    static let diffSegmentSchema: Schema = .object([("op", .enumeration(["equal", "insert", "delete"])), ("text", .string)], required: ["op", "text"])
    static let diffSchema: Schema = .object([
        ("from", .integer(minimum: 1)), ("to", .integer(minimum: 1)),
        ("fields", .array(.object([("field", .string), ("changed", .boolean), ("segments", .array(.ref("DiffSegment")))], required: ["field", "changed", "segments"]))),
        ("blocks", .array(.object([("change", .enumeration(["equal", "modified", "added", "removed"])), ("type", .string), ("segments", .array(.ref("DiffSegment")))],
                                  required: ["change", "type", "segments"]))),
        ("inserted", .integer(minimum: 0)), ("deleted", .integer(minimum: 0)),
    ], required: ["from", "to", "fields", "blocks", "inserted", "deleted"])
    static let assistSchema: Schema = .object([
        ("summary", .string), ("headlines", .array(.string)),
        ("keywords", .array(.object([("word", .string), ("weight", .number)], required: ["word", "weight"]))),
        ("tags", .array(.string)),
        ("related", .array(.object([("id", .uuid), ("headline", .string), ("updated_at", .dateTime), ("score", .number),
                                    ("shared_keywords", .array(.string)), ("distance", .integer(minimum: 0, maximum: 64))],
                                   required: ["id", "headline", "updated_at", "score", "shared_keywords"]))),
        ("characters", .integer(minimum: 0)), ("paragraphs", .integer(minimum: 0)), ("reading_minutes", .integer(minimum: 0)),
        ("aigc", .ref("AIGCLabel")),
    ], required: ["summary", "headlines", "keywords", "tags", "related", "characters", "paragraphs", "reading_minutes", "aigc"])
    static let mediaSchema: Schema = .object([("key", .string), ("url", .string), ("content_type", .string)], required: ["key", "url", "content_type"])
    static let blocksSchema: Schema = .object([("blocks", .array(.ref("StoryBlock"))), ("meta", .stringMap)], required: ["blocks", "meta"])

    static var schemas: [(String, Schema)] {
        [("DiffSegment", diffSegmentSchema), ("StoryDiff", diffSchema), ("StoryAssist", assistSchema), ("StoryMedia", mediaSchema), ("StoryBlocks", blocksSchema)]
    }

    func register(_ api: RoutesBuilder) {
        let tag = "stories"
        api.endpoint(.GET, "stories", ":storyID", "diff", access: .permission(.storiesRead),
                     doc: .init("Character-level diff of two versions / 版本对比（逐字）", tag: tag, response: .ref("StoryDiff"),
                                query: [("from", .integer(minimum: 1), "Older version (default: previous) / 旧版本"),
                                        ("to", .integer(minimum: 1), "Newer version (default: current) / 新版本")]), use: diff)
        api.endpoint(.POST, "stories", "convert", access: .permission(.storiesWrite),
                     doc: .init("Convert pasted HTML, Markdown or text into blocks (scripts, styles and unsafe links removed) / 粘贴内容转为正文块", tag: tag,
                                request: .object([("format", .enumeration(["html", "markdown", "text"])), ("content", .string(maxLength: 2_000_000))], required: ["format", "content"]),
                                response: .ref("StoryBlocks")), body: .collect(maxSize: "20mb"), use: convert)
        api.endpoint(.POST, "stories", "import", access: .permission(.storiesWrite),
                     doc: .init("Import a DOCX, HTML, Markdown or text file as a new story (multipart/form-data: file, format?, tenant_id?; 20 MB limit; zip bombs and corrupted DOCX are rejected) / 导入稿件", tag: tag,
                                response: .ref("Story"), status: 201), body: .collect(maxSize: "20mb"), use: importFile)
        api.endpoint(.GET, "stories", ":storyID", "export", "docx", access: .permission(.storiesRead),
                     doc: .init("Export as DOCX / 导出 Word", tag: tag, response: .string(format: "binary"),
                                mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), use: exportDocx)
        api.endpoint(.GET, "stories", ":storyID", "export", "txt", access: .permission(.storiesRead),
                     doc: .init("Export as plain text / 导出纯文本", tag: tag, response: .string, mediaType: "text/plain"), use: exportText)
        api.endpoint(.POST, "stories", ":storyID", "media", access: .permission(.storiesWrite),
                     doc: .init("Upload an image for the story (multipart/form-data: file; PNG, JPEG, GIF or WebP up to 10 MB) / 上传稿件图片", tag: tag,
                                response: .ref("StoryMedia"), status: 201), body: .collect(maxSize: "20mb"), use: uploadMedia)
        api.endpoint(.GET, "stories", ":storyID", "media", ":mediaID", access: .permission(.storiesRead),
                     doc: .init("A story image / 稿件图片", tag: tag, response: .string(format: "binary"), mediaType: "image/*"), use: media)
        api.endpoint(.POST, "stories", ":storyID", "assist", access: .permission(.storiesRead),
                     doc: .init("AI assist (built-in): summary, 3–5 headline candidates, keywords, tags, related stories, counts; optional unsaved content / AI 辅助", tag: tag,
                                request: .object(StoriesAPI.contentFields([]), required: []), response: .ref("StoryAssist")),
                     body: .collect(maxSize: StoriesAPI.maxStoryBody), use: assist)
        api.endpoint(.GET, "stories", ":storyID", "html", access: .permission(.storiesRead),
                     doc: .init("The body rendered as safe HTML (every user text escaped) / 正文 HTML", tag: tag,
                                response: .object([("html", .string)], required: ["html"])), use: html)
    }

    @Sendable func diff(_ req: Request) async throws -> StoryDiff.Result {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        let to = try StoriesAPI.intQuery(req, "to") ?? story.version
        let from = try StoriesAPI.intQuery(req, "from") ?? max(1, to - 1)
        let a = try await StoryService.findVersion(story, from, on: req)
        let b = try await StoryService.findVersion(story, to, on: req)
        return StoryDiff.compare(a.snapshot, from: from, b.snapshot, to: to)
    }

    struct ConvertInput: Content { var format: String; var content: String }
    struct BlocksOut: Content { var blocks: [StoryBlock]; var meta: [String: String] }

    @Sendable func convert(_ req: Request) async throws -> BlocksOut {
        let input = try req.content.decode(ConvertInput.self)
        guard ["html", "markdown", "text"].contains(input.format) else {
            throw AppError.invalid("format", zh: "格式只能是 html、markdown 或 text", en: "format must be html, markdown or text")
        }
        let tenantID = try req.requireActor().activeTenantID
        try req.scope(for: .storiesWrite).checkPayload(tenantID)
        let format = StoryImporter.Format(rawValue: input.format) ?? .text
        let items = try StoryImporter.parse(Data(input.content.utf8), format: format)
        let result = try await StoryImporter.materialize(items, tenantID: tenantID, on: req)
        return BlocksOut(blocks: try StoryValidation.blocks(result.blocks, tenantID: tenantID), meta: result.meta)
    }

    struct ImportForm: Content {
        var file: File
        var format: String?
        var tenantId: UUID?
    }

    @Sendable func importFile(_ req: Request) async throws -> Response {
        guard req.headers.contentType?.type == "multipart" else {
            throw AppError(.unsupportedMediaType, "unsupported_media_type", zh: "请以 multipart/form-data 上传文件（字段 file）", en: "Upload the file as multipart/form-data (field file)")
        }
        let form: ImportForm
        do { form = try req.content.decode(ImportForm.self) } catch {
            throw AppError.badRequest(zh: "缺少上传文件（字段 file）", en: "No uploaded file (field file)")
        }
        let data = Data(buffer: form.file.data)
        guard !data.isEmpty else { throw AppError.invalid("file", zh: "文件为空", en: "The file is empty") }
        let tenantID = try form.tenantId ?? req.requireActor().activeTenantID
        try req.scope(for: .storiesWrite).checkPayload(tenantID)
        let format = try StoryImporter.detect(format: form.format, filename: form.file.filename, data: data)
        let items = try StoryImporter.parse(data, format: format)
        var (blocks, meta) = try await StoryImporter.materialize(items, tenantID: tenantID, on: req)
        var headline = meta["headline"] ?? ""
        if headline.isEmpty, case .heading(_, let spans, _)? = blocks.first {
            headline = spans.map(\.text).joined()
            blocks.removeFirst()
        }
        if headline.trimmingCharacters(in: .whitespaces).isEmpty {
            let name = form.file.filename.split(separator: "/").last.map(String.init) ?? ""
            headline = name.split(separator: ".").dropLast().joined(separator: ".")
        }
        if headline.trimmingCharacters(in: .whitespaces).isEmpty { headline = "导入的稿件" }
        let content = StoryService.ContentInput(headline: String(headline.prefix(300)), subtitle: meta["subtitle"].map { String($0.prefix(300)) },
                                                lead: meta["lead"].map { String($0.prefix(5000)) }, byline: meta["byline"].map { String($0.prefix(200)) },
                                                body: blocks)
        let input = StoryService.CreateInput(content: content, tenantId: tenantID)
        let story = try await StoryService.create(input, note: "import:\(format.rawValue)", on: req)
        return try await StoryDTO(story, actor: req.actor).encodeResponse(status: .created, for: req)
    }

    static func attachment(_ data: Data, type: String, name: String, ext: String) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "story"
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"story.\(ext)\"; filename*=UTF-8''\(encoded).\(ext)")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    static func fileName(_ story: Story) -> String {
        let base = String(StoryValidation.clean(story.headline).prefix(60)).replacingOccurrences(of: "/", with: "_")
        return base.isEmpty ? "story" : base
    }

    @Sendable func exportDocx(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        var media: [String: Data] = [:]
        for block in story.body {
            if case .image(let key, _, _, _) = block, media[key] == nil, StoryValidation.isMediaKey(key, tenantID: story.tenantID) {
                media[key] = try await req.application.zhimei.blobs.get(key)
            }
        }
        let data = try DocxWriter.write(story, media: media)
        await req.audit("story.export", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "", after: ["format": "docx"])
        return Self.attachment(data, type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name: Self.fileName(story), ext: "docx")
    }

    @Sendable func exportText(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        return Self.attachment(Data(StoryRenderer.plainText(story).utf8), type: "text/plain; charset=utf-8", name: Self.fileName(story), ext: "txt")
    }

    struct MediaForm: Content { var file: File }
    struct MediaOut: Content { var key: String; var url: String; var contentType: String }

    @Sendable func uploadMedia(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req, for: .storiesWrite)
        guard req.headers.contentType?.type == "multipart", let form = try? req.content.decode(MediaForm.self) else {
            throw AppError(.unsupportedMediaType, "unsupported_media_type", zh: "请以 multipart/form-data 上传图片（字段 file）", en: "Upload the image as multipart/form-data (field file)")
        }
        let data = Data(buffer: form.file.data)
        guard data.count <= StoryImporter.maxImageBytes else {
            throw AppError(.payloadTooLarge, "image_too_large", zh: "图片不能超过 10 MB", en: "Images are limited to 10 MB")
        }
        guard let type = ImageSniffer.contentType(data) else {
            throw AppError.invalid("file", zh: "只支持 PNG、JPEG、GIF、WebP 图片", en: "Only PNG, JPEG, GIF and WebP images are supported")
        }
        let id = UUID().uuidString.lowercased()
        let key = StoryValidation.mediaPrefix(story.tenantID) + id
        try await req.application.zhimei.blobs.put(key, data: data, contentType: type)
        return try await MediaOut(key: key, url: "/api/v1/stories/\(try story.requireID().uuidString)/media/\(id)", contentType: type).encodeResponse(status: .created, for: req)
    }

    @Sendable func media(_ req: Request) async throws -> Response {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        guard let id = req.parameters.get("mediaID", as: UUID.self) else { throw AppError.notFound }
        let key = StoryValidation.mediaPrefix(story.tenantID) + id.uuidString.lowercased()
        guard let data = try await req.application.zhimei.blobs.get(key), let type = ImageSniffer.contentType(data) else { throw AppError.notFound }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type)
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=86400")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func assist(_ req: Request) async throws -> StoryAssist.Result {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        var snapshot: StorySnapshot?
        if let body = req.body.data, body.readableBytes > 0 {
            let input = try req.content.decode(StoryService.ContentInput.self)
            if input.headline != nil || input.body != nil || input.lead != nil {
                var content = input
                if content.headline == nil { content.headline = story.headline }
                snapshot = try StoryService.snapshot(content, tenantID: story.tenantID)
            }
        }
        return try await StoryAssist.run(story: story, snapshot: snapshot, on: req)
    }

    struct HTMLOut: Content { var html: String }

    @Sendable func html(_ req: Request) async throws -> HTMLOut {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        return HTMLOut(html: StoryRenderer.html(story.body, storyID: try story.requireID()))
    }
}
