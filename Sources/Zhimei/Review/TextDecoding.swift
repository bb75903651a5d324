import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes → text for uploaded TXT/HTML/CSV: UTF-8 (BOM stripped), UTF-16 with BOM, else GBK (GB18030) or Big5 via
/// glibc iconv, picking the one whose result looks more like running Chinese text.
enum TextDecoding {
    /// The decoded text and the encoding used ("utf-8", "utf-16", "gb18030", "big5").
    static func decode(_ data: Data) -> (text: String, encoding: String)? {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8).map { ($0, "utf-8") } }
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { return String(data: data, encoding: .utf16).map { ($0, "utf-16") } }
        if let s = String(data: data, encoding: .utf8) { return (s, "utf-8") }
        let candidates = ["GB18030", "BIG5"].compactMap { enc in iconv(data, from: enc).map { ($0, enc.lowercased()) } }
        return candidates.max { score($0.0) < score($1.0) }
    }

    /// How many of the most frequent Chinese characters (same in simplified and traditional) the text holds, per scalar.
    static func score(_ s: String) -> Double {
        var hits = 0, total = 0
        for u in s.unicodeScalars.prefix(20_000) {
            total += 1
            if common.contains(u) { hits += 1 }
        }
        return total == 0 ? 0 : Double(hits) / Double(total)
    }

    static let common: Set<Unicode.Scalar> = Set("的一是在不了有和人中大上个我以要他时来用们生到作地于出就分对成可主年同工也能下子说产种面而方后多定行学法所民得十三之进着等部度家力里如水化高自二理起小物实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天四日那社事平形相全表间样与重新线内数正心反你明看原又利比或但质气第向道此变条只没结解问意建月公无系很情者最立代想已通并提直题程展五果料象员位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府".unicodeScalars)

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
