import Foundation
import VaporCSQLite

/// The SQL aggregate `zhimei_top(k, by_score, score, date, id, seq)` (SQLite): the k best matches and how many there were, from
/// one pass that keeps nothing else. A page of results used `COUNT(*) OVER ()` and `ORDER BY … LIMIT`: the window copies
/// every match into a temporary table before the first is ranked, and the limit's sorter re-reads each — for a common
/// pair of words, tens of thousands of rows written and read per query to return twenty.
///
/// The order is the engine's (`SearchEngine.rankOrder`): score descending (unless `by_score` is 0, sorting by time),
/// then date descending, then id ascending (byte order, as SQLite's BINARY collation). The result is text:
/// `total` on the first line, then one `seq score` line per kept row, best first.
///
/// `zhimei_top_docs(handle, k, by_score, score, seq)` is the same with each row's date and key taken from the handle's
/// snapshot of the filter table's values (SearchDocValues) instead of from a joined row; when the handle asks for
/// facets it also counts the rows' values of `SearchEngine.facetFields`, as lines `f field code count` after the rows.
enum SearchTopMatches {
    static let functionName = "zhimei_top", docsFunctionName = "zhimei_top_docs"
    /// Largest k accepted (the engine's largest offset plus its largest page); a bigger k is clamped.
    static let maximumK = SearchEngine.largestOffset + SearchEngine.largestPage

    /// The facet counts in `zhimei_top_docs`'s text, by facet name, with each code's text from `codes`, in the order
    /// of `SearchEngine.facetSums` (most first, then by value; at most 50).
    static func decodeFacets(_ text: String, codes: SearchDocCodes) -> [String: [(value: String, count: Int)]] {
        var sums = Dictionary(uniqueKeysWithValues: SearchEngine.facetFields.map { ($0, [String: Int]()) })
        for line in text.split(separator: "\n") where line.hasPrefix("f ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let field = Int(parts[1]), field < SearchEngine.facetFields.count,
                  let code = UInt32(parts[2]), let count = Int(parts[3]) else { continue }
            sums[SearchEngine.facetFields[field]]![codes.string(code), default: 0] += count
        }
        return SearchEngine.facetLists(sums)
    }

    /// The total and the kept rows, decoded from the aggregate's text.
    static func decode(_ text: String) -> (total: Int, rows: [(seq: Int, score: Double)]) {
        var lines = text.split(separator: "\n").makeIterator()
        let total = lines.next().flatMap { Int($0) } ?? 0
        var rows: [(seq: Int, score: Double)] = []
        while let line = lines.next() {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let seq = Int(parts[0]), let score = Double(parts[1]) else { continue }
            rows.append((seq, score))
        }
        return (total, rows)
    }
}

/// Registers `zhimei_top` on a connection (from the auto-extension entry that registers the tokenizer).
func registerSearchTopMatches(_ db: OpaquePointer) -> Int32 {
    let top = sqlite_nio_sqlite3_create_function_v2(db, SearchTopMatches.functionName, 6, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
                                                    nil, topStep, topFinal, nil)
    guard top == SQLITE_OK else { return top }
    return sqlite_nio_sqlite3_create_function_v2(db, SearchTopMatches.docsFunctionName, 5, SQLITE_UTF8, nil, nil, docsTopStep, topFinal, nil)
}

/// One kept match.
private struct TopMatch {
    /// The score it is ordered by (0 for every row when sorting by time).
    var key: Double
    var score: Double
    var date: Double
    var id: [UInt8]
    var seq: Int64
}

/// The running state of one `zhimei_top` call: a heap with the worst kept match at the root.
private final class TopMatchesState {
    let k: Int
    var count: Int64 = 0
    var heap: [TopMatch] = []
    /// Where `zhimei_top_docs` reads dates and keys.
    var docs: SearchDocQuery?
    /// Per facet field, the count of each code (when the query counts facets).
    var facets: [[Int]] = []
    init(k: Int) {
        self.k = k
        heap.reserveCapacity(min(k, 1024))
    }

    /// Counts a match and keeps it if it ranks among the best k; `id` is read only when needed.
    func offer(key: Double, score: Double, date: Double, seq: Int64, id: () -> [UInt8]) {
        count += 1
        guard k > 0 else { return }
        if heap.count < k {
            push(TopMatch(key: key, score: score, date: date, id: id(), seq: seq))
            return
        }
        // Most matches rank below the worst kept one on score or date alone: the id is read only on a tie.
        let worst = heap[0]
        if key < worst.key || (key == worst.key && date < worst.date) { return }
        let m = TopMatch(key: key, score: score, date: date, id: id(), seq: seq)
        if Self.better(m, worst) { replaceWorst(m) }
    }

    /// Whether `a` ranks before `b`.
    static func better(_ a: TopMatch, _ b: TopMatch) -> Bool {
        if a.key != b.key { return a.key > b.key }
        if a.date != b.date { return a.date > b.date }
        return a.id.lexicographicallyPrecedes(b.id)
    }

