import Fluent
import SQLKit
import Vapor

/// The set of tenants a query may see. This is the one place where tenant filtering happens:
/// services ask for a scoped query and never filter by tenant themselves.
public enum TenantScope: Sendable, Equatable {
    case all
    case only(Set<UUID>)

    public func contains(_ tenantID: UUID?) -> Bool {
        switch self {
        case .all: return true
        case .only(let ids): return tenantID.map(ids.contains) ?? false
        }
    }

    /// Throws 404 (not 403, so existence does not leak) when a tenant is outside the scope.
    public func check(_ tenantID: UUID?) throws {
        guard contains(tenantID) else { throw AppError.notFound }
    }

    /// Throws 403 when a payload names a tenant outside the scope.
    public func checkPayload(_ tenantID: UUID) throws {
        guard contains(tenantID) else {
            throw AppError(.forbidden, "tenant_forbidden", zh: "不能操作其他单位的数据", en: "You cannot act on another tenant's data")
        }
    }

    /// Like `checkPayload(_:)`, and also 422 when the tenant does not exist, so that a platform admin's
    /// payload naming an unknown tenant never reaches the database's foreign key (a 500).
    public func checkPayload(_ tenantID: UUID, on db: any Database) async throws {
        try checkPayload(tenantID)
        guard try await Tenant.find(tenantID, on: db) != nil else {
            throw AppError.invalid("tenant_id", zh: "单位不存在", en: "No such tenant")
        }
    }

    /// A query over a tenant-owned model, limited to this scope.
    public func query<M: TenantOwned>(_ model: M.Type, on db: any Database) -> QueryBuilder<M> {
        let query = M.query(on: db)
        switch self {
        case .all:
            return query
        case .only(let ids):
            return query.filter(.path([M.tenantKey], schema: M.schemaOrAlias), .subset(inverse: false), .array(ids.map { .bind($0) }))
        }
    }

    /// The same limit for a raw SQL statement: a condition on a tenant column (`1 = 1` for every tenant).
    public func condition(column: String) -> SQLQueryString {
        switch self {
        case .all: return "1 = 1"
        case .only(let ids) where ids.isEmpty: return "1 = 0"
        case .only(let ids):
            let values: [any Encodable & Sendable] = ids.sorted { $0.uuidString < $1.uuidString }
            return "\(ident: column) IN (\(binds: values))"
        }
    }

    /// Finds one tenant-owned object inside the scope; 404 if missing or owned by another tenant.
    public func find<M: TenantOwned>(_ model: M.Type, _ id: M.IDValue?, on db: any Database) async throws -> M {
        guard let id else { throw AppError.notFound }
        guard let object = try await query(model, on: db).filter(\._$id == id).first() else { throw AppError.notFound }
        return object
    }
}

/// A model whose rows belong to one tenant.
public protocol TenantOwned: Model {
    /// The column that holds the owning tenant's ID.
    static var tenantKey: FieldKey { get }
}

extension User: TenantOwned { public static var tenantKey: FieldKey { "home_tenant_id" } }
extension Job: TenantOwned { public static var tenantKey: FieldKey { "tenant_id" } }
extension AuditEntry: TenantOwned { public static var tenantKey: FieldKey { "tenant_id" } }
extension Membership: TenantOwned { public static var tenantKey: FieldKey { "tenant_id" } }
extension Tenant: TenantOwned { public static var tenantKey: FieldKey { "id" } }
