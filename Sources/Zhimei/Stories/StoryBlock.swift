import Foundation

/// Provenance of AI-produced content (Chinese AIGC labelling rules): who generated it, with which model, when.
/// Stored on blocks a user inserted from the assist panel and on the story when AI produced or substantially rewrote it.
struct AIGCLabel: Codable, Sendable, Equatable {
    /// "builtin" for the built-in text engine, or a configured provider's name.
    var provider: String
    /// Model or algorithm, e.g. "textrank-summary", "keyword-headline".
    var model: String
    var generatedAt: Date
}

/// A run of text with inline marks. Links are validated (http, https, mailto only).
struct InlineSpan: Codable, Sendable, Equatable {
    var text: String
    var bold: Bool?
    var italic: Bool?
    var link: String?

    init(_ text: String, bold: Bool = false, italic: Bool = false, link: String? = nil) {
        self.text = text
        self.bold = bold ? true : nil
        self.italic = italic ? true : nil
        self.link = link
    }

    /// Memberwise form (false marks are stored as absent).
    init(text: String, bold: Bool? = nil, italic: Bool? = nil, link: String? = nil) {
        self.init(text, bold: bold ?? false, italic: italic ?? false, link: link)
    }

    var isBold: Bool { bold ?? false }
    var isItalic: Bool { italic ?? false }
}

/// Structured story body: typed blocks (DESIGN.md → Data). The JSON shape is flat:
/// `{"type": "paragraph", "spans": [...], "aigc": {...}}`, `{"type": "heading", "level": 2, "spans": [...]}`,
/// `{"type": "list", "ordered": true, "items": [[span…]…]}`, `{"type": "image", "key": "stories/…", "caption": "", "alt": ""}`,
/// `{"type": "video"|"audio", "src": "https://…" or blob key, "caption": ""}`, `{"type": "table", "rows": [["a","b"]], "header": true}`,
/// `{"type": "embed", "url": "https://…"}`, `{"type": "quote", "spans": [...], "attribution": ""}`.
/// Every case carries an optional `aigc` label as its last value.
enum StoryBlock: Codable, Sendable, Equatable {
    case paragraph([InlineSpan], aigc: AIGCLabel? = nil)
    /// Level 1–3.
    case heading(level: Int, [InlineSpan], aigc: AIGCLabel? = nil)
    case quote([InlineSpan], attribution: String = "", aigc: AIGCLabel? = nil)
    case list(ordered: Bool, items: [[InlineSpan]], aigc: AIGCLabel? = nil)
    /// An image in the blob store (`key`), with caption and alternative text.
    case image(key: String, caption: String = "", alt: String = "", aigc: AIGCLabel? = nil)
    /// `src` is an http(s) URL or a blob key.
    case video(src: String, caption: String = "", aigc: AIGCLabel? = nil)
    case audio(src: String, caption: String = "", aigc: AIGCLabel? = nil)
    /// Plain-text cells; the first row is a header row when `header` is true.
    case table(rows: [[String]], header: Bool = false, aigc: AIGCLabel? = nil)
    /// An embedded page from a whitelisted host (see `StoryValidation.embedHosts`).
    case embed(url: String, caption: String = "", aigc: AIGCLabel? = nil)

    enum Kind: String, Codable, CaseIterable, Sendable {
        case paragraph, heading, quote, list, image, video, audio, table, embed
    }

    var kind: Kind {
        switch self {
        case .paragraph: return .paragraph
        case .heading: return .heading
        case .quote: return .quote
        case .list: return .list
        case .image: return .image
        case .video: return .video
        case .audio: return .audio
        case .table: return .table
        case .embed: return .embed
        }
    }

    /// The AIGC label of this block, if AI produced it.
    var aigc: AIGCLabel? {
        switch self {
        case .paragraph(_, let a), .heading(_, _, let a), .quote(_, _, let a), .list(_, _, let a), .image(_, _, _, let a),
             .video(_, _, let a), .audio(_, _, let a), .table(_, _, let a), .embed(_, _, let a):
            return a
        }
    }

