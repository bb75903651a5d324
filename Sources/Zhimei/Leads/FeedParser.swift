import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
#if canImport(CoreFoundation)
import CoreFoundation
#endif

/// One item of a feed, before it becomes a lead. Text fields may still hold HTML.
struct FeedItem: Sendable {
    var guid: String?
    var title: String = ""
    var html: String = ""
    var link: String?
    var date: Date?
}

/// A parsed feed: RSS 2.0 (and RSS 1.0/RDF), Atom 1.0 or JSON Feed 1.x.
struct ParsedFeed: Sendable {
    enum Format: String, Sendable { case rss, atom, json }
    var format: Format
    var title: String
    var items: [FeedItem]
}

/// Parses feeds from raw bytes: detects the format and the character encoding (Content-Type charset,
/// byte-order mark, XML declaration; GBK/GB2312/GB18030, Big5/Big5-HKSCS and the usual Unicode and
/// Latin encodings), converts to UTF-8, then parses XML with a SAX parser and JSON Feed with JSONDecoder.
enum FeedParser {
    static let maxItems = 1000

    static func parse(_ data: Data, contentType: String? = nil, now: Date = Date()) throws -> ParsedFeed {
        let text = try decode(data, contentType: contentType)
        let trimmed = text.drop(while: { $0.isWhitespace || $0 == "\u{FEFF}" })
        if trimmed.first == "{" { return try parseJSONFeed(Data(trimmed.utf8), now: now) }
        guard trimmed.first == "<" else {
            throw FeedError.notAFeed
        }
        return try parseXML(normalizeDeclaration(String(trimmed)), now: now)
    }

    // MARK: - Encodings

