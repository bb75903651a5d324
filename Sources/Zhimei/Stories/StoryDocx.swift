import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Something an importer produced: a finished block, or an image whose bytes still need a blob key.
enum ImportedItem: Sendable {
    case block(StoryBlock)
    case image(Data, alt: String, caption: String)
    /// A story field found in the document (Title → headline, Subtitle, Lead and Byline styles).
    case meta(String, String)
}

/// Reads ZIP packages defensively: entry count, total and per-entry uncompressed size, compression ratio and
/// path names are checked from the central directory BEFORE anything is inflated, and inflating stops as soon
/// as an entry produces more bytes than allowed (headers can lie).
struct ZipGuard {
    static let maxEntries = 1000
    static let maxTotal: UInt64 = 50 * 1024 * 1024
    static let maxEntry: UInt64 = 20 * 1024 * 1024
    static let maxRatio: UInt64 = 100

    static let corrupt = AppError(.unprocessableEntity, "docx_corrupt", zh: "文件不是有效的 DOCX（ZIP 结构损坏或缺少 word/document.xml）",
                                  en: "Not a valid DOCX file (broken ZIP structure or no word/document.xml)")
    static func bomb(_ why: String, _ whyEn: String) -> AppError {
        AppError(.unprocessableEntity, "docx_rejected", zh: "文件被拒绝：\(why)（疑似压缩炸弹或恶意文件）", en: "File rejected: \(whyEn) (looks like a zip bomb or a hostile file)")
    }

    let archive: Archive
    private var entries: [String: Entry] = [:]

    init(_ data: Data) throws {
        guard data.count > 22, data.prefix(2) == Data([0x50, 0x4B]) else { throw Self.corrupt }
        guard let archive = try? Archive(data: data, accessMode: .read) else { throw Self.corrupt }
        self.archive = archive
        var count = 0
        var total: UInt64 = 0
        for entry in archive {
            count += 1
            guard count <= Self.maxEntries else { throw Self.bomb("条目超过 \(Self.maxEntries) 个", "more than \(Self.maxEntries) entries") }
            let path = entry.path
            guard !path.hasPrefix("/"), !path.contains("\\"), !path.split(separator: "/").contains(".."), !path.contains("\0") else {
                throw Self.bomb("包含非法路径 \(path.prefix(80))", "illegal path \(path.prefix(80))")
            }
            let size = entry.uncompressedSize, packed = max(entry.compressedSize, 1)
            guard size <= Self.maxEntry else { throw Self.bomb("单个条目解压后超过 20 MB", "an entry inflates to more than 20 MB") }
            total += size
            guard total <= Self.maxTotal else { throw Self.bomb("解压后总大小超过 50 MB", "more than 50 MB uncompressed in total") }
            if size > 1024 * 1024, size / packed > Self.maxRatio {
                throw Self.bomb("压缩比超过 \(Self.maxRatio):1", "compression ratio above \(Self.maxRatio):1")
            }
            if entry.type == .file { entries[path] = entry }
        }
    }

    func has(_ path: String) -> Bool { entries[path] != nil }

    /// Inflates one entry, stopping once it exceeds its declared size or the per-entry limit.
    func read(_ path: String) throws -> Data? {
        guard let entry = entries[path] else { return nil }
        let limit = min(entry.uncompressedSize, Self.maxEntry)
        var out = Data()
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: false) { chunk in
                guard UInt64(out.count + chunk.count) <= limit else { throw ZipLimit() }
                out.append(chunk)
            }
        } catch is ZipLimit {
            throw Self.bomb("条目实际解压大小超过声明值", "an entry inflates beyond its declared size")
        } catch {
            throw Self.corrupt
        }
        return out
    }

    private struct ZipLimit: Error {}
}

/// DOCX → blocks: paragraphs, Heading1–3 (and Title/Quote) styles, bold/italic runs, hyperlinks, lists (numPr with
/// numbering.xml formats), tables and images from word/media.
enum DocxReader {
    static func read(_ data: Data) throws -> [ImportedItem] {
        let zip = try ZipGuard(data)
        guard let document = try zip.read("word/document.xml") else { throw ZipGuard.corrupt }
        let rels = try zip.read("word/_rels/document.xml.rels").map(Relationships.parse) ?? [:]
        let numbering = try zip.read("word/numbering.xml").map(Numbering.parse) ?? [:]
        let styles = try zip.read("word/styles.xml").map(StyleNames.parse) ?? [:]
        let parser = DocumentParser(rels: rels, numbering: numbering, styles: styles)
        let xml = XMLParser(data: document)
        xml.shouldResolveExternalEntities = false
        xml.delegate = parser
        guard xml.parse() else { throw ZipGuard.corrupt }
        var items: [ImportedItem] = []
        for item in parser.finish() {
            switch item {
            case .block(let block): items.append(.block(block))
            case .meta(let field, let text): items.append(.meta(field, text))
            case .imageRef(let rID, let alt):
                guard let target = rels[rID]?.target, !(rels[rID]?.external ?? true) else { continue }
                let path = resolve(target)
                if let bytes = try zip.read(path), ImageSniffer.contentType(bytes) != nil {
                    items.append(.image(bytes, alt: alt, caption: ""))
                }
            }
        }
        return items
    }

