import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import VaporCSQLite

/// The filter table's values in memory (SQLite): every document's kind, tenant, state, visibility, channel, category,
/// language, dates, length and key, indexed by `seq`, so that a search filters and ranks its matches without a B-tree
/// look-up in `search_filter` per match. At 1,000,000 articles those look-ups were ~40 % of a two-word query's CPU
/// (docs/search.md, 2026-12-06 third session).
///
/// Snapshots are immutable and versioned by the database's own state: the change log `search_filter_changes` (069)
/// records every rewritten or deleted row, and new rows take the next `seq`. A search reads the version inside its
/// read transaction and uses a snapshot of exactly that version (built or caught up in the same transaction), so its
/// filter values are those of the rows its full-text match sees; when only a newer snapshot exists, it uses the join.
enum SearchDocValues {
    /// A snapshot older than this many changes is rebuilt from the table rather than caught up from the log.
    static let largestCatchUp: Int64 = 50_000
    /// Log entries kept by `prune` (older ones are deleted; a snapshot that old is rebuilt).
    static let keptChanges: Int64 = 100_000
    /// Snapshots kept per database (the newest), so a search whose transaction started just before a change still
    /// finds its version.
    static let keptSnapshots = 3
    /// Databases whose stores are kept (the most recently used).
    static let keptStores = 8
    /// Largest seq kept in memory (beyond it searches use the join).
    static let largestSeq: Int64 = 1 << 31

    /// Searches filtered and ranked with in-memory values since the process started (the tests read it).
    static let searchesServed = NIOLockedValueBox<Int>(0)

    private static let stores = NIOLockedValueBox<[(key: String, store: SearchDocValuesStore)]>([])

    /// The store of one database file (its path and the token migration 069 wrote into it).
    static func store(for key: String) -> SearchDocValuesStore {
        stores.withLockedValue { list in
            if let i = list.firstIndex(where: { $0.key == key }) {
                let found = list.remove(at: i)
                list.append(found)
                return found.store
            }
            let store = SearchDocValuesStore()
            list.append((key, store))
            if list.count > keptStores { list.removeFirst(list.count - keptStores) }
            return store
        }
    }

    /// The snapshot for the state the current transaction sees, or nil when the search should join the filter table
    /// (an in-memory database, a newer snapshot only, a rebuild running elsewhere). Call inside a read transaction.
    static func snapshot(_ sql: any SQLDatabase) async throws -> SearchDocValuesSnapshot? {
        let row = try await sql.raw("""
            SELECT (SELECT file FROM pragma_database_list WHERE name = 'main') AS file, \
            (SELECT token FROM search_filter_epoch LIMIT 1) AS token, \
            (SELECT seq FROM sqlite_sequence WHERE name = 'search_filter_changes') AS change, \
            (SELECT MIN(change) FROM search_filter_changes) AS oldest, \
            (SELECT MAX(seq) FROM search_filter) AS max_seq, (SELECT schema_version FROM pragma_schema_version) AS schema, \
            (SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (\(binds: M069_SearchFilterChanges.triggerNames))) AS triggers
            """).first()
        // without the log's triggers (a filter table made anew without them) changes would go unseen: join instead
        guard let row, try row.decode(column: "triggers", as: Int.self) == M069_SearchFilterChanges.triggerNames.count,
              let file = try row.decode(column: "file", as: String?.self), !file.isEmpty,
              let token = try row.decode(column: "token", as: String?.self) else { return nil }
        let version = SearchDocValuesVersion(change: try row.decode(column: "change", as: Int64?.self) ?? 0,
                                             maxSeq: try row.decode(column: "max_seq", as: Int64?.self) ?? 0,
                                             schema: try row.decode(column: "schema", as: Int64?.self) ?? 0)
        guard version.maxSeq < largestSeq else { return nil }
        let oldest = try row.decode(column: "oldest", as: Int64?.self)
        let store = store(for: file + "\n" + token)
        switch store.plan(for: version, oldestLogged: oldest) {
        case .use(let snapshot): return snapshot
        case .join: return nil
        case .rebuild:
            defer { store.finishRebuild() }
            let built = try await load(sql, into: SearchDocValuesBuilder(), version: version, query: "FROM search_filter")
            store.publish(built)
            return built
        case .catchUp(let base):
            // rows rewritten or deleted since the base, and rows added after its last seq
            let query: SQLQueryString = "FROM (SELECT seq AS c FROM search_filter_changes WHERE change > \(bind: base.version.change) "
                + "UNION SELECT seq AS c FROM search_filter WHERE seq > \(bind: base.version.maxSeq)) x LEFT JOIN search_filter ON search_filter.seq = x.c"
            let built = try await load(sql, into: SearchDocValuesBuilder(base), version: version, query: query, seqColumn: "x.c")
            store.publish(built)
            return built
        }
    }

