import Fluent
import Foundation
import Vapor

/// A search someone ran on the search page (检索历史): the page shows a person's latest ones under an empty box, so a
/// search can be run again with its filters in one click. Only the person sees their own; they can clear them.
final class SearchHistoryEntry: Model, @unchecked Sendable {
    // @unchecked: Fluent models are reference types mutated only by the task that owns them.
    static let schema = "search_history"
    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "query") var query: String
    /// The search page's address with the search's words and filters (what opens it again).
    @Field(key: "link") var link: String
    @Field(key: "searched_at") var searchedAt: Date
    init() {}
}

/// 161: the search page's history per person.
struct M161_SearchHistory: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema(SearchHistoryEntry.schema)
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("query", .string, .required)
            .field("link", .string, .required)
            .field("searched_at", .datetime, .required)
            .unique(on: "user_id", "link")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema(SearchHistoryEntry.schema).delete()
    }
}

/// Keeps and reads a person's search history.
enum SearchHistory {
    /// Searches kept per person (older ones are dropped as new ones come).
    static let kept = 20
    /// Searches the page shows.
    static let shown = 10

    /// Records a search of the page: the same search again moves to the top instead of being listed twice.
    static func record(query: String, link: String, userID: UUID, on db: any Database, now: Date = Date()) async throws {
        let q = String(query.prefix(200))
        let address = String(link.prefix(4_000))
        if let same = try await SearchHistoryEntry.query(on: db).filter(\.$userID == userID).filter(\.$link == address).first() {
            same.searchedAt = now
            try await same.save(on: db)
        } else {
            let entry = SearchHistoryEntry()
            entry.id = UUID(); entry.userID = userID; entry.query = q; entry.link = address; entry.searchedAt = now
            do { try await entry.create(on: db) } catch let error as any DatabaseError where error.isConstraintFailure {
                // The same search recorded at the same moment by another request: one entry is enough.
            }
        }
        let old = try await SearchHistoryEntry.query(on: db).filter(\.$userID == userID).sort(\.$searchedAt, .descending)
            .offset(kept).limit(100).all().compactMap(\.id)
        if !old.isEmpty { try await SearchHistoryEntry.query(on: db).filter(\.$id ~~ old).delete() }
    }

    static func latest(userID: UUID, limit: Int = shown, on db: any Database) async throws -> [SearchHistoryEntry] {
        try await SearchHistoryEntry.query(on: db).filter(\.$userID == userID).sort(\.$searchedAt, .descending).limit(limit).all()
    }

    static func clear(userID: UUID, on db: any Database) async throws {
        try await SearchHistoryEntry.query(on: db).filter(\.$userID == userID).delete()
    }
}
