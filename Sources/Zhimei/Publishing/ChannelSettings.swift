import Fluent
import Foundation
import Vapor

/// A tenant's channel configuration: one row per channel kind, created with defaults on first use.
enum ChannelSettings {
    static let maxHashtags = 10

    @discardableResult
    static func ensure(tenantID: UUID, on db: any Database) async throws -> [PublishChannel] {
        var rows = try await PublishChannel.query(on: db).filter(\.$tenantID == tenantID).all()
        let missing = ChannelKind.allCases.filter { kind in !rows.contains { $0.kind == kind } }
        for kind in missing {
            let c = PublishChannel()
            c.tenantID = tenantID
            c.kind = kind
            c.enabled = true
            c.maxLength = kind.defaultMaxLength
            c.hashtags = []
            c.updatedAt = Date()
            do {
                try await c.create(on: db)
                rows.append(c)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // Another request created the defaults at the same moment.
                if let other = try await PublishChannel.query(on: db).filter(\.$tenantID == tenantID).filter(\.$kind == kind).first() { rows.append(other) }
            }
        }
        return ChannelKind.allCases.compactMap { kind in rows.first { $0.kind == kind } }
    }

    /// A channel change from the settings page or API.
    struct Update: Content {
        var enabled: Bool?
        var maxLength: Int?
        var hashtags: [String]?
    }

    static func update(_ channel: PublishChannel, _ input: Update) throws {
        if let enabled = input.enabled { channel.enabled = enabled }
        if let max = input.maxLength {
            guard (0...100_000).contains(max) else {
                throw AppError.invalid("max_length", zh: "字数上限应在 0–100000 之间", en: "max_length must be 0–100000")
            }
            if channel.kind == .social, max > 0, max < 40 {
                throw AppError.invalid("max_length", zh: "社交帖字数上限至少 40", en: "A social post limit must be at least 40")
            }
            channel.maxLength = max
        }
        if let tags = input.hashtags {
            let cleaned = tags.map { $0.replacingOccurrences(of: "\u{0}", with: "").replacingOccurrences(of: "#", with: "").trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty }
            guard cleaned.count <= maxHashtags, cleaned.allSatisfy({ $0.count <= 30 }) else {
                throw AppError.invalid("hashtags", zh: "话题最多 \(maxHashtags) 个，每个不超过 30 字", en: "At most \(maxHashtags) hashtags of up to 30 characters")
            }
            channel.hashtags = cleaned
        }
        channel.updatedAt = Date()
    }
}
