import Foundation
import ZIPFoundation

/// Proofreading reports as files: an HTML page (everything escaped) and a DOCX whose findings are Word comments
/// (word/comments.xml) anchored on the flagged text. Styles come from the Stories DOCX writer.
enum ProofreadReport {
    /// XML/HTML escape that also drops scalars XML 1.0 forbids (controls other than tab/newline).
    static func escape(_ s: some StringProtocol) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if u.value < 0x20 && u != "\t" && u != "\n" { continue }
                if (0xFFFE...0xFFFF).contains(u.value) { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func label(_ category: String) -> String {
        ["sensitive": "敏感内容", "typo": "错别字", "grammar": "语法", "punctuation": "标点", "format": "格式", "fact": "事实", "provider": "AI 建议"][category] ?? category
    }

    /// A standalone HTML report (no scripts; inline CSS is fine in a downloaded file).
    static func html(_ r: ProofreadReportDTO) -> String {
        let scalars = Array(r.text.unicodeScalars)
        var marked = ""
        var pos = 0
        for f in r.findings.filter({ !$0.inHeadline }).sorted(by: { $0.start < $1.start }) {
            let s = min(max(f.start, pos), scalars.count), e = min(max(f.end, s), scalars.count)
            guard e > s else { continue }
            marked += escape(String(String.UnicodeScalarView(scalars[pos..<s])))
            marked += "<mark class=\"\(escape(f.category)) \(escape(f.severity))\" title=\"\(escape(f.message))\">" + escape(String(String.UnicodeScalarView(scalars[s..<e]))) + "</mark>"
            pos = e
        }
        marked += escape(String(String.UnicodeScalarView(scalars[min(pos, scalars.count)...])))
        let rows = r.findings.map { f in
            "<tr class=\"\(escape(f.severity))\"><td>\(escape(label(f.category)))\(f.subcategory.map { "·" + escape($0) } ?? "")</td><td>\(escape(f.severity))</td>"
                + "<td>\(escape(f.text))</td><td>\(escape(f.suggestions.joined(separator: "、")))</td><td>\(escape(f.message))<br><small>\(escape(f.messageEn))</small></td>"
                + "<td>\(f.inHeadline ? "标题" : String(f.start))</td><td><code>\(escape(f.ruleId))</code></td></tr>"
        }.joined(separator: "\n")
        return """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><title>智能校对报告 / Proofreading report</title>
        <style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.7}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;vertical-align:top}mark.block{background:#fbb}mark.warn{background:#fe9}mark.info{background:#cef}.text{white-space:pre-wrap;border:1px solid #ddd;padding:1rem}</style></head>
        <body><h1>智能校对报告 <small>Proofreading report</small></h1>
        \(r.headline.map { "<h2>\(escape($0))</h2>" } ?? "")
        <p>共 \(r.characters) 字；必须处理 \(r.counts.block) 处，建议修改 \(r.counts.warn) 处，提示 \(r.counts.info) 处。 / \(r.characters) characters; \(r.counts.block) blocking, \(r.counts.warn) warnings, \(r.counts.info) notes.</p>
        <table><thead><tr><th>类别 Category</th><th>级别 Severity</th><th>原文 Text</th><th>建议 Suggestions</th><th>说明 Message</th><th>位置 Offset</th><th>规则 Rule</th></tr></thead><tbody>
        \(rows)
        </tbody></table>
        <h2>全文 Text</h2><div class="text">\(marked)</div></body></html>
        """
    }

    /// A DOCX: the headline as Title, one paragraph per line, each finding a Word comment on its span.
    static func docx(_ r: ProofreadReportDTO) throws -> Data {
        var comments: [String] = []
        let date = ISO8601DateFormatter().string(from: Date())
        func comment(_ f: ProofreadFindingDTO) -> Int {
            let id = comments.count
            let body = "[\(label(f.category))\(f.subcategory.map { "·" + $0 } ?? "")·\(f.severity)] \(f.message)"
                + (f.suggestions.isEmpty ? "" : " 建议：\(f.suggestions.joined(separator: "、"))") + " / \(f.messageEn)"
            comments.append("<w:comment w:id=\"\(id)\" w:author=\"智媒校对\" w:date=\"\(date)\" w:initials=\"ZM\"><w:p><w:r><w:t xml:space=\"preserve\">\(escape(body))</w:t></w:r></w:p></w:comment>")
            return id
        }
        /// One paragraph of `scalars` (offsets base..<base+count) with comment ranges for the findings inside it.
        func paragraph(_ scalars: ArraySlice<Unicode.Scalar>, base: Int, findings: [ProofreadFindingDTO], style: String?) -> String {
            var starts: [Int: [Int]] = [:], ends: [Int: [Int]] = [:]
            let upper = base + scalars.count
            for f in findings where f.start < upper && max(f.end, f.start + 1) > base || (scalars.isEmpty && f.start == base) {
                let id = comment(f)
                starts[max(f.start, base) - base, default: []].append(id)
                ends[min(max(f.end, f.start + 1), upper) - base, default: []].append(id)
            }
            var xml = "<w:p>" + (style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? "")
            let cuts = Set(starts.keys).union(ends.keys).union([0, scalars.count]).sorted()
            for (i, cut) in cuts.enumerated() {
                for id in ends[cut] ?? [] { xml += "<w:commentRangeEnd w:id=\"\(id)\"/><w:r><w:commentReference w:id=\"\(id)\"/></w:r>" }
                for id in starts[cut] ?? [] { xml += "<w:commentRangeStart w:id=\"\(id)\"/>" }
                if i + 1 < cuts.count, cuts[i + 1] > cut {
                    let lo = scalars.startIndex + cut, hi = scalars.startIndex + cuts[i + 1]
                    xml += "<w:r><w:t xml:space=\"preserve\">\(escape(String(String.UnicodeScalarView(scalars[lo..<hi]))))</w:t></w:r>"
                }
            }
            return xml + "</w:p>"
        }
        var body = ""
        if let headline = r.headline {
            body += paragraph(ArraySlice(Array(headline.unicodeScalars)), base: 0, findings: r.findings.filter(\.inHeadline), style: "Title")
        }
        let scalars = Array(r.text.unicodeScalars)
        let textFindings = r.findings.filter { !$0.inHeadline }
        var start = 0
        while start <= scalars.count {
            let end = scalars[start...].firstIndex(of: "\n") ?? scalars.count
            let inside = textFindings.filter { $0.start >= start && $0.start <= end }
            body += paragraph(scalars[start..<end], base: start, findings: inside, style: nil)
            start = end + 1
        }
        let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        let document = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \(ns)><w:body>\(body)<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
        let commentsXML = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:comments \(ns)>\(comments.joined())</w:comments>"
        let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "<Relationship Id=\"rIdComments\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"comments.xml\"/></Relationships>"
        let types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
            + "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
            + "<Override PartName=\"/word/comments.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml\"/></Types>"
        let packageRels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"
        let archive = try Archive(data: Data(), accessMode: .create)
        let parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(types.utf8)), ("_rels/.rels", Data(packageRels.utf8)), ("word/document.xml", Data(document.utf8)),
            ("word/_rels/document.xml.rels", Data(rels.utf8)), ("word/styles.xml", Data(DocxWriter.styles.utf8)), ("word/comments.xml", Data(commentsXML.utf8)),
        ]
        for (path, data) in parts {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<min(Int(position) + size, data.count))
            }
        }
        guard let out = archive.data else { throw AppError(.internalServerError, "docx_write", zh: "生成 DOCX 失败", en: "Could not write the DOCX") }
        return out
    }
}
