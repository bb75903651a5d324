import Foundation
import VaporCSQLite

/// The FTS5 tokenizer `zhimei` (SQLite): the analyzer has already cut, simplified and lower-cased the text, so a field
/// arrives as words separated by spaces, each word followed by its dictionary sub-words after U+0001
/// (融媒体\u{1}融媒\u{1}媒体 中心). Words take consecutive positions; sub-words take their word's position
/// (`FTS5_TOKEN_COLOCATED`), so the phrase "媒体 中心" matches 融媒体 中心 and sub-words do not lengthen the document.
enum SearchFTSTokenizer {
    /// Whether the tokenizer (with `zhimei_bm25`, SearchFTSRanking, `zhimei_top` and `zhimei_top_docs`, SearchTopMatches,
    /// `zhimei_doc_values_load`, SearchDocValues, `zhimei_doc_keep`, `zhimei_doc_tokens` and `zhimei_doc_date`,
    /// SearchDocFilter) is registered
    /// on every SQLite connection the process opens from now on (done once).
    static let registered: Bool = {
        sqlite_nio_sqlite3_auto_extension(unsafeBitCast(searchTokenizerEntry, to: (@convention(c) () -> Void).self)) == SQLITE_OK
    }()

    /// Registers the tokenizer (idempotent); call before SQLite connections are opened.
    static func register() throws {
        guard registered else {
            throw AppError(.internalServerError, "search_tokenizer", zh: "无法注册全文检索分词器", en: "The full-text tokenizer could not be registered")
        }
    }
}

private let searchTokenizerEntry: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, OpaquePointer?) -> Int32 = { db, _, _ in
    guard let db else { return SQLITE_OK }
    var stmt: OpaquePointer?
    guard sqlite_nio_sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nil) == SQLITE_OK else { return SQLITE_OK }
    defer { sqlite_nio_sqlite3_finalize(stmt) }
    var api: UnsafeMutablePointer<fts5_api>? = nil
    _ = withUnsafeMutablePointer(to: &api) { p in sqlite_nio_sqlite3_bind_pointer(stmt, 1, p, "fts5_api_ptr", nil) }
    _ = sqlite_nio_sqlite3_step(stmt)
    guard let api, let create = api.pointee.xCreateTokenizer else { return SQLITE_OK }
    var tokenizer = fts5_tokenizer(xCreate: tokenizerCreate, xDelete: tokenizerDelete, xTokenize: tokenizerTokenize)
    let rc = create(api, "zhimei", nil, &tokenizer, nil)
    // the ranking function (SearchFTSRanking) and the top-k aggregate (SearchTopMatches) ride on the same registration
    guard rc == SQLITE_OK else { return rc }
    // and the in-memory filter values' functions (SearchDocValues, SearchDocFilter)
    for register in [{ registerSearchRanking(api) }, { registerSearchTopMatches(db) }, { registerSearchDocValues(db) }, { registerSearchDocFilter(db) }] {
        let rc = register()
        guard rc == SQLITE_OK else { return rc }
    }
    return SQLITE_OK
}

private let tokenizerCreate: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UnsafePointer<CChar>?>?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Int32 = { _, _, _, out in
    out?.pointee = OpaquePointer(bitPattern: 1)  // stateless: any non-null handle
    return SQLITE_OK
}

private let tokenizerDelete: @convention(c) (OpaquePointer?) -> Void = { _ in }

private let tokenizerTokenize: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32,
                                                (@convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int32, Int32, Int32) -> Int32)?) -> Int32 = { _, ctx, _, text, length, emit in
    guard let text, let emit, length > 0 else { return SQLITE_OK }
    let n = Int(length)
    var start = 0, colocated = false, inWord = false
    var i = 0
    while i <= n {
        let c = i < n ? UInt8(bitPattern: text[i]) : 0x20
        if c == 0x20 || c == SearchAnalyzer.subwordMark {
            if i > start {
                let rc = emit(ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, text + start, Int32(i - start), Int32(start), Int32(i))
                if rc != SQLITE_OK { return rc }
                inWord = true
            }
            // after U+0001 the next piece shares the word's position; after a space a new word begins
            colocated = c == SearchAnalyzer.subwordMark && inWord
            if c == 0x20 { inWord = false }
            start = i + 1
        }
        i += 1
    }
    return SQLITE_OK
}
