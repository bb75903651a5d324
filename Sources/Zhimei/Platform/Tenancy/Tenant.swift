import Fluent
import Vapor

/// A tenant: the provincial platform itself, or a county media centre (县级融媒体中心) under it.
public final class Tenant: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    public static let schema = "tenants"

    /// Whether a tenant is the provincial platform or a county centre.
    public enum Kind: String, Codable, Sendable { case platform, county }

    @ID(key: .id) public var id: UUID?
    @Field(key: "slug") public var slug: String
    @Field(key: "name") public var name: String
    @Field(key: "kind") public var kind: Kind
    @OptionalParent(key: "parent_id") public var parent: Tenant?
    @Field(key: "region") public var region: String
    @Field(key: "disabled") public var disabled: Bool
    @Field(key: "settings") public var settings: TenantSettings
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(id: UUID? = nil, slug: String, name: String, kind: Kind, parentID: UUID?, region: String = "", settings: TenantSettings = .init()) {
        self.id = id
        self.slug = slug
        self.name = name
        self.kind = kind
        self.$parent.id = parentID
        self.region = region
        self.disabled = false
        self.settings = settings
    }
}

/// Per-tenant settings a tenant admin may change.
public struct TenantSettings: Codable, Sendable, Equatable {
    /// Display name on the public site and in reports.
    public var displayName: String?
    /// Default UI language for people of this tenant ("zh" or "en").
    public var defaultLanguage: String
    /// Review stages, in order (初审 → 复审 → 终审 by default).
    public var reviewStages: [String]
    public var contactEmail: String?

    public init(displayName: String? = nil, defaultLanguage: String = "zh", reviewStages: [String] = ["初审", "复审", "终审"], contactEmail: String? = nil) {
        self.displayName = displayName
        self.defaultLanguage = defaultLanguage
        self.reviewStages = reviewStages
        self.contactEmail = contactEmail
    }
}