    func push(_ m: TopMatch) {
        heap.append(m)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.better(heap[parent], heap[i]) else { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    /// Replaces the worst kept match with `m`, which ranks before it.
    func replaceWorst(_ m: TopMatch) {
        heap[0] = m
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var worst = i
            if l < heap.count, Self.better(heap[worst], heap[l]) { worst = l }
            if r < heap.count, Self.better(heap[worst], heap[r]) { worst = r }
            if worst == i { return }
            heap.swapAt(i, worst)
            i = worst
        }
    }
}

private func idBytes(_ v: OpaquePointer?) -> [UInt8] {
    guard let p = sqlite_nio_sqlite3_value_text(v) else { return [] }
    let n = Int(sqlite_nio_sqlite3_value_bytes(v))
    return Array(UnsafeBufferPointer(start: p, count: n))
}

/// The aggregate's state, made at its first row (k from argument `kArgument`).
private func topState(_ ctx: OpaquePointer?, _ args: UnsafeMutablePointer<OpaquePointer?>, kArgument: Int) -> TopMatchesState? {
    guard let slot = sqlite_nio_sqlite3_aggregate_context(ctx, Int32(MemoryLayout<UnsafeMutableRawPointer?>.size)) else { return nil }
    let box = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    if let p = box.pointee { return Unmanaged<TopMatchesState>.fromOpaque(p).takeUnretainedValue() }
    let k = Int(max(0, min(Int64(SearchTopMatches.maximumK), sqlite_nio_sqlite3_value_int64(args[kArgument]))))
    let state = TopMatchesState(k: k)
    box.pointee = Unmanaged.passRetained(state).toOpaque()
    return state
}

private let topStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 6, let state = topState(ctx, args, kArgument: 0) else {
        sqlite_nio_sqlite3_result_error_nomem(ctx)
        return
    }
    let score = sqlite_nio_sqlite3_value_type(args[2]) == SQLITE_NULL ? 0 : sqlite_nio_sqlite3_value_double(args[2])
    let key = sqlite_nio_sqlite3_value_int(args[1]) != 0 ? score : 0
    state.offer(key: key, score: score, date: sqlite_nio_sqlite3_value_double(args[3]), seq: sqlite_nio_sqlite3_value_int64(args[5])) { idBytes(args[4]) }
}

/// `zhimei_top_docs(handle, k, by_score, score, seq)`.
private let docsTopStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 5, let state = topState(ctx, args, kArgument: 1) else {
        sqlite_nio_sqlite3_result_error_nomem(ctx)
        return
    }
    if state.docs == nil {
        state.docs = SearchDocHandles.object(sqlite_nio_sqlite3_value_int64(args[0]), as: SearchDocQuery.self)
        if let docs = state.docs, docs.countsFacets {
            state.facets = Array(repeating: Array(repeating: 0, count: Int(docs.snapshot.codes.count) + 1), count: SearchEngine.facetFields.count)
        }
    }
    guard let docs = state.docs else {
        sqlite_nio_sqlite3_result_error(ctx, "zhimei_top_docs: unknown handle", -1)
        return
    }
    let seq = sqlite_nio_sqlite3_value_int64(args[4])
    let score = sqlite_nio_sqlite3_value_type(args[3]) == SQLITE_NULL ? 0 : sqlite_nio_sqlite3_value_double(args[3])
    let key = sqlite_nio_sqlite3_value_int(args[2]) != 0 ? score : 0
    let v = docs.snapshot.value(seq)
    if let v, !state.facets.isEmpty {
        // in the order of SearchEngine.facetFields: kind, state, tenant_id, category, language (no array per row)
        state.facets[0][Int(v.kind)] += 1
        state.facets[1][Int(v.state)] += 1
        state.facets[2][Int(v.tenant)] += 1
        state.facets[3][Int(v.category)] += 1
        state.facets[4][Int(v.language)] += 1
    }
    state.offer(key: key, score: score, date: v?.date ?? 0, seq: seq) { docs.snapshot.id(seq) }
}

private let topFinal: @convention(c) (OpaquePointer?) -> Void = { ctx in
    let slot = sqlite_nio_sqlite3_aggregate_context(ctx, 0)
    guard let p = slot?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee else {
        sqlite_nio_sqlite3_result_text(ctx, "0", -1, SQLITE_TRANSIENT_SWIFT)
        return
    }
    let state = Unmanaged<TopMatchesState>.fromOpaque(p).takeRetainedValue()
    slot?.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee = nil
    let kept = state.heap.sorted(by: TopMatchesState.better)
    var text = String(state.count)
    for m in kept { text += "\n\(m.seq) \(m.score)" }
    for (field, counts) in state.facets.enumerated() {
        for (code, n) in counts.enumerated() where n > 0 { text += "\nf \(field) \(code) \(n)" }
    }
    sqlite_nio_sqlite3_result_text(ctx, text, -1, SQLITE_TRANSIENT_SWIFT)
}

/// SQLite's SQLITE_TRANSIENT (the text is copied), which Swift cannot import as a macro.
private let SQLITE_TRANSIENT_SWIFT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
