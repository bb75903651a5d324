import Foundation

/// Turns HTML (from feeds, webhooks, pastes) into inert plain text. Nothing here ever produces markup:
/// tags are dropped, the contents of script-like elements (script, style, iframe, object, embed, noscript,
/// template, svg, math, textarea, xmp) are dropped whole, comments and processing instructions vanish,
/// entities are decoded, and the result is stripped again until stable, so double-encoded markup
/// (`&lt;script&gt;`) cannot come back as a tag. Event handlers, `javascript:` URLs and CSS expressions live
/// in attributes or style elements and disappear with them. Templates escape the text on output as well.
enum HTMLText {
    static let dropped: Set<String> = ["script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "textarea", "xmp", "head", "frameset", "applet"]
    static let blocks: Set<String> = ["p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote", "section", "article", "pre", "hr", "dd", "dt", "figure", "figcaption", "header", "footer"]

    /// Plain text of an HTML fragment, whitespace tidied (paragraphs kept as single newlines), capped at `limit` characters.
    static func plainText(_ html: String, limit: Int = 100_000) -> String {
        var text = html
        for _ in 0..<3 {
            let next = decodeEntities(stripTags(text))
            if next == text { break }
            text = next
        }
        // Whatever still looks like a tag after three rounds is cut out bluntly.
        if text.contains("<") { text = stripTags(text) }
        return tidy(text, limit: limit)
    }

    /// Collapses runs of spaces, keeps paragraph breaks, removes control characters.
    static func tidy(_ text: String, limit: Int) -> String {
        var lines: [String] = []
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            let cleaned = String(String.UnicodeScalarView(raw.unicodeScalars.map { scalar -> Unicode.Scalar in
                (scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format && scalar != "\u{200D}") ? " " : scalar
            }))
            let collapsed = cleaned.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{00A0}" }).joined(separator: " ")
            if !collapsed.isEmpty { lines.append(collapsed) }
        }
        let joined = lines.joined(separator: "\n")
        return joined.count > limit ? String(joined.prefix(limit)) : joined
    }

    /// Removes tags, comments and the contents of dropped elements; block tags become newlines.
    static func stripTags(_ html: String) -> String {
        let chars = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        let n = chars.count
        func lower(_ c: Unicode.Scalar) -> Unicode.Scalar { (c >= "A" && c <= "Z") ? Unicode.Scalar(c.value + 32)! : c }
        func hasPrefix(_ s: String, at index: Int) -> Bool {
            let p = Array(s.unicodeScalars)
            guard index + p.count <= n else { return false }
            for k in 0..<p.count where lower(chars[index + k]) != p[k] { return false }
            return true
        }
        func find(_ s: String, from index: Int) -> Int? {
            var j = index
            while j < n { if hasPrefix(s, at: j) { return j }; j += 1 }
            return nil
        }
        while i < n {
            let c = chars[i]
            guard c == "<" else { out.append(c); i += 1; continue }
            if hasPrefix("<!--", at: i) { i = (find("-->", from: i + 4).map { $0 + 3 }) ?? n; continue }
            if hasPrefix("<![cdata[", at: i) {
                let end = find("]]>", from: i + 9) ?? n
                out.append(contentsOf: chars[(i + 9)..<end])
                i = min(n, end + 3)
                continue
            }
            // A tag starts with a letter, '/', '!' or '?'; anything else is a literal '<'.
            let next = i + 1 < n ? chars[i + 1] : " "
            let isTag = next.properties.isAlphabetic || next == "/" || next == "!" || next == "?"
            guard isTag else { out.append(c); i += 1; continue }
            // Read the tag name.
            var j = i + 1
            if j < n, chars[j] == "/" { j += 1 }
            var name = ""
            while j < n, chars[j].properties.isAlphabetic || (chars[j] >= "0" && chars[j] <= "9") || chars[j] == ":" || chars[j] == "-" {
                name.unicodeScalars.append(lower(chars[j])); j += 1
            }
            // Skip to the tag's end, honouring quoted attribute values.
            var quote: Unicode.Scalar?
            while j < n {
                let d = chars[j]
                if let q = quote { if d == q { quote = nil } } else if d == "\"" || d == "'" { quote = d } else if d == ">" { break }
                j += 1
            }
            let closing = chars[i + 1] == "/"
            i = min(n, j + 1)
            if !closing, dropped.contains(name) {
                // Drop everything up to the matching end tag (or the rest of the input).
                if let end = find("</" + name, from: i) {
                    var k = end
                    while k < n, chars[k] != ">" { k += 1 }
                    i = min(n, k + 1)
                } else {
                    i = n
                }
                continue
            }
            if blocks.contains(name) { out.append("\n") } else { out.append(" ") }
        }
        return String(out)
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ensp": " ", "emsp": " ", "thinsp": " ",
        "ldquo": "“", "rdquo": "”", "lsquo": "‘", "rsquo": "’", "hellip": "…", "mdash": "—", "ndash": "–", "middot": "·",
        "copy": "©", "reg": "®", "trade": "™", "laquo": "«", "raquo": "»", "bull": "•", "yen": "¥", "times": "×", "deg": "°",
    ]

    /// Decodes named and numeric character references; unknown ones stay as they are.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else { out += "&"; rest = after; continue }
            let entity = after[..<semi]
            var replacement: String?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if entity.hasPrefix("#") {
                replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = named[entity.lowercased()]
            }
            if let replacement, replacement != "\0" {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }

    /// An http(s) URL without credentials or control characters, or nil (drops `javascript:`, `data:` and the like).
    static func safeURL(_ raw: String?) -> String? {
        OutboundURL.validated(raw)
    }
}
