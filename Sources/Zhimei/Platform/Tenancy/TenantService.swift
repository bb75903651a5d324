import Fluent
import Vapor

/// Creating, listing and configuring tenants.
enum TenantService {
    /// Input for a new county centre.
    struct CreateInput: Content {
        var name: String
        var slug: String
        var region: String?
        var settings: TenantSettings?
    }

    /// A partial update; tenant admins may change settings and display fields of their own tenant.
    struct UpdateInput: Content {
        var name: String?
        var region: String?
        var settings: TenantSettings?
        /// Only platform admins may disable or enable a tenant.
        var disabled: Bool?
    }

    static func list(on req: Request) async throws -> [Tenant] {
        try await req.scope(for: .tenantRead).query(Tenant.self, on: req.db).sort(\.$kind, .descending).sort(\.$name).all()
    }

    static func platformTenant(on db: any Database) async throws -> Tenant? {
        try await Tenant.query(on: db).filter(\.$kind == .platform).first()
    }

    static func create(_ input: CreateInput, on req: Request) async throws -> Tenant {
        let actor = try req.requireActor()
        guard actor.isPlatformAdmin, actor.canAnywhere(.tenantsCreate) else { throw AppError.forbidden }
        let name = try Validate.name(input.name, field: "name")
        let slug = try Validate.slug(input.slug)
        if try await Tenant.query(on: req.db).filter(\.$slug == slug).first() != nil {
            throw AppError.conflict("slug_taken", zh: "标识“\(slug)”已被使用", en: "The slug “\(slug)” is already taken")
        }
        let settings = try Validate.settings(input.settings ?? TenantSettings())
        let parent = try await platformTenant(on: req.db)
        let tenant = Tenant(slug: slug, name: name, kind: .county, parentID: parent?.id, region: try Validate.optionalText(input.region, field: "region", max: 100) ?? "", settings: settings)
        try await tenant.create(on: req.db)
        await req.audit("tenant.create", tenant: tenant.id, targetType: "tenant", targetID: tenant.id?.uuidString ?? "", after: ["name": name, "slug": slug])
        return tenant
    }

    static func update(_ id: UUID?, _ input: UpdateInput, on req: Request) async throws -> Tenant {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, id, on: req.db)
        let before = snapshot(tenant)
        if let name = input.name { tenant.name = try Validate.name(name, field: "name") }
        if let region = input.region { tenant.region = try Validate.optionalText(region, field: "region", max: 100) ?? "" }
        if let settings = input.settings { tenant.settings = try Validate.settings(settings) }
        if let disabled = input.disabled, disabled != tenant.disabled {
            guard try req.requireActor().isPlatformAdmin else { throw AppError.forbidden }
            guard tenant.kind == .county else {
                throw AppError.invalid("disabled", zh: "不能停用平台本身", en: "The platform itself cannot be disabled")
            }
            tenant.disabled = disabled
        }
        try await tenant.save(on: req.db)
        await req.audit("tenant.update", tenant: tenant.id, targetType: "tenant", targetID: tenant.id?.uuidString ?? "", before: before, after: snapshot(tenant))
        return tenant
    }

    static func snapshot(_ t: Tenant) -> [String: String] {
        ["name": t.name, "region": t.region, "disabled": String(t.disabled), "language": t.settings.defaultLanguage,
         "review_stages": t.settings.reviewStages.joined(separator: "→"), "display_name": t.settings.displayName ?? "",
         "contact_email": t.settings.contactEmail ?? ""]
    }
}

/// Input validation with bilingual messages.
enum Validate {
    static func name(_ value: String, field: String, max: Int = 100) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= max, !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AppError.invalid(field, zh: "“\(field)”不能为空，且不超过 \(max) 个字符", en: "“\(field)” must be 1–\(max) characters")
        }
        return trimmed
    }

    static func optionalText(_ value: String?, field: String, max: Int) throws -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        return try name(trimmed, field: field, max: max)
    }

    static func slug(_ value: String) throws -> String {
        let v = value.trimmingCharacters(in: .whitespaces).lowercased()
        guard (2...40).contains(v.count), v.first?.isLetter == true || v.first?.isNumber == true,
              v.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw AppError.invalid("slug", zh: "标识须为 2–40 个小写字母、数字或连字符", en: "A slug is 2–40 lower-case letters, digits or hyphens")
        }
        return v
    }

    static func username(_ value: String) throws -> String {
        let v = value.trimmingCharacters(in: .whitespaces).lowercased()
        guard (3...32).contains(v.count), v.first.map({ $0.isLetter || $0.isNumber }) == true,
              v.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) else {
            throw AppError.invalid("username", zh: "用户名须为 3–32 个小写字母、数字、点、下划线或连字符", en: "A username is 3–32 lower-case letters, digits, dots, underscores or hyphens")
        }
        return v
    }

    static func email(_ value: String?) throws -> String? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        let parts = v.split(separator: "@")
        guard v.count <= 200, parts.count == 2, parts[1].contains("."), !v.contains(" ") else {
            throw AppError.invalid("email", zh: "电子邮箱格式不正确", en: "The e-mail address is not valid")
        }
        return v
    }

    /// One of an enumeration's raw values, or nil when absent; a bilingual 422 listing the options otherwise.
    static func choice<E: RawRepresentable & CaseIterable>(_ raw: String?, field: String) throws -> E? where E.RawValue == String {
        guard let raw, !raw.isEmpty else { return nil }
        guard let value = E(rawValue: raw) else {
            let options = E.allCases.map(\.rawValue)
            throw AppError.invalid(field, zh: "“\(field)”无效，可选：\(options.joined(separator: "、"))",
                                   en: "Invalid “\(field)”; use one of: \(options.joined(separator: ", "))")
        }
        return value
    }

    static func language(_ value: String) throws -> String {
        guard ["zh", "en"].contains(value) else {
            throw AppError.invalid("language", zh: "语言只能是 zh 或 en", en: "Language must be zh or en")
        }
        return value
    }

    static func settings(_ s: TenantSettings) throws -> TenantSettings {
        var s = s
        s.displayName = try optionalText(s.displayName, field: "display_name", max: 100)
        s.contactEmail = try email(s.contactEmail)
        s.defaultLanguage = try language(s.defaultLanguage)
        guard (1...6).contains(s.reviewStages.count) else {
            throw AppError.invalid("review_stages", zh: "审核流程须有 1–6 个环节", en: "The review workflow needs 1–6 stages")
        }
        s.reviewStages = try s.reviewStages.map { try name($0, field: "review_stages", max: 20) }
        return s
    }
}
