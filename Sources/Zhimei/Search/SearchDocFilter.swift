import Foundation
import VaporCSQLite

/// A set of codes as bits; no bits at all means any value.
struct SearchDocCodeBits {
    let words: UnsafeMutableBufferPointer<UInt64>?

    @inline(__always)
    func contains(_ code: UInt32) -> Bool {
        guard let words else { return true }
        let w = Int(code >> 6)
        return w < words.count && words[w] & (1 << UInt64(code & 63)) != 0
    }
}

/// A search's conditions on the filter columns in terms of one snapshot's codes (SearchDocValues): the same
/// conditions `SearchEngine.fromWhere` writes as SQL — visibility per kind and tenant, the story/published collapse,
/// the tenant, type, state, channel, category and language filters, dates, the alerts' change time and left-out keys.
/// Tag and author filters need the full row and are not expressed here (such searches join). Sets are bits over the
/// codes, so checking a match is a few loads.
final class SearchDocFilter: @unchecked Sendable {
    /// Kinds visible, each in its tenants.
    let visible: UnsafeMutableBufferPointer<(kind: UInt32, tenants: SearchDocCodeBits)>
    /// Published documents left out in these tenants (`SearchEngine.hiddenPublished`); kind 0 when none.
    let hidden: (kind: UInt32, tenants: SearchDocCodeBits)
    let tenants: SearchDocCodeBits, kinds: SearchDocCodeBits, states: SearchDocCodeBits
    let channels: SearchDocCodeBits, categories: SearchDocCodeBits, languages: SearchDocCodeBits
    let from: Double, to: Double, updatedAfter: Double
    let excludedKeys: Set<[UInt8]>
    private let owned: [UnsafeMutableBufferPointer<UInt64>]

    init(_ r: SearchRequest, visibility: SearchVisibility, codes: SearchDocCodes) {
        var owned: [UnsafeMutableBufferPointer<UInt64>] = []
        // a value no document has gets no code: its bits stay empty and nothing matches it, as in SQL
        func bits(_ values: [String]?) -> SearchDocCodeBits {
            guard let values else { return SearchDocCodeBits(words: nil) }
            let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: Int(codes.count >> 6) + 1)
            words.initialize(repeating: 0)
            for code in values.compactMap({ codes.code($0) }) { words[Int(code >> 6)] |= 1 << UInt64(code & 63) }
            owned.append(words)
            return SearchDocCodeBits(words: words)
        }
        func tenantBits(_ ids: some Collection<UUID>) -> SearchDocCodeBits { bits(ids.map { $0.uuidString.lowercased() }) }
        var visible: [(kind: UInt32, tenants: SearchDocCodeBits)] = []
        for (kind, scope) in visibility.byKind {
            guard let code = codes.code(kind) else { continue }
            switch scope {
            case .all: visible.append((code, SearchDocCodeBits(words: nil)))
            case .only(let ids) where !ids.isEmpty: visible.append((code, tenantBits(ids)))
            case .only: continue
            }
        }
        self.visible = .allocate(capacity: visible.count)
        _ = self.visible.initialize(from: visible)
        // no document of the hidden kind: nothing to hide
        if let h = SearchEngine.hiddenPublished(r, visibility: visibility), let code = codes.code(h.kind) {
            hidden = (code, h.tenants.map(tenantBits) ?? SearchDocCodeBits(words: nil))
        } else {
            hidden = (0, SearchDocCodeBits(words: nil))
        }
        func filter(_ values: [String]) -> [String]? { values.isEmpty ? nil : values }
        tenants = r.tenants.isEmpty ? SearchDocCodeBits(words: nil) : tenantBits(r.tenants)
        kinds = bits(filter(r.kinds))
        states = bits(filter(r.states))
        channels = bits(filter(r.channels))
        categories = bits(filter(r.categories))
        languages = bits(filter(r.languages))
        from = r.from?.timeIntervalSince1970 ?? -.infinity
        to = r.to?.timeIntervalSince1970 ?? .infinity
        updatedAfter = r.updatedAfter?.timeIntervalSince1970 ?? -.infinity
        excludedKeys = Set(r.excludeKeys.map { Array($0.utf8) })
        self.owned = owned
    }

    deinit {
        visible.deallocate()
        for words in owned { words.deallocate() }
    }

    /// Whether a row with these values is a result (`key` is read only when keys are left out).
    @inline(__always)
    func keeps(_ v: SearchDocValue, key: () -> [UInt8]) -> Bool {
        if !v.isPublic {
            var seen = false
            for i in 0..<visible.count where visible[i].kind == v.kind && visible[i].tenants.contains(v.tenant) {
                seen = true
                break
            }
            guard seen else { return false }
        }
        if hidden.kind == v.kind, hidden.tenants.contains(v.tenant) { return false }
        guard tenants.contains(v.tenant), kinds.contains(v.kind), states.contains(v.state), channels.contains(v.channel),
              categories.contains(v.category), languages.contains(v.language),
              v.date >= from, v.date <= to, v.updated > updatedAfter else { return false }
        return excludedKeys.isEmpty || !excludedKeys.contains(key())
    }
}

