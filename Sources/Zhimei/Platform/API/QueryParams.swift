import Vapor

/// Query parameters read strictly: absent or blank means "not given"; given but malformed or out of range is a
/// bilingual 422 naming what is allowed (never read as absent, never clamped without a word).
enum QueryParams {
    /// The parameter's text, trimmed; nil when absent or blank.
    static func raw(_ req: Request, _ key: String) -> String? {
        (try? req.query.get(String?.self, at: key))?.flatMap {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        }
    }

    /// A whole number within `range`.
    static func int(_ req: Request, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let r = raw(req, key) else { return nil }
        guard let n = Int(r), range.contains(n) else {
            throw AppError.invalid(key, zh: "\(key) 须在 \(range.lowerBound)–\(range.upperBound) 之间", en: "\(key) must be \(range.lowerBound)–\(range.upperBound)")
        }
        return n
    }

    /// A day (yyyy-MM-dd, China time; with `endOfDay` its last second) or an ISO 8601 instant.
    static func date(_ raw: String, endOfDay: Bool) -> Date? {
        guard raw.count <= 40 else { return nil }
        if let d = ISO8601DateFormatter().date(from: raw) { return d }
        guard let day = dayFormatter().date(from: raw) else { return nil }
        return endOfDay ? day.addingTimeInterval(86_399) : day
    }

    /// The day of `date` as a date parameter reads it (yyyy-MM-dd, China time), for a form's date field.
    static func day(_ date: Date) -> String { dayFormatter().string(from: date) }

    private static func dayFormatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = FeedDate.china
        f.dateFormat = "yyyy-MM-dd"
        f.isLenient = false
        return f
    }

    /// A date parameter (see `date(_:endOfDay:)`); malformed is a bilingual 422.
    static func date(_ req: Request, _ key: String, endOfDay: Bool) throws -> Date? {
        guard let r = raw(req, key) else { return nil }
        guard let d = date(r, endOfDay: endOfDay) else {
            throw AppError.invalid(key, zh: "\(key) 日期格式无效（yyyy-MM-dd 或 ISO 8601）", en: "\(key): invalid date (yyyy-MM-dd or ISO 8601)")
        }
        return d
    }
}

/// The page a list API returns: `limit` (1…`largest`, `standard` when absent) rows from `offset` (0…`largestOffset`).
/// Every list API reads them this way, so `limit=0`, `limit=abc` or an offset past the end of what is served is a 422
/// everywhere (before, some lists clamped silently and read `abc` as absent while others answered 422).
struct ListPage {
    let limit: Int
    let offset: Int

    init(_ req: Request, standard: Int, largest: Int, largestOffset: Int = 100_000) throws {
        limit = try QueryParams.int(req, "limit", 1...largest) ?? standard
        offset = try QueryParams.int(req, "offset", 0...largestOffset) ?? 0
    }

    /// The rows as a range, for `QueryBuilder.range`.
    var rows: Range<Int> { offset..<(offset + limit) }
}
