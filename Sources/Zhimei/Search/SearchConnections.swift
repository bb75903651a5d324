import Fluent
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Where searches run on SQLite: the search pool (`DatabaseID.sqliteSearch`, the same file through connections that
/// only read, so a long write never holds a search up), on the event loop with the fewest searches running.
///
/// Fluent keeps one SQLite connection per event loop, and a caller's loop is picked round-robin. Two concurrent
/// searches therefore often met on one loop and ran one after the other while the other core stood idle (the
/// 1,000,000-article bench: p99 91 ms with one client, 179 ms with two). Choosing the least busy loop spreads them.
final class SearchConnections: Sendable {
    private let loops: [any EventLoop]
    private let running: NIOLockedValueBox<[Int]>

    init(loops: [any EventLoop]) {
        self.loops = loops
        self.running = NIOLockedValueBox(Array(repeating: 0, count: loops.count))
    }

    /// Searches now running, per event loop (for tests and diagnostics).
    var inFlight: [Int] { running.withLockedValue { $0 } }

    /// Runs `body` on the search pool of the least busy loop; on PostgreSQL (or without the pool) on `db`.
    /// A search sees only committed rows, so it must not run inside a transaction that expects to see its own writes.
    func run<T: Sendable>(_ app: Application, fallback db: any Database, _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        guard !loops.isEmpty, (try? SearchIndex.sql(db).dialect.name) != "postgresql" else { return try await body(db) }
        let loop = running.withLockedValue { counts -> Int in
            let i = counts.indices.min { counts[$0] < counts[$1] } ?? 0
            counts[i] += 1
            return i
        }
        defer { running.withLockedValue { $0[loop] -= 1 } }
        guard let reads = app.databases.database(.sqliteSearch, logger: db.logger, on: loops[loop]) else { return try await body(db) }
        return try await body(reads)
    }
}