/// One search's snapshot and filter, which the SQL functions reach by handle.
final class SearchDocQuery: @unchecked Sendable {
    let snapshot: SearchDocValuesSnapshot
    let filter: SearchDocFilter
    /// Whether `zhimei_top_docs` also counts the kept rows' facet values.
    let countsFacets: Bool
    init(_ snapshot: SearchDocValuesSnapshot, _ filter: SearchDocFilter, countsFacets: Bool = false) {
        self.snapshot = snapshot
        self.filter = filter
        self.countsFacets = countsFacets
    }

    /// Whether `seq` is a result.
    @inline(__always)
    func keeps(_ seq: Int64) -> Bool {
        guard let v = snapshot.value(seq) else { return false }
        return filter.keeps(v) { snapshot.id(seq) }
    }

    static let keepFunctionName = "zhimei_doc_keep", lengthFunctionName = "zhimei_doc_tokens", dateFunctionName = "zhimei_doc_date"
}

/// Registers `zhimei_doc_keep(handle, seq)` (1 when the row is a result), `zhimei_doc_tokens(handle, seq)` (its
/// length in words, NULL when unknown) and `zhimei_doc_date(handle, seq)` (its date, for the recency boost), from the
/// auto-extension entry that registers the tokenizer.
func registerSearchDocFilter(_ db: OpaquePointer) -> Int32 {
    let keep = sqlite_nio_sqlite3_create_function_v2(db, SearchDocQuery.keepFunctionName, 2, SQLITE_UTF8, nil, keepFunction, nil, nil, nil)
    guard keep == SQLITE_OK else { return keep }
    let length = sqlite_nio_sqlite3_create_function_v2(db, SearchDocQuery.lengthFunctionName, 2, SQLITE_UTF8, nil, lengthFunction, nil, nil, nil)
    guard length == SQLITE_OK else { return length }
    return sqlite_nio_sqlite3_create_function_v2(db, SearchDocQuery.dateFunctionName, 2, SQLITE_UTF8, nil, dateFunction, nil, nil, nil)
}

/// The query of the handle in argument 0, looked up once per statement and then kept as the argument's auxiliary
/// data (which holds a reference until the statement ends).
@inline(__always)
private func docQuery(_ ctx: OpaquePointer?, _ args: UnsafeMutablePointer<OpaquePointer?>) -> Unmanaged<SearchDocQuery>? {
    if let p = sqlite_nio_sqlite3_get_auxdata(ctx, 0) { return Unmanaged<SearchDocQuery>.fromOpaque(p) }
    guard let query = SearchDocHandles.object(sqlite_nio_sqlite3_value_int64(args[0]), as: SearchDocQuery.self) else { return nil }
    let kept = Unmanaged.passRetained(query)
    sqlite_nio_sqlite3_set_auxdata(ctx, 0, kept.toOpaque(), releaseDocQuery)
    return kept
}

private let releaseDocQuery: @convention(c) (UnsafeMutableRawPointer?) -> Void = { p in
    if let p { Unmanaged<SearchDocQuery>.fromOpaque(p).release() }
}

private let keepFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 2, let query = docQuery(ctx, args) else {
        sqlite_nio_sqlite3_result_error(ctx, "zhimei_doc_keep: unknown handle", -1)
        return
    }
    let seq = sqlite_nio_sqlite3_value_int64(args[1])
    sqlite_nio_sqlite3_result_int(ctx, query._withUnsafeGuaranteedRef { $0.keeps(seq) } ? 1 : 0)
}

private let lengthFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 2, let query = docQuery(ctx, args) else {
        sqlite_nio_sqlite3_result_error(ctx, "zhimei_doc_tokens: unknown handle", -1)
        return
    }
    let seq = sqlite_nio_sqlite3_value_int64(args[1])
    guard let v = query._withUnsafeGuaranteedRef({ $0.snapshot.value(seq) }), v.tokens >= 0 else {
        sqlite_nio_sqlite3_result_null(ctx)
        return
    }
    sqlite_nio_sqlite3_result_int64(ctx, Int64(v.tokens))
}

private let dateFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { ctx, n, args in
    guard let args, n == 2, let query = docQuery(ctx, args) else {
        sqlite_nio_sqlite3_result_error(ctx, "zhimei_doc_date: unknown handle", -1)
        return
    }
    let seq = sqlite_nio_sqlite3_value_int64(args[1])
    guard let v = query._withUnsafeGuaranteedRef({ $0.snapshot.value(seq) }) else {
        sqlite_nio_sqlite3_result_null(ctx)
        return
    }
    sqlite_nio_sqlite3_result_double(ctx, v.date)
}
