import Foundation
import Vapor

/// Myers diff (O((N+M)·D)) over any equatable sequence; story diffs run it over blocks, then over the
/// Unicode scalars of changed blocks, so Chinese text is compared character by character.
enum Myers {
    enum Op: String, Codable, Sendable { case equal, insert, delete }

    /// Edit script from `a` to `b` as (op, index in a or b). Gives up (delete all, insert all) beyond `maxD` edits.
    static func script<T: Equatable>(_ a: [T], _ b: [T], maxD: Int = 5000) -> [(Op, Int)] {
        // Common prefix and suffix first: typical edits are local.
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let a2 = Array(a[prefix..<(a.count - suffix)]), b2 = Array(b[prefix..<(b.count - suffix)])
        var out: [(Op, Int)] = (0..<prefix).map { (.equal, $0) }
        for (op, i) in core(a2, b2, maxD: maxD) {
            out.append((op, op == .insert ? i + prefix : i + prefix))
        }
        for i in 0..<suffix { out.append((.equal, a.count - suffix + i)) }
        return out
    }

    /// The core algorithm with a trace of V per round for the backtrack. Indices: equal/delete → a, insert → b.
    private static func core<T: Equatable>(_ a: [T], _ b: [T], maxD: Int) -> [(Op, Int)] {
        let n = a.count, m = b.count
        if n == 0 { return (0..<m).map { (.insert, $0) } }
        if m == 0 { return (0..<n).map { (.delete, $0) } }
        let maxSteps = min(n + m, maxD)
        let offset = n + m + 1
        var v = [Int](repeating: 0, count: 2 * (n + m) + 3)
        var trace: [[Int]] = []
        var finalD = -1
        outer: for d in 0...maxSteps {
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) { x = v[offset + k + 1] } else { x = v[offset + k - 1] + 1 }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n, y >= m { finalD = d; trace.append(Array(v[(offset - d)...(offset + d)])); break outer }
            }
            trace.append(Array(v[(offset - d)...(offset + d)]))
        }
        guard finalD >= 0 else {
            return (0..<n).map { (.delete, $0) } + (0..<m).map { (.insert, $0) }
        }
        var x = n, y = m
        var reversed: [(Op, Int)] = []
        var d = finalD
        while d > 0 {
            let prev = trace[d - 1]   // indices -(d-1)...(d-1) → prev[k + d - 1]
            func vp(_ k: Int) -> Int { prev[k + d - 1] }
            let k = x - y
            let prevK = (k == -d || (k != d && vp(k - 1) < vp(k + 1))) ? k + 1 : k - 1
            let prevX = vp(prevK), prevY = prevX - prevK
            while x > prevX, y > prevY { reversed.append((.equal, x - 1)); x -= 1; y -= 1 }
            if x == prevX { reversed.append((.insert, y - 1)) } else { reversed.append((.delete, x - 1)) }
            x = prevX; y = prevY
            d -= 1
        }
        while x > 0, y > 0 { reversed.append((.equal, x - 1)); x -= 1; y -= 1 }
        return reversed.reversed()
    }
}

/// A piece of a character-level diff.
struct DiffSegment: Codable, Sendable, Equatable {
    var op: Myers.Op
    var text: String
}

/// Diffs of story versions: fields and blocks, character by character inside changed text.
enum StoryDiff {
    struct FieldDiff: Codable, Sendable {
        var field: String
        var changed: Bool
        var segments: [DiffSegment]
    }
    struct BlockDiff: Codable, Sendable {
        /// equal, modified, added, removed
        var change: String
        var type: String
        var segments: [DiffSegment]
    }
    struct Result: Content {
        var from: Int
        var to: Int
        var fields: [FieldDiff]
        var blocks: [BlockDiff]
        var inserted: Int
        var deleted: Int
    }

    /// Character-level diff of two strings over Unicode scalars.
    static func text(_ a: String, _ b: String) -> [DiffSegment] {
        let sa = Array(a.unicodeScalars), sb = Array(b.unicodeScalars)
        var out: [DiffSegment] = []
        for (op, i) in Myers.script(sa, sb) {
            let scalar = op == .insert ? sb[i] : sa[i]
            if let last = out.last, last.op == op {
                out[out.count - 1].text.unicodeScalars.append(scalar)
            } else {
                var s = ""
                s.unicodeScalars.append(scalar)
                out.append(DiffSegment(op: op, text: s))
            }
        }
        return out
    }

