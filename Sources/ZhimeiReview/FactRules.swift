import Foundation
import ZhimeiText

/// Facts and consistency: titles of people in the fact base, fixed lists in the wrong order, weekdays that do
/// not match their date, totals that do not equal the sum of their parts.
struct FactRules {
    let factBase: FactBase
    let titleMatcher: PatternMatcher?
    /// Pattern index → (person index, whether the pattern is the name).
    let titlePatterns: [(person: Int, isName: Bool, title: String)]

    init(factBase: FactBase) {
        self.factBase = factBase
        var pats: [String] = []
        var meta: [(Int, Bool, String)] = []
        for (pi, p) in factBase.people.enumerated() where !p.name.isEmpty {
            pats.append(p.name); meta.append((pi, true, ""))
            for t in p.formerTitles where !t.isEmpty && t != p.title { pats.append(t); meta.append((pi, false, t)) }
        }
        titlePatterns = meta
        titleMatcher = pats.isEmpty ? nil : PatternMatcher(patterns: pats, folding: [.width, .traditionalToSimplified])
    }

    func check(_ text: String, _ s: [UInt32], into out: inout [ReviewFinding]) {
        checkTitles(text, s, into: &out)
        checkLists(s, into: &out)
        checkWeekdays(s, into: &out)
        checkTotals(s, into: &out)
        AdminDivisions.check(text, s, into: &out)
    }

    /// A former title right before or after a person's name (副市长张三, 张三副市长) while the current title differs.
    func checkTitles(_ text: String, _ s: [UInt32], into out: inout [ReviewFinding]) {
        guard let m = titleMatcher else { return }
        let hits = m.matches(in: text)
        let names = hits.filter { titlePatterns[$0.pattern].isName }
        for t in hits where !titlePatterns[t.pattern].isName {
            let meta = titlePatterns[t.pattern]
            guard names.contains(where: { $0.pattern < titlePatterns.count && titlePatterns[$0.pattern].person == meta.person
                                        && ($0.start >= t.end && $0.start <= t.end + 1 || t.start >= $0.end && t.start <= $0.end + 1) }) else { continue }
            // 副市长 is not 市长: a former title that is part of a longer title next to it is not a hit
            if t.start > 0, t.start - 1 < s.count, ["副", "代", "原", "前"].contains(UTF8Scalars.string([s[t.start - 1]])) { continue }
            let person = factBase.people[meta.person]
            out.append(ReviewFinding(category: .fact, subcategory: "职务", severity: .warn, start: t.start, end: t.end,
                                     text: UTF8Scalars.string(s, t.start, t.end),
                                     messageZh: "职务可能有误：\(person.name)现任\(person.title)（“\(meta.title)”为其原职务）",
                                     messageEn: "Possibly wrong title: \(person.name) is now \(person.title) (“\(meta.title)” is a former title)",
                                     suggestions: [person.title], ruleID: "fact.title", confidence: 0.8))
        }
    }

    /// All items of a fixed list within one sentence but in another order.
    func checkLists(_ s: [UInt32], into out: inout [ReviewFinding]) {
        guard !factBase.fixedLists.isEmpty else { return }
        let ranges = s.withUnsafeBufferPointer { SentenceSplitter.ranges($0) }
        for list in factBase.fixedLists where list.items.count >= 2 {
            let items = list.items.map { UTF8Scalars.scalars(of: $0) }
            for (a, b) in ranges {
                var pos: [Int] = []
                for it in items {
                    guard let p = FactRules.find(it, in: s, a, b) else { break }
                    pos.append(p)
                }
                guard pos.count == items.count, pos != pos.sorted() else { continue }
                let lo = pos.min()!, hi = zip(pos, items).map { $0 + $1.count }.max()!
                out.append(ReviewFinding(category: .fact, subcategory: "固定表述", severity: .warn, start: lo, end: hi, text: UTF8Scalars.string(s, lo, hi),
                                         messageZh: "固定表述顺序有误，应为：" + list.items.joined(separator: "、"),
                                         messageEn: "Fixed list in the wrong order; expected: " + list.items.joined(separator: ", "),
                                         suggestions: [], ruleID: "fact.order", confidence: 0.8))
            }
        }
    }

