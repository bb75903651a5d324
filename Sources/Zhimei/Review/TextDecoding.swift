import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes → text for uploaded TXT/HTML/CSV: UTF-8 (BOM stripped), UTF-16 with BOM, else GBK (GB18030) or Big5 via
/// glibc iconv, chosen by which byte ranges the text uses.
enum TextDecoding {
    /// The decoded text and the encoding used ("utf-8", "utf-16", "gb18030", "big5").
    static func decode(_ data: Data) -> (text: String, encoding: String)? {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8).map { ($0, "utf-8") } }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { return String(data: data, encoding: .utf16).map { ($0, "utf-16") } }
        if let s = String(data: data, encoding: .utf8) { return (s, "utf-8") }
        // Real GBK text is almost all GB2312 (both bytes ≥ 0xA1); Big5 bytes read as GBK land in the extension area
        // (Big5 trail bytes 0x40–0x7E), while GB2312 bytes read as Big5 "succeed" as nonsense — so decide on the bytes.
        let gbk = iconv(data, from: "GB18030"), big5 = iconv(data, from: "BIG5")
        if let gbk, extensionRatio(data) <= 0.02 || big5 == nil { return (gbk, "gb18030") }
        if let big5 { return (big5, "big5") }
        return gbk.map { ($0, "gb18030") }
    }

    /// Share of double-byte pairs outside the GB2312 block (either byte below 0xA1).
    static func extensionRatio(_ data: Data) -> Double {
        var pairs = 0, ext = 0
        var i = data.startIndex
        while i < data.endIndex {
            let b = data[i]
            if b < 0x80 { i += 1; continue }
            let next = data.index(after: i) < data.endIndex ? data[data.index(after: i)] : 0
            pairs += 1
            if b < 0xA1 || next < 0xA1 { ext += 1 }
            i = min(data.index(i, offsetBy: 2), data.endIndex)
        }
        return pairs == 0 ? 0 : Double(ext) / Double(pairs)
    }

    #if canImport(Glibc)
    /// Strict conversion to UTF-8; nil on any invalid sequence.
    static func iconv(_ data: Data, from encoding: String) -> String? {
        let cd = iconv_open("UTF-8", encoding)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = [CChar](repeating: 0, count: data.count)
        data.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() { input[i] = CChar(bitPattern: b) }
        }
        let capacity = data.count &* 4 &+ 16
        var output = [CChar](repeating: 0, count: capacity)
        var inLeft = data.count, outLeft = capacity
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                var outPtr: UnsafeMutablePointer<CChar>? = outBuf.baseAddress
                return Glibc.iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1 && inLeft == 0
            }
        }
        guard ok else { return nil }
        let produced = capacity - outLeft
        return String(decoding: output.prefix(produced).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    #else
    static func iconv(_ data: Data, from encoding: String) -> String? { nil }
    #endif
}
