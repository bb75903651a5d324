import Foundation
import Vapor

/// Text out of uploaded documents for proofreading: DOCX (through the Stories importer's guarded ZIP reader), HTML
/// (its tolerant tokenizer) and TXT; TXT and HTML may be UTF-8, UTF-16 (BOM), GBK/GB18030 or Big5.
enum ProofreadDocuments {
    static let maxBytes = 10 * 1024 * 1024
    enum Format: String, CaseIterable { case docx, html, txt }

    static func format(_ raw: String?, filename: String?, data: Data) throws -> Format {
        if let raw = raw?.lowercased(), !raw.isEmpty {
            switch raw {
            case "docx": return .docx
            case "html", "htm": return .html
            case "txt", "text": return .txt
            default: throw AppError.invalid("format", zh: "格式只能是 docx、html 或 txt", en: "format must be docx, html or txt")
            }
        }
        switch (filename ?? "").split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "docx": return .docx
        case "html", "htm": return .html
        case "txt", "text": return .txt
        default: break
        }
        if data.prefix(2) == Data([0x50, 0x4B]) { return .docx }
        let head = String(decoding: data.prefix(512), as: UTF8.self).lowercased()
        if head.contains("<html") || head.contains("<!doctype") || head.contains("<p") || head.contains("<body") { return .html }
        return .txt
    }

    /// The document's text (one line per block) and the detected encoding.
    static func extract(_ data: Data, format: Format) throws -> (text: String, encoding: String?) {
        guard !data.isEmpty else { throw AppError.invalid("file", zh: "文件为空", en: "The file is empty") }
        guard data.count <= maxBytes else {
            throw AppError(.payloadTooLarge, "file_too_large", zh: "文件超过 10 MB", en: "The file is larger than 10 MB")
        }
        switch format {
        case .docx:
            return (lines(try DocxReader.read(data)), nil)
        case .html:
            let (text, encoding) = try decode(data)
            return (lines(HTMLImporter.parse(text)), encoding)
        case .txt:
            let (text, encoding) = try decode(data)
            return (text.replacingOccurrences(of: "\r\n", with: "\n"), encoding)
        }
    }

    static func decode(_ data: Data) throws -> (String, String) {
        let utf16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
        guard utf16 || !data.prefix(8192).contains(0), let decoded = TextDecoding.decode(data) else {
            throw AppError.invalid("file", zh: "无法识别文件的文本编码（支持 UTF-8、UTF-16、GBK、Big5），或文件不是文本文件",
                                   en: "The file's text encoding was not recognised (UTF-8, UTF-16, GBK and Big5 are supported), or it is not a text file")
        }
        return decoded
    }

    static func lines(_ items: [ImportedItem]) -> String {
        var out: [String] = []
        for item in items {
            switch item {
            case .block(let b): let t = b.plainText; if !t.isEmpty { out.append(t) }
            case .meta(_, let v): if !v.isEmpty { out.append(v) }
            case .image(_, let alt, let caption): if !caption.isEmpty { out.append(caption) } else if !alt.isEmpty { out.append(alt) }
            }
        }
        return out.joined(separator: "\n")
    }
}
