import Fluent
import SQLKit
import Vapor
import ZhimeiReview

/// What a lexicon row is. Sensitive terms, whitelist and protected words form the 词库; people, organisations,
/// places, fixed expressions and fixed lists form the 事实库. One table keeps import, export, search and audit in one place.
enum LexiconKind: String, Codable, Sendable, CaseIterable {
    case sensitive, whitelist
    /// User dictionary (用户词典): never "corrected" by the typo checks.
    case protected
    case person, organisation, place, expression, list

    var isFact: Bool { [.person, .organisation, .place, .expression, .list].contains(self) }

    var label: (zh: String, en: String) {
        switch self {
        case .sensitive: ("敏感词", "Sensitive term")
        case .whitelist: ("白名单", "Whitelist")
        case .protected: ("用户词典", "User dictionary")
        case .person: ("人物职务", "Person and title")
        case .organisation: ("机构", "Organisation")
        case .place: ("地名", "Place")
        case .expression: ("固定表述", "Fixed expression")
        case .list: ("固定排序", "Fixed list")
        }
    }
}

/// One lexicon or fact-base entry: platform-wide when `tenantID` is nil (only platform admins manage those), else a tenant's.
final class LexiconEntry: Model, TenantOwned, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "review_lexicon"
    static var tenantKey: FieldKey { "tenant_id" }

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "tenant_id") var tenantID: UUID?
    @Field(key: "kind") var kind: LexiconKind
    /// The term, the person's name, the organisation, the expression or the list's name.
    @Field(key: "term") var term: String
    /// Sensitive terms: 政治, 涉黄, 涉恐, 违禁, 广告, 低俗 or a custom category.
    @Field(key: "category") var category: String
    /// block, warn or info.
    @Field(key: "severity") var severity: String
    /// A person's current title.
    @Field(key: "title") var title: String
    /// Context words (sensitive), former titles (person) or the ordered items (list).
    @Field(key: "items") var items: [String]
    @Field(key: "homophones") var homophones: Bool
    @Field(key: "note") var note: String
    @OptionalField(key: "updated_by") var updatedBy: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    /// Soft delete: a deleted entry stays for the audit trail, and deleting it again is a no-op (idempotent DELETE).
    @Timestamp(key: "deleted_at", on: .delete) var deletedAt: Date?

    init() {}
}

/// 045: the lexicon and fact base.
struct M045_CreateReviewLexicon: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema(LexiconEntry.schema)
            .id()
            .field("tenant_id", .uuid, .references(Tenant.schema, .id))
            .field("kind", .string, .required)
            .field("term", .string, .required)
            .field("category", .string, .required)
            .field("severity", .string, .required)
            .field("title", .string, .required)
            .field("items", .array(of: .string), .required)
            .field("homophones", .bool, .required)
            .field("note", .string, .required)
            .field("updated_by", .uuid)
            .field("updated_at", .datetime)
            .field("deleted_at", .datetime)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "review_lexicon_tenant_kind").on(LexiconEntry.schema).column("tenant_id").column("kind").column("term").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema(LexiconEntry.schema).delete()
    }
}
