import Fluent
import Vapor

/// Filters for reading the audit log: who, what, which tenant, when.
struct AuditFilter: Sendable {
    var actor: String?
    var action: String?
    var tenantID: UUID?
    var from: Date?
    var to: Date?
    var beforeID: Int?
    var limit: Int = 100

    static func parse(_ req: Request) throws -> AuditFilter {
        var f = AuditFilter()
        f.actor = try req.query.get(String?.self, at: "actor").flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
        f.action = try req.query.get(String?.self, at: "action").flatMap { $0.isEmpty ? nil : String($0.prefix(64)) }
        f.tenantID = try AdminAPI.optionalUUID(req, "tenant_id")
        f.from = try date(req, "from")
        f.to = try date(req, "to")
        if let before = try QueryParams.int(req, "before_id", 1...Int.max) { f.beforeID = before }
        if let limit = try QueryParams.int(req, "limit", 1...500) { f.limit = limit }
        return f
    }

    /// Accepts 2026-11-22, 2026-11-22T10:00 or a full ISO 8601 time.
    static func date(_ req: Request, _ name: String) throws -> Date? {
        guard let raw = try? req.query.get(String.self, at: name), !raw.isEmpty else { return nil }
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: raw) { return d }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd"] {
            formatter.dateFormat = pattern
            if let d = formatter.date(from: raw) {
                return name == "to" && pattern == "yyyy-MM-dd" ? d.addingTimeInterval(86_399) : d
            }
        }
        throw AppError.invalid(name, zh: "“\(name)”不是有效的日期", en: "“\(name)” is not a valid date")
    }
}

enum AuditQuery {
    static func entries(_ filter: AuditFilter, on req: Request) async throws -> [AuditEntry] {
        let scope = try req.scope(for: .auditRead)
        var q = scope.query(AuditEntry.self, on: req.db)
        if let tenant = filter.tenantID { q = q.filter(\.$tenantID == tenant) }
        if let actor = filter.actor { q = q.filter(\.$actorName, .contains(inverse: false, .anywhere), actor.lowercased()) }
        if let action = filter.action { q = q.filter(\.$action, .contains(inverse: false, .prefix), action) }
        if let from = filter.from { q = q.filter(\.$atMilliseconds >= Int64(from.timeIntervalSince1970 * 1000)) }
        if let to = filter.to { q = q.filter(\.$atMilliseconds <= Int64(to.timeIntervalSince1970 * 1000)) }
        if let before = filter.beforeID { q = q.filter(\.$id < before) }
        return try await q.sort(\.$id, .descending).limit(filter.limit).all()
    }
}
