import Foundation

/// Per-character candidate lists (confusable characters, real-word pairs) in one flat array indexed by BMP scalar:
/// the typo rules look one up for nearly every Han character, where `Dictionary` hashing and array retains showed
/// in the profile. Same lists, same order as the dictionary it is built from.
struct CharCandidates: Sendable {
    /// `items[lo[c]..<hi[c]]` are the candidates of BMP scalar c; lo[c] = -1 when it has no entry.
    private let lo: [Int32]
    private let hi: [Int32]
    private let items: [(UInt32, Float)]
    /// Keys outside the BMP (never Han; kept so that every key of the source still answers).
    private let astral: [UInt32: [(UInt32, Float)]]

    init(_ table: [UInt32: [(UInt32, Float)]]) {
        var lo = [Int32](repeating: -1, count: 0x10000), hi = [Int32](repeating: -1, count: 0x10000)
        var items: [(UInt32, Float)] = []
        var astral: [UInt32: [(UInt32, Float)]] = [:]
        for (c, list) in table {
            guard c < 0x10000 else { astral[c] = list; continue }
            lo[Int(c)] = Int32(items.count)
            items += list
            hi[Int(c)] = Int32(items.count)
        }
        self.lo = lo
        self.hi = hi
        self.items = items
        self.astral = astral
    }

    /// The candidates of `c` (nil when the source had no entry for it).
    @inline(__always) subscript(_ c: UInt32) -> ArraySlice<(UInt32, Float)>? {
        guard c < 0x10000 else { return astral[c].map { $0[...] } }
        let a = lo[Int(c)]
        guard a >= 0 else { return nil }
        return items[Int(a)..<Int(hi[Int(c)])]
    }
}
