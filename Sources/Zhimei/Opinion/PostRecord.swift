import Foundation

/// One post as an export, a webhook or a feed delivers it, before processing.
struct IncomingPost: Sendable {
    var externalID: String?
    var author: String
    var postedAt: Date?
    var text: String
    var repostOf: String?
    var replyTo: String?
    var likes: Int
    var reposts: Int
    var comments: Int
    var url: String?
    var platform: String
    var region: String?
}

/// Reads a post from a JSON object or a CSV row (same field names), reporting why a row is unusable.
///
/// Fields: `id`/`post_id`, `author`/`user`, `time`/`created_at`/`posted_at` (ISO 8601, "yyyy-MM-dd HH:mm[:ss]"
/// China time, or Unix seconds), `text`/`content` (required), `repost_of`, `reply_to`, `likes`, `reposts`,
/// `comments`, `url`, `platform`, `region`. Counts clamp to 0…10⁹; strings are cut to their limits and NULs dropped.
enum PostRecord {
    struct Problem: Error { var reason: String }

    static let maxText = 20_000
    static let maxField = 500

    static func clean(_ s: String, _ limit: Int) -> String {
        String(s.replacingOccurrences(of: "\u{0}", with: "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(limit))
    }

    static func string(_ v: Any?) -> String? {
        switch v {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    static func count(_ v: Any?) -> Int {
        let d: Double?
        switch v {
        case let n as NSNumber: d = n.doubleValue
        case let s as String: d = Double(s.trimmingCharacters(in: .whitespaces))
        default: d = nil
        }
        guard let d, d.isFinite else { return 0 }
        return Int(min(1_000_000_000, max(0, d)))
    }

    static func first(_ o: [String: Any], _ keys: [String]) -> Any? {
        for k in keys { if let v = o[k], !(v is NSNull) { return v } }
        return nil
    }

    static func parse(_ o: [String: Any], defaultPlatform: String) throws -> IncomingPost {
        guard let rawText = string(first(o, ["text", "content", "body"])) else { throw Problem(reason: "missing text / 缺少正文") }
        let text = clean(rawText, maxText)
        guard !text.isEmpty else { throw Problem(reason: "empty text / 正文为空") }
        var postedAt: Date?
        if let t = first(o, ["time", "created_at", "posted_at", "published_at"]) {
            guard let d = date(t) else { throw Problem(reason: "unreadable time / 时间无法识别") }
            postedAt = d
        }
        func opt(_ keys: [String], _ limit: Int = maxField) -> String? {
            string(first(o, keys)).map { clean($0, limit) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let platform = opt(["platform"], 40)?.lowercased() ?? defaultPlatform
        return IncomingPost(externalID: opt(["id", "post_id", "mid"]), author: opt(["author", "user", "screen_name"], 200) ?? "匿名",
                            postedAt: postedAt, text: text, repostOf: opt(["repost_of", "retweet_of"]), replyTo: opt(["reply_to", "in_reply_to"]),
                            likes: count(first(o, ["likes", "like_count"])), reposts: count(first(o, ["reposts", "repost_count"])),
                            comments: count(first(o, ["comments", "comment_count"])), url: opt(["url", "link"], 2000),
                            platform: platform, region: opt(["region", "location"], 100))
    }

    static func date(_ v: Any) -> Date? {
        if let n = v as? NSNumber {
            let s = n.doubleValue
            guard s.isFinite, s > 0, s < 32_503_680_000 else { return nil }
            return Date(timeIntervalSince1970: s > 100_000_000_000 ? s / 1000 : s)
        }
        guard let raw = (v as? String)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw.count <= 40 else { return nil }
        if let n = Double(raw), raw.allSatisfy({ $0.isNumber || $0 == "." }) { return date(NSNumber(value: n)) }
        return PostTimestamp.parse(raw) ?? formatterDate(raw)
    }

    /// The forms `PostTimestamp` does not read, through Foundation's formatters (lenient, and slow per row).
    static func formatterDate(_ raw: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: raw) { return d }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = iso.date(from: raw) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd HH:mm", "yyyy-MM-dd"] {
            f.dateFormat = format
            if let d = f.date(from: raw) { return d }
        }
        return nil
    }

    /// RFC 4180 fields of one CSV record (quotes, doubled quotes, commas and newlines inside quotes).
    static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" && field.isEmpty {
                quoted = true
            } else if ch == "," {
                fields.append(field); field = ""
            } else if ch != "\r" {
                field.append(ch)
            }
        }
        fields.append(field)
        return fields
    }

    /// Whether a CSV record is complete (an even number of quotes; a record may span lines).
    static func csvComplete(_ text: Substring) -> Bool {
        text.reduce(0) { $1 == "\"" ? $0 + 1 : $0 } % 2 == 0
    }
}
