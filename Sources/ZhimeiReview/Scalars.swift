import Foundation

/// Small helpers for rules written over Unicode scalar arrays (the engine's text form).
enum Scalars {
    /// The characters of `chars` as a set.
    static func set(_ chars: String) -> Set<UInt32> { Set(chars.unicodeScalars.map(\.value)) }
    /// Each word as scalars.
    static func words(_ list: [String]) -> [[UInt32]] { list.map { $0.unicodeScalars.map(\.value) } }

    /// Whether `w` stands in `s` right before `end`.
    static func ends(_ s: [UInt32], at end: Int, with w: [UInt32]) -> Bool {
        end >= w.count && end <= s.count && s[(end - w.count)..<end].elementsEqual(w)
    }

    /// Whether `w` stands in `s` from `start`.
    static func begins(_ s: [UInt32], at start: Int, with w: [UInt32]) -> Bool {
        start >= 0 && start + w.count <= s.count && s[start..<(start + w.count)].elementsEqual(w)
    }
}