    /// "media/image1.png" relative to word/ → "word/media/image1.png"; "/word/media/x.png" → "word/media/x.png".
    static func resolve(_ target: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = ["word"]
        for piece in target.split(separator: "/") {
            if piece == ".." { if !parts.isEmpty { parts.removeLast() } } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }

    struct Relationship { var target: String; var external: Bool }

    /// word/_rels/document.xml.rels
    final class Relationships: NSObject, XMLParserDelegate {
        var map: [String: Relationship] = [:]
        static func parse(_ data: Data) -> [String: Relationship] {
            let r = Relationships()
            let p = XMLParser(data: data)
            p.shouldResolveExternalEntities = false
            p.delegate = r
            _ = p.parse()
            return r.map
        }
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            guard local(name) == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
            map[id] = Relationship(target: target, external: attributes["TargetMode"] == "External")
        }
    }

    /// word/numbering.xml: numId → ordered? (from the level-0 numFmt of its abstract numbering).
    final class Numbering: NSObject, XMLParserDelegate {
        var abstractFormats: [String: [Int: String]] = [:]
        var numToAbstract: [String: String] = [:]
        private var currentAbstract: String?
        private var currentLevel: Int?
        private var currentNum: String?
        static func parse(_ data: Data) -> [String: Bool] {
            let n = Numbering()
            let p = XMLParser(data: data)
            p.shouldResolveExternalEntities = false
            p.delegate = n
            _ = p.parse()
            var out: [String: Bool] = [:]
            for (num, abstract) in n.numToAbstract {
                let fmt = n.abstractFormats[abstract]?[0] ?? "bullet"
                out[num] = fmt != "bullet" && fmt != "none"
            }
            return out
        }
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch local(name) {
            case "abstractNum": currentAbstract = attr(attributes, "abstractNumId")
            case "lvl": currentLevel = attr(attributes, "ilvl").flatMap(Int.init)
            case "numFmt":
                if let a = currentAbstract, let l = currentLevel, let v = attr(attributes, "val") { abstractFormats[a, default: [:]][l] = v }
            case "num": currentNum = attr(attributes, "numId")
            case "abstractNumId":
                if let n = currentNum, let v = attr(attributes, "val") { numToAbstract[n] = v }
            default: break
            }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch local(name) {
            case "abstractNum": currentAbstract = nil
            case "lvl": currentLevel = nil
            case "num": currentNum = nil
            default: break
            }
        }
    }

    /// word/styles.xml: styleId → lower-cased style name ("heading 1", "title", "quote").
    final class StyleNames: NSObject, XMLParserDelegate {
        var map: [String: String] = [:]
        private var current: String?
        static func parse(_ data: Data) -> [String: String] {
            let s = StyleNames()
            let p = XMLParser(data: data)
            p.shouldResolveExternalEntities = false
            p.delegate = s
            _ = p.parse()
            return s.map
        }
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if local(name) == "style" { current = attr(attributes, "styleId") }
            if local(name) == "name", let c = current, let v = attr(attributes, "val") { map[c] = v.lowercased() }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if local(name) == "style" { current = nil }
        }
    }

    enum Parsed { case block(StoryBlock); case imageRef(String, alt: String); case meta(String, String) }

    /// word/document.xml
    final class DocumentParser: NSObject, XMLParserDelegate {
        let rels: [String: Relationship]
        let numbering: [String: Bool]
        let styles: [String: String]
        init(rels: [String: Relationship], numbering: [String: Bool], styles: [String: String]) {
            self.rels = rels; self.numbering = numbering; self.styles = styles
        }

        private var out: [Parsed] = []
        // Paragraph state
        private var inParagraph = false
        private var style = ""
        private var numID: String?
        private var spans: [InlineSpan] = []
        private var images: [(String, String)] = []
        private var pendingAlt = ""
        // Run state
        private var inRunProps = false
        private var bold = false, italic = false
        private var inText = false
        private var link: String?
        // Lists
        private var listOrdered: Bool?
        private var listItems: [[InlineSpan]] = []
        // Tables (nested tables flatten into the outer one)
        private var tableDepth = 0
        private var rows: [[String]] = []
        private var row: [String] = []
        private var cell: [String] = []

        func finish() -> [Parsed] { flushList(); return out }

        private func flushList() {
            if let ordered = listOrdered, !listItems.isEmpty { out.append(.block(.list(ordered: ordered, items: listItems))) }
            listOrdered = nil; listItems = []
        }

        private func append(_ text: String) {
            guard !text.isEmpty else { return }
            let span = InlineSpan(text, bold: bold, italic: italic, link: link)
            if let last = spans.last, last.isBold == span.isBold, last.isItalic == span.isItalic, last.link == span.link {
                spans[spans.count - 1].text += text
            } else {
                spans.append(span)
            }
        }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch local(name) {
            case "tbl":
                if tableDepth == 0 { flushList(); rows = [] }
                tableDepth += 1
            case "tr": if tableDepth == 1 { row = [] }
            case "tc": if tableDepth == 1 { cell = [] }
            case "p":
                inParagraph = true; style = ""; numID = nil; spans = []; images = []
            case "pStyle": style = attr(attributes, "val") ?? ""
            case "numId": numID = attr(attributes, "val")
            case "r": bold = false; italic = false
            case "rPr": inRunProps = true
            case "b": if inRunProps { bold = isOn(attributes) }
            case "i": if inRunProps { italic = isOn(attributes) }
            case "t": inText = true
            case "tab": if inParagraph && !inRunProps { append("\t") }
            case "br", "cr": if inParagraph && !inRunProps { append("\n") }
            case "hyperlink":
                if let id = attr(attributes, "id"), let rel = rels[id], rel.external, StoryValidation.isSafeLink(rel.target) { link = rel.target } else { link = nil }
            case "docPr": pendingAlt = attributes["descr"] ?? attributes["title"] ?? ""
            case "blip":
                if let id = attr(attributes, "embed") { images.append((id, pendingAlt)) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inText { append(string) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch local(name) {
            case "t": inText = false
            case "rPr": inRunProps = false
            case "hyperlink": link = nil
            case "p": endParagraph()
            case "tc": if tableDepth == 1 { row.append(cell.joined(separator: "\n")) }
            case "tr": if tableDepth == 1 { rows.append(row) }
            case "tbl":
                tableDepth -= 1
                if tableDepth == 0, !rows.isEmpty { out.append(.block(.table(rows: rows, header: true))) }
            default: break
            }
        }

        private func endParagraph() {
            inParagraph = false
            let text = spans.map(\.text).joined()
            if tableDepth > 0 {
                cell.append(text)
                return
            }
            let styleName = styles[style] ?? style.lowercased()
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let numID, numID != "0", !trimmed.isEmpty {
                let ordered = numbering[numID] ?? false
                if listOrdered != ordered { flushList(); listOrdered = ordered }
                listItems.append(spans)
            } else if !trimmed.isEmpty {
                flushList()
                if let field = ["title": "headline", "subtitle": "subtitle", "lead": "lead", "byline": "byline"][styleName] {
                    out.append(.meta(field, trimmed))
                } else if let level = Self.headingLevel(style: style, name: styleName) {
                    out.append(.block(.heading(level: level, spans)))
                } else if styleName.contains("quote") {
                    out.append(.block(.quote(spans)))
                } else {
                    out.append(.block(.paragraph(spans)))
                }
            } else if !images.isEmpty {
                flushList()
            }
            for (id, alt) in images { out.append(.imageRef(id, alt: alt)) }
            images = []
        }

        static func headingLevel(style: String, name: String) -> Int? {
            if name == "title" || style == "Title" { return 1 }
            for candidate in [name.replacingOccurrences(of: " ", with: ""), style.lowercased()] where candidate.hasPrefix("heading") {
                if let n = Int(candidate.dropFirst("heading".count)) { return min(max(n, 1), 3) }
            }
            return nil
        }

        private func isOn(_ attributes: [String: String]) -> Bool {
            guard let v = attr(attributes, "val") else { return true }
            return !(v == "0" || v == "false" || v == "off")
        }
    }
}

/// The local part of a qualified XML name ("w:p" → "p").
private func local(_ name: String) -> Substring {
    if let i = name.lastIndex(of: ":") { return name[name.index(after: i)...] }
    return name[...]
}

/// An attribute by local name ("w:val" or "val").
private func attr(_ attributes: [String: String], _ name: String) -> String? {
    if let v = attributes[name] { return v }
    for (k, v) in attributes where local(k) == name { return v }
    return nil
}

/// Recognises image formats by their first bytes.
enum ImageSniffer {
    static func contentType(_ data: Data) -> String? {
        let b = [UInt8](data.prefix(12))
        if b.count >= 8, b[0] == 0x89, b[1] == 0x50, b[2] == 0x4E, b[3] == 0x47 { return "image/png" }
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return "image/jpeg" }
        if b.count >= 6, b[0] == 0x47, b[1] == 0x49, b[2] == 0x46 { return "image/gif" }
        if b.count >= 12, b[0] == 0x52, b[1] == 0x49, b[2] == 0x46, b[3] == 0x46, b[8] == 0x57, b[9] == 0x45, b[10] == 0x42, b[11] == 0x50 { return "image/webp" }
        return nil
    }

    static func fileExtension(_ contentType: String) -> String {
        switch contentType {
        case "image/png": return "png"
        case "image/jpeg": return "jpeg"
        case "image/gif": return "gif"
        default: return "webp"
        }
    }

    /// Pixel size from PNG/GIF headers or JPEG SOF markers.
    static func size(_ data: Data) -> (Int, Int)? {
        let b = [UInt8](data.prefix(64 * 1024))
        func be16(_ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
        if b.count >= 24, b[0] == 0x89 { return (be16(16) << 16 | be16(18), be16(20) << 16 | be16(22)) }
        if b.count >= 10, b[0] == 0x47 { return (Int(b[6]) | Int(b[7]) << 8, Int(b[8]) | Int(b[9]) << 8) }
        if b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 {
            var i = 2
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                let length = be16(i + 2)
                if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                    return (be16(i + 7), be16(i + 5))
                }
                i += 2 + length
            }
        }
        return nil
    }
}