    /// Runs the loading aggregate over `query`'s rows into `builder` and returns the snapshot of `version`.
    static func load(_ sql: any SQLDatabase, into builder: SearchDocValuesBuilder, version: SearchDocValuesVersion,
                     query: SQLQueryString, seqColumn: String = "seq") async throws -> SearchDocValuesSnapshot {
        let loading = SearchDocValuesLoading(builder)
        let handle = SearchDocHandles.register(loading)
        defer { SearchDocHandles.release(handle) }
        let columns = ["kind", "tenant_id", "state", "visibility", "doc_date", "id", "channel", "category", "language", "updated_epoch", "doc_tokens"]
            .map { "search_filter." + $0 }.joined(separator: ", ")
        let statement: SQLQueryString = "SELECT \(unsafeRaw: loadFunctionName)(\(literal: Int(handle)), \(unsafeRaw: seqColumn), \(unsafeRaw: columns)) AS n " + query
        _ = try await sql.raw(statement).first()
        return loading.builder.snapshot(version)
    }

    /// Loads or catches up the values on a search connection, so that searches do not wait for it (the sync job calls
    /// it after indexing; at 1,000,000 articles a first load reads the whole filter table, about a second).
    static func warm(_ app: Application) async throws {
        try await app.zhimei.searchConnections.run(app, fallback: app.db) { db in
            guard try SearchIndex.sql(db).dialect.name == "sqlite" else { return }
            try await SearchEngine.onSearchConnection(db) { conn in
                try await conn.transaction { tx in _ = try await snapshot(SearchIndex.sql(tx)) }
            }
        }
    }

    /// Deletes log entries older than the newest `keptChanges` (the sync job and the bulk path call it after writing).
    static func prune(_ sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("""
            DELETE FROM search_filter_changes WHERE change <= \
            (SELECT seq FROM sqlite_sequence WHERE name = 'search_filter_changes') - \(literal: Int(keptChanges))
            """).run()
    }

    static let loadFunctionName = "zhimei_doc_values_load"
}

/// The state of the filter table a snapshot holds: the last change logged, the largest seq and the schema's version
/// (a table made anew or altered — in a migration — changes rows without the log, so a snapshot of another schema is
/// never used or caught up).
struct SearchDocValuesVersion: Equatable, Sendable {
    var change: Int64
    var maxSeq: Int64
    var schema: Int64 = 0
}

/// One database's snapshots, newest last.
final class SearchDocValuesStore: @unchecked Sendable {
    enum Plan {
        case use(SearchDocValuesSnapshot)
        case catchUp(SearchDocValuesSnapshot)
        case rebuild
        case join
    }

    private let lock = NIOLock()
    private var snapshots: [SearchDocValuesSnapshot] = []
    private var rebuilding = false

    /// What a search at `version` does. A snapshot serves it when it has the same last change and at least its rows
    /// (rows added since have no postings in that transaction, so they are never asked for).
    func plan(for version: SearchDocValuesVersion, oldestLogged: Int64?) -> Plan {
        lock.withLock {
            if snapshots.contains(where: { $0.version.schema != version.schema }) {
                // another schema: what was kept is of no use (rebuilt below)
                snapshots.removeAll { $0.version.schema != version.schema }
            }
            if let same = snapshots.last(where: { $0.version.change == version.change && $0.version.maxSeq >= version.maxSeq }) {
                return .use(same)
            }
            // a snapshot not ahead of this transaction, if the log still holds every change since it
            if let base = snapshots.last(where: { $0.version.change <= version.change }),
               version.change - base.version.change <= SearchDocValues.largestCatchUp,
               version.change == base.version.change || (oldestLogged.map { $0 <= base.version.change + 1 } ?? false) {
                return .catchUp(base)
            }
            // behind every snapshot (a rebuild would be of no use afterwards), or another search is rebuilding
            if snapshots.contains(where: { $0.version.change > version.change }) || rebuilding { return .join }
            rebuilding = true
            return .rebuild
        }
    }

    func finishRebuild() { lock.withLock { rebuilding = false } }

    /// Keeps `snapshot` (the newest few, ordered by change).
    func publish(_ snapshot: SearchDocValuesSnapshot) {
        lock.withLock {
            snapshots.append(snapshot)
            snapshots.sort { ($0.version.change, $0.version.maxSeq) < ($1.version.change, $1.version.maxSeq) }
            if snapshots.count > SearchDocValues.keptSnapshots { snapshots.removeFirst(snapshots.count - SearchDocValues.keptSnapshots) }
        }
    }
}

