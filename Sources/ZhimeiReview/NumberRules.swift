import Foundation
import ZhimeiText

/// Number usage per GB/T 15835-2011 (出版物上数字用法): digit grouping, Arabic and Chinese numerals mixed
/// inside one number, full-width digits, percentages and impossible dates.
struct NumberRules {
    static let chineseDigits: Set<UInt32> = Set("〇零一二三四五六七八九十百千两".unicodeScalars.map(\.value))
    static let digitsOnly: Set<UInt32> = Set("〇零二三四五六七八九".unicodeScalars.map(\.value))
    @inline(__always) static func ascii(_ c: UInt32) -> Bool { (0x30...0x39).contains(c) }
    @inline(__always) static func wide(_ c: UInt32) -> Bool { (0xFF10...0xFF19).contains(c) }
    @inline(__always) static func digit(_ c: UInt32) -> Bool { ascii(c) || wide(c) }
    @inline(__always) static func value(_ c: UInt32) -> Int { Int(wide(c) ? c - 0xFF10 : c - 0x30) }

    static func check(_ s: [UInt32], into out: inout [ReviewFinding]) {
        let n = s.count
        var i = 0
        while i < n {
            guard digit(s[i]) else { i += 1; continue }
            // a run of digits with separators
            var j = i
            var hasWide = false, hasComma = false
            while j < n && (digit(s[j]) || ((s[j] == 0x2C || s[j] == 0xFF0C) && j + 1 < n && digit(s[j + 1]) && j > i)) {
                if wide(s[j]) { hasWide = true }
                if s[j] == 0x2C { hasComma = true }
                j += 1
            }
            let prevIsAlpha = i > 0 && ((0x41...0x5A).contains(s[i - 1]) || (0x61...0x7A).contains(s[i - 1]) || s[i - 1] == 0x2E)
            if hasWide && !prevIsAlpha {
                let half = String(String.UnicodeScalarView(s[i..<j].map { Unicode.Scalar(wide($0) ? $0 - 0xFEE0 : $0)! }))
                out.append(PunctuationRules.finding(s, i, j, .format, .info, "number.fullwidth", "数字应使用半角阿拉伯数字",
                                                    "Use half-width Arabic digits", [half], 0.7))
            }
            // wrong grouping: 1,2345 or 12,34 (groups of three after the first)
            if hasComma {
                let groups = s[i..<j].split(separator: 0x2C)
                if groups.dropFirst().contains(where: { $0.count != 3 }) || (groups.first?.count ?? 0) > 3 {
                    out.append(PunctuationRules.finding(s, i, j, .format, .warn, "number.grouping", "千分位分隔错误：应每三位一组",
                                                        "Digit grouping is wrong: groups of three", [], 0.8))
                }
            }
            // Arabic digits glued to Chinese numerals inside one number (三百5十, 二0二四)
            let before = i > 0 ? s[i - 1] : 0
            let after = j < n ? s[j] : 0
            // 5千米, 3百元 and 3万 are units, not mixed numerals; 5二三 and 二0二四 are
            if (chineseDigits.contains(before) && before != 0x4E24 && before != 0x4E00) || digitsOnly.contains(after) {
                var a = i, b = j
                while a > 0 && (chineseDigits.contains(s[a - 1]) || digit(s[a - 1])) { a -= 1 }
                while b < n && (chineseDigits.contains(s[b]) || digit(s[b])) { b += 1 }
                out.append(PunctuationRules.finding(s, a, b, .format, .warn, "number.mixed", "同一数字中混用了阿拉伯数字和汉字数字",
                                                    "Arabic and Chinese numerals mixed in one number", [], 0.75))
            }
            // dates: Y年M月D日 with an impossible month or day
            if j < n && s[j] == 0x6708 && !hasComma {  // 月
                let month = s[i..<j].reduce(0) { $0 &* 10 &+ value($1) }
                if j - i <= 2 && (month == 0 || month > 12) {
                    out.append(PunctuationRules.finding(s, i, j + 1, .fact, .warn, "date.invalid", "日期有误：月份应为1到12", "Invalid date: the month must be 1 to 12", [], 0.9))
                } else if j - i <= 2, j + 1 < n, digit(s[j + 1]) {
                    var k = j + 1
                    while k < n && digit(s[k]) { k += 1 }
                    if k < n && (s[k] == 0x65E5 || s[k] == 0x53F7) && k - j - 1 <= 2 {  // 日 号
                        let day = s[(j + 1)..<k].reduce(0) { $0 &* 10 &+ value($1) }
                        let maxDay = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
                        if day == 0 || day > maxDay {
                            out.append(PunctuationRules.finding(s, i, k + 1, .fact, .warn, "date.invalid", "日期有误：\(month)月没有\(day)日",
                                                                "Invalid date: month \(month) has no day \(day)", [], 0.9))
                        }
                    }
                }
            }
            // percent: 百分之5 / 5 %
            if j + 1 < n && s[j] == 0x20 && (s[j + 1] == 0x25 || s[j + 1] == 0xFF05) {
                out.append(PunctuationRules.finding(s, j, j + 1, .format, .info, "number.percent", "数字与百分号之间不应有空格",
                                                    "No space between a number and the percent sign", [], 0.7))
            }
            if i >= 3 && s[(i - 3)..<i].elementsEqual("百分之".unicodeScalars.map(\.value)) {
                out.append(PunctuationRules.finding(s, i - 3, j, .format, .warn, "number.percent", "“百分之”后应使用汉字数字，或改写为“\(UTF8Scalars.string(Array(s[i..<j])))%”",
                                                    "After 百分之 use Chinese numerals, or write the number with %", [UTF8Scalars.string(Array(s[i..<j])) + "%"], 0.8))
            }
            i = j
        }
    }
}
