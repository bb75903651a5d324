import Foundation

/// What every channel renderer needs: the frozen story content plus where and when it is published.
struct RenderInput: Sendable {
    var storyID: UUID
    var version: Int
    var snapshot: StorySnapshot
    var headline: String
    var summary: String
    var authorName: String
    var credit: String
    var tenantSlug: String
    var tenantName: String
    /// Absolute base URL of the installation (Settings.publicURL), no trailing slash.
    var baseURL: String
    var publishedAt: Date
    var firstPublishedAt: Date
    var correction: String?
    var killed: Bool = false
    var maxLength: Int = 0
    var hashtags: [String] = []

    /// The canonical article URL on the public site.
    var articleURL: String { "\(baseURL)/site/\(tenantSlug)/articles/\(storyID.uuidString.lowercased())" }
    var articlePath: String { "/site/\(tenantSlug)/articles/\(storyID.uuidString.lowercased())" }
    /// Stable across versions, so feed readers treat an update as the same item.
    var guid: String { "urn:uuid:\(storyID.uuidString.lowercased())" }
    /// True when the story or any block carries an AIGC label.
    var isAIGenerated: Bool { snapshot.aigc != nil || snapshot.body.contains { $0.aigc != nil } }
}

/// A channel's rendered output.
struct Rendition: Sendable {
    var body: String
    var contentType: String
}

/// A channel rule was broken (e.g. the WeChat article is longer than its limit).
struct ChannelRuleError: Error, Sendable {
    var channel: ChannelKind
    var zh: String
    var en: String
}

/// Renders one story for one channel. Every renderer escapes user text for its format.
enum ChannelRenderer {
    static func render(_ kind: ChannelKind, _ input: RenderInput) throws -> Rendition {
        switch kind {
        case .website: return Rendition(body: websiteBody(input), contentType: "text/html; charset=utf-8")
        case .app: return Rendition(body: json(ContentItem(input)), contentType: "application/json; charset=utf-8")
        case .rss: return Rendition(body: FeedRenderer.rssItem(input), contentType: "application/rss+xml; charset=utf-8")
        case .atom: return Rendition(body: FeedRenderer.atomEntry(input), contentType: "application/atom+xml; charset=utf-8")
        case .ninjs2: return Rendition(body: json(NinjsRenderer.ninjs22(input)), contentType: "application/json; charset=utf-8")
        case .ninjs3: return Rendition(body: json(NinjsRenderer.ninjs31(input)), contentType: "application/json; charset=utf-8")
        case .wechat: return Rendition(body: try WeChatRenderer.render(input), contentType: "text/html; charset=utf-8")
        case .social: return Rendition(body: socialPost(input), contentType: "text/plain; charset=utf-8")
        case .broadcast: return Rendition(body: broadcastScript(input), contentType: "text/plain; charset=utf-8")
        case .plain: return Rendition(body: plainText(input), contentType: "text/plain; charset=utf-8")
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The article body HTML for the public site; media points at the public media route.
    static func websiteBody(_ input: RenderInput) -> String {
        let internalPrefix = "/api/v1/stories/\(input.storyID.uuidString)/media/"
        let publicPrefix = "/site/\(input.tenantSlug)/media/\(input.storyID.uuidString.lowercased())/"
        return StoryRenderer.html(input.snapshot.body, storyID: input.storyID).replacingOccurrences(of: internalPrefix, with: publicPrefix)
    }

    /// Body text without marks, one block per paragraph.
    static func bodyText(_ blocks: [StoryBlock]) -> [String] {
        blocks.compactMap { block -> String? in
            switch block {
            case .list(let ordered, let items, _):
                return items.enumerated().map { (ordered ? "\($0.offset + 1). " : "• ") + $0.element.map(\.text).joined() }.joined(separator: "\n")
            case .image(_, let caption, let alt, _):
                let t = caption.isEmpty ? alt : caption
                return t.isEmpty ? nil : "[图片] " + t
            default:
                let t = block.plainText
                return t.isEmpty ? nil : t
            }
        }
    }

    static func correctionLine(_ input: RenderInput) -> String? {
        input.correction.map { "【更正】" + $0 }
    }

    /// Plain text / print: headline, byline, lead, body, AIGC label and correction.
    static func plainText(_ input: RenderInput) -> String {
        var parts: [String] = [input.headline]
        if !input.snapshot.subtitle.isEmpty { parts.append(input.snapshot.subtitle) }
        if !input.snapshot.byline.isEmpty { parts.append(input.snapshot.byline) }
        if !input.summary.isEmpty { parts.append(input.summary) }
        parts += bodyText(input.snapshot.body)
        if input.isAIGenerated { parts.append("（本文含人工智能生成内容）") }
        if !input.credit.isEmpty { parts.append("来源：" + input.credit) }
        if let c = correctionLine(input) { parts.append(c) }
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// Short social post: headline, link and hashtags within the channel's character limit (headline is shortened, never the link).
    static func socialPost(_ input: RenderInput) -> String {
        let limit = input.maxLength > 0 ? input.maxLength : ChannelKind.social.defaultMaxLength
        let tags = (input.hashtags.isEmpty ? Array(input.snapshot.tags.prefix(3)) : input.hashtags)
            .map { "#" + $0.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "#", with: "") + "#" }
            .filter { $0.count > 2 }
        let label = input.isAIGenerated ? " [AI生成]" : ""
        var head = input.correction.map { "【更正】" + input.headline + "：" + $0 } ?? input.headline
        // Hashtags go first when space is short; the link and the AI label are never cut.
        var tail = " " + input.articleURL + (tags.isEmpty ? "" : " " + tags.joined(separator: " ")) + label
        if limit - tail.count < 10 { tail = " " + input.articleURL + label }
        let room = limit - tail.count
        if room <= 1 { return String((head + tail).prefix(limit)) }
        if head.count > room { head = String(head.prefix(room - 1)) + "…" }
        return head + tail
    }

    /// Broadcast / read-aloud script: numbers written as spoken, no markup, short paragraphs.
    static func broadcastScript(_ input: RenderInput) -> String {
        var parts: [String] = ["【口播稿】" + ReadAloud.convert(input.headline)]
        if !input.summary.isEmpty { parts.append(ReadAloud.convert(input.summary)) }
        for block in input.snapshot.body {
            switch block {
            case .image, .video, .audio, .embed, .table: continue
            default:
                let t = block.plainText
                if !t.isEmpty { parts.append(ReadAloud.convert(t)) }
            }
        }
        if input.isAIGenerated { parts.append("（本稿含人工智能生成内容）") }
        if let c = input.correction { parts.append("更正：" + ReadAloud.convert(c)) }
        return parts.joined(separator: "\n\n") + "\n"
    }
}