    static func find(_ needle: [UInt32], in s: [UInt32], _ a: Int, _ b: Int) -> Int? {
        guard !needle.isEmpty, b - a >= needle.count else { return nil }
        var i = a
        while i + needle.count <= b {
            if s[i] == needle[0] && s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func number(_ s: [UInt32], _ i: inout Int) -> Int? {
        var v = 0, any = false
        while i < s.count, NumberRules.digit(s[i]) || (any && s[i] == 0x2C && i + 1 < s.count && NumberRules.digit(s[i + 1])) {
            if s[i] != 0x2C { v = v &* 10 &+ NumberRules.value(s[i]); if v > 1_000_000_000_000 { return nil } }
            any = true; i += 1
        }
        return any ? v : nil
    }

    /// 2024年5月1日（星期三）: the weekday must match the Gregorian date.
    func checkWeekdays(_ s: [UInt32], into out: inout [ReviewFinding]) {
        let n = s.count
        let dayNames = Array("日一二三四五六".unicodeScalars.map(\.value))
        var i = 0
        while i < n {
            guard NumberRules.digit(s[i]), i == 0 || !NumberRules.digit(s[i - 1]) else { i += 1; continue }
            var k = i
            guard let y = FactRules.number(s, &k), k - i == 4, k < n, s[k] == 0x5E74 else { i = max(k, i + 1); continue }  // 年
            k += 1
            guard let mo = FactRules.number(s, &k), k < n, s[k] == 0x6708 else { i = k; continue }
            k += 1
            guard let d = FactRules.number(s, &k), k < n, s[k] == 0x65E5 || s[k] == 0x53F7 else { i = k; continue }
            k += 1
            let dateEnd = k
            // （星期三） ，星期三 / 周三
            var w = k
            while w < n && w < k + 2 && [0xFF08, 0x28, 0xFF0C, 0x2C, 0x20].contains(s[w]) { w += 1 }
            var nameAt = -1
            if w + 2 < n && s[w] == 0x661F && s[w + 1] == 0x671F { nameAt = w + 2 }       // 星期
            else if w + 1 < n && s[w] == 0x5468 { nameAt = w + 1 }                          // 周
            i = dateEnd
            guard nameAt >= 0, nameAt < n, let wd = dayNames.firstIndex(of: s[nameAt] == 0x5929 ? 0x65E5 : s[nameAt]),
                  (1...12).contains(mo), (1...31).contains(d), let actual = FactRules.weekday(y, mo, d), actual != wd else { continue }
            let names = ["日", "一", "二", "三", "四", "五", "六"]
            out.append(ReviewFinding(category: .fact, subcategory: "日期", severity: .warn, start: nameAt, end: nameAt + 1, text: UTF8Scalars.string([s[nameAt]]),
                                     messageZh: "\(y)年\(mo)月\(d)日是星期\(names[actual])，与文中的星期不符",
                                     messageEn: "\(y)-\(mo)-\(d) is a \(["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][actual]); the weekday in the text does not match",
                                     suggestions: [names[actual]], ruleID: "fact.weekday", confidence: 0.9))
        }
    }

