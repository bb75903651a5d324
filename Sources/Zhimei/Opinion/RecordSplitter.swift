import Foundation

/// Cuts a byte stream into records without holding the file: JSON Lines (one object per line), a JSON array of
/// objects (objects found by brace depth, strings and escapes respected) or CSV (newlines inside quotes kept).
/// `feed` returns complete records with the absolute byte offset just past each, the resume checkpoint.
struct RecordSplitter {
    enum Format: String, CaseIterable, Sendable { case jsonl, json, csv }

    let format: Format
    private(set) var offset: Int64
    private var current: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Largest record kept; longer ones are reported as too long and dropped.
    static let maxRecord = 256 * 1024
    private var overflow = false

    init(format: Format, offset: Int64 = 0) {
        self.format = format
        self.offset = offset
    }

    enum Piece { case record([UInt8], end: Int64), tooLong(end: Int64) }

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Piece] {
        var out: [Piece] = []
        for b in bytes {
            offset += 1
            switch format {
            case .jsonl:
                if b == 0x0A { emit(&out) } else { append(b) }
            case .csv:
                if b == 0x22 { inString.toggle() }
                if b == 0x0A && !inString { emit(&out) } else { append(b) }
            case .json:
                if depth == 0 {
                    if b == 0x7B { depth = 1; current.removeAll(keepingCapacity: true); overflow = false; append(b) }
                    continue
                }
                append(b)
                if inString {
                    if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                    continue
                }
                switch b {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { emit(&out) }
                default: break
                }
            }
        }
        return out
    }

    /// The last record of a file that does not end in a newline.
    mutating func finish() -> [Piece] {
        var out: [Piece] = []
        if format != .json, !current.isEmpty || overflow { emit(&out) }
        return out
    }

    private mutating func append(_ b: UInt8) {
        if current.count < Self.maxRecord { current.append(b) } else { overflow = true }
    }

    private mutating func emit(_ out: inout [Piece]) {
        if overflow { out.append(.tooLong(end: offset)) } else if !current.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
            out.append(.record(current, end: offset))
        }
        current.removeAll(keepingCapacity: true)
        overflow = false
    }
}
