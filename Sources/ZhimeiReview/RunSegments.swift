import Foundation

/// The best segmentation of each Han run of one checked text, computed once and shared by the 的/地/得 rule, the
/// confusion search and the real-word pass (each used to segment every run again: a fifth of the full review's
/// time). A run whose characters were changed by an earlier correction is segmented afresh, so results are the same
/// as without the cache. One per `Proofreader.typos` call (not shared between threads).
final class RunSegments {
    let words: WordStatistics
    /// The text the cached segmentations belong to.
    let original: [UInt32]
    private var cache: [Int: (end: Int, words: [(Int, Int)])] = [:]
    /// Memoised table look-ups shared by the rules of this call.
    let memo: TypoMemo

    init(words: WordStatistics, text: [UInt32]) {
        self.words = words
        original = text
        memo = TypoMemo(length: text.count)
    }

    /// `words.segment(s, a, b)`, from the cache when `s[a..<b]` is still the original run.
    func segment(_ s: [UInt32], _ a: Int, _ b: Int) -> [(Int, Int)] {
        let same = b <= original.count && s.count == original.count && s[a..<b].elementsEqual(original[a..<b])
        if same, let c = cache[a], c.end == b { return c.words }
        let seg = s.withUnsafeBufferPointer { words.segment($0, a, b, memo: memo) }
        if same { cache[a] = (b, seg) }
        return seg
    }
}
