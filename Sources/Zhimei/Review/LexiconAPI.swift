import Fluent
import Vapor

/// Lexicon and fact-base management API (/api/v1/review/lexicon): search, add, edit, delete, CSV import and export.
struct LexiconAPI {
    static let kinds = LexiconKind.allCases.map(\.rawValue)

    static let schemas: [(String, Schema)] = [
        ("LexiconEntry", .object([
            ("id", .uuid), ("level", .enumeration(["platform", "tenant"])), ("tenant_id", .nullable(.uuid)), ("kind", .enumeration(kinds)),
            ("term", .string), ("category", .string), ("severity", .enumeration(ProofreadAPI.severities)), ("title", .string),
            ("items", .array(.string)), ("homophones", .boolean), ("note", .string), ("updated_at", .nullable(.dateTime)),
        ], required: ["id", "level", "kind", "term", "category", "severity", "title", "items", "homophones", "note"])),
        ("LexiconPage", .object([
            ("items", .array(.ref("LexiconEntry"))), ("total", .integer), ("limit", .integer), ("offset", .integer),
        ], required: ["items", "total", "limit", "offset"])),
        ("LexiconImportResult", .object([
            ("created", .integer), ("updated", .integer), ("unchanged", .integer), ("skipped", .integer),
            ("errors", .array(.object([("line", .integer), ("message", .string), ("message_en", .string)], required: ["line", "message", "message_en"]))),
        ], required: ["created", "updated", "unchanged", "skipped", "errors"])),
    ]

    static let entryRequest: Schema = .object([
        ("level", .enumeration(["platform", "tenant"])), ("tenant_id", .nullable(.uuid)), ("kind", .enumeration(kinds)),
        ("term", .string(maxLength: LexiconService.maxTerm)), ("category", .string(maxLength: 20)), ("severity", .enumeration(ProofreadAPI.severities)),
        ("title", .string(maxLength: LexiconService.maxTerm)), ("items", .array(.string(maxLength: LexiconService.maxTerm), maxItems: LexiconService.maxItems)),
        ("homophones", .boolean), ("note", .string(maxLength: LexiconService.maxNote)),
    ], required: ["kind", "term"])

    static let ownerQuery: [(name: String, schema: Schema, description: String)] = [
        ("level", .enumeration(["platform", "tenant"]), "platform (platform admins) or tenant (default)"),
        ("tenant_id", .uuid, "The tenant (default: the active tenant)"),
    ]

    func register(_ api: RoutesBuilder) {
        let lex = api.grouped("review", "lexicon")
        lex.endpoint(.GET, access: .permission(.tenantSettings),
                     doc: .init("Search the lexicon and fact base / 词库与事实库", tag: "review", response: .ref("LexiconPage"),
                                query: Self.ownerQuery + [("kind", .enumeration(Self.kinds), "Entry kind"), ("q", .string(maxLength: 100), "Search text"),
                                                          ("limit", .integer(minimum: 1, maximum: 500), "Page size (default 100)"),
                                                          ("offset", .integer(minimum: 0, maximum: LexiconService.largestOffset), "Offset")]), use: list)
        lex.endpoint(.POST, access: .permission(.tenantSettings),
                     doc: .init("Add a lexicon or fact-base entry (audited) / 新增词条", tag: "review", request: Self.entryRequest,
                                response: .ref("LexiconEntry"), status: 201), use: create)
        lex.endpoint(.POST, "import", access: .permission(.tenantSettings),
                     doc: .init("Import entries from CSV (raw text/csv body: kind,term,category,severity,title,items,homophones,note; UTF-8 or GBK; 5 MB; bad rows reported by line) / 导入 CSV",
                                tag: "review", response: .ref("LexiconImportResult"), query: Self.ownerQuery),
                     body: .collect(maxSize: "6mb"), use: importCSV)
        lex.endpoint(.GET, "export", access: .permission(.tenantSettings),
                     doc: .init("Export entries as CSV (UTF-8 with BOM) / 导出 CSV", tag: "review", response: .string, query: Self.ownerQuery,
                                mediaType: "text/csv"), use: export)
        let one = lex.grouped(":lexiconEntryID")
        one.endpoint(.PUT, access: .permission(.tenantSettings),
                     doc: .init("Change an entry (audited) / 修改词条", tag: "review", request: Self.entryRequest, response: .ref("LexiconEntry")), use: update)
        one.endpoint(.DELETE, access: .permission(.tenantSettings),
                     doc: .init("Delete an entry (audited) / 删除词条", tag: "review", status: 204), use: delete)
    }

    struct ListQuery: Content {
        var level: String?
        var tenantId: UUID?
        var kind: String?
        var q: String?
        var limit: Int?
        var offset: Int?
        enum CodingKeys: String, CodingKey { case level, tenantId = "tenant_id", kind, q, limit, offset }
    }

    static func owner(_ req: Request) async throws -> LexiconService.Owner {
        let q: ListQuery
        do { q = try req.query.decode(ListQuery.self) } catch {
            throw AppError.invalid("query", zh: "查询参数无效", en: "Invalid query parameters")
        }
        return try await LexiconService.owner(level: q.level, tenantID: q.tenantId, on: req)
    }

    @Sendable func list(_ req: Request) async throws -> LexiconPageDTO {
        let q: ListQuery
        do { q = try req.query.decode(ListQuery.self) } catch {
            throw AppError.invalid("query", zh: "查询参数无效", en: "Invalid query parameters")
        }
        let owner = try await LexiconService.owner(level: q.level, tenantID: q.tenantId, on: req)
        let limit = min(max(q.limit ?? 100, 1), 500), offset = min(max(q.offset ?? 0, 0), LexiconService.largestOffset)
        return try await LexiconService.list(owner, kind: q.kind, search: q.q, limit: limit, offset: offset, on: req.db)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let e = try await LexiconService.create(try req.content.decode(LexiconService.EntryInput.self), on: req)
        return try await LexiconEntryDTO(e).encodeResponse(status: .created, for: req)
    }

    @Sendable func update(_ req: Request) async throws -> LexiconEntryDTO {
        LexiconEntryDTO(try await LexiconService.update(req.parameters.get("lexiconEntryID", as: UUID.self),
                                                        try req.content.decode(LexiconService.EntryInput.self), on: req))
    }

    @Sendable func delete(_ req: Request) async throws -> HTTPStatus {
        try await LexiconService.delete(req.parameters.get("lexiconEntryID", as: UUID.self), on: req)
        return .noContent
    }

    @Sendable func importCSV(_ req: Request) async throws -> LexiconCSV.ImportResult {
        let owner = try await Self.owner(req)
        let data = req.body.data.map { Data(buffer: $0) } ?? Data()
        return try await LexiconCSV.importCSV(data, owner: owner, on: req)
    }

    @Sendable func export(_ req: Request) async throws -> Response {
        let owner = try await Self.owner(req)
        let csv = try await LexiconCSV.export(owner, on: req.db)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"lexicon.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }
}
