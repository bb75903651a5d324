// UTF-8 <-> Unicode scalar helpers used on every hot path.
// Invalid UTF-8 is repaired with U+FFFD, one replacement per maximal invalid subsequence
// (the same policy as Swift's String(decoding:as:) and the WHATWG encoding standard).

public enum UTF8Scalars {
    public static let replacement: UInt32 = 0xFFFD

    /// Decodes UTF-8 bytes into `out` (appending). Never fails; invalid sequences become U+FFFD.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        let n = bytes.count
        guard n > 0, let p = bytes.baseAddress else { return }
        out.reserveCapacity(out.count + n)
        var i = 0
        while i < n {
            let b0 = p[i]
            if b0 < 0x80 { out.append(UInt32(b0)); i += 1; continue }
            if b0 >= 0xC2 && b0 <= 0xDF {
                if i + 1 < n, p[i + 1] & 0xC0 == 0x80 {
                    out.append(UInt32(b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F)); i += 2; continue
                }
                out.append(replacement); i += 1; continue
            }
            if b0 >= 0xE0 && b0 <= 0xEF {
                let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                if i + 1 < n, p[i + 1] >= lo, p[i + 1] <= hi {
                    if i + 2 < n, p[i + 2] & 0xC0 == 0x80 {
                        out.append(UInt32(b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F))
                        i += 3; continue
                    }
                    out.append(replacement); i += 2; continue
                }
                out.append(replacement); i += 1; continue
            }
            if b0 >= 0xF0 && b0 <= 0xF4 {
                let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                if i + 1 < n, p[i + 1] >= lo, p[i + 1] <= hi {
                    if i + 2 < n, p[i + 2] & 0xC0 == 0x80 {
                        if i + 3 < n, p[i + 3] & 0xC0 == 0x80 {
                            out.append(UInt32(b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12
                                | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F))
                            i += 4; continue
                        }
                        out.append(replacement); i += 3; continue
                    }
                    out.append(replacement); i += 2; continue
                }
                out.append(replacement); i += 1; continue
            }
            out.append(replacement); i += 1
        }
    }

    public static func decode(_ bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        bytes.withUnsafeBufferPointer { decode($0, into: &out) }
        return out
    }

    public static func scalars(of s: String) -> [UInt32] {
        var out: [UInt32] = []
        var s = s
        s.withUTF8 { decode($0, into: &out) }
        return out
    }

    /// Appends the UTF-8 encoding of `scalars[range]` to `out`.
    @inline(__always)
    public static func encode(_ scalars: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int, into out: inout [UInt8]) {
        var i = start
        while i < end {
            let c = scalars[i]
            if c < 0x80 {
                out.append(UInt8(c))
            } else if c < 0x800 {
                out.append(UInt8(0xC0 | (c >> 6))); out.append(UInt8(0x80 | (c & 0x3F)))
            } else if c < 0x10000 {
                out.append(UInt8(0xE0 | (c >> 12))); out.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (c & 0x3F)))
            } else {
                out.append(UInt8(0xF0 | (c >> 18))); out.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
                out.append(UInt8(0x80 | ((c >> 6) & 0x3F))); out.append(UInt8(0x80 | (c & 0x3F)))
            }
            i += 1
        }
    }

    public static func string(_ scalars: [UInt32], _ start: Int = 0, _ end: Int? = nil) -> String {
        let e = end ?? scalars.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity((e - start) * 3)
        scalars.withUnsafeBufferPointer { encode($0, start, e, into: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func string(_ scalars: ArraySlice<UInt32>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * 3)
        scalars.withUnsafeBufferPointer { encode($0, 0, $0.count, into: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Character classes matching jieba's regular expressions (Python 3 `re`, Unicode mode).
@usableFromInline
enum CharClass {
    /// `[\u4E00-\u9FD5]`
    @inline(__always) @usableFromInline static func isHan(_ c: UInt32) -> Bool { c &- 0x4E00 <= 0x9FD5 - 0x4E00 }
    /// jieba's `re_han_default`: `[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]`
    @inline(__always) @usableFromInline static func isBlock(_ c: UInt32) -> Bool {
        if c < 0x80 { return asciiBlock[Int(c)] }
        return c &- 0x4E00 <= 0x9FD5 - 0x4E00
    }
    @usableFromInline static let asciiBlock: [Bool] = (0..<128).map { i in
        let c = UInt8(i)
        return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "#") || c == UInt8(ascii: "&")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "%") || c == UInt8(ascii: "-")
    }
    /// `[a-zA-Z0-9]`
    @inline(__always) @usableFromInline static func isAlnum(_ c: UInt32) -> Bool {
        (c &- 0x30 < 10) || (c &- 0x41 < 26) || (c &- 0x61 < 26)
    }
    @inline(__always) @usableFromInline static func isDigit(_ c: UInt32) -> Bool { c &- 0x30 < 10 }
    @inline(__always) @usableFromInline static func isAlpha(_ c: UInt32) -> Bool { (c &- 0x41 < 26) || (c &- 0x61 < 26) }
    /// Python's `str.isspace()` (what `\s` matches in Unicode mode).
    @inline(__always) @usableFromInline static func isSpace(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x20) }
        switch c {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
    /// Control characters (C0, DEL, C1) other than whitespace, plus U+FEFF.
    @inline(__always) @usableFromInline static func isControl(_ c: UInt32) -> Bool {
        if c < 0x20 { return !isSpace(c) }
        return c == 0x7F || (c >= 0x80 && c < 0xA0 && c != 0x85) || c == 0xFEFF
    }
}
