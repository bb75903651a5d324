import Fluent
import Foundation

/// Published items (the Publishing module's `publications`) as one search document per story: what the public sees,
/// so every member of the tenant (`tenant.read`) finds their own tenant's published items.
///
/// The document is the live version on the preferred channel (website, then app, then any); a story whose items were
/// all withdrawn stays as a headline-only tombstone in state `killed`, and one that is only scheduled is not indexed
/// (embargoed text must not show before its time). A story's change time is the latest created / published /
/// corrected / killed time of its publications (superseding an old version always publishes a new one).
struct PublishedSearchSource: SearchSource {
    /// The document kind (the API's `type=published`).
    static let kindName = "published"
    let kind = kindName
    let permission = Permission.tenantRead

    static let preferred: [ChannelKind] = [.website, .app, .ninjs3, .ninjs2, .rss, .atom, .wechat, .plain, .social, .broadcast]

    static func changedAt(_ p: Publication) -> Date {
        [p.publishedAt, p.correctedAt, p.killedAt].compactMap { $0 }.reduce(p.createdAt, max)
    }

    func changes(after w: SearchWatermark, limit: Int, tenant: UUID?, on db: any Database) async throws -> [SearchDocument] {
        var q = Publication.query(on: db)
        if let tenant { q = q.filter(\.$tenantID == tenant) }
        let since = w.updatedAt
        q = q.group(.or) { or in
            or.filter(\.$createdAt >= since).filter(\.$publishedAt >= since).filter(\.$correctedAt >= since).filter(\.$killedAt >= since)
        }
        let stories = Array(Set(try await q.all(\.$storyID)))
        let docs = try await documents(stories, on: db).filter { d in
            d.updatedAt > w.updatedAt || (d.updatedAt == w.updatedAt && w.id.map { d.sourceID.uuidString > $0.uuidString } ?? true)
        }
        return Array(docs.sorted { ($0.updatedAt, $0.sourceID.uuidString) < ($1.updatedAt, $1.sourceID.uuidString) }.prefix(limit))
    }

    func stamps(tenant: UUID?, on db: any Database) async throws -> [SearchSourceStamp] {
        var q = Publication.query(on: db).filter(\.$state ~~ [.published, .killed])
        if let tenant { q = q.filter(\.$tenantID == tenant) }
        let stories = Array(Set(try await q.all(\.$storyID)))
        return try await documents(stories, on: db).map {
            SearchSourceStamp(sourceID: $0.sourceID, tenantID: $0.tenantID, updatedAt: $0.updatedAt, state: $0.state)
        }
    }

    /// The documents of the given stories (story IDs; stories with nothing published or killed are skipped).
    func documents(_ ids: [UUID], on db: any Database) async throws -> [SearchDocument] {
        var out: [SearchDocument] = []
        var slugs: [UUID: String] = [:]
        for chunk in ids.chunked(200) {
            let rows = try await Publication.query(on: db).filter(\.$storyID ~~ chunk).all()
            for (story, pubs) in Dictionary(grouping: rows, by: \.storyID) {
                guard let doc = try await document(story, pubs, slugs: &slugs, on: db) else { continue }
                out.append(doc)
            }
        }
        return out
    }

    func document(_ story: UUID, _ pubs: [Publication], slugs: inout [UUID: String], on db: any Database) async throws -> SearchDocument? {
        let rank = { (p: Publication) in Self.preferred.firstIndex(of: p.channel) ?? Self.preferred.count }
        let live = pubs.filter { $0.state == .published }.sorted { (rank($0), -$0.storyVersion) < (rank($1), -$1.storyVersion) }
        guard let shown = live.first ?? pubs.filter({ $0.state == .killed }).max(by: { $0.storyVersion < $1.storyVersion }) else { return nil }
        if slugs[shown.tenantID] == nil { slugs[shown.tenantID] = try await Tenant.find(shown.tenantID, on: db)?.slug ?? "" }
        let changed = pubs.map(Self.changedAt).max() ?? shown.createdAt
        let s = shown.snapshot
        let isLive = shown.state == .published
        return SearchDocument(kind: kind, sourceID: story, tenantID: shown.tenantID, title: shown.headline,
                              lead: isLive ? [s.subtitle, shown.summary].filter { !$0.isEmpty }.joined(separator: "\n") : "",
                              body: isLive ? ChannelRenderer.bodyText(s.body).joined(separator: "\n") : "", tags: isLive ? s.tags : [],
                              category: s.categories.first ?? "", author: shown.authorName, state: shown.state.rawValue,
                              channel: shown.channel.rawValue, language: s.language,
                              date: shown.firstPublishedAt ?? shown.publishedAt ?? shown.createdAt, updatedAt: changed,
                              link: "/site/\(slugs[shown.tenantID] ?? "")/articles/\(story.uuidString.lowercased())")
    }
}
