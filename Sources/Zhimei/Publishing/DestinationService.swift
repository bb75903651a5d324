import Fluent
import Foundation
import Vapor

/// Managing a tenant's destinations and reading their delivery logs (tenant settings permission).
enum DestinationService {
    struct CreateInput: Content {
        var name: String
        var kind: String
        var target: String
        var secret: String?
        var bucket: String?
        var region: String?
        var accessKey: String?
        var prefix: String?
        var enabled: Bool?
    }

    static func list(tenantID: UUID, on req: Request) async throws -> [PublishDestination] {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, tenantID, on: req.db)
        return try await req.scope(for: .tenantSettings).query(PublishDestination.self, on: req.db)
            .filter(\.$tenantID == tenant.requireID()).filter(\.$deletedAt == nil).sort(\.$createdAt).all()
    }

    static func create(tenantID: UUID, _ input: CreateInput, on req: Request) async throws -> PublishDestination {
        let tenant = try await req.scope(for: .tenantSettings).find(Tenant.self, tenantID, on: req.db)
        guard let kind = DestinationKind(rawValue: input.kind) else {
            throw AppError.invalid("kind", zh: "目标类型应为 webhook、directory、s3 或 ninjs_push", en: "kind must be webhook, directory, s3 or ninjs_push")
        }
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100, !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw AppError.invalid("name", zh: "名称不能为空且不超过 100 字", en: "The name must be 1–100 characters")
        }
        let target = input.target.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !target.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw AppError.invalid("target", zh: "目标地址不能含控制字符", en: "The target must not contain control characters")
        }
        switch kind {
        case .webhook, .ninjsPush, .s3:
            guard OutboundURL.validated(target, maxLength: 500) != nil else {
                throw AppError.invalid("target", zh: "目标地址应为 http(s) 网址（端口 1–65535，不含账号密码）", en: "target must be an http(s) URL (port 1–65535, no credentials)")
            }
        case .directory:
            guard DeliveryService.isSafeName(target) else {
                throw AppError.invalid("target", zh: "目录名只能包含字母、数字、- 和 _（位于数据目录的 publishing/outbox 下）",
                                       en: "The directory name may contain letters, digits, - and _ only (it lives under publishing/outbox in the data directory)")
            }
        }
        if kind == .s3, (input.bucket ?? "").isEmpty || (input.accessKey ?? "").isEmpty || (input.secret ?? "").isEmpty {
            throw AppError.invalid("bucket", zh: "S3 目标需要 bucket、access_key 和 secret", en: "An S3 destination needs bucket, access_key and secret")
        }
        let secret = input.secret ?? ""
        guard secret.count <= 200, !secret.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw AppError.invalid("secret", zh: "密钥不超过 200 字且不能含控制字符", en: "The secret must be at most 200 characters without control characters")
        }
        var options: [String: String] = [:]
        for (k, v) in [("bucket", input.bucket), ("region", input.region), ("access_key", input.accessKey), ("prefix", input.prefix)] {
            if let v, !v.isEmpty {
                guard v.count <= 200, !v.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                    throw AppError.invalid(k, zh: "\(k) 无效", en: "Invalid \(k)")
                }
                options[k] = v
            }
        }
        let d = PublishDestination()
        d.id = UUID()
        d.tenantID = try tenant.requireID()
        d.name = name; d.kind = kind; d.target = target; d.secret = secret; d.options = options; d.enabled = input.enabled ?? true; d.createdAt = Date()
        try await d.create(on: req.db)
        await req.audit("publishing.destination.create", tenant: d.tenantID, targetType: "publish_destination", targetID: d.id?.uuidString ?? "",
                        after: ["name": name, "kind": kind.rawValue, "target": target])
        return d
    }

    static func find(_ id: UUID?, on req: Request) async throws -> PublishDestination {
        try await req.scope(for: .tenantSettings).find(PublishDestination.self, id, on: req.db)
    }

    static func delete(_ id: UUID?, on req: Request) async throws {
        let d = try await find(id, on: req)
        // Soft delete: idempotent, and the delivery log stays for audits.
        guard d.deletedAt == nil else { return }
        d.deletedAt = Date()
        d.enabled = false
        try await d.save(on: req.db)
        await req.audit("publishing.destination.delete", tenant: d.tenantID, targetType: "publish_destination", targetID: d.id?.uuidString ?? "",
                        before: ["name": d.name, "kind": d.kind.rawValue])
    }

    static func deliveries(_ destination: PublishDestination, limit: Int = 200, on db: any Database) async throws -> [PublishDelivery] {
        try await PublishDelivery.query(on: db).filter(\.$destinationID == destination.requireID()).sort(\.$createdAt, .descending).limit(limit).all()
    }

    static func resend(_ id: UUID?, on req: Request) async throws -> PublishDelivery {
        let d = try await req.scope(for: .tenantSettings).find(PublishDelivery.self, id, on: req.db)
        try await DeliveryService.resend(d, on: req.db)
        await req.audit("publishing.delivery.resend", tenant: d.tenantID, targetType: "publish_delivery", targetID: d.id?.uuidString ?? "",
                        after: ["idempotency_key": d.idempotencyKey])
        return d
    }
}
