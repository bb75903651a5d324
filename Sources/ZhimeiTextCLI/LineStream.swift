#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ZhimeiText

/// Reads a file descriptor in blocks and hands out lines — or, for very long lines, pieces of at most
/// `maxPiece` bytes cut at a safe boundary (after whitespace or Chinese/ASCII sentence punctuation,
/// else at a UTF-8 character boundary). Memory stays bounded whatever the input looks like.
final class LineStream {
    let fd: Int32
    let maxPiece: Int
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap: Int
    private var start = 0
    private var end = 0
    private var eof = false

    init(fd: Int32 = 0, maxPiece: Int = 1 << 20) {
        self.fd = fd; self.maxPiece = maxPiece
        cap = maxPiece * 2
        buf = .allocate(capacity: cap)
    }
    deinit { buf.deallocate() }

    /// Calls `body(piece, endsLine)` for every piece. `endsLine` is true when the piece ends a line.
    func forEachPiece(_ body: (UnsafeBufferPointer<UInt8>, Bool) -> Void) {
        while true {
            // find newline in [start, end)
            var i = start
            var nl = -1
            if end > start, let p = memchr(buf + start, 10, min(end - start, maxPiece)) {
                nl = UnsafeMutablePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - buf
            }
            if nl >= 0 {
                body(UnsafeBufferPointer(start: buf + start, count: nl - start), true)
                start = nl + 1
                continue
            }
            if end - start >= maxPiece {
                // long line: cut at a safe boundary
                let cut = safeCut(start, start + maxPiece)
                body(UnsafeBufferPointer(start: buf + start, count: cut - start), false)
                start = cut
                continue
            }
            if eof {
                if end > start { body(UnsafeBufferPointer(start: buf + start, count: end - start), true) }
                return
            }
            // compact and refill
            if start > 0 {
                if end > start { memmove(buf, buf + start, end - start) }
                end -= start; start = 0
            }
            i = read(fd, buf + end, cap - end)
            if i <= 0 { eof = true } else { end += i }
        }
    }

    private func safeCut(_ s: Int, _ limit: Int) -> Int {
        var k = limit
        let floor = max(s + 1, limit - 65536)
        while k > floor {
            let b = buf[k - 1]
            if b == 32 || b == 9 || b == 13 || b == 0x2C || b == 0x3B || b == 0x21 || b == 0x3F { return k }
            // 。(E3 80 82) ，(EF BC 8C) ！(EF BC 81) ？(EF BC 9F) ；(EF BC 9B)
            if k - 3 >= s, buf[k - 3] == 0xE3, buf[k - 2] == 0x80, b == 0x82 { return k }
            if k - 3 >= s, buf[k - 3] == 0xEF, buf[k - 2] == 0xBC, b == 0x8C || b == 0x81 || b == 0x9F || b == 0x9B { return k }
            k -= 1
        }
        // hard cut at a character boundary
        k = limit
        while k > s + 1 && buf[k] & 0xC0 == 0x80 && limit - k < 4 { k -= 1 }
        return k
    }
}

/// Buffered stdout writer.
final class OutputBuffer {
    var bytes: [UInt8] = []
    init() { bytes.reserveCapacity(1 << 20) }
    @inline(__always) func append(_ b: UInt8) { bytes.append(b) }
    func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
    func flushIfNeeded() { if bytes.count >= 1 << 20 { flush() } }
    func flush() {
        bytes.withUnsafeBytes { p in
            var off = 0
            while off < p.count {
                let r = write(1, p.baseAddress! + off, p.count - off)
                if r <= 0 { break }
                off += r
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// True when every scalar of the token is whitespace or a control character (dropped from CLI output).
@inline(__always) func isBlankToken(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int) -> Bool {
    for i in a..<e {
        let c = s[i]
        let blank = c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0) || c == 0x3000 || (c >= 0x2000 && c <= 0x200B)
            || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0xFEFF || c == 0x1680
        if !blank { return false }
    }
    return true
}
