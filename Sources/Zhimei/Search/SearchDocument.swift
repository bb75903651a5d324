import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// One searchable item as a source hands it to the index (a story, a lead, a topic, later published items and assets).
public struct SearchDocument: Sendable, Equatable {
    public var kind: String
    public var sourceID: UUID
    public var tenantID: UUID
    public var title: String
    public var lead: String
    public var body: String
    public var tags: [String]
    public var category: String
    public var author: String
    public var state: String
    public var channel: String
    public var language: String
    /// The date people think of (publication, or creation); used for the date filter, time sort and recency boost.
    public var date: Date
    /// When the source row last changed (the watermark).
    public var updatedAt: Date
    /// "tenant": only people with the source's read permission in the owning tenant; "public": every signed-in person.
    public var visibility: String
    /// Where the item opens in the UI.
    public var link: String

    public init(kind: String, sourceID: UUID, tenantID: UUID, title: String, lead: String = "", body: String = "", tags: [String] = [],
                category: String = "", author: String = "", state: String = "", channel: String = "", language: String = "zh-Hans",
                date: Date, updatedAt: Date, visibility: String = "tenant", link: String = "") {
        self.kind = kind; self.sourceID = sourceID; self.tenantID = tenantID; self.title = title; self.lead = lead; self.body = body
        self.tags = tags; self.category = category; self.author = author; self.state = state; self.channel = channel
        self.language = SearchFacetSpelling.language(language); self.date = date; self.updatedAt = updatedAt; self.visibility = visibility; self.link = link
    }

    /// The index row's key: kind and source ID (one row per item).
    public var key: String { "\(kind):\(sourceID.uuidString.lowercased())" }
}

/// A row a source reports for the consistency check: which item, and a fingerprint of what the index should hold.
public struct SearchSourceStamp: Sendable, Hashable {
    public var sourceID: UUID
    public var tenantID: UUID
    public var updatedAt: Date
    public var state: String
    public init(sourceID: UUID, tenantID: UUID, updatedAt: Date, state: String) {
        self.sourceID = sourceID; self.tenantID = tenantID; self.updatedAt = updatedAt; self.state = state
    }
}

/// Something the search index covers. Other modules plug in a source with `app.search.register(_:)`
/// without editing the Search module: list changed rows since a watermark, map them to documents.
public protocol SearchSource: Sendable {
    /// Document kind, e.g. "story" (also the API's `type` filter value).
    var kind: String { get }
    /// The permission a person needs in a tenant to see this kind's documents there.
    var permission: Permission { get }
    /// Rows changed after the watermark (updatedAt, then ID, ascending), at most `limit`.
    func changes(after watermark: SearchWatermark, limit: Int, tenant: UUID?, on db: any Database) async throws -> [SearchDocument]
    /// The watermark just after `doc`, the last document of a page of `changes`.
    func watermark(after doc: SearchDocument, on db: any Database) async throws -> SearchWatermark
    /// Every row's stamp (for the consistency check), optionally one tenant's.
    func stamps(tenant: UUID?, on db: any Database) async throws -> [SearchSourceStamp]
    /// The documents for the given IDs (missing IDs are skipped).
    func documents(_ ids: [UUID], on db: any Database) async throws -> [SearchDocument]
}

/// A position in a source's change stream: last seen updatedAt and ID.
public struct SearchWatermark: Sendable, Equatable, Codable {
    public var updatedAt: Date
    public var id: UUID?
    /// SQLite: the mark's `updated_at` exactly as stored (a double). A `Date` read back is rounded to the microsecond,
    /// so comparing with it missed the row's own timestamp: a group of rows sharing one `updated_at` across a page
    /// boundary was either read again and again or partly skipped.
    public var stored: Double?
    public static let start = SearchWatermark(updatedAt: Date(timeIntervalSince1970: 0), id: nil)
    public init(updatedAt: Date, id: UUID?, stored: Double? = nil) { self.updatedAt = updatedAt; self.id = id; self.stored = stored }
}

extension SearchWatermark {
    /// SQLite: a row's `updated_at` as stored and as a `Date` reads it back; nil on PostgreSQL (whose timestamps read
    /// back exactly) or when the row is gone.
    static func storedTime(table: String, id: some Encodable & Sendable, on db: any Database) async throws -> (stored: Double, decoded: Date)? {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite",
              let row = try await sql.select().column("updated_at").from(table).where("id", .equal, id).first() else { return nil }
        return (try row.decode(column: "updated_at", as: Double.self), try row.decode(column: "updated_at", as: Date.self))
    }
}

extension SearchSource {
    /// By default the document's own (decoded) time and ID; sources compared in Swift need nothing more.
    public func watermark(after doc: SearchDocument, on db: any Database) async throws -> SearchWatermark {
        SearchWatermark(updatedAt: doc.updatedAt, id: doc.sourceID)
    }
}

/// The registered search sources of this process.
public final class SearchRegistry: Sendable {
    private let box = NIOLockedValueBox<[String: any SearchSource]>([:])

    public init() {}

    /// Adds (or replaces) the source for its kind.
    public func register(_ source: any SearchSource) {
        box.withLockedValue { $0[source.kind] = source }
    }

    public var sources: [any SearchSource] { box.withLockedValue { $0.values.sorted { $0.kind < $1.kind } } }
    public var kinds: [String] { sources.map(\.kind) }
    public func source(_ kind: String) -> (any SearchSource)? { box.withLockedValue { $0[kind] } }
}

extension Application {
    private struct SearchRegistryKey: StorageKey { typealias Value = SearchRegistry }

    /// The search sources (stories, leads, topics, and whatever other modules register).
    public var search: SearchRegistry {
        get {
            if let existing = storage[SearchRegistryKey.self] { return existing }
            let made = SearchRegistry()
            storage[SearchRegistryKey.self] = made
            return made
        }
        set { storage[SearchRegistryKey.self] = newValue }
    }
}