/// One document's values; strings are codes of the snapshot (0: none).
struct SearchDocValue {
    /// 0: no row with this seq.
    var kind: UInt32 = 0
    var tenant: UInt32 = 0
    var state: UInt32 = 0
    var channel: UInt32 = 0
    var category: UInt32 = 0
    var language: UInt32 = 0
    /// The length in words (`doc_tokens`); -1 when the row has none.
    var tokens: Int32 = -1
    var isPublic = false
    var date: Double = 0
    var updated: Double = 0
    var idStart: UInt32 = 0
    var idCount: UInt32 = 0
}

/// 4,096 consecutive seqs' values and their keys' bytes (shared between snapshots until one of them changes). The
/// values are a buffer of their own, read by pointer: a search reads one per match, without reference counting or
/// exclusivity checks.
final class SearchDocChunk: @unchecked Sendable {
    static let shift = 12, size = 1 << shift, mask = size - 1
    let values: UnsafeMutablePointer<SearchDocValue>
    var ids: [UInt8]
    init() {
        values = .allocate(capacity: Self.size)
        values.initialize(repeating: SearchDocValue(), count: Self.size)
        ids = []
    }
    init(copying other: SearchDocChunk) {
        values = .allocate(capacity: Self.size)
        values.initialize(from: other.values, count: Self.size)
        ids = other.ids
    }
    deinit {
        values.deinitialize(count: Self.size)
        values.deallocate()
    }
}

/// Interned strings: the same bytes always get the same code (byte equality, as SQLite compares text).
struct SearchDocCodes {
    /// Codes by the hash of their bytes.
    private var buckets: [UInt64: [UInt32]] = [:]
    /// Each code's bytes (code 0: none).
    private var strings: [[UInt8]] = [[]]
    var count: UInt32 { UInt32(strings.count - 1) }

    /// The text of `code`.
    func string(_ code: UInt32) -> String { String(decoding: Int(code) < strings.count ? strings[Int(code)] : [], as: UTF8.self) }

    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// The code of `bytes`, or nil when no document has that value.
    func code(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        buckets[Self.hash(bytes)]?.first { strings[Int($0)].elementsEqual(bytes) }
    }

    func code(_ s: String) -> UInt32? {
        var s = s
        return s.withUTF8 { code(UnsafeRawBufferPointer($0)) }
    }

    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if let found = code(bytes) { return found }
        strings.append(Array(bytes))
        buckets[Self.hash(bytes), default: []].append(count)
        return count
    }
}

/// An immutable set of values at one version.
final class SearchDocValuesSnapshot: @unchecked Sendable {
    let version: SearchDocValuesVersion
    let chunks: [SearchDocChunk?]
    let codes: SearchDocCodes
    /// Each chunk's values (nil: no rows there), owned by `chunks`.
    private let table: UnsafeMutableBufferPointer<UnsafeMutablePointer<SearchDocValue>?>

    init(version: SearchDocValuesVersion, chunks: [SearchDocChunk?], codes: SearchDocCodes) {
        self.version = version
        self.chunks = chunks
        self.codes = codes
        table = .allocate(capacity: chunks.count)
        _ = table.initialize(from: chunks.map { $0?.values })
    }

    deinit { table.deallocate() }

    /// The values of `seq`, or nil when there is no such row.
    @inline(__always)
    func value(_ seq: Int64) -> SearchDocValue? {
        let c = Int(truncatingIfNeeded: seq >> Int64(SearchDocChunk.shift))
        guard seq >= 0, c < table.count, let values = table[c] else { return nil }
        let v = values[Int(truncatingIfNeeded: seq) & SearchDocChunk.mask]
        return v.kind == 0 ? nil : v
    }

    /// The key's bytes of `seq`'s row (empty when none).
    func id(_ seq: Int64) -> [UInt8] {
        guard let v = value(seq), let chunk = chunks[Int(seq >> Int64(SearchDocChunk.shift))] else { return [] }
        return Array(chunk.ids[Int(v.idStart)..<Int(v.idStart + v.idCount)])
    }
}

/// Makes a snapshot: from nothing (a rebuild) or from an older snapshot (a catch-up, copying only the chunks it changes).
struct SearchDocValuesBuilder {
    var chunks: [SearchDocChunk?] = []
    var codes = SearchDocCodes()

    init() {}
    init(_ base: SearchDocValuesSnapshot) {
        chunks = base.chunks
        codes = base.codes
    }

    private mutating func chunk(for seq: Int64) -> SearchDocChunk {
        let c = Int(seq >> Int64(SearchDocChunk.shift))
        if c >= chunks.count { chunks.append(contentsOf: Array(repeating: nil, count: c + 1 - chunks.count)) }
        if chunks[c] == nil {
            chunks[c] = SearchDocChunk()
        } else if !isKnownUniquelyReferenced(&chunks[c]!) {
            chunks[c] = SearchDocChunk(copying: chunks[c]!)
        }
        return chunks[c]!
    }

