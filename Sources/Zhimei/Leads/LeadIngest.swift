import Crypto
import Fluent
import Foundation
import ZhimeiText

/// An item on its way to becoming a lead. `text` is HTML when `isHTML` (feeds, webhooks), plain text otherwise.
struct IncomingLead: Sendable {
    var title: String
    var text: String
    var isHTML: Bool
    var link: String?
    var publishedAt: Date?
    var guid: String?
    var origin: LeadOrigin
    var sourceID: UUID?
    var sourceName: String
    var contact: String? = nil
    var attachments: [String] = []
}

/// Turns incoming items into analysed leads: inert plain text, language (and a Simplified copy of Traditional
/// text), keywords, summary, category, SimHash and near-duplicate cluster. Items already seen from the same
/// source (same GUID, link or title) are skipped.
enum LeadIngest {
    static let titleLimit = 500
    static let bodyLimit = 100_000
    /// Near-duplicates are looked for among this tenant's leads of the last 14 days.
    static let clusterWindow: TimeInterval = 14 * 86_400
    /// Two fingerprints at most this many bits apart are the same story.
    static let maxDistance = 3

    static func guidHash(_ item: IncomingLead) -> String {
        let identity = item.guid.flatMap { $0.isEmpty ? nil : $0 } ?? item.link.flatMap { $0.isEmpty ? nil : $0 }
            ?? (item.title + "|" + String(item.text.prefix(500)))
        return SHA256.hash(data: Data(identity.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// One tenant's ingests, one at a time: each checks for already-stored items before it writes.
    static let queue = PerKeySerialQueue()

    /// Ingests items for one tenant; returns the leads created. A tenant's ingests run one at a time (`queue`), so a
    /// webhook retry beside its first delivery, or a manual poll beside a scheduled one, stores each item once.
    @discardableResult
    static func ingest(_ items: [IncomingLead], tenantID: UUID, engine: TextEngine?, on db: any Database, now: Date = Date()) async throws -> [Lead] {
        try await queue.run(tenantID) { try await ingestAlone(items, tenantID: tenantID, engine: engine, on: db, now: now) }
    }

    private static func ingestAlone(_ items: [IncomingLead], tenantID: UUID, engine: TextEngine?, on db: any Database, now: Date) async throws -> [Lead] {
        var created: [Lead] = []
        let scope = TenantScope.only([tenantID])
        // The tenant's fact-base names are cut whole in keywords (金沙路, not 金沙 and 路下).
        var ownWords = UserDictionary()
        if let engine, !items.isEmpty {
            ownWords = engine.segmenter.addingWholeWords(try await FactBaseNames.load(tenantID: tenantID, on: db)).userDictionary
        }
        for item in items {
            let hash = guidHash(item)
            if let sourceID = item.sourceID,
               try await scope.query(Lead.self, on: db).filter(\.$sourceID == sourceID).filter(\.$guidHash == hash).first() != nil {
                continue
            }
            let lead = analyse(item, tenantID: tenantID, guidHash: hash, engine: engine, ownWords: ownWords, now: now)
            lead.clusterID = try await cluster(for: lead, scope: scope, on: db, now: now) ?? lead.id!
            if try await store(lead, on: db) { created.append(lead) }
        }
        return created
    }

    /// Saves a new lead; false when its source already holds the item. `queue` serialises one process's ingests, but a
    /// `serve` and a `worker` (or two servers) can both pass the look-up above: the unique index on (source, item hash)
    /// (migration 012) then refuses the second row, and that item is skipped as already stored.
    static func store(_ lead: Lead, on db: any Database) async throws -> Bool {
        do {
            try await lead.create(on: db)
            return true
        } catch let error as any DatabaseError where error.isConstraintFailure && lead.sourceID != nil {
            return false
        }
    }

    /// Builds the lead (not saved): text, language, keywords, summary, category and fingerprint.
    static func analyse(_ item: IncomingLead, tenantID: UUID, guidHash: String, engine: TextEngine?,
                        ownWords: UserDictionary = UserDictionary(), now: Date) -> Lead {
        let lead = Lead()
        lead.id = UUID()
        lead.tenantID = tenantID
        lead.sourceID = item.sourceID
        lead.origin = item.origin
        lead.sourceName = String(item.sourceName.prefix(200))
        lead.guidHash = guidHash
        var title = HTMLText.plainText(item.title, limit: titleLimit).replacingOccurrences(of: "\n", with: " ")
        let body = item.isHTML ? HTMLText.plainText(item.text, limit: bodyLimit) : HTMLText.tidy(item.text, limit: bodyLimit)
        if title.isEmpty { title = String(body.prefix(60)).replacingOccurrences(of: "\n", with: " ") }
        if title.isEmpty { title = "（无标题）" }
        lead.title = title
        lead.body = body
        lead.sourceURL = HTMLText.safeURL(item.link)
        lead.publishedAt = item.publishedAt ?? now
        lead.fetchedAt = now
        lead.status = .new
        lead.contact = item.contact.map { String($0.prefix(200)) }
        lead.attachments = item.attachments
        lead.createdAt = now
        lead.updatedAt = now

        let full = title + "\n" + body
        lead.language = LanguageDetector.detect(full, engine: engine)
        var analysed = full
        if lead.language == "zh-Hant", let engine {
            lead.titleSimplified = try? engine.convert(title, config: .t2s)
            lead.bodySimplified = try? engine.convert(body, config: .t2s)
            if let t = lead.titleSimplified, let b = lead.bodySimplified { analysed = t + "\n" + b }
        }
        let analysedBody = lead.bodySimplified ?? body
        lead.category = LeadCategory.classify(title: lead.titleSimplified ?? title, body: analysedBody).rawValue
        if let engine {
            lead.keywords = engine.keywords(String(analysed.prefix(20_000)), top: 8, userDictionary: ownWords).map(\.word)
            let summary = analysedBody.isEmpty ? "" : engine.summarize(String(analysedBody.prefix(20_000)), maxCharacters: 160).summary
            lead.summary = summary.isEmpty ? String(body.prefix(160)) : summary
            // Reprints often retitle a story: fingerprint the body when there is enough of it.
            let basis = Self.withoutAttribution(analysedBody.count >= 80 ? analysedBody : analysed)
            lead.simhash = Int64(bitPattern: engine.simhash(String(basis.prefix(20_000))))
        } else {
            lead.keywords = []
            lead.summary = String(body.prefix(160))
            lead.simhash = 0
        }
        let bands = Self.bands(lead.fingerprint)
        (lead.band0, lead.band1, lead.band2, lead.band3) = (bands[0], bands[1], bands[2], bands[3])
        return lead
    }

    /// Reprint boilerplate that says nothing about the story: （来源：…）, (稿源：…), 责任编辑：… lines, 原标题：… lines.
    static func withoutAttribution(_ text: String) -> String {
        var out = text.replacingOccurrences(of: "[（(]\\s*(来源|稿源|转自|来自|source|Source)\\s*[：:][^）)]{0,60}[）)]", with: "", options: .regularExpression)
        out = out.split(separator: "\n").filter { line in
            !["责任编辑", "编辑：", "来源：", "原标题", "校对：", "审核："].contains { line.trimmingCharacters(in: .whitespaces).hasPrefix($0) }
        }.joined(separator: "\n")
        return out
    }

    /// The four 16-bit bands of a fingerprint. Two fingerprints within 3 bits share at least one band (pigeonhole).
    static func bands(_ fp: UInt64) -> [Int] {
        (0..<4).map { Int((fp >> (16 * UInt64($0))) & 0xFFFF) }
    }

    /// The cluster of the nearest recent lead within `maxDistance` bits, found through the band indexes.
    static func cluster(for lead: Lead, scope: TenantScope, on db: any Database, now: Date) async throws -> UUID? {
        guard lead.simhash != 0 else { return nil }
        let since = now.addingTimeInterval(-clusterWindow)
        let candidates = try await scope.query(Lead.self, on: db)
            .filter(\.$fetchedAt >= since)
            .group(.or) { or in
                or.filter(\.$band0 == lead.band0).filter(\.$band1 == lead.band1).filter(\.$band2 == lead.band2).filter(\.$band3 == lead.band3)
            }
            .field(\.$id).field(\.$simhash).field(\.$clusterID).field(\.$fetchedAt)
            .sort(\.$fetchedAt, .descending).limit(500).all()
        let fp = lead.fingerprint
        let best = candidates.map { (SimHasher.distance($0.fingerprint, fp), $0.clusterID) }.filter { $0.0 <= maxDistance }.min { $0.0 < $1.0 }
        return best?.1
    }
}
