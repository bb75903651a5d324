import Foundation

/// Open-addressing hash table from nonzero 64-bit keys to word entries, built once: a few times faster than
/// `Dictionary` for the typo model's millions of window lookups (no hashing seed, no generic overhead).
struct FlatTable: Sendable {
    private(set) var keys: [UInt64]
    private(set) var values: [WordStatistics.Entry]
    private let shift: UInt64
    private let mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var bits = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        keys = [UInt64](repeating: 0, count: 1 << bits)
        values = [WordStatistics.Entry](repeating: WordStatistics.Entry(logP: 0, tag: 0), count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) }

    /// Inserts or replaces (the table never grows: `capacity` must cover every key). Key 0 is ignored.
    mutating func set(_ key: UInt64, _ value: WordStatistics.Entry) {
        guard key != 0, count < mask else { return }
        var i = slot(key)
        while keys[i] != 0 && keys[i] != key { i = (i &+ 1) & mask }
        if keys[i] == 0 { count += 1 }
        keys[i] = key
        values[i] = value
    }

    @inline(__always) subscript(_ key: UInt64) -> WordStatistics.Entry? {
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }
}