    mutating func remove(_ seq: Int64) {
        let c = Int(seq >> Int64(SearchDocChunk.shift))
        guard seq >= 0, c < chunks.count, let existing = chunks[c], existing.values[Int(seq) & SearchDocChunk.mask].kind != 0 else { return }
        chunk(for: seq).values[Int(seq) & SearchDocChunk.mask] = SearchDocValue()
    }

    /// Sets `seq`'s values; `id` is the key's bytes.
    mutating func set(_ seq: Int64, _ value: SearchDocValue, id: UnsafeRawBufferPointer) {
        let chunk = chunk(for: seq)
        let slot = Int(seq) & SearchDocChunk.mask
        var v = value
        let old = chunk.values[slot]
        if old.kind != 0, Int(old.idCount) == id.count, chunk.ids[Int(old.idStart)..<Int(old.idStart + old.idCount)].elementsEqual(id) {
            (v.idStart, v.idCount) = (old.idStart, old.idCount)
        } else {
            v.idStart = UInt32(chunk.ids.count)
            v.idCount = UInt32(id.count)
            chunk.ids.append(contentsOf: id)
        }
        chunk.values[slot] = v
    }

    func snapshot(_ version: SearchDocValuesVersion) -> SearchDocValuesSnapshot {
        SearchDocValuesSnapshot(version: version, chunks: chunks, codes: codes)
    }
}

/// The builder a running `zhimei_doc_values_load` writes into.
final class SearchDocValuesLoading: @unchecked Sendable {
    var builder: SearchDocValuesBuilder
    init(_ builder: SearchDocValuesBuilder) { self.builder = builder }
}

/// Objects the SQL functions reach by an integer handle (a snapshot with its filter, a builder), for one statement.
enum SearchDocHandles {
    private static let objects = NIOLockedValueBox<(next: Int64, byHandle: [Int64: any AnyObject & Sendable])>((1, [:]))

    static func register(_ object: any AnyObject & Sendable) -> Int64 {
        objects.withLockedValue { o in
            let h = o.next
            o.next += 1
            o.byHandle[h] = object
            return h
        }
    }

    static func object<T: AnyObject>(_ handle: Int64, as type: T.Type) -> T? {
        objects.withLockedValue { $0.byHandle[handle] as? T }
    }

    static func release(_ handle: Int64) {
        _ = objects.withLockedValue { $0.byHandle.removeValue(forKey: handle) }
    }
}

/// Registers `zhimei_doc_values_load` (from the auto-extension entry that registers the tokenizer).
func registerSearchDocValues(_ db: OpaquePointer) -> Int32 {
    sqlite_nio_sqlite3_create_function_v2(db, SearchDocValues.loadFunctionName, 13, SQLITE_UTF8, nil, nil, loadStep, loadFinal, nil)
}

/// `zhimei_doc_values_load(handle, seq, kind, tenant_id, state, visibility, doc_date, id, channel, category, language,
/// updated_epoch, doc_tokens)`: sets each row's values in the handle's builder; a NULL kind removes the seq.
private let loadStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 13, let loading = SearchDocHandles.object(sqlite_nio_sqlite3_value_int64(args[0]), as: SearchDocValuesLoading.self) else {
        sqlite_nio_sqlite3_result_error(ctx, "zhimei_doc_values_load: unknown handle", -1)
        return
    }
    let seq = sqlite_nio_sqlite3_value_int64(args[1])
    guard seq >= 0, seq < SearchDocValues.largestSeq else { return }
    guard sqlite_nio_sqlite3_value_type(args[2]) != SQLITE_NULL else {
        loading.builder.remove(seq)
        return
    }
    func bytes(_ v: OpaquePointer?) -> UnsafeRawBufferPointer {
        guard let p = sqlite_nio_sqlite3_value_text(v) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite_nio_sqlite3_value_bytes(v)))
    }
    var v = SearchDocValue()
    v.kind = loading.builder.codes.intern(bytes(args[2]))
    v.tenant = loading.builder.codes.intern(bytes(args[3]))
    v.state = loading.builder.codes.intern(bytes(args[4]))
    v.isPublic = bytes(args[5]).elementsEqual("public".utf8)
    v.date = sqlite_nio_sqlite3_value_double(args[6])
    v.channel = loading.builder.codes.intern(bytes(args[8]))
    v.category = loading.builder.codes.intern(bytes(args[9]))
    v.language = loading.builder.codes.intern(bytes(args[10]))
    v.updated = sqlite_nio_sqlite3_value_double(args[11])
    v.tokens = sqlite_nio_sqlite3_value_type(args[12]) == SQLITE_NULL ? -1 : Int32(clamping: sqlite_nio_sqlite3_value_int64(args[12]))
    loading.builder.set(seq, v, id: bytes(args[7]))
}

private let loadFinal: @convention(c) (OpaquePointer?) -> Void = { ctx in
    sqlite_nio_sqlite3_result_int64(ctx, 0)
}