    /// The encoding named by a charset label, or nil when unknown.
    static func encoding(named label: String) -> String.Encoding? {
        let name = label.trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).lowercased()
        switch name {
        case "utf-8", "utf8": return .utf8
        case "utf-16", "utf16": return .utf16
        case "utf-16le": return .utf16LittleEndian
        case "utf-16be": return .utf16BigEndian
        case "us-ascii", "ascii": return .utf8
        case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252": return .windowsCP1252
        case "gbk", "gb2312", "gb_2312-80", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "hz-gb-2312":
            return cfEncoding(CFStringEncoding(CFStringEncodings.GB_18030_2000.rawValue))
        case "big5", "big-5", "cn-big5", "x-x-big5", "cp950", "windows-950":
            return cfEncoding(CFStringEncoding(CFStringEncodings.big5.rawValue))
        case "big5-hkscs", "big5hkscs":
            return cfEncoding(CFStringEncoding(CFStringEncodings.big5_HKSCS_1999.rawValue))
        default: return nil
        }
    }

    private static func cfEncoding(_ cf: CFStringEncoding) -> String.Encoding {
        String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(cf))
    }

    /// The charset parameter of a Content-Type header.
    static func charset(ofContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        for part in contentType.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "charset" { return pair[1] }
        }
        return nil
    }

    /// The encoding="…" of an XML declaration in the first bytes.
    static func declaredEncoding(_ data: Data) -> String? {
        let head = String(decoding: data.prefix(300).map { $0 < 0x80 ? $0 : 0x20 }, as: UTF8.self)
        guard head.hasPrefix("<?xml") || head.drop(while: { $0.isWhitespace }).hasPrefix("<?xml"),
              let end = head.range(of: "?>"), let enc = head[..<end.lowerBound].range(of: "encoding") else { return nil }
        let rest = head[enc.upperBound..<end.lowerBound].drop(while: { $0 == " " || $0 == "=" })
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix(while: { $0 != quote }))
    }

    /// Bytes → String. A byte-order mark wins, then the HTTP charset, then the XML declaration, then UTF-8.
    static func decode(_ data: Data, contentType: String?) throws -> String {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { return try convert(data.dropFirst(3), .utf8, label: "UTF-8") }
        if data.starts(with: [0xFF, 0xFE]) { return try convert(data, .utf16, label: "UTF-16LE") }
        if data.starts(with: [0xFE, 0xFF]) { return try convert(data, .utf16, label: "UTF-16BE") }
        let label = charset(ofContentType: contentType) ?? declaredEncoding(data) ?? "utf-8"
        guard let encoding = encoding(named: label) else { throw FeedError.unknownEncoding(label) }
        // A server that says UTF-8 while the document declares GBK (or the other way) is common: try the declaration next.
        if let string = String(data: data, encoding: encoding) { return string }
        if let declared = declaredEncoding(data), let other = Self.encoding(named: declared), other != encoding,
           let string = String(data: data, encoding: other) { return string }
        throw FeedError.badBytes(label)
    }

    private static func convert(_ data: Data, _ encoding: String.Encoding, label: String) throws -> String {
        guard let string = String(data: Data(data), encoding: encoding) else { throw FeedError.badBytes(label) }
        return string
    }

    /// After conversion the text is UTF-8: rewrite the XML declaration to say so.
    static func normalizeDeclaration(_ xml: String) -> String {
        guard xml.hasPrefix("<?xml"), let end = xml.range(of: "?>") else { return xml }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml[end.upperBound...]
    }

    // MARK: - XML (RSS, Atom)

    static func parseXML(_ xml: String, now: Date) throws -> ParsedFeed {
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let delegate = FeedXMLDelegate()
        parser.delegate = delegate
        let ok = parser.parse()
        guard delegate.format != nil else { throw FeedError.notAFeed }
        // libxml2 may recover from some errors; any error at all rejects the feed.
        if let error = delegate.firstError ?? (ok ? nil : parser.parserError) {
            throw FeedError.invalidXML(line: delegate.firstErrorLine ?? parser.lineNumber, detail: Self.xmlErrorDetail(error as NSError))
        }
        let dates = FeedDate()
        let items = delegate.items.prefix(maxItems).map { raw -> FeedItem in
            var item = FeedItem(guid: raw.guid, title: raw.title, html: raw.content.count > raw.summary.count ? raw.content : raw.summary, link: raw.link)
            item.date = raw.dates.lazy.compactMap { dates.parse($0, now: now) }.first
            return item
        }
        return ParsedFeed(format: delegate.format ?? .rss, title: delegate.feedTitle, items: Array(items))
    }

    /// A short description of a libxml2 error (its codes are those of libxml2's xmlParserErrors).
    static func xmlErrorDetail(_ error: NSError) -> String {
        let known: [Int: String] = [4: "document empty", 5: "unexpected end of document", 9: "invalid character", 23: "'>' expected",
                                    26: "undeclared entity", 27: "undeclared entity", 68: "unescaped '&' or bad entity name", 73: "'>' expected",
                                    76: "mismatched end tag", 77: "premature end of data", 5034: "mismatched end tag"]
        return "libxml2 \(error.code)" + (known[error.code].map { ": " + $0 } ?? "")
    }

    // MARK: - JSON Feed

    struct JSONFeed: Decodable {
        struct Item: Decodable {
            var id: FlexibleString?
            var url: String?
            var externalUrl: String?
            var title: String?
            var contentHtml: String?
            var contentText: String?
            var summary: String?
            var datePublished: String?
            var dateModified: String?
            enum CodingKeys: String, CodingKey {
                case id, url, title, summary
                case externalUrl = "external_url", contentHtml = "content_html", contentText = "content_text"
                case datePublished = "date_published", dateModified = "date_modified"
            }
        }
        var version: String?
        var title: String?
        var items: [Item]
    }

    /// JSON Feed IDs should be strings, but numbers occur.
    struct FlexibleString: Decodable {
        var value: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { value = s } else if let i = try? c.decode(Int64.self) { value = String(i) }
            else if let d = try? c.decode(Double.self) { value = String(d) } else { value = "" }
        }
    }

    static func parseJSONFeed(_ data: Data, now: Date) throws -> ParsedFeed {
        let feed: JSONFeed
        do {
            feed = try JSONDecoder().decode(JSONFeed.self, from: data)
        } catch {
            throw FeedError.invalidJSON("\(error)".prefix(200).description)
        }
        guard feed.version?.contains("jsonfeed.org") ?? true else { throw FeedError.notAFeed }
        let dates = FeedDate()
        let items = feed.items.prefix(maxItems).map { item -> FeedItem in
            let html = item.contentHtml ?? item.contentText.map { escapeText($0) } ?? item.summary.map { escapeText($0) } ?? ""
            return FeedItem(guid: item.id?.value, title: item.title ?? "", html: html, link: item.url ?? item.externalUrl,
                            date: [item.datePublished, item.dateModified].compactMap { $0 }.lazy.compactMap { dates.parse($0, now: now) }.first)
        }
        return ParsedFeed(format: .json, title: feed.title ?? "", items: Array(items))
    }

    /// Plain text passed through the HTML-to-text step must keep its angle brackets as text.
    static func escapeText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// Errors a feed can cause; each becomes a clear bilingual message in the source's health.
