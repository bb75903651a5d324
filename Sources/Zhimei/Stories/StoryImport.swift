import Foundation

/// HTML (including what Word and web pages put on the clipboard) → blocks. A small tolerant tokenizer: attributes
/// other than href/src/alt are dropped, script/style/template/iframe/object contents are discarded, links are kept
/// only for http/https/mailto, so nothing executable survives.
enum HTMLImporter {
    static let skipped: Set<String> = ["script", "style", "noscript", "template", "iframe", "object", "embed", "head", "title", "svg", "math", "xml", "select", "textarea", "button"]
    static let blockTags: Set<String> = ["p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure", "figcaption", "pre", "address", "center", "dl", "dt", "dd", "form", "fieldset", "hr"]

    static func parse(_ html: String) -> [ImportedItem] {
        let builder = Builder()
        var i = html.startIndex
        let end = html.endIndex
        var skipUntil: String?
        while i < end {
            if html[i] == "<" {
                // Comment or conditional comment (Word) or doctype
                if html[i...].hasPrefix("<!--") {
                    if let close = html.range(of: "-->", range: html.index(i, offsetBy: 4)..<end) { i = close.upperBound } else { i = end }
                    continue
                }
                if html[i...].hasPrefix("<!") || html[i...].hasPrefix("<?") {
                    if let close = html[i...].firstIndex(of: ">") { i = html.index(after: close) } else { i = end }
                    continue
                }
                guard let close = tagEnd(html, from: i) else { builder.text(String(html[i...])); break }
                let raw = html[html.index(after: i)..<close]
                i = html.index(after: close)
                let closing = raw.hasPrefix("/")
                let body = closing ? raw.dropFirst() : raw[...]
                let name = String(body.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }).lowercased()
                let bare = name.split(separator: ":").last.map(String.init) ?? name   // o:p, w:sdt …
                if let skip = skipUntil {
                    if closing && bare == skip { skipUntil = nil }
                    continue
                }
                if !closing && skipped.contains(bare) {
                    if !raw.hasSuffix("/") { skipUntil = bare }
                    continue
                }
                if closing { builder.close(bare) } else { builder.open(bare, attributes: attributes(String(body.dropFirst(name.count)))) ; if raw.hasSuffix("/") { builder.close(bare) } }
            } else {
                let next = html[i...].firstIndex(of: "<") ?? end
                if skipUntil == nil { builder.text(decodeEntities(String(html[i..<next]))) }
                i = next
            }
        }
        return builder.finish()
    }

    /// The closing ">" of a tag, honouring quoted attribute values.
    private static func tagEnd(_ s: String, from start: String.Index) -> String.Index? {
        var quote: Character?
        var i = s.index(after: start)
        while i < s.endIndex {
            let c = s[i]
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == ">" { return i }
            i = s.index(after: i)
        }
        return nil
    }

    static func attributes(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            while i < chars.count, chars[i].isWhitespace || chars[i] == "/" { i += 1 }
            var name = ""
            while i < chars.count, !chars[i].isWhitespace, chars[i] != "=", chars[i] != "/" { name.append(chars[i]); i += 1 }
            while i < chars.count, chars[i].isWhitespace { i += 1 }
            var value = ""
            if i < chars.count, chars[i] == "=" {
                i += 1
                while i < chars.count, chars[i].isWhitespace { i += 1 }
                if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                    let q = chars[i]; i += 1
                    while i < chars.count, chars[i] != q { value.append(chars[i]); i += 1 }
                    i += 1
                } else {
                    while i < chars.count, !chars[i].isWhitespace { value.append(chars[i]); i += 1 }
                }
            }
            if !name.isEmpty { out[name.lowercased()] = decodeEntities(value) }
        }
        return out
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ldquo": "“", "rdquo": "”",
                                       "lsquo": "‘", "rsquo": "’", "mdash": "—", "ndash": "–", "hellip": "…", "middot": "·", "copy": "©"]
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let entity = String(s[s.index(after: i)..<semi])
                var replacement: String?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { replacement = String(Character(u)) }
                else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) { replacement = String(Character(u)) }
                else { replacement = named[entity.lowercased()] }
                if let r = replacement { out += r; i = s.index(after: semi); continue }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }

    final class Builder {
        var items: [ImportedItem] = []
        var spans: [InlineSpan] = []
        var bold = 0, italic = 0
        var links: [String?] = []
        var heading: Int?
        var quote = 0
        var lists: [(ordered: Bool, items: [[InlineSpan]])] = []
        var inItem = false
        var table: [[String]]?
        var row: [String]?
        var cell: String?
        var headerRow = false

        func text(_ raw: String) {
            let collapsed = raw.replacingOccurrences(of: "[\\s\\u00a0]+", with: " ", options: .regularExpression)
            if cell != nil { cell! += collapsed; return }
            guard !collapsed.isEmpty else { return }
            if collapsed == " ", spans.isEmpty { return }
            let link = links.last(where: { $0 != nil }) ?? nil
            let span = InlineSpan(collapsed, bold: bold > 0, italic: italic > 0, link: link)
            if let last = spans.last, last.isBold == span.isBold, last.isItalic == span.isItalic, last.link == span.link {
                spans[spans.count - 1].text += collapsed
            } else {
                spans.append(span)
            }
        }

        func flush() {
            var s = spans
            spans = []
            // Trim whitespace at the block's edges.
            while let first = s.first, first.text.trimmingCharacters(in: .whitespaces).isEmpty { s.removeFirst() }
            while let last = s.last, last.text.trimmingCharacters(in: .whitespaces).isEmpty { s.removeLast() }
            guard !s.isEmpty else { return }
            s[0].text = String(s[0].text.drop { $0 == " " })
            s[s.count - 1].text = String(s[s.count - 1].text.reversed().drop { $0 == " " }.reversed())
            if inItem, !lists.isEmpty {
                lists[lists.count - 1].items.append(s)
            } else if let level = heading {
                items.append(.block(.heading(level: level, s)))
            } else if quote > 0 {
                items.append(.block(.quote(s)))
            } else {
                items.append(.block(.paragraph(s)))
            }
        }

        func open(_ tag: String, attributes: [String: String]) {
            switch tag {
            case "b", "strong": bold += 1
            case "i", "em", "cite": italic += 1
            case "a":
                let href = attributes["href"]?.trimmingCharacters(in: .whitespaces)
                links.append(href.flatMap { StoryValidation.isSafeLink($0) ? $0 : nil })
            case "br": if cell != nil { cell! += "\n" } else { text("\n") }
            case "h1", "h2", "h3", "h4", "h5", "h6":
                flush()
                heading = min(Int(String(tag.dropFirst())) ?? 2, 3)
            case "blockquote": flush(); quote += 1
            case "ul", "ol":
                flush()
                lists.append((ordered: tag == "ol", items: []))
            case "li": flush(); inItem = true
            case "table": flush(); table = []
            case "tr": row = []
            case "td", "th":
                cell = ""
                if tag == "th", table?.isEmpty ?? false { headerRow = true }
            case "img":
                flush()
                let alt = StoryValidation.clean(attributes["alt"] ?? "")
                let src = attributes["src"] ?? ""
                if src.hasPrefix("data:image/"), let comma = src.firstIndex(of: ","), src[..<comma].hasSuffix(";base64"),
                   src.count < 14_000_000, let data = Data(base64Encoded: String(src[src.index(after: comma)...]), options: .ignoreUnknownCharacters),
                   ImageSniffer.contentType(data) != nil {
                    items.append(.image(data, alt: alt, caption: ""))
                } else if StoryValidation.isHTTPURL(src) {
                    // Remote images are not fetched (no server-side requests to arbitrary hosts): keep a link.
                    items.append(.block(.paragraph([InlineSpan("图片：" + (alt.isEmpty ? src : alt), link: src)])))
                }
            default:
                if HTMLImporter.blockTags.contains(tag) { flush() }
            }
        }

        func close(_ tag: String) {
            switch tag {
            case "b", "strong": bold = max(0, bold - 1)
            case "i", "em", "cite": italic = max(0, italic - 1)
            case "a": if !links.isEmpty { links.removeLast() }
            case "h1", "h2", "h3", "h4", "h5", "h6": flush(); heading = nil
            case "blockquote": flush(); quote = max(0, quote - 1)
            case "li": flush(); inItem = false
            case "ul", "ol":
                flush()
                if let list = lists.popLast() {
                    if lists.isEmpty {
                        if !list.items.isEmpty { items.append(.block(.list(ordered: list.ordered, items: list.items))) }
                    } else {
                        lists[lists.count - 1].items.append(contentsOf: list.items)   // nested lists flatten
                    }
                }
                inItem = !lists.isEmpty && inItem
            case "td", "th":
                if let c = cell { row?.append(c.trimmingCharacters(in: .whitespaces)) }
                cell = nil
            case "tr":
                if let r = row, !r.isEmpty { table?.append(r) }
                row = nil
            case "table":
                if let t = table, !t.isEmpty {
                    let width = t.map(\.count).max() ?? 0
                    items.append(.block(.table(rows: t.map { $0 + Array(repeating: "", count: width - $0.count) }, header: headerRow)))
                }
                table = nil; headerRow = false
            default:
                if HTMLImporter.blockTags.contains(tag) { flush() }
            }
        }

        func finish() -> [ImportedItem] {
            flush()
            while !lists.isEmpty { close("ul") }
            if table != nil { close("table") }
            return items
        }
    }
}

