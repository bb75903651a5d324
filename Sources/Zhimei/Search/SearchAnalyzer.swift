import Foundation
import ZhimeiText

/// Turns text into the index's tokens and query words into the same tokens.
///
/// Index tokens are Simplified (OpenCC t2s), lower-case, letters and digits only, space-joined. A field holds
/// its precise-mode words in order (so phrases are adjacent tokens), then the search-mode sub-words of long
/// words (jieba's cut_for_search 2- and 3-grams that are dictionary words), so "媒体" also finds "融媒体中心".
public struct SearchAnalyzer: Sendable {
    public let segmenter: Segmenter
    /// Most tokens kept from one field (bounds index size and PostgreSQL's tsvector limits).
    public static let maxFieldTokens = 12_000
    /// Longest token kept (in scalars).
    public static let maxTokenLength = 40

    public init(engine: TextEngine) {
        segmenter = engine.segmenter(options: SegmentOptions(mode: .precise, hmm: true))
    }

    /// Traditional → Simplified, lower-cased. ASCII text skips OpenCC (nothing to convert).
    public static func simplify(_ text: String) -> String {
        let lowered = text.lowercased()
        if lowered.utf8.allSatisfy({ $0 < 0x80 }) { return lowered }
        guard let cc = try? OpenCC.shared.get(), let out = try? cc.convert(lowered, .t2s) else { return lowered }
        return out
    }

    /// True for scalars that tokens keep (what FTS5's unicode61 and PostgreSQL's parser treat as word characters).
    @inline(__always) static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            return (s.value >= 0x30 && s.value <= 0x39) || (s.value >= 0x61 && s.value <= 0x7A) || (s.value >= 0x41 && s.value <= 0x5A)
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// A raw word split into clean tokens (pieces between non-word characters, capped in length).
    static func clean(_ word: String, into out: inout [String]) {
        var piece = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if !piece.isEmpty { out.append(String(piece)) }
            piece = String.UnicodeScalarView(); length = 0
        }
        for s in word.unicodeScalars {
            if isWordScalar(s) {
                if length < maxTokenLength { piece.append(s); length += 1 }
            } else {
                flush()
            }
        }
        flush()
    }

    /// Precise-mode tokens of already simplified text.
    func preciseTokens(_ simplified: String) -> [String] {
        var out: [String] = []
        for token in segmenter.cut(simplified) {
            Self.clean(token, into: &out)
            if out.count >= Self.maxFieldTokens { break }
        }
        return out
    }

    /// Dictionary 2-grams and 3-grams inside a long word (jieba's search mode).
    func subwords(_ word: String) -> [String] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count > 2 else { return [] }
        var out: [String] = []
        for n in [2, 3] where scalars.count > n {
            for i in 0...(scalars.count - n) {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[i..<(i + n)])
                let gram = String(view)
                if segmenter.frequency(of: gram) > 0 { out.append(gram) }
            }
        }
        return out
    }

    /// The index form of one field: precise tokens, then sub-words, space-joined.
    public func indexField(_ text: String) -> String {
        let words = preciseTokens(Self.simplify(text))
        var extra: [String] = []
        for w in words where w.unicodeScalars.count > 2 && !w.utf8.allSatisfy({ $0 < 0x80 }) {
            extra.append(contentsOf: subwords(w))
        }
        return (words + extra.prefix(Self.maxFieldTokens)).joined(separator: " ")
    }

    /// Tokens of one query word or phrase (Simplified, precise mode, clean).
    public func queryTokens(_ text: String) -> [String] {
        preciseTokens(Self.simplify(text))
    }
}