    /// The same block with a different AIGC label (nil removes it).
    func withAIGC(_ label: AIGCLabel?) -> StoryBlock {
        switch self {
        case .paragraph(let s, _): return .paragraph(s, aigc: label)
        case .heading(let l, let s, _): return .heading(level: l, s, aigc: label)
        case .quote(let s, let a, _): return .quote(s, attribution: a, aigc: label)
        case .list(let o, let i, _): return .list(ordered: o, items: i, aigc: label)
        case .image(let k, let c, let a, _): return .image(key: k, caption: c, alt: a, aigc: label)
        case .video(let s, let c, _): return .video(src: s, caption: c, aigc: label)
        case .audio(let s, let c, _): return .audio(src: s, caption: c, aigc: label)
        case .table(let r, let h, _): return .table(rows: r, header: h, aigc: label)
        case .embed(let u, let c, _): return .embed(url: u, caption: c, aigc: label)
        }
    }

    /// The block's text without marks (captions included), for search, diff and proofreading.
    var plainText: String {
        switch self {
        case .paragraph(let s, _), .heading(_, let s, _): return s.map(\.text).joined()
        case .quote(let s, let a, _): return s.map(\.text).joined() + (a.isEmpty ? "" : " —— " + a)
        case .list(_, let items, _): return items.map { $0.map(\.text).joined() }.joined(separator: "\n")
        case .image(_, let c, _, _), .video(_, let c, _), .audio(_, let c, _), .embed(_, let c, _): return c
        case .table(let rows, _, _): return rows.map { $0.joined(separator: "\t") }.joined(separator: "\n")
        }
    }

    // MARK: Codable (flat object with a "type" discriminator)

    private enum CodingKeys: String, CodingKey {
        case type, level, spans, attribution, ordered, items, key, caption, alt, src, rows, header, url, aigc
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        let aigc = try c.decodeIfPresent(AIGCLabel.self, forKey: .aigc)
        func spans() throws -> [InlineSpan] { try c.decodeIfPresent([InlineSpan].self, forKey: .spans) ?? [] }
        func string(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        switch type {
        case "paragraph": self = .paragraph(try spans(), aigc: aigc)
        case "heading": self = .heading(level: try c.decodeIfPresent(Int.self, forKey: .level) ?? 2, try spans(), aigc: aigc)
        case "quote": self = .quote(try spans(), attribution: try string(.attribution), aigc: aigc)
        case "list": self = .list(ordered: try c.decodeIfPresent(Bool.self, forKey: .ordered) ?? false,
                                  items: try c.decodeIfPresent([[InlineSpan]].self, forKey: .items) ?? [], aigc: aigc)
        case "image": self = .image(key: try string(.key), caption: try string(.caption), alt: try string(.alt), aigc: aigc)
        case "video": self = .video(src: try string(.src), caption: try string(.caption), aigc: aigc)
        case "audio": self = .audio(src: try string(.src), caption: try string(.caption), aigc: aigc)
        case "table": self = .table(rows: try c.decodeIfPresent([[String]].self, forKey: .rows) ?? [],
                                    header: try c.decodeIfPresent(Bool.self, forKey: .header) ?? false, aigc: aigc)
        case "embed": self = .embed(url: try string(.url), caption: try string(.caption), aigc: aigc)
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "Unknown block type \(type)")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .type)
        switch self {
        case .paragraph(let s, _): try c.encode(s, forKey: .spans)
        case .heading(let l, let s, _): try c.encode(l, forKey: .level); try c.encode(s, forKey: .spans)
        case .quote(let s, let a, _): try c.encode(s, forKey: .spans); try c.encode(a, forKey: .attribution)
        case .list(let o, let i, _): try c.encode(o, forKey: .ordered); try c.encode(i, forKey: .items)
        case .image(let k, let cap, let alt, _): try c.encode(k, forKey: .key); try c.encode(cap, forKey: .caption); try c.encode(alt, forKey: .alt)
        case .video(let s, let cap, _), .audio(let s, let cap, _): try c.encode(s, forKey: .src); try c.encode(cap, forKey: .caption)
        case .table(let r, let h, _): try c.encode(r, forKey: .rows); try c.encode(h, forKey: .header)
        case .embed(let u, let cap, _): try c.encode(u, forKey: .url); try c.encode(cap, forKey: .caption)
        }
        try c.encodeIfPresent(aigc, forKey: .aigc)
    }
}

/// The stored body: a wrapper so the database keeps one JSON document (PostgreSQL would bind a bare array as an array type).
struct StoryBody: Codable, Sendable, Equatable {
    var blocks: [StoryBlock]
}
