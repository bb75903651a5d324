import Foundation
import VaporCSQLite

/// The FTS5 ranking function `zhimei_bm25` (SQLite): FTS5's own bm25 — same formula, same column weights — except that
/// a phrase's document frequency (the IDF's nHit) may be given instead of counted. bm25() counts it for every query by
/// walking the phrase's whole doclist, so a common word cost milliseconds before the first row was ranked (at
/// 1,000,000 articles about a quarter of a two-word query). The engine passes counts taken on the newest rows
/// (`SearchIDFSample`); a phrase without one is counted in full, exactly as bm25() does.
///
/// `zhimei_bm25(search_fts, w_title, w_lead, w_tags, w_body, length, sampled_rows, hits_0, hits_1, …)`:
/// - `length`: the row's length in words as FTS5 counts it (`doc_tokens`, 068), which saves a look-up in FTS5's docsize
///   table per match; NULL reads the docsize as bm25() does;
/// - `sampled_rows` NULL means count every phrase in full (the result is then bm25()'s); otherwise phrase i's frequency
///   is estimated as `hits_i × rows / sampled_rows`, and a NULL `hits_i` is counted in full.
enum SearchFTSRanking {
    static let functionName = "zhimei_bm25"
    /// Column weights given first.
    static let weightCount = 4
    /// Argument positions after the weights.
    static let lengthArgument = weightCount, sampledRowsArgument = weightCount + 1, firstHitsArgument = weightCount + 2
}

/// Registers `zhimei_bm25` with a connection's FTS5 (from the auto-extension entry that registers the tokenizer).
func registerSearchRanking(_ api: UnsafeMutablePointer<fts5_api>) -> Int32 {
    guard let create = api.pointee.xCreateFunction else { return SQLITE_ERROR }
    return create(api, SearchFTSRanking.functionName, nil, rankFunction, nil)
}

/// What `zhimei_bm25` works out once per query (FTS5 aux data of the statement's cursor).
private final class SearchRankState {
    let weights: [Double]
    let idf: [Double]
    let avgdl: Double
    var freq: [Double]
    init(weights: [Double], idf: [Double], avgdl: Double) {
        self.weights = weights
        self.idf = idf
        self.avgdl = avgdl
        freq = Array(repeating: 0, count: idf.count)
    }
}

private let releaseRankState: @convention(c) (UnsafeMutableRawPointer?) -> Void = { p in
    if let p { Unmanaged<SearchRankState>.fromOpaque(p).release() }
}

private let countHit: @convention(c) (UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { _, _, n in
    n?.assumingMemoryBound(to: Int64.self).pointee += 1
    return SQLITE_OK
}

private func rankState(_ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer, _ nVal: Int32,
                       _ args: UnsafeMutablePointer<OpaquePointer?>?) -> (SearchRankState?, Int32) {
    let x = api.pointee
    if let p = x.xGetAuxdata?(fts, 0) { return (Unmanaged<SearchRankState>.fromOpaque(p).takeUnretainedValue(), SQLITE_OK) }
    let value = { (i: Int) -> OpaquePointer? in i < Int(nVal) ? args?[i] : nil }
    let isNull = { (v: OpaquePointer?) in v == nil || sqlite_nio_sqlite3_value_type(v) == SQLITE_NULL }
    let columns = Int(x.xColumnCount?(fts) ?? 0)
    let weights = (0..<columns).map { c in c >= SearchFTSRanking.weightCount || isNull(value(c)) ? 1.0 : sqlite_nio_sqlite3_value_double(value(c)) }
    var rows: Int64 = 0, tokens: Int64 = 0
    var rc = x.xRowCount?(fts, &rows) ?? SQLITE_ERROR
    if rc == SQLITE_OK { rc = x.xColumnTotalSize?(fts, -1, &tokens) ?? SQLITE_ERROR }
    guard rc == SQLITE_OK else { return (nil, rc) }
    let n = Double(max(rows, 1))
    let sampledArg = value(SearchFTSRanking.sampledRowsArgument)
    let sampledRows = isNull(sampledArg) ? 0 : sqlite_nio_sqlite3_value_double(sampledArg)
    let phrases = Int(x.xPhraseCount?(fts) ?? 0)
    var idf: [Double] = []
    for i in 0..<phrases {
        let hitsArg = value(SearchFTSRanking.firstHitsArgument + i)
        let hits: Double
        if sampledRows > 0, !isNull(hitsArg) {
            hits = min(n, sqlite_nio_sqlite3_value_double(hitsArg) * n / sampledRows)
        } else {
            var counted: Int64 = 0
            rc = x.xQueryPhrase?(fts, Int32(i), &counted, countHit) ?? SQLITE_ERROR
            guard rc == SQLITE_OK else { return (nil, rc) }
            hits = Double(counted)
        }
        // bm25()'s IDF, floored as it is (a phrase in more than half the rows)
        let weight = log((n - hits + 0.5) / (hits + 0.5))
        idf.append(weight <= 0 ? 1e-6 : weight)
    }
    let state = SearchRankState(weights: weights, idf: idf, avgdl: Double(tokens) / n)
    rc = x.xSetAuxdata?(fts, Unmanaged.passRetained(state).toOpaque(), releaseRankState) ?? SQLITE_ERROR
    return rc == SQLITE_OK ? (state, SQLITE_OK) : (nil, rc)
}

private let rankFunction: fts5_extension_function = { api, fts, ctx, nVal, args in
    guard let api, let fts else { return }
    let (found, rc) = rankState(api, fts, nVal, args)
    guard let state = found else { sqlite_nio_sqlite3_result_error_code(ctx, rc); return }
    let x = api.pointee
    let k1 = 1.2, b = 0.75
    // Each phrase's weighted frequency in this row: one per instance, weighted by its column (as bm25() sums xInst).
    for i in 0..<state.freq.count {
        var f = 0.0
        var iter = Fts5PhraseIter()
        var column: Int32 = -1, offset: Int32 = -1
        let rc = x.xPhraseFirst?(fts, Int32(i), &iter, &column, &offset) ?? SQLITE_ERROR
        guard rc == SQLITE_OK else { sqlite_nio_sqlite3_result_error_code(ctx, rc); return }
        while column >= 0 {
            f += Int(column) < state.weights.count ? state.weights[Int(column)] : 1.0
            x.xPhraseNext?(fts, &iter, &column, &offset)
        }
        state.freq[i] = f
    }
    var size: Int32 = 0
    let length = SearchFTSRanking.lengthArgument < Int(nVal) ? args?[SearchFTSRanking.lengthArgument] : nil
    if let length, sqlite_nio_sqlite3_value_type(length) != SQLITE_NULL {
        size = sqlite_nio_sqlite3_value_int(length)
    } else {
        let sizeRC = x.xColumnSize?(fts, -1, &size) ?? SQLITE_ERROR
        guard sizeRC == SQLITE_OK else { sqlite_nio_sqlite3_result_error_code(ctx, sizeRC); return }
    }
    let norm = k1 * (1 - b + b * Double(size) / state.avgdl)
    var score = 0.0
    for i in 0..<state.freq.count {
        let f = state.freq[i]
        score += state.idf[i] * ((f * (k1 + 1.0)) / (f + norm))
    }
    sqlite_nio_sqlite3_result_double(ctx, -score)
}
