import Foundation
import Synchronization
import VaporCSQLite

/// Makes an SQLite connection that finds the database locked by another connection's write *sleep* until it is free.
///
/// SQLiteNIO gives every connection a busy handler that asks SQLite to retry at once, for ever: while one connection
/// holds a write transaction (a lexicon import, a batch of an opinion import, a search bulk load), any other
/// connection that wants to write — a job worker claiming a job, a request recording its audit entry — spins on a
/// thread of the shared thread pool at full speed until the lock is released. On two cores that took about half the
/// machine from the transaction it was waiting for (a 50,000-entry lexicon import: ~45 % of its samples were the
/// spinning connection). This handler sleeps 1, 2, 3 … up to 10 ms between retries and gives up after `timeout`.
///
/// SQLiteNIO installs its handler right after opening a connection, after every auto-extension has run, so the
/// auto-extension cannot simply replace it; and this SQLite is built without trace and progress hooks. It leaves an
/// authorizer instead — called while each statement is compiled, before the statement takes any lock — that sets this
/// handler (two field writes under the connection's mutex, which the compiler already holds) and allows everything.
enum SQLiteBusyWait {
    /// How long a connection waits for another's write transaction before failing with SQLITE_BUSY (milliseconds): far
    /// longer than any write transaction Zhimei makes (the largest, a 50,000-entry lexicon import, takes about 2 s), short
    /// enough that a stall shows within a minute — a request then gets 503 "busy", a job retries. It was 10 minutes, and
    /// SQLiteNIO's own handler waits for ever. Settable for tests.
    static let timeout = Atomic<Int32>(60_000)

    static var timeoutMilliseconds: Int32 { timeout.load(ordering: .relaxed) }

    /// Whether the hook is registered for every SQLite connection the process opens from now on (done once).
    static let registered: Bool = {
        sqlite_nio_sqlite3_auto_extension(unsafeBitCast(busyWaitEntry, to: (@convention(c) () -> Void).self)) == SQLITE_OK
    }()

    /// Registers the hook (idempotent); call before SQLite connections are opened.
    static func register() throws {
        guard registered else {
            throw AppError(.internalServerError, "sqlite_busy_wait", zh: "无法设置数据库锁等待", en: "The SQLite lock wait could not be set up")
        }
    }

    /// The sleep before retry `count` (0-based), in microseconds.
    static func pause(afterRetries count: Int32) -> Int32 { min(count + 1, 10) * 1_000 }
}

private let busyWaitEntry: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, OpaquePointer?) -> Int32 = { db, _, _ in
    guard let db else { return SQLITE_OK }
    return sqlite_nio_sqlite3_set_authorizer(db, installBusyWait, UnsafeMutableRawPointer(db))
}

/// The authorizer: the sleeping handler in (again: SQLiteNIO's replaced it after open), every action allowed.
private let installBusyWait: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                              UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32 = { db, _, _, _, _, _ in
    if let db { _ = sqlite_nio_sqlite3_busy_handler(OpaquePointer(db), busyWait, nil) }
    return SQLITE_OK
}

/// Sleeps and retries until the timeout; 0 makes SQLite return SQLITE_BUSY.
private let busyWait: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { _, count in
    // count × 10 ms bounds the time slept so far
    let waited = Int64(count) * 10
    guard waited < Int64(SQLiteBusyWait.timeoutMilliseconds) else { return 0 }
    usleep(useconds_t(SQLiteBusyWait.pause(afterRetries: count)))
    return 1
}