/// Blocks → a minimal, valid WordprocessingML package.
enum DocxWriter {
    struct Media { var rID: String; var name: String; var data: Data; var contentType: String }

    static func write(_ story: Story, media: [String: Data]) throws -> Data {
        var rels: [(String, String, String, Bool)] = [   // id, type, target, external
            ("rIdStyles", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", "styles.xml", false),
            ("rIdNumbering", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering", "numbering.xml", false),
        ]
        var files: [(String, Data)] = []
        var body = ""
        var counter = 0
        func nextID(_ prefix: String) -> String { counter += 1; return "\(prefix)\(counter)" }
        func esc(_ s: String) -> String { StoryRenderer.escape(StoryValidation.clean(s, multiline: true)) }
        func runs(_ spans: [InlineSpan], forceBold: Bool = false) -> String {
            spans.map { span -> String in
                var props = ""
                if span.isBold || forceBold { props += "<w:b/>" }
                if span.isItalic { props += "<w:i/>" }
                if span.link != nil { props += "<w:rStyle w:val=\"Hyperlink\"/>" }
                let pieces = span.text.components(separatedBy: "\n").map { "<w:t xml:space=\"preserve\">\(esc($0))</w:t>" }.joined(separator: "<w:br/>")
                let run = "<w:r>" + (props.isEmpty ? "" : "<w:rPr>\(props)</w:rPr>") + pieces + "</w:r>"
                if let link = span.link, StoryValidation.isSafeLink(link) {
                    let id = nextID("rIdLink")
                    rels.append((id, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink", link, true))
                    return "<w:hyperlink r:id=\"\(id)\">\(run)</w:hyperlink>"
                }
                return run
            }.joined()
        }
        func paragraph(_ spans: [InlineSpan], style: String? = nil, numID: Int? = nil) -> String {
            var props = ""
            if let style { props += "<w:pStyle w:val=\"\(style)\"/>" }
            if let numID { props += "<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"\(numID)\"/></w:numPr>" }
            return "<w:p>" + (props.isEmpty ? "" : "<w:pPr>\(props)</w:pPr>") + runs(spans) + "</w:p>"
        }
        body += paragraph([InlineSpan(story.headline)], style: "Title")
        if !story.subtitle.isEmpty { body += paragraph([InlineSpan(story.subtitle)], style: "Subtitle") }
        if !story.byline.isEmpty { body += paragraph([InlineSpan(story.byline)], style: "Byline") }
        if !story.lead.isEmpty { body += paragraph([InlineSpan(story.lead)], style: "Lead") }
        for block in story.body {
            switch block {
            case .paragraph(let s, _): body += paragraph(s)
            case .heading(let level, let s, _): body += paragraph(s, style: "Heading\(min(max(level, 1), 3))")
            case .quote(let s, let a, _):
                body += paragraph(s, style: "Quote")
                if !a.isEmpty { body += paragraph([InlineSpan("—— " + a)], style: "Quote") }
            case .list(let ordered, let items, _):
                for item in items { body += paragraph(item, numID: ordered ? 2 : 1) }
            case .table(let rows, let header, _):
                guard !rows.isEmpty else { continue }
                body += "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>"
                for (i, row) in rows.enumerated() {
                    body += "<w:tr>" + row.map { cell in
                        "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>" +
                            cell.components(separatedBy: "\n").map { "<w:p>" + runs([InlineSpan($0, bold: header && i == 0)]) + "</w:p>" }.joined() + "</w:tc>"
                    }.joined() + "</w:tr>"
                }
                body += "</w:tbl>"
            case .image(let key, let caption, let alt, _):
                guard let data = media[key], let type = ImageSniffer.contentType(data) else { continue }
                let id = nextID("rIdImg")
                let name = "image\(counter).\(ImageSniffer.fileExtension(type))"
                files.append(("word/media/\(name)", data))
                rels.append((id, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image", "media/\(name)", false))
                let (w, h) = ImageSniffer.size(data) ?? (400, 300)
                let scale = min(1.0, 576.0 / Double(max(w, 1)))   // at most 6 inches wide at 96 dpi
                let cx = Int(Double(w) * scale * 9525), cy = Int(Double(h) * scale * 9525)
                body += "<w:p><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"\(cx)\" cy=\"\(cy)\"/>"
                    + "<wp:docPr id=\"\(counter)\" name=\"\(name)\" descr=\"\(esc(alt))\"/>"
                    + "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
                    + "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"\(counter)\" name=\"\(name)\"/><pic:cNvPicPr/></pic:nvPicPr>"
                    + "<pic:blipFill><a:blip r:embed=\"\(id)\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
                    + "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"\(cx)\" cy=\"\(cy)\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>"
                    + "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
                if !caption.isEmpty { body += paragraph([InlineSpan(caption)], style: "Caption") }
            case .video(let src, let caption, _), .audio(let src, let caption, _):
                body += paragraph([InlineSpan((block.kind == .video ? "[视频] " : "[音频] ") + (caption.isEmpty ? src : caption))])
            case .embed(let url, let caption, _):
                body += paragraph([InlineSpan(caption.isEmpty ? url : caption, link: url)])
            }
        }
        let document = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>\(body)<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>
        """
        let docRels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + rels.map { "<Relationship Id=\"\($0.0)\" Type=\"\($0.1)\" Target=\"\(StoryRenderer.escape($0.2))\"\($0.3 ? " TargetMode=\"External\"" : "")/>" }.joined()
            + "</Relationships>"
        let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Default Extension="jpeg" ContentType="image/jpeg"/><Default Extension="gif" ContentType="image/gif"/><Default Extension="webp" ContentType="image/webp"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
        """
        let packageRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>
        """
        let core = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>\(esc(story.headline))</dc:title><dc:creator>\(esc(story.byline.isEmpty ? story.authorName : story.byline))</dc:creator><dc:language>\(esc(story.language))</dc:language></cp:coreProperties>
        """
        let archive = try Archive(data: Data(), accessMode: .create)
        let parts: [(String, Data)] = [
            ("[Content_Types].xml", Data(contentTypes.utf8)), ("_rels/.rels", Data(packageRels.utf8)), ("docProps/core.xml", Data(core.utf8)),
            ("word/document.xml", Data(document.utf8)), ("word/_rels/document.xml.rels", Data(docRels.utf8)),
            ("word/styles.xml", Data(styles.utf8)), ("word/numbering.xml", Data(numbering.utf8)),
        ] + files
        for (path, data) in parts {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<min(Int(position) + size, data.count))
            }
        }
        guard let out = archive.data else { throw AppError(.internalServerError, "docx_write", zh: "生成 DOCX 失败", en: "Could not write the DOCX") }
        return out
    }

    static let styles = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:eastAsia="SimSun" w:hAnsi="Calibri"/><w:sz w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:sz w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Byline"><w:name w:val="Byline"/><w:basedOn w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Lead"><w:name w:val="Lead"/><w:basedOn w:val="Normal"/><w:rPr><w:i/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="30"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="720"/></w:pPr><w:rPr><w:i/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="20"/></w:rPr></w:style><w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders></w:tblPr></w:style></w:styles>
    """

    static let numbering = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>
    """
}
