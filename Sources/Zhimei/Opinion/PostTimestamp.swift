import Foundation

/// Reads the common timestamp forms of exports without a formatter: building `ISO8601DateFormatter` and
/// `DateFormatter` per row was 16 % of an import's CPU (perf, 2026-12-04).
///
/// Accepted, strictly (exact digit counts, valid calendar values), with the same result the formatters give:
/// - `yyyy-MM-ddTHH:mm:ss[.f{1,3}]` with `Z` or `±HH:mm` (ISO 8601);
/// - `yyyy-MM-dd HH:mm[:ss]`, `yyyy/MM/dd HH:mm[:ss]` and `yyyy-MM-dd` in China time (UTC+8; years from 1992 on,
///   since Asia/Shanghai had summer time in 1986–1991).
/// Anything else returns nil, and the caller falls back to the formatters.
enum PostTimestamp {
    static func parse(_ text: String) -> Date? {
        guard text.utf8.count <= 32 else { return nil }
        let b = Array(text.utf8)
        func number(_ at: Int, _ width: Int) -> Int? {
            guard at + width <= b.count else { return nil }
            var n = 0
            for i in at..<(at + width) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard b.count >= 10, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              b[4] == b[7], b[4] == UInt8(ascii: "-") || b[4] == UInt8(ascii: "/"),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let midnight = Double(daysSinceEpoch(year: year, month: month, day: day)) * 86_400
        if b.count == 10 {
            // yyyy-MM-dd only: the formatters have no slash form without a time.
            guard b[4] == UInt8(ascii: "-"), year >= 1992 else { return nil }
            return Date(timeIntervalSince1970: midnight - chinaOffset)
        }
        guard b.count >= 16, let hour = number(11, 2), let minute = number(14, 2), b[13] == UInt8(ascii: ":"),
              hour < 24, minute < 60 else { return nil }
        var seconds = midnight + Double(hour * 3600 + minute * 60)
        var at = 16
        var second = 0
        if at < b.count, b[at] == UInt8(ascii: ":") {
            guard let s = number(at + 1, 2), s < 60 else { return nil }
            second = s
            at += 3
        }
        if b[10] == UInt8(ascii: " ") {
            guard at == b.count, year >= 1992 else { return nil }
            return Date(timeIntervalSince1970: seconds + Double(second) - chinaOffset)
        }
        // ISO 8601: seconds are required, then an optional fraction of up to 3 digits and a zone.
        guard b[10] == UInt8(ascii: "T"), b[4] == UInt8(ascii: "-"), at == 19, year >= 1000 else { return nil }
        var fraction = 0.0
        if at < b.count, b[at] == UInt8(ascii: ".") {
            var digits = 0, value = 0
            at += 1
            while at < b.count, b[at] >= 48, b[at] <= 57 {
                digits += 1
                guard digits <= 3 else { return nil }
                value = value * 10 + Int(b[at] - 48)
                at += 1
            }
            guard digits > 0 else { return nil }
            fraction = Double(value) / [10.0, 100.0, 1000.0][digits - 1]
        }
        seconds += Double(second)
        if at + 1 == b.count, b[at] == UInt8(ascii: "Z") {
            return Date(timeIntervalSince1970: seconds + fraction)
        }
        guard at + 6 == b.count, b[at] == UInt8(ascii: "+") || b[at] == UInt8(ascii: "-"), b[at + 3] == UInt8(ascii: ":"),
              let oh = number(at + 1, 2), let om = number(at + 4, 2), oh <= 14, om < 60 else { return nil }
        let offset = Double(oh * 3600 + om * 60) * (b[at] == UInt8(ascii: "+") ? 1 : -1)
        return Date(timeIntervalSince1970: seconds - offset + fraction)
    }

    /// Asia/Shanghai's offset from UTC since 1992.
    static let chinaOffset: Double = 8 * 3600

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (the civil-from-days inverse, by eras of 400 years).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