    /// 0 = Sunday (Zeller / Sakamoto), nil for an impossible date.
    static func weekday(_ y0: Int, _ m: Int, _ d: Int) -> Int? {
        guard (1...9999).contains(y0), (1...12).contains(m) else { return nil }
        let leap = (y0 % 4 == 0 && y0 % 100 != 0) || y0 % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...days[m - 1]).contains(d) else { return nil }
        let t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = m < 3 ? y0 - 1 : y0
        return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7
    }

    /// Han characters allowed between a total word and its number (共接待游客1200万人次: what was counted).
    static let totalGap = 6
    /// 共 after these (公共, 中共, 总共 and 一共 are words of their own) or before these (共同, 共享, 共产党 …) is no total.
    static let notTotalBefore = Set("公中总一".unicodeScalars.map(\.value))
    static let notTotalAfter = Set("同享产建识赢和鸣振处存事济生患青性通治商谋筑创担抓".unicodeScalars.map(\.value))

    /// 共/总计/合计 N<unit>，其中 A<unit>…B<unit>: the parts must add up to the total (same sentence).
    func checkTotals(_ s: [UInt32], into out: inout [ReviewFinding]) {
        let ranges = s.withUnsafeBufferPointer { SentenceSplitter.ranges($0, semicolon: false) }
        let totalWords = ["共", "总计", "合计", "总共", "一共", "累计"].map { UTF8Scalars.scalars(of: $0) }
        let partsWord = UTF8Scalars.scalars(of: "其中")
        for (a, b) in ranges {
            guard let q = FactRules.find(partsWord, in: s, a, b) else { continue }
            // the total: the last "共…N unit" before 其中
            var total: (value: WrittenNumber, unit: UInt32, start: Int, end: Int)? = nil
            for w in totalWords {
                var from = a
                while let p = FactRules.find(w, in: s, from, q) {
                    from = p + 1
                    // 共 inside a word (公共, 中共, 共同, 共享 …) is no total
                    if w.count == 1, (p > a && Self.notTotalBefore.contains(s[p - 1])) || (p + 1 < q && Self.notTotalAfter.contains(s[p + 1])) { continue }
                    var k = p + w.count
                    while k < q && k < p + w.count + 2 && "有计约达".unicodeScalars.contains(where: { $0.value == s[k] }) { k += 1 }
                    // what was counted may stand between the word and the number: 共接待游客1200万人次
                    var gap = k
                    while gap < q && gap < k + Self.totalGap && TypoModel.isHan(s[gap]) { gap += 1 }
                    if gap < q && gap > k && NumberRules.digit(s[gap]) { k = gap }
                    let st = k
                    if let v = WrittenNumber.read(s, &k), k < q, TypoModel.isHan(s[k]) { total = (v, s[k], st, k) }
                }
            }
            guard let t = total else { continue }
            var sum = WrittenNumber(), parts = 0, slack = t.value.halfLastDigit, k = q + partsWord.count
            while k < b {
                if NumberRules.digit(s[k]) {
                    var e = k
                    if let v = WrittenNumber.read(s, &e) {
                        if e < b && s[e] == t.unit { sum = sum + v; parts += 1; slack = slack + v.halfLastDigit }
                        else if e < b && (s[e] == 0x25 || s[e] == 0xFF05) { parts = -100 }  // shares: not parts
                        k = e; continue
                    }
                }
                k += 1
            }
            // rounded figures (105.6 = 75 + 30.6) may each be off by half their last digit
            if parts >= 2 && sum.exceeds(t.value, by: slack) {
                let written = UTF8Scalars.string(s, t.start, t.end), added = sum.text
                out.append(ReviewFinding(category: .fact, subcategory: "数字", severity: .warn, start: t.start, end: t.end, text: written,
                                         messageZh: "数字可能矛盾：总数\(written)小于各分项之和\(added)", messageEn: "Numbers may contradict: the total \(written) is less than the sum of its parts \(added)",
                                         suggestions: [], ruleID: "fact.total", confidence: 0.7))
            }
        }
    }

    /// A written number with up to six decimal places, exact: `units` of 10^-`places`.
    struct WrittenNumber {
        var units = 0, places = 0

        /// Reads 1,200 or 105.6 at `i` (digits, thousands commas, one decimal point followed by a digit).
        static func read(_ s: [UInt32], _ i: inout Int) -> WrittenNumber? {
            guard let whole = FactRules.number(s, &i) else { return nil }
            var d = WrittenNumber(units: whole, places: 0)
            if i + 1 < s.count, s[i] == 0x2E || s[i] == 0xFF0E, NumberRules.digit(s[i + 1]) {
                i += 1
                while i < s.count, NumberRules.digit(s[i]) {
                    if d.places < 6 { d.units = d.units &* 10 &+ NumberRules.value(s[i]); d.places += 1 }
                    i += 1
                }
            }
            return d
        }

        func scaled(to p: Int) -> Int { var u = units; for _ in places..<max(places, p) { u = u &* 10 }; return u }
        static func + (a: WrittenNumber, b: WrittenNumber) -> WrittenNumber {
            let p = max(a.places, b.places)
            return WrittenNumber(units: a.scaled(to: p) &+ b.scaled(to: p), places: p)
        }
        /// Half a unit of the last written digit (0 for whole numbers: counts are exact).
        var halfLastDigit: WrittenNumber { places == 0 ? WrittenNumber() : WrittenNumber(units: 5, places: places + 1) }
        func exceeds(_ other: WrittenNumber, by slack: WrittenNumber) -> Bool {
            let limit = other + slack, p = max(places, limit.places)
            return scaled(to: p) > limit.scaled(to: p)
        }
        var text: String {
            guard places > 0 else { return String(units) }
            var digits = String(units)
            while digits.count <= places { digits = "0" + digits }
            return String(digits.dropLast(places)) + "." + String(digits.suffix(places))
        }
    }
}
