import Foundation

/// RSS 2.0 and Atom: items/entries and whole feeds. XML-escaped, invalid XML characters dropped,
/// RFC 822 dates for RSS and RFC 3339 for Atom, GUIDs stable across versions (urn:uuid of the story).
enum FeedRenderer {
    /// Escapes text for XML and drops characters XML 1.0 forbids (the app's one escaper).
    static func xml(_ s: String) -> String { StoryRenderer.escape(s) }

    static func rfc822(_ date: Date) -> String { rfc822Parser.string(from: date) }

    /// RFC 822 / 1123 dates in English and UTC, as RSS 2.0 requires (never localised).
    static var rfc822Parser: DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f
    }

    static func rfc3339(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func description(_ input: RenderInput) -> String {
        var text = input.summary.isEmpty ? (ChannelRenderer.bodyText(input.snapshot.body).first ?? "") : input.summary
        if let c = ChannelRenderer.correctionLine(input) { text = c + " " + text }
        if input.isAIGenerated { text += "（含AI生成内容）" }
        return text
    }

    static func rssItem(_ input: RenderInput) -> String {
        var s = "<item><title>\(xml(input.headline))</title><link>\(xml(input.articleURL))</link>"
        s += "<guid isPermaLink=\"false\">\(xml(input.guid))</guid><pubDate>\(rfc822(input.firstPublishedAt))</pubDate>"
        s += "<description>\(xml(description(input)))</description>"
        for c in input.snapshot.categories + input.snapshot.tags { s += "<category>\(xml(c))</category>" }
        if !input.authorName.isEmpty { s += "<dc:creator>\(xml(input.snapshot.byline.isEmpty ? input.authorName : input.snapshot.byline))</dc:creator>" }
        return s + "</item>"
    }

    static func atomEntry(_ input: RenderInput) -> String {
        var s = "<entry><id>\(xml(input.guid))</id><title type=\"text\">\(xml(input.headline))</title>"
        s += "<link rel=\"alternate\" type=\"text/html\" href=\"\(xml(input.articleURL))\"/>"
        s += "<published>\(rfc3339(input.firstPublishedAt))</published><updated>\(rfc3339(input.publishedAt))</updated>"
        s += "<author><name>\(xml(input.snapshot.byline.isEmpty ? (input.authorName.isEmpty ? input.tenantName : input.authorName) : input.snapshot.byline))</name></author>"
        s += "<summary type=\"text\">\(xml(description(input)))</summary>"
        var html = ChannelRenderer.websiteBody(input)
        if let c = ChannelRenderer.correctionLine(input) { html = "<p>\(StoryRenderer.escape(c))</p>" + html }
        s += "<content type=\"html\">\(xml(html))</content>"
        for c in input.snapshot.categories + input.snapshot.tags { s += "<category term=\"\(xml(c))\"/>" }
        return s + "</entry>"
    }

    /// A whole RSS 2.0 document from item fragments (newest first).
    static func rss(title: String, link: String, selfURL: String, description: String, items: [String], built: Date) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
            + "<channel><title>\(xml(title))</title><link>\(xml(link))</link><description>\(xml(description))</description>"
            + "<language>zh-cn</language><lastBuildDate>\(rfc822(built))</lastBuildDate>"
            + "<atom:link href=\"\(xml(selfURL))\" rel=\"self\" type=\"application/rss+xml\"/>"
            + items.joined() + "</channel></rss>\n"
    }

    /// A whole Atom document from entry fragments (newest first).
    static func atom(title: String, id: String, link: String, selfURL: String, entries: [String], updated: Date) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">"
            + "<id>\(xml(id))</id><title>\(xml(title))</title><updated>\(rfc3339(updated))</updated>"
            + "<link rel=\"alternate\" type=\"text/html\" href=\"\(xml(link))\"/><link rel=\"self\" type=\"application/atom+xml\" href=\"\(xml(selfURL))\"/>"
            + entries.joined() + "</feed>\n"
    }
}
