import Foundation
import SQLKit

/// How often each phrase of a query occurs among the newest rows of the SQLite index, for `zhimei_bm25`'s IDF
/// (SearchFTSRanking): counting a common word over a window of rows costs a fraction of walking its whole doclist, which
/// bm25() did for every query. A phrase rarely seen in the window (fewer than `minimumHits`) is left to be counted in full,
/// so rare words — the ones that decide a ranking — keep an exact IDF; an index no larger than the window is counted in
/// full throughout (the scores are then bm25()'s own).
struct SearchIDFSample: Sendable, Equatable {
    /// Rows the window spans (the newest `seq`s).
    var rows: Int
    /// Hits per phrase of `AnalyzedQuery.ftsPhrases`, in order; nil: count that phrase in full.
    var hits: [Int?]

    /// Newest rows counted (a 2-core machine counts a common word's hits in them in well under a millisecond).
    static let window = 65_536
    /// Fewer hits than this in the window: the phrase is counted in full.
    static let minimumHits = 32

    /// The sample for `phrases`, or nil when the index spans no more than `window` rows (count everything).
    static func take(_ sql: any SQLDatabase, phrases: [String], window: Int = window) async throws -> SearchIDFSample? {
        guard !phrases.isEmpty, window > 0,
              let span = try await sql.raw("SELECT (SELECT max(seq) FROM search_documents) AS top, (SELECT min(seq) FROM search_documents) AS bottom").first(),
              let top = try span.decode(column: "top", as: Int?.self), let bottom = try span.decode(column: "bottom", as: Int?.self),
              top - bottom + 1 > window else { return nil }
        // (max and min as two subqueries: in one SELECT they would scan the table instead of reading each end of its b-tree)
        let from = top - window
        let counts: [SQLQueryString] = phrases.enumerated().map { i, phrase in
            "(SELECT count(*) FROM search_fts WHERE search_fts MATCH \(bind: phrase) AND rowid > \(bind: from)) AS h\(unsafeRaw: String(i))"
        }
        guard let row = try await sql.raw("SELECT " + counts.joined(separator: ", ")).first() else { return nil }
        let hits = try phrases.indices.map { i -> Int? in
            let n = try row.decode(column: "h\(i)", as: Int.self)
            return n >= minimumHits ? n : nil
        }
        return SearchIDFSample(rows: window, hits: hits)
    }

    /// `zhimei_bm25`'s arguments after the weights and the length: the window's rows and each phrase's hits (NULL: count in full).
    var arguments: SQLQueryString {
        ([SQLQueryString("\(literal: rows)")] + hits.map { $0.map { SQLQueryString("\(literal: $0)") } ?? "NULL" }).joined(separator: ", ")
    }
}