/// A small, safe Markdown parser: ATX headings, paragraphs, emphasis, links, images, quotes, lists and pipe tables.
/// Raw HTML lines go through the HTML importer (so scripts are dropped); code spans become plain text.
enum MarkdownImporter {
    static func parse(_ markdown: String) -> [ImportedItem] {
        let lines = markdown.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").components(separatedBy: "\n")
        var items: [ImportedItem] = []
        var paragraph: [String] = []
        var quote: [String] = []
        var list: (ordered: Bool, items: [String])?
        var html: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { items.append(.block(.paragraph(inline(join(paragraph))))) }
            paragraph = []
        }
        func flushQuote() {
            if !quote.isEmpty { items.append(.block(.quote(inline(join(quote))))) }
            quote = []
        }
        func flushList() {
            if let l = list, !l.items.isEmpty { items.append(.block(.list(ordered: l.ordered, items: l.items.map(inline)))) }
            list = nil
        }
        func flushHTML() {
            if !html.isEmpty { items.append(contentsOf: HTMLImporter.parse(html.joined(separator: "\n"))) }
            html = []
        }
        func flushAll() { flushParagraph(); flushQuote(); flushList(); flushHTML() }

        var i = 0
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            defer { i += 1 }
            if !html.isEmpty {
                if trimmed.isEmpty { flushHTML() } else { html.append(line) }
                continue
            }
            if trimmed.isEmpty { flushAll(); continue }
            if trimmed.hasPrefix("<") { flushAll(); html.append(line); continue }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                // Fenced code: kept as plain paragraphs.
                flushAll()
                var code: [String] = []
                i += 1
                while i < lines.count, !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("```"), !lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("~~~") {
                    code.append(lines[i]); i += 1
                }
                if !code.isEmpty { items.append(.block(.paragraph([InlineSpan(code.joined(separator: "\n"))]))) }
                continue
            }
            if let level = headingLevel(trimmed) {
                flushAll()
                let text = String(trimmed.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)
                let stripped = text.replacingOccurrences(of: "\\s+#+$", with: "", options: .regularExpression)
                items.append(.block(.heading(level: min(level, 3), inline(stripped))))
                continue
            }
            if trimmed == "---" || trimmed == "***" || trimmed == "___" { flushAll(); continue }
            if trimmed.hasPrefix(">") {
                flushParagraph(); flushList()
                quote.append(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces))
                continue
            }
            if let (ordered, text) = listItem(trimmed) {
                flushParagraph(); flushQuote()
                if list == nil || list!.ordered != ordered { flushList(); list = (ordered, []) }
                list!.items.append(text)
                continue
            }
            if trimmed.hasPrefix("|"), i + 1 < lines.count, isTableSeparator(lines[i + 1]) {
                flushAll()
                var rows = [cells(trimmed)]
                i += 2
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    rows.append(cells(lines[i].trimmingCharacters(in: .whitespaces))); i += 1
                }
                i -= 1
                let width = rows.map(\.count).max() ?? 0
                items.append(.block(.table(rows: rows.map { $0 + Array(repeating: "", count: width - $0.count) }, header: true)))
                continue
            }
            if trimmed.hasPrefix("!["), let image = imageLine(trimmed) {
                flushAll()
                if StoryValidation.isHTTPURL(image.url) {
                    items.append(.block(.paragraph([InlineSpan("图片：" + (image.alt.isEmpty ? image.url : image.alt), link: image.url)])))
                }
                continue
            }
            if list != nil, line.hasPrefix("  ") || line.hasPrefix("\t") {
                list!.items[list!.items.count - 1] += trimmed
                continue
            }
            if !quote.isEmpty { flushQuote() }
            if list != nil { flushList() }
            paragraph.append(trimmed)
        }
        flushAll()
        return items
    }

    /// Joins soft-wrapped lines: no space between Chinese characters, one space between Latin words.
    static func join(_ lines: [String]) -> String {
        var out = ""
        for line in lines {
            if let last = out.unicodeScalars.last, let first = line.unicodeScalars.first, !isCJK(last), !isCJK(first) { out += " " }
            out += line
        }
        return out
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        (0x2E80...0x9FFF).contains(s.value) || (0xFF00...0xFFEF).contains(s.value) || (0x20000...0x2FFFF).contains(s.value)
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        return hashes
    }

    static func listItem(_ line: String) -> (Bool, String)? {
        for marker in ["- ", "* ", "+ "] where line.hasPrefix(marker) { return (false, String(line.dropFirst(2))) }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let rest = line.dropFirst(digits.count)
        if rest.hasPrefix(". ") || rest.hasPrefix(") ") { return (true, String(rest.dropFirst(2))) }
        return nil
    }

    static func isTableSeparator(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("|") && t.contains("-") && t.allSatisfy { "|-: ".contains($0) }
    }

    static func cells(_ line: String) -> [String] {
        var t = line
        if t.hasPrefix("|") { t.removeFirst() }
        if t.hasSuffix("|") { t.removeLast() }
        return t.split(separator: "|", omittingEmptySubsequences: false).map {
            inline($0.trimmingCharacters(in: .whitespaces)).map(\.text).joined()
        }
    }

    static func imageLine(_ line: String) -> (alt: String, url: String)? {
        guard let closeAlt = line.range(of: "]("), line.hasSuffix(")") else { return nil }
        let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<closeAlt.lowerBound])
        let url = String(line[closeAlt.upperBound..<line.index(before: line.endIndex)]).split(separator: " ").first.map(String.init) ?? ""
        return (alt, url)
    }

    /// The index of the ")" closing a link destination that starts at `from` (nested parentheses allowed).
    static func matchingParen(_ c: [Character], from: Int) -> Int? {
        var depth = 0
        var i = from
        while i < c.count {
            if c[i] == "(" { depth += 1 } else if c[i] == ")" { if depth == 0 { return i }; depth -= 1 }
            i += 1
        }
        return nil
    }

    /// Inline Markdown: **bold**, __bold__, *italic*, _italic_, `code` (plain), [text](url), ![alt](url), backslash escapes.
    static func inline(_ s: String) -> [InlineSpan] {
        let c = Array(s)
        var spans: [InlineSpan] = []
        var buffer = ""
        var bold = false, italic = false
        func emit(_ text: String, link: String? = nil) {
            guard !text.isEmpty else { return }
            let span = InlineSpan(text, bold: bold, italic: italic, link: link)
            if let last = spans.last, last.isBold == span.isBold, last.isItalic == span.isItalic, last.link == span.link {
                spans[spans.count - 1].text += text
            } else {
                spans.append(span)
            }
        }
        func flush() { emit(buffer); buffer = "" }
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == "\\", i + 1 < c.count, c[i + 1].isPunctuation || c[i + 1].isSymbol {
                buffer.append(c[i + 1]); i += 2; continue
            }
            if (ch == "*" || ch == "_"), i + 1 < c.count, c[i + 1] == ch {
                flush(); bold.toggle(); i += 2; continue
            }
            if ch == "*" || (ch == "_" && (i == 0 || !c[i - 1].isLetter || i + 1 >= c.count || !c[i + 1].isLetter)) {
                flush(); italic.toggle(); i += 1; continue
            }
            if ch == "`", let close = c[(i + 1)...].firstIndex(of: "`") {
                buffer += String(c[(i + 1)..<close]); i = close + 1; continue
            }
            let isImage = ch == "!" && i + 1 < c.count && c[i + 1] == "["
            if ch == "[" || isImage {
                let start = isImage ? i + 2 : i + 1
                if let closeText = c[start...].firstIndex(of: "]"), closeText + 1 < c.count, c[closeText + 1] == "(",
                   let closeURL = matchingParen(c, from: closeText + 2) {
                    let text = String(c[start..<closeText])
                    let url = String(c[(closeText + 2)..<closeURL]).split(separator: " ").first.map(String.init) ?? ""
                    flush()
                    let label = isImage ? "图片：" + (text.isEmpty ? url : text) : text
                    emit(label, link: StoryValidation.isSafeLink(url) ? url : nil)
                    i = closeURL + 1
                    continue
                }
            }
            buffer.append(ch)
            i += 1
        }
        flush()
        return spans
    }
}

/// Plain text → paragraphs (blank lines or single newlines separate them).
enum PlainTextImporter {
    static func parse(_ text: String) -> [ImportedItem] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { .block(.paragraph([InlineSpan($0)])) }
    }
}
