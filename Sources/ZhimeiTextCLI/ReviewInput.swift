import Foundation
import Glibc

/// Reads review input in bounded chunks (cut at line breaks) and decodes UTF-8, GBK/GB18030 or Big5 (detected on the first block).
struct ReviewInput {
    enum Encoding: String { case utf8 = "UTF-8", gb18030 = "GB18030", big5 = "BIG5" }
    static let blockSize = 1 << 20

    /// Decodes `bytes` with iconv; nil when the bytes are not valid in `from`.
    static func iconvDecode(_ bytes: [UInt8], from: String) -> String? {
        convert(bytes, from: from, to: "UTF-8").map { String(decoding: $0, as: UTF8.self) }
    }

    /// Converts bytes between encodings with glibc's iconv; nil when they are not valid in `from` (or not representable in `to`).
    static func convert(_ bytes: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var produced = -1
        input.withUnsafeMutableBytes { ib in
            output.withUnsafeMutableBytes { ob in
                var inPtr = ib.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = ib.count
                var outPtr = ob.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = ob.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                if r != -1 && inLeft == 0 { produced = ob.count - outLeft }
            }
        }
        guard produced >= 0 else { return nil }
        return Array(output[..<produced])
    }

    /// Picks the encoding of a sample: valid UTF-8 first, else whichever of GB18030 / Big5 decodes it with more common Chinese characters.
    static func detect(_ sample: [UInt8], isCommon: (Unicode.Scalar) -> Bool) -> Encoding {
        var cut = sample
        // a sample may end inside a multi-byte character: drop up to 3 trailing bytes for the test
        for _ in 0..<4 {
            if String(validating: cut, as: UTF8.self) != nil { return .utf8 }
            if cut.isEmpty { break }
            cut.removeLast()
        }
        func score(_ s: String?) -> Double {
            guard let s else { return -1 }
            var han = 0, common = 0
            for u in s.unicodeScalars where u.value >= 0x3400 { han += 1; if isCommon(u) { common += 1 } }
            return han == 0 ? 0 : Double(common) / Double(han)
        }
        var trimmed = sample
        if let nl = trimmed.lastIndex(of: 10), nl > 0, trimmed.count == blockSize { trimmed = Array(trimmed[...nl]) }
        let gb = score(iconvDecode(trimmed, from: "GB18030")), big5 = score(iconvDecode(trimmed, from: "BIG5-HKSCS"))
        return big5 > gb ? .big5 : .gb18030
    }

    /// Calls `body` with decoded pieces of at most about `blockSize` bytes, each ending at a line break when there is one.
    static func read(fd: Int32, isCommon: (Unicode.Scalar) -> Bool, _ body: (String, Encoding) -> Void) -> Encoding {
        var buffer: [UInt8] = []
        var encoding: Encoding? = nil
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var eof = false
        while !eof || !buffer.isEmpty {
            while !eof && buffer.count < blockSize {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<n]) }
            }
            if buffer.isEmpty { break }
            var cut = buffer.count
            if !eof, let nl = buffer[..<min(buffer.count, blockSize)].lastIndex(of: 10) { cut = nl + 1 }
            else if !eof { cut = min(buffer.count, blockSize) }
            var piece = Array(buffer[..<cut])
            buffer.removeFirst(cut)
            let enc = encoding ?? detect(piece, isCommon: isCommon)
            encoding = enc
            if enc == .utf8 {
                // keep an incomplete trailing UTF-8 sequence for the next piece
                if !eof, cut == piece.count, piece.last.map({ $0 >= 0x80 }) == true {
                    var k = piece.count - 1
                    while k > 0 && piece[k] & 0xC0 == 0x80 && piece.count - k < 4 { k -= 1 }
                    if piece[k] >= 0xC0 { buffer.insert(contentsOf: piece[k...], at: 0); piece.removeSubrange(k...) }
                }
                if piece.starts(with: [0xEF, 0xBB, 0xBF]) { piece.removeFirst(3) }
                body(String(decoding: piece, as: UTF8.self), enc)
            } else {
                let name = enc == .big5 ? "BIG5-HKSCS" : "GB18030"
                body(iconvDecode(piece, from: name) ?? String(decoding: piece, as: UTF8.self), enc)
            }
        }
        return encoding ?? .utf8
    }
}
