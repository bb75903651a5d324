import Foundation

/// Writes numbers the way a broadcaster reads them (口播稿): 2024年 → 二〇二四年, 3.5% → 百分之三点五,
/// 1234 → 一千二百三十四, 13800138000 → 一三八〇〇一三八〇〇〇 (long digit strings are read digit by digit).
enum ReadAloud {
    static let digits: [Character] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
    /// Longer runs of digits (phone numbers, IDs) are read one digit at a time.
    static let maxCardinalDigits = 10

    /// Rewrites every number in `text`.
    static func convert(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c.isASCII, c.isNumber else { out.append(c); i += 1; continue }
            var j = i
            while j < chars.count, chars[j].isASCII, chars[j].isNumber || chars[j] == "," { j += 1 }
            var intPart = String(chars[i..<j]).replacingOccurrences(of: ",", with: "")
            // A trailing comma belongs to the sentence, not to the number.
            while j > i, chars[j - 1] == "," { j -= 1 }
            intPart = String(chars[i..<j]).replacingOccurrences(of: ",", with: "")
            var fraction = ""
            if j + 1 < chars.count, chars[j] == ".", chars[j + 1].isASCII, chars[j + 1].isNumber {
                var k = j + 1
                while k < chars.count, chars[k].isASCII, chars[k].isNumber { k += 1 }
                fraction = String(chars[(j + 1)..<k])
                j = k
            }
            let next: Character? = j < chars.count ? chars[j] : nil
            if next == "%" || next == "％" {
                out += "百分之" + spoken(intPart, fraction)
                j += 1
            } else if next == "年", fraction.isEmpty, intPart.count == 4 {
                out += digitByDigit(intPart)
            } else {
                out += spoken(intPart, fraction)
            }
            i = j
        }
        return out
    }

    /// An integer with an optional fraction: 3.5 → 三点五.
    static func spoken(_ integer: String, _ fraction: String) -> String {
        let whole = integer.count > maxCardinalDigits ? digitByDigit(integer) : cardinal(integer)
        return fraction.isEmpty ? whole : whole + "点" + digitByDigit(fraction)
    }

    static func digitByDigit(_ s: String) -> String {
        String(s.compactMap { $0.wholeNumberValue.map { digits[$0] } })
    }

    /// Chinese cardinal of up to `maxCardinalDigits` digits (…亿…万…).
    static func cardinal(_ s: String) -> String {
        let trimmed = s.drop { $0 == "0" }
        guard !trimmed.isEmpty else { return "零" }
        guard trimmed.count <= maxCardinalDigits, let value = Int(trimmed) else { return digitByDigit(String(s)) }
        return cardinal(value)
    }

    static func cardinal(_ value: Int) -> String {
        if value == 0 { return "零" }
        let units: [(Int, String)] = [(100_000_000, "亿"), (10_000, "万")]
        var rest = value
        var out = ""
        var needZero = false
        for (size, name) in units where rest >= size {
            let head = rest / size
            out += below10k(head, leadingZero: needZero) + name
            rest %= size
            needZero = rest > 0 && rest < size / 10
        }
        if rest > 0 { out += below10k(rest, leadingZero: needZero || (!out.isEmpty && rest < 1000)) }
        // 一十二 → 十二 at the very start.
        if out.hasPrefix("一十") { out.removeFirst() }
        return out
    }

    /// 0 < n < 10000.
    static func below10k(_ n: Int, leadingZero: Bool) -> String {
        let names: [(Int, String)] = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
        var out = ""
        var zero = leadingZero
        var rest = n
        for (size, name) in names {
            let d = rest / size
            rest %= size
            if d == 0 {
                if !out.isEmpty { zero = true }
                continue
            }
            if zero { out += "零"; zero = false }
            out.append(d == 2 && size >= 1000 && out.isEmpty ? "两" : digits[d])
            out += name
        }
        return out.replacingOccurrences(of: "〇", with: "零")
    }
}
