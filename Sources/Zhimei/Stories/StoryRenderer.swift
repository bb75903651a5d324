import Foundation

/// Renders blocks to HTML and plain text. Every piece of user text is escaped; links are re-checked
/// (http, https, mailto only) so a stored body can never produce markup or a script URL.
enum StoryRenderer {
    /// Escapes text for HTML and XML alike, and drops the characters XML 1.0 forbids (NUL, lone control characters,
    /// U+FFFE/FFFF), so the same output is safe in a page, a feed or a snippet. The one escaper of the app.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                let v = c.value
                if v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000 {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    static func inline(_ spans: [InlineSpan]) -> String {
        spans.map { span in
            var html = escape(span.text).replacingOccurrences(of: "\n", with: "<br>")
            if span.isItalic { html = "<em>\(html)</em>" }
            if span.isBold { html = "<strong>\(html)</strong>" }
            if let link = span.link, StoryValidation.isSafeLink(link) {
                html = "<a href=\"\(escape(link))\" rel=\"noopener noreferrer nofollow\">\(html)</a>"
            }
            return html
        }.joined()
    }

    /// The URL a browser loads for a media key or an http(s) URL (nil for anything else).
    static func mediaURL(_ src: String, storyID: UUID) -> String? {
        if StoryValidation.isHTTPURL(src) { return src }
        guard let name = src.split(separator: "/").last, let id = UUID(uuidString: String(name)) else { return nil }
        return "/api/v1/stories/\(storyID.uuidString)/media/\(id.uuidString.lowercased())"
    }

    static func aigcAttributes(_ label: AIGCLabel?) -> String {
        guard let label else { return "" }
        let time = ISO8601DateFormatter().string(from: label.generatedAt)
        return " class=\"aigc\" data-aigc-provider=\"\(escape(label.provider))\" data-aigc-model=\"\(escape(label.model))\" data-aigc-time=\"\(escape(time))\""
    }

    static func html(_ blocks: [StoryBlock], storyID: UUID) -> String {
        blocks.map { html($0, storyID: storyID) }.joined(separator: "\n")
    }

    static func html(_ block: StoryBlock, storyID: UUID) -> String {
        let a = aigcAttributes(block.aigc)
        switch block {
        case .paragraph(let s, _):
            return "<p\(a)>\(inline(s))</p>"
        case .heading(let level, let s, _):
            let l = min(max(level, 1), 3) + 1   // the story headline is <h1>; body headings start at <h2>
            return "<h\(l)\(a)>\(inline(s))</h\(l)>"
        case .quote(let s, let attribution, _):
            let cite = attribution.isEmpty ? "" : "<footer>\(escape(attribution))</footer>"
            return "<blockquote\(a)><p>\(inline(s))</p>\(cite)</blockquote>"
        case .list(let ordered, let items, _):
            let tag = ordered ? "ol" : "ul"
            return "<\(tag)\(a)>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</\(tag)>"
        case .image(let key, let caption, let alt, _):
            guard let url = mediaURL(key, storyID: storyID) else { return "" }
            let cap = caption.isEmpty ? "" : "<figcaption>\(escape(caption))</figcaption>"
            return "<figure\(a)><img src=\"\(escape(url))\" alt=\"\(escape(alt))\" loading=\"lazy\">\(cap)</figure>"
        case .video(let src, let caption, _), .audio(let src, let caption, _):
            guard let url = mediaURL(src, storyID: storyID) else { return "" }
            let tag = block.kind == .video ? "video" : "audio"
            let cap = caption.isEmpty ? "" : "<figcaption>\(escape(caption))</figcaption>"
            return "<figure\(a)><\(tag) controls preload=\"none\" src=\"\(escape(url))\"></\(tag)>\(cap)</figure>"
        case .table(let rows, let header, _):
            var html = "<table\(a)>"
            for (i, row) in rows.enumerated() {
                let cell = header && i == 0 ? "th" : "td"
                html += "<tr>" + row.map { "<\(cell)>\(escape($0).replacingOccurrences(of: "\n", with: "<br>"))</\(cell)>" }.joined() + "</tr>"
            }
            return html + "</table>"
        case .embed(let url, let caption, _):
            guard StoryValidation.isEmbedURL(url) else { return "" }
            let label = caption.isEmpty ? url : caption
            return "<p\(a) data-embed=\"true\"><a href=\"\(escape(url))\" rel=\"noopener noreferrer nofollow\">\(escape(label))</a></p>"
        }
    }

    /// Plain text export: headline, subtitle, byline, lead, then blocks separated by blank lines.
    static func plainText(_ story: Story) -> String {
        var parts: [String] = [story.headline]
        if !story.subtitle.isEmpty { parts.append(story.subtitle) }
        if !story.byline.isEmpty { parts.append(story.byline) }
        if !story.lead.isEmpty { parts.append(story.lead) }
        for block in story.body {
            switch block {
            case .list(let ordered, let items, _):
                parts.append(items.enumerated().map { (ordered ? "\($0.offset + 1). " : "• ") + $0.element.map(\.text).joined() }.joined(separator: "\n"))
            case .heading(_, let s, _):
                parts.append(s.map(\.text).joined())
            case .image(_, let caption, let alt, _):
                let t = caption.isEmpty ? alt : caption
                if !t.isEmpty { parts.append("[图片] " + t) }
            default:
                let t = block.plainText
                if !t.isEmpty { parts.append(t) }
            }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}