enum FeedError: Error, Sendable {
    case notAFeed
    case invalidXML(line: Int, detail: String)
    case invalidJSON(String)
    case unknownEncoding(String)
    case badBytes(String)
    case tooLarge(limit: Int)
    case http(Int)
    case network(String)

    var appError: AppError {
        switch self {
        case .notAFeed:
            return AppError(.unprocessableEntity, "feed_unrecognized", zh: "不是 RSS、Atom 或 JSON Feed 格式", en: "Not an RSS, Atom or JSON Feed document")
        case .invalidXML(let line, let detail):
            return AppError(.unprocessableEntity, "feed_invalid_xml", zh: "XML 格式错误（第 \(line) 行）：\(detail)", en: "Invalid XML (line \(line)): \(detail)")
        case .invalidJSON(let detail):
            return AppError(.unprocessableEntity, "feed_invalid_json", zh: "JSON Feed 格式错误：\(detail)", en: "Invalid JSON Feed: \(detail)")
        case .unknownEncoding(let label):
            return AppError(.unprocessableEntity, "feed_unknown_encoding", zh: "不支持的字符编码：\(label.prefix(40))", en: "Unsupported character encoding: \(label.prefix(40))")
        case .badBytes(let label):
            return AppError(.unprocessableEntity, "feed_bad_encoding", zh: "内容不是有效的 \(label.prefix(40)) 编码", en: "The content is not valid \(label.prefix(40))")
        case .tooLarge(let limit):
            return AppError(.payloadTooLarge, "feed_too_large", zh: "订阅源超过 \(limit / 1_048_576) MB 上限，已拒收", en: "The feed exceeds the \(limit / 1_048_576) MB limit and was rejected")
        case .http(let status):
            return AppError(.badGateway, "feed_http_\(status)", zh: "订阅源返回 HTTP \(status)", en: "The feed answered HTTP \(status)")
        case .network(let detail):
            return AppError(.badGateway, "feed_unreachable", zh: "无法获取订阅源：\(detail)", en: "Could not fetch the feed: \(detail)")
        }
    }
}

/// SAX handler for RSS 2.0, RSS 1.0 (RDF) and Atom 1.0.
final class FeedXMLDelegate: NSObject, XMLParserDelegate {
    // Used by one XMLParser on one thread, then read; never shared.
    struct RawItem { var guid: String?; var title = ""; var summary = ""; var content = ""; var link: String?; var dates: [String] = [] }

