import Fluent
import Vapor

/// Lexicon and fact-base management (词库、事实库): tenant admins manage their tenant's entries, platform admins the
/// platform's (`tenant_id` null). Every change is audited and drops the compiled proofreaders it affects.
enum LexiconService {
    static let maxTerm = 200
    static let maxItems = 50
    static let maxNote = 500
    /// The largest offset a list serves.
    static let largestOffset = 1_000_000
    static let categories = ["政治", "涉黄", "涉恐", "违禁", "广告", "低俗"]
    static let severities = ["block", "warn", "info"]

    /// Who a list, an import or an export is about: the platform or one tenant.
    enum Owner: Equatable {
        case platform
        case tenant(UUID)
        var tenantID: UUID? { if case .tenant(let id) = self { return id }; return nil }
    }

    /// The owner from `level` (platform|tenant) and `tenant_id`; checks the actor may manage it.
    static func owner(level: String?, tenantID: UUID?, on req: Request) async throws -> Owner {
        let actor = try req.requireActor()
        switch level ?? "tenant" {
        case "platform":
            guard actor.isPlatformAdmin else {
                throw AppError(.forbidden, "platform_lexicon_forbidden", zh: "只有平台管理员可以管理平台词库", en: "Only platform admins manage the platform lexicon")
            }
            return .platform
        case "tenant":
            let id = tenantID ?? actor.activeTenantID
            try await req.scope(for: .tenantSettings).checkPayload(id, on: req.db)
            return .tenant(id)
        default:
            throw AppError.invalid("level", zh: "level 只能是 platform 或 tenant", en: "level must be platform or tenant")
        }
    }

    struct EntryInput: Content {
        var level: String?
        var tenantId: UUID?
        var kind: String
        var term: String
        var category: String?
        var severity: String?
        var title: String?
        var items: [String]?
        var homophones: Bool?
        var note: String?
    }

