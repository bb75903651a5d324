import Foundation

/// WeChat official-account style HTML: the article is pasted into an external editor, so every style is inline
/// (this document is an export, never served as one of our pages). Images must be absolute URLs; embeds, video and
/// audio become links (the platform strips iframes); the text must stay within the channel's length limit.
enum WeChatRenderer {
    static let paragraphStyle = "margin:0 0 1em;line-height:1.75;font-size:16px;color:#333;text-align:justify;"
    static let headingStyle = "margin:1.2em 0 .6em;font-size:18px;font-weight:bold;color:#111;"
    static let quoteStyle = "margin:1em 0;padding:.6em 1em;border-left:4px solid #c00;background:#f7f7f7;color:#555;"
    static let captionStyle = "font-size:13px;color:#888;text-align:center;margin:.3em 0 1em;"
    static let noteStyle = "margin:1em 0;padding:.6em;border:1px solid #e5a000;background:#fff8e5;color:#7a5200;font-size:14px;"

    static func render(_ input: RenderInput) throws -> String {
        let limit = input.maxLength > 0 ? input.maxLength : ChannelKind.wechat.defaultMaxLength
        let textLength = ChannelRenderer.bodyText(input.snapshot.body).joined().count + input.headline.count
        if textLength > limit {
            throw ChannelRuleError(channel: .wechat, zh: "微信公众号文章正文超过 \(limit) 字（当前 \(textLength) 字）",
                                   en: "The WeChat article is longer than \(limit) characters (\(textLength))")
        }
        let e = StoryRenderer.escape
        var html = "<section style=\"max-width:677px;margin:0 auto;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;\">"
        html += "<h1 style=\"font-size:22px;line-height:1.4;margin:0 0 .5em;color:#111;\">\(e(input.headline))</h1>"
        if !input.snapshot.byline.isEmpty { html += "<p style=\"\(captionStyle)text-align:left;\">\(e(input.snapshot.byline))</p>" }
        if let c = input.correction { html += "<p style=\"\(noteStyle)\">【更正】\(e(c))</p>" }
        if !input.summary.isEmpty { html += "<p style=\"\(quoteStyle)\">\(e(input.summary))</p>" }
        for block in input.snapshot.body { html += render(block, input) }
        if input.isAIGenerated { html += "<p style=\"\(captionStyle)\">本文含人工智能生成内容</p>" }
        if !input.credit.isEmpty { html += "<p style=\"\(captionStyle)\">来源：\(e(input.credit))</p>" }
        html += "<p style=\"\(captionStyle)\"><a href=\"\(e(input.articleURL))\" style=\"color:#576b95;\">阅读原文</a></p>"
        return html + "</section>"
    }

    static func render(_ block: StoryBlock, _ input: RenderInput) -> String {
        let e = StoryRenderer.escape
        switch block {
        case .paragraph(let s, _): return "<p style=\"\(paragraphStyle)\">\(StoryRenderer.inline(s))</p>"
        case .heading(_, let s, _): return "<h2 style=\"\(headingStyle)\">\(StoryRenderer.inline(s))</h2>"
        case .quote(let s, let a, _):
            return "<blockquote style=\"\(quoteStyle)\">\(StoryRenderer.inline(s))\(a.isEmpty ? "" : "<br>—— " + e(a))</blockquote>"
        case .list(let ordered, let items, _):
            let tag = ordered ? "ol" : "ul"
            return "<\(tag) style=\"\(paragraphStyle)padding-left:1.5em;\">" + items.map { "<li>\(StoryRenderer.inline($0))</li>" }.joined() + "</\(tag)>"
        case .image(let key, let caption, let alt, _):
            guard var url = StoryRenderer.mediaURL(key, storyID: input.storyID) else { return "" }
            if url.hasPrefix("/api/v1/stories/") {
                url = input.baseURL + "/site/\(input.tenantSlug)/media/\(input.storyID.uuidString.lowercased())/" + (url.split(separator: "/").last.map(String.init) ?? "")
            }
            let cap = caption.isEmpty ? "" : "<p style=\"\(captionStyle)\">\(e(caption))</p>"
            return "<p style=\"text-align:center;margin:1em 0 0;\"><img src=\"\(e(url))\" alt=\"\(e(alt))\" style=\"max-width:100%;height:auto;\"></p>\(cap)"
        case .video(_, let caption, _), .audio(_, let caption, _), .embed(_, let caption, _):
            let label = caption.isEmpty ? "查看多媒体内容" : caption
            return "<p style=\"\(captionStyle)\"><a href=\"\(e(input.articleURL))\" style=\"color:#576b95;\">\(e(label))</a></p>"
        case .table(let rows, let header, _):
            var html = "<table style=\"border-collapse:collapse;width:100%;font-size:14px;margin:1em 0;\">"
            for (i, row) in rows.enumerated() {
                let cell = header && i == 0 ? "th" : "td"
                html += "<tr>" + row.map { "<\(cell) style=\"border:1px solid #ddd;padding:4px 6px;\">\(e($0))</\(cell)>" }.joined() + "</tr>"
            }
            return html + "</table>"
        }
    }
}
