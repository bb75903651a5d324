import Foundation

/// Open-addressing hash table from nonzero 64-bit keys to values, built once: a few times faster than `Dictionary`
/// for the typo model's millions of window lookups (no hashing seed, no generic overhead once specialised).
struct FlatTable<Value: Sendable>: Sendable {
    /// Key and value side by side: a look-up touches one cache line, not one in a key array and one in a value array
    /// (the tables are many megabytes, so nearly every look-up of the typo search is a cache miss).
    struct Slot: Sendable { var key: UInt64; var value: Value }
    private var slots: [Slot]
    private let shift: UInt64
    private let mask: Int
    private(set) var count = 0

    /// `filler` initialises the empty slots (never returned).
    init(capacity: Int, filler: Value) {
        var bits = 4
        while (1 << bits) < capacity * 2 { bits += 1 }
        slots = [Slot](repeating: Slot(key: 0, value: filler), count: 1 << bits)
        shift = UInt64(64 - bits)
        mask = (1 << bits) - 1
    }

    @inline(__always) private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) }

    /// Inserts or replaces (the table never grows: `capacity` must cover every key). Key 0 is ignored.
    mutating func set(_ key: UInt64, _ value: Value) {
        guard key != 0, count < mask else { return }
        var i = slot(key)
        while slots[i].key != 0 && slots[i].key != key { i = (i &+ 1) & mask }
        if slots[i].key == 0 { count += 1 }
        slots[i] = Slot(key: key, value: value)
    }

    @inline(__always) subscript(_ key: UInt64) -> Value? {
        slots.withUnsafeBufferPointer { t in
            var i = slot(key)
            while true {
                let k = t[i].key
                if k == key { return t[i].value }
                if k == 0 { return nil }
                i = (i &+ 1) & mask
            }
        }
    }
}

extension FlatTable where Value == WordStatistics.Entry {
    init(capacity: Int) { self.init(capacity: capacity, filler: WordStatistics.Entry(logP: 0, tag: 0)) }
}
