import Fluent
import Foundation
import NIOConcurrencyHelpers
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

/// In-memory cache of public pages and API answers (bytes + ETag), per tenant. Invalidated on publish, update,
/// correction and kill in this process; entries also expire after `ttl`, which bounds staleness when another
/// process made the change.
final class PublicSiteCache: Sendable {
    struct Entry: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
        var status: HTTPResponseStatus
        var expires: Date
    }

    let ttl: TimeInterval
    private let entries = NIOLockedValueBox<[String: [String: Entry]]>([:])
    static let maxEntriesPerTenant = 5000

    init(ttl: TimeInterval = 10) { self.ttl = ttl }

    func get(tenant: String, key: String) -> Entry? {
        entries.withLockedValue { all in
            guard let e = all[tenant]?[key], e.expires > Date() else { return nil }
            return e
        }
    }

    func put(tenant: String, key: String, _ entry: Entry) {
        entries.withLockedValue { all in
            if (all[tenant]?.count ?? 0) >= Self.maxEntriesPerTenant { all[tenant] = [:] }
            all[tenant, default: [:]][key] = entry
        }
    }

    func invalidate(tenantSlug: String) {
        _ = entries.withLockedValue { $0.removeValue(forKey: tenantSlug) }
    }

    /// Drops everything cached for a tenant (by ID: the slug is looked up lazily, so clear all tenants' maps keyed by ID too).
    func invalidate(tenantID: UUID) {
        entries.withLockedValue { $0.removeAll() }
    }
}

extension Application {
    private struct PublicSiteCacheKey: StorageKey { typealias Value = PublicSiteCache }

    /// The public site's page cache.
    var publicSiteCache: PublicSiteCache {
        // Set once by `PublishingModule.register`; a fallback keeps tools that skip registration from trapping.
        get { storage[PublicSiteCacheKey.self] ?? PublicSiteCache(ttl: 0) }
        set { storage[PublicSiteCacheKey.self] = newValue }
    }
}
