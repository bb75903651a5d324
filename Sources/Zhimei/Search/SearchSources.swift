import Fluent
import Foundation
import SQLKit

/// A search source over a tenant-owned Fluent model with `updated_at` and `status` columns:
/// the common shape of stories, leads and topics. `map` turns a row into a document.
struct ModelSearchSource<M: TenantOwned>: SearchSource where M.IDValue == UUID {
    let kind: String
    let permission: Permission
    let map: @Sendable (M) -> SearchDocument?

    private var updated: DatabaseQuery.Field { .path(["updated_at"], schema: M.schema) }
    private var idField: DatabaseQuery.Field { .path(["id"], schema: M.schema) }
    private var tenantField: DatabaseQuery.Field { .path([M.tenantKey], schema: M.schema) }

    func changes(after w: SearchWatermark, limit: Int, tenant: UUID?, on db: any Database) async throws -> [SearchDocument] {
        var q = M.query(on: db)
        if let tenant { q = q.filter(tenantField, .equal, .bind(tenant)) }
        // The stored value where known (SQLite), so `=` finds the mark's own timestamp.
        let mark: DatabaseQuery.Value = w.stored.map { .bind($0) } ?? .bind(w.updatedAt)
        if let id = w.id {
            q = q.group(.or) { or in
                or.filter(updated, .greaterThan, mark)
                or.group(.and) { and in
                    and.filter(updated, .equal, mark).filter(idField, .greaterThan, .bind(id))
                }
            }
        } else {
            q = q.filter(updated, .greaterThanOrEqual, mark)
        }
        return try await q.sort(updated, .ascending).sort(idField, .ascending).limit(limit).all().compactMap(map)
    }

    /// On SQLite, with the row's `updated_at` as stored — unless the row changed since it was read (then it comes
    /// again later anyway, and the decoded time is the best mark there is).
    func watermark(after doc: SearchDocument, on db: any Database) async throws -> SearchWatermark {
        var mark = SearchWatermark(updatedAt: doc.updatedAt, id: doc.sourceID)
        if let time = try await SearchWatermark.storedTime(table: M.schema, id: doc.sourceID, on: db), time.decoded == doc.updatedAt {
            mark.stored = time.stored
        }
        return mark
    }

    func stamps(tenant: UUID?, on db: any Database) async throws -> [SearchSourceStamp] {
        var out: [SearchSourceStamp] = []
        var last: SearchWatermark = .start
        while true {
            let page = try await changes(after: last, limit: 1000, tenant: tenant, on: db)
            out += page.map { SearchSourceStamp(sourceID: $0.sourceID, tenantID: $0.tenantID, updatedAt: $0.updatedAt, state: $0.state) }
            guard page.count == 1000, let tail = page.last else { break }
            last = try await watermark(after: tail, on: db)
        }
        return out
    }

    func documents(_ ids: [UUID], on db: any Database) async throws -> [SearchDocument] {
        var out: [SearchDocument] = []
        for chunk in ids.chunked(200) {
            out += try await M.query(on: db).filter(idField, .subset(inverse: false), .array(chunk.map { .bind($0) })).all().compactMap(map)
        }
        return out
    }
}

/// The sources this module brings: stories (every state), leads, topics and published items.
enum BuiltInSearchSources {
    static let story = ModelSearchSource<Story>(kind: "story", permission: .storiesRead) { s in
        guard let id = s.id else { return nil }
        return SearchDocument(kind: "story", sourceID: id, tenantID: s.tenantID, title: s.headline, lead: [s.subtitle, s.lead].filter { !$0.isEmpty }.joined(separator: "\n"),
                              body: s.body.map(\.plainText).filter { !$0.isEmpty }.joined(separator: "\n"), tags: s.tags, category: s.categories.first ?? "",
                              author: s.authorName, state: s.status.rawValue, channel: "", language: s.language, date: s.createdAt, updatedAt: s.updatedAt,
                              link: "/stories/\(id.uuidString.lowercased())")
    }

    static let lead = ModelSearchSource<Lead>(kind: "lead", permission: .leadsRead) { l in
        guard let id = l.id else { return nil }
        return SearchDocument(kind: "lead", sourceID: id, tenantID: l.tenantID, title: l.title, lead: l.summary, body: l.body, tags: l.keywords,
                              category: SearchFacetSpelling.category(l.category), author: l.sourceName, state: l.status.rawValue, channel: l.origin.rawValue, language: l.language,
                              date: l.publishedAt, updatedAt: l.updatedAt, link: "/leads/\(id.uuidString.lowercased())")
    }

    static let topic = ModelSearchSource<Topic>(kind: "topic", permission: .topicsManage) { t in
        guard let id = t.id else { return nil }
        return SearchDocument(kind: "topic", sourceID: id, tenantID: t.tenantID, title: t.title, lead: t.angle, body: t.details, tags: t.keywords,
                              author: t.createdByName, state: t.status.rawValue, date: t.createdAt, updatedAt: t.updatedAt,
                              link: "/planning/topics/\(id.uuidString.lowercased())")
    }

    static func register(_ registry: SearchRegistry) {
        registry.register(story)
        registry.register(lead)
        registry.register(topic)
        registry.register(PublishedSearchSource())
    }
}
