import Foundation

/// The best segmentation of each Han run of one checked text, computed once and shared by the 的/地/得 rule, the
/// confusion search and the real-word pass (each used to segment every run again: a fifth of the full review's
/// time). A run whose characters were changed by an earlier correction is segmented afresh, so results are the same
/// as without the cache. One per `Proofreader.typos` call (not shared between threads).
final class RunSegments {
    let words: WordStatistics
    /// The text the cached segmentations belong to.
    let original: [UInt32]
    /// `slot[a]`: index into `cached` of the run starting at a, −1 = none (arrays: the `Dictionary` hashing showed in the profile).
    /// No dynamic exclusivity checks (they showed in the profile): one `RunSegments` per call, never shared between
    /// threads, and no access to these overlaps another.
    @exclusivity(unchecked) private var slot: [Int32]
    @exclusivity(unchecked) private var cached: [(end: Int, words: [(Int, Int)])] = []
    /// Memoised table look-ups shared by the rules of this call.
    let memo: TypoMemo

    init(words: WordStatistics, text: [UInt32]) {
        self.words = words
        original = text
        slot = [Int32](repeating: -1, count: text.count)
        memo = TypoMemo(length: text.count)
    }

    /// `ContextPrior.shared.tagIDs(words)`, computed at the first run that needs it (other priors compute their own).
    func contextTagIDs(_ prior: ContextPrior) -> [UInt8] {
        guard prior.isShared else { return prior.tagIDs(words) }
        if let sharedTagIDs { return sharedTagIDs }
        let ids = prior.tagIDs(words)
        sharedTagIDs = ids
        return ids
    }
    @exclusivity(unchecked) private var sharedTagIDs: [UInt8]?

    /// `words.segment(s, a, b)`, from the cache when `s[a..<b]` is still the original run.
    func segment(_ s: [UInt32], _ a: Int, _ b: Int) -> [(Int, Int)] {
        let same = b <= original.count && s.count == original.count && RunSegments.equal(s, original, a, b)
        if same, slot[a] >= 0, cached[Int(slot[a])].end == b { return cached[Int(slot[a])].words }
        let seg = s.withUnsafeBufferPointer { words.segment($0, a, b, memo: memo) }
        if same {
            if slot[a] >= 0 { cached[Int(slot[a])] = (b, seg) } else { slot[a] = Int32(cached.count); cached.append((b, seg)) }
        }
        return seg
    }

    /// s[a..<b] == t[a..<b] over raw buffers (the generic slice comparison showed in the profile; runs are short, so no memcmp call).
    @inline(__always) static func equal(_ s: [UInt32], _ t: [UInt32], _ a: Int, _ b: Int) -> Bool {
        s.withUnsafeBufferPointer { p in
            t.withUnsafeBufferPointer { o in
                var k = a
                while k < b { if p[k] != o[k] { return false }; k += 1 }
                return true
            }
        }
    }
}