    var format: ParsedFeed.Format?
    var feedTitle = ""
    var items: [RawItem] = []
    private var current: RawItem?
    private var field: String?
    private var fieldDepth = 0
    private var depth = 0
    private var buffer = ""
    var firstError: Error?
    var firstErrorLine: Int?

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if firstError == nil { firstError = parseError; firstErrorLine = parser.lineNumber }
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: Error) {
        if firstError == nil { firstError = validationError; firstErrorLine = parser.lineNumber }
    }

    static let textFields: Set<String> = ["title", "description", "summary", "content", "content:encoded", "pubdate", "published", "updated",
                                          "dc:date", "guid", "id", "link", "dc:created", "issued", "modified"]

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        let lower = name.lowercased()
        if depth == 1 {
            if lower == "rss" || lower == "rdf:rdf" { format = .rss } else if lower == "feed" { format = .atom } else { parser.abortParsing() }
            return
        }
        if field != nil {
            // Markup nested in a field (Atom xhtml content): keep its text, separated.
            buffer += " "
            return
        }
        if lower == "item" || lower == "entry" {
            if items.count < FeedParser.maxItems { current = RawItem() }
            return
        }
        if current != nil, lower == "link", format == .atom || attributes["href"] != nil {
            let rel = attributes["rel"]?.lowercased() ?? "alternate"
            if rel == "alternate", let href = attributes["href"], current?.link == nil { current?.link = href }
            if attributes["href"] != nil { return }
        }
        if Self.textFields.contains(lower) {
            field = lower
            fieldDepth = depth
            buffer = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if field != nil, buffer.utf8.count < 2_000_000 { buffer += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if field != nil, buffer.utf8.count < 2_000_000 { buffer += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        defer { depth -= 1 }
        let lower = name.lowercased()
        if let f = field, depth == fieldDepth {
            let value = buffer.trimmingCharacters(in: .whitespacesAndNewlines)
            field = nil
            buffer = ""
            if current != nil {
                switch f {
                case "title": current?.title = value
                case "description", "summary": current?.summary = value
                case "content", "content:encoded": current?.content = value
                case "link": if current?.link == nil, !value.isEmpty { current?.link = value }
                case "guid", "id": current?.guid = value
                case "pubdate", "published", "dc:date", "issued", "dc:created": current?.dates.insert(value, at: 0)
                case "updated", "modified": current?.dates.append(value)
                default: break
                }
            } else if f == "title", feedTitle.isEmpty {
                feedTitle = value
            }
            return
        }
        if (lower == "item" || lower == "entry"), let item = current {
            items.append(item)
            current = nil
        }
    }
}

/// Dates as feeds write them: RFC 822/1123 with or without weekday or seconds, ISO 8601 with or without
/// fraction or zone, plain "yyyy-MM-dd HH:mm(:ss)" and Chinese dates such as 2026年11月22日 10:30.
/// Times without a zone are China Standard Time. Dates more than a day in the future or before 1990 are
/// treated as missing (the caller then uses the fetch time).
final class FeedDate {
    // One per parse; DateFormatter is used from one thread here.
    private let rfc: [DateFormatter]
    private let local: [DateFormatter]
    private let iso = ISO8601DateFormatter()
    private let isoFraction = ISO8601DateFormatter()
    static let china = TimeZone(identifier: "Asia/Shanghai")!

    init() {
        func make(_ format: String, zone: TimeZone?) -> DateFormatter {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = zone ?? TimeZone(secondsFromGMT: 0)
            f.dateFormat = format
            f.isLenient = false
            return f
        }
        rfc = ["EEE, d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm:ss zzz", "d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss zzz",
               "EEE, d MMM yyyy HH:mm Z", "EEE, d MMM yyyy HH:mm zzz", "d MMM yyyy HH:mm Z", "d MMM yyyy HH:mm zzz",
               "EEE, d MMM yy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm:ss", "EEE MMM d HH:mm:ss Z yyyy"].map { make($0, zone: nil) }
        local = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm", "yyyy-MM-dd", "yyyy/MM/dd", "yyyy.MM.dd HH:mm", "yyyy.MM.dd"]
            .map { make($0, zone: Self.china) }
        isoFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }

    func parse(_ raw: String, now: Date = Date()) -> Date? {
        var s = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty, s.count < 80 else { return nil }
        // Common zone spellings DateFormatter does not take.
        for (name, offset) in [(" UT", " +0000"), (" CST", " +0800"), (" BJT", " +0800"), (" HKT", " +0800"), (" Z", " +0000")] where s.hasSuffix(name) {
            s = String(s.dropLast(name.count)) + offset
        }
        let candidates: [Date?] = [iso.date(from: s), isoFraction.date(from: s), chinese(s)]
            + rfc.map { $0.date(from: s) } + local.map { $0.date(from: s) }
        guard let date = candidates.lazy.compactMap({ $0 }).first else { return nil }
        guard date <= now.addingTimeInterval(86_400), date >= Date(timeIntervalSince1970: 631_152_000) else { return nil }
        return date
    }

    /// 2026年11月22日, 2026年11月22日 10:30, 2026年11月22日10时30分, 2026年11月22日 10:30:05 (China time).
    func chinese(_ s: String) -> Date? {
        guard s.contains("年") else { return nil }
        var numbers: [Int] = []
        var current = ""
        for ch in s {
            if ch.isASCII, ch.isNumber { current.append(ch) } else if !current.isEmpty { numbers.append(Int(current) ?? -1); current = "" }
        }
        if !current.isEmpty { numbers.append(Int(current) ?? -1) }
        guard numbers.count >= 3, numbers.count <= 6 else { return nil }
        var c = DateComponents()
        c.timeZone = Self.china
        c.year = numbers[0]; c.month = numbers[1]; c.day = numbers[2]
        c.hour = numbers.count > 3 ? numbers[3] : 0
        c.minute = numbers.count > 4 ? numbers[4] : 0
        c.second = numbers.count > 5 ? numbers[5] : 0
        guard (1...12).contains(c.month!), (1...31).contains(c.day!), (0...23).contains(c.hour!), (0...59).contains(c.minute!), (0...60).contains(c.second!) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Self.china
        guard let date = calendar.date(from: c), calendar.component(.day, from: date) == c.day else { return nil }
        return date
    }
}