    /// Signature of a block for alignment: type plus its text (and media source).
    static func signature(_ block: StoryBlock) -> String {
        switch block {
        case .image(let key, _, _, _): return "image|\(key)|" + block.plainText
        case .video(let src, _, _), .audio(let src, _, _): return "\(block.kind.rawValue)|\(src)|" + block.plainText
        case .embed(let url, _, _): return "embed|\(url)|" + block.plainText
        case .heading(let level, _, _): return "heading\(level)|" + block.plainText
        case .list(let ordered, _, _): return "list\(ordered)|" + block.plainText
        default: return block.kind.rawValue + "|" + block.plainText
        }
    }

    static func compare(_ a: StorySnapshot, from: Int, _ b: StorySnapshot, to: Int) -> Result {
        var fields: [FieldDiff] = []
        let pairs: [(String, String, String)] = [
            ("headline", a.headline, b.headline), ("subtitle", a.subtitle, b.subtitle), ("lead", a.lead, b.lead),
            ("byline", a.byline, b.byline), ("tags", a.tags.joined(separator: "、"), b.tags.joined(separator: "、")),
            ("categories", a.categories.joined(separator: "、"), b.categories.joined(separator: "、")),
            ("location", a.location, b.location), ("language", a.language, b.language),
            ("embargo", a.embargo.map(DisplayTime.format) ?? "", b.embargo.map(DisplayTime.format) ?? ""),
        ]
        for (name, x, y) in pairs {
            fields.append(FieldDiff(field: name, changed: x != y, segments: x == y ? (x.isEmpty ? [] : [DiffSegment(op: .equal, text: x)]) : text(x, y)))
        }
        let sa = a.body.map(signature), sb = b.body.map(signature)
        var blocks: [BlockDiff] = []
        var pendingDeletes: [Int] = [], pendingInserts: [Int] = []
        func flush() {
            let paired = min(pendingDeletes.count, pendingInserts.count)
            for i in 0..<paired {
                let x = a.body[pendingDeletes[i]], y = b.body[pendingInserts[i]]
                if x.kind == y.kind {
                    blocks.append(BlockDiff(change: "modified", type: y.kind.rawValue, segments: text(x.plainText, y.plainText)))
                } else {
                    blocks.append(BlockDiff(change: "removed", type: x.kind.rawValue, segments: [DiffSegment(op: .delete, text: x.plainText)]))
                    blocks.append(BlockDiff(change: "added", type: y.kind.rawValue, segments: [DiffSegment(op: .insert, text: y.plainText)]))
                }
            }
            for i in pendingDeletes.dropFirst(paired) {
                blocks.append(BlockDiff(change: "removed", type: a.body[i].kind.rawValue, segments: [DiffSegment(op: .delete, text: a.body[i].plainText)]))
            }
            for i in pendingInserts.dropFirst(paired) {
                blocks.append(BlockDiff(change: "added", type: b.body[i].kind.rawValue, segments: [DiffSegment(op: .insert, text: b.body[i].plainText)]))
            }
            pendingDeletes = []; pendingInserts = []
        }
        for (op, i) in Myers.script(sa, sb, maxD: 2000) {
            switch op {
            case .equal:
                flush()
                blocks.append(BlockDiff(change: "equal", type: a.body[i].kind.rawValue, segments: [DiffSegment(op: .equal, text: a.body[i].plainText)]))
            case .delete: pendingDeletes.append(i)
            case .insert: pendingInserts.append(i)
            }
        }
        flush()
        var inserted = 0, deleted = 0
        for segment in fields.flatMap(\.segments) + blocks.flatMap(\.segments) {
            if segment.op == .insert { inserted += segment.text.unicodeScalars.count }
            if segment.op == .delete { deleted += segment.text.unicodeScalars.count }
        }
        return Result(from: from, to: to, fields: fields, blocks: blocks, inserted: inserted, deleted: deleted)
    }

    /// HTML of segments with <ins>/<del>, every piece escaped.
    static func html(_ segments: [DiffSegment]) -> String {
        segments.map { s in
            let t = StoryRenderer.escape(s.text)
            switch s.op {
            case .equal: return t
            case .insert: return "<ins>\(t)</ins>"
            case .delete: return "<del>\(t)</del>"
            }
        }.joined()
    }
}