    /// Cleans and validates one entry's fields (shared by the API and CSV import); returns a bilingual reason on error.
    static func apply(_ input: EntryInput, to e: LexiconEntry) throws {
        guard let kind = LexiconKind(rawValue: input.kind.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw AppError.invalid("kind", zh: "类型只能是 \(LexiconKind.allCases.map(\.rawValue).joined(separator: "、"))",
                                   en: "kind must be one of \(LexiconKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let term = clean(input.term)
        guard !term.isEmpty, term.count <= maxTerm else {
            throw AppError.invalid("term", zh: "词条不能为空，且不超过 \(maxTerm) 字", en: "The term is required and at most \(maxTerm) characters")
        }
        let severity = (input.severity ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard severity.isEmpty || severities.contains(severity) else {
            throw AppError.invalid("severity", zh: "级别只能是 block、warn 或 info", en: "severity must be block, warn or info")
        }
        let items = (input.items ?? []).map(clean).filter { !$0.isEmpty }
        guard items.count <= maxItems, items.allSatisfy({ $0.count <= maxTerm }) else {
            throw AppError.invalid("items", zh: "附加词最多 \(maxItems) 个，每个不超过 \(maxTerm) 字", en: "At most \(maxItems) items of at most \(maxTerm) characters")
        }
        if kind == .list && items.count < 2 {
            throw AppError.invalid("items", zh: "固定排序至少需要两项", en: "A fixed list needs at least two items")
        }
        let category = clean(input.category ?? "")
        guard category.count <= 20 else { throw AppError.invalid("category", zh: "类别不超过 20 字", en: "The category is at most 20 characters") }
        if kind == .sensitive && category.isEmpty {
            throw AppError.invalid("category", zh: "敏感词须填写类别（\(categories.joined(separator: "、"))或自定义）", en: "A sensitive term needs a category")
        }
        let title = clean(input.title ?? "")
        guard title.count <= maxTerm else { throw AppError.invalid("title", zh: "职务不超过 \(maxTerm) 字", en: "The title is at most \(maxTerm) characters") }
        if kind == .person && title.isEmpty {
            throw AppError.invalid("title", zh: "人物须填写现任职务", en: "A person needs a current title")
        }
        let note = clean(input.note ?? "")
        guard note.count <= maxNote else { throw AppError.invalid("note", zh: "备注不超过 \(maxNote) 字", en: "The note is at most \(maxNote) characters") }
        e.kind = kind
        e.term = term
        e.category = category
        e.severity = severity.isEmpty ? (kind == .sensitive ? "block" : "warn") : severity
        e.title = title
        e.items = items
        e.homophones = input.homophones ?? false
        e.note = note
    }

    /// Trimmed, without control characters (NUL, lone controls), single line.
    static func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func query(_ owner: Owner, on db: any Database) -> QueryBuilder<LexiconEntry> {
        switch owner {
        case .platform: LexiconEntry.query(on: db).filter(\.$tenantID == nil)
        case .tenant(let id): LexiconEntry.query(on: db).filter(\.$tenantID == id)
        }
    }

    /// One entry the actor may manage (404 otherwise: another tenant's entries do not exist for them).
    static func find(_ id: UUID?, on req: Request, deleted: Bool = false) async throws -> LexiconEntry {
        guard let id, let e = try await LexiconEntry.query(on: req.db).withDeleted().filter(\.$id == id).first() else { throw AppError.notFound }
        let actor = try req.requireActor()
        if let tenant = e.tenantID {
            try req.scope(for: .tenantSettings).check(tenant)
        } else if !actor.isPlatformAdmin {
            throw AppError.notFound
        }
        guard deleted || e.deletedAt == nil else { throw AppError.notFound }
        return e
    }

    static func list(_ owner: Owner, kind: String?, search: String?, limit: Int, offset: Int, on db: any Database) async throws -> LexiconPageDTO {
        var q = query(owner, on: db)
        if let kind, !kind.isEmpty {
            guard let k = LexiconKind(rawValue: kind) else {
                throw AppError.invalid("kind", zh: "未知的类型", en: "Unknown kind")
            }
            q = q.filter(\.$kind == k)
        }
        let needle = clean(search ?? "")
        if !needle.isEmpty {
            let pattern = needle.prefix(100)
            q = q.group(.or) { $0.filter(\.$term, .contains(inverse: false, .anywhere), String(pattern))
                .filter(\.$title, .contains(inverse: false, .anywhere), String(pattern))
                .filter(\.$note, .contains(inverse: false, .anywhere), String(pattern)) }
        }
        let total = try await q.countRows()
        let rows = try await q.sort(\.$kind).sort(\.$term).range(offset..<(offset + limit)).all()
        return LexiconPageDTO(items: rows.map(LexiconEntryDTO.init), total: total, limit: limit, offset: offset)
    }

    static func create(_ input: EntryInput, on req: Request) async throws -> LexiconEntry {
        let owner = try await owner(level: input.level, tenantID: input.tenantId, on: req)
        let e = LexiconEntry()
        e.tenantID = owner.tenantID
        try apply(input, to: e)
        if try await query(owner, on: req.db).filter(\.$kind == e.kind).filter(\.$term == e.term).first() != nil {
            throw AppError.conflict("lexicon_duplicate", zh: "词条“\(e.term)”已存在", en: "The entry “\(e.term)” already exists")
        }
        e.updatedBy = try req.requireActor().userID
        try await e.create(on: req.db)
        await changed("review.lexicon.create", e, before: nil, on: req)
        return e
    }

    static func update(_ id: UUID?, _ input: EntryInput, on req: Request) async throws -> LexiconEntry {
        let e = try await find(id, on: req)
        let before = snapshot(e)
        try apply(input, to: e)
        let owner: Owner = e.tenantID.map(Owner.tenant) ?? .platform
        if let other = try await query(owner, on: req.db).filter(\.$kind == e.kind).filter(\.$term == e.term).first(), other.id != e.id {
            throw AppError.conflict("lexicon_duplicate", zh: "词条“\(e.term)”已存在", en: "The entry “\(e.term)” already exists")
        }
        e.updatedBy = try req.requireActor().userID
        try await e.save(on: req.db)
        await changed("review.lexicon.update", e, before: before, on: req)
        return e
    }

    static func delete(_ id: UUID?, on req: Request) async throws {
        let e = try await find(id, on: req, deleted: true)
        guard e.deletedAt == nil else { return }
        let before = snapshot(e)
        try await e.delete(on: req.db)
        req.application.proofreaders.invalidate(e.tenantID)
        await req.audit("review.lexicon.delete", tenant: e.tenantID, targetType: "lexicon", targetID: e.id?.uuidString ?? "", before: before)
    }

    static func snapshot(_ e: LexiconEntry) -> [String: String] {
        ["kind": e.kind.rawValue, "term": e.term, "category": e.category, "severity": e.severity, "title": e.title,
         "items": e.items.joined(separator: "|"), "homophones": String(e.homophones), "note": e.note]
    }

    static func changed(_ action: String, _ e: LexiconEntry, before: [String: String]?, on req: Request) async {
        req.application.proofreaders.invalidate(e.tenantID)
        await req.audit(action, tenant: e.tenantID, targetType: "lexicon", targetID: e.id?.uuidString ?? "", before: before, after: snapshot(e),
                        note: e.tenantID == nil ? "platform" : nil)
    }
}
