import Foundation
import ZhimeiText

/// Punctuation and spacing rules for Chinese copy (GB/T 15834 标点符号用法): half-width marks in Chinese
/// text, unpaired quotes and brackets, repeated marks, ellipsis and dash forms, stray spaces.
struct PunctuationRules {
    @inline(__always) static func isHan(_ c: UInt32) -> Bool { TypoModel.isHan(c) }
    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { (0x30...0x39).contains(c) || (0xFF10...0xFF19).contains(c) }

    static let halfToFull: [UInt32: String] = [0x2C: "，", 0x3B: "；", 0x3A: "：", 0x3F: "？", 0x21: "！", 0x28: "（", 0x29: "）"]
    static let pairs: [UInt32: UInt32] = [0x201C: 0x201D, 0x2018: 0x2019, 0xFF08: 0xFF09, 0x300A: 0x300B, 0x3010: 0x3011,
                                          0x300C: 0x300D, 0x300E: 0x300F, 0x3008: 0x3009]
    static let closers: [UInt32: UInt32] = Dictionary(uniqueKeysWithValues: pairs.map { ($0.value, $0.key) })
    static let repeatable: Set<UInt32> = [0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0x2C, 0x3B]
    /// Full-width marks that take no space beside them in Chinese text: ，。、；：？！ and the closing brackets and quotes.
    static let marksTakingNoSpace: Set<UInt32> = [0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F, 0xFF01, 0xFF09, 0x300B, 0x3011, 0x300D, 0x300F, 0x201D]
    /// One bit per BMP scalar that some rule below starts at (the tables' keys and the marks named in `check`): any
    /// other scalar is skipped without the four hash look-ups (digits, Latin letters and most full-width text).
    static let ruleStarts: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        let marks: [UInt32] = [0x22, 0x3002, 0x2E, 0x2026, 0x2D, 0x2014, 0xFF0D, 0xFF01, 0xFF1F, 0x21, 0x3F, 0x20, 0x3000, 0xA0]
        for c in Array(halfToFull.keys) + Array(pairs.keys) + Array(closers.keys) + Array(repeatable) + marks where c < 0x10000 {
            bits[Int(c >> 6)] |= 1 << UInt64(c & 63)
        }
        return bits
    }()
    @inline(__always) static func mayStartRule(_ c: UInt32) -> Bool { c < 0x10000 && ruleStarts[Int(c >> 6)] >> UInt64(c & 63) & 1 != 0 }

    static func finding(_ s: [UInt32], _ a: Int, _ b: Int, _ cat: FindingCategory, _ sev: FindingSeverity, _ rule: String,
                        _ zh: String, _ en: String, _ sugg: [String], _ conf: Double) -> ReviewFinding {
        ReviewFinding(category: cat, severity: sev, start: a, end: b, text: UTF8Scalars.string(s, a, b), messageZh: zh, messageEn: en,
                      suggestions: sugg, ruleID: rule, confidence: conf)
    }

    /// Whether the neighbourhood of `i` is Chinese text (a Han character within two scalars on either side).
    static func chineseAround(_ s: [UInt32], _ i: Int) -> Bool {
        for k in max(0, i - 2)..<min(s.count, i + 3) where k != i && isHan(s[k]) { return true }
        return false
    }

    /// A hyphen at `i` inside a span of months, days or years: 1-11月, 5-8日, 2024-2026年 (not in 0731-8888 or 2024-12-05).
    static func isTimeRange(_ s: [UInt32], _ i: Int) -> Bool {
        guard i > 0, isDigit(s[i - 1]), i + 1 < s.count, isDigit(s[i + 1]) else { return false }
        var a = i - 1
        while a > 0 && isDigit(s[a - 1]) { a -= 1 }
        var e = i + 1
        while e < s.count && isDigit(s[e]) { e += 1 }
        // not part of a code: no Latin letter, sign or dash right before the first number (A3-12, 3-2-101)
        guard e < s.count, a == 0 || !(s[a - 1] < 0x80 && s[a - 1] != 0x20 || s[a - 1] == 0xFF0D) else { return false }
        let left = i - a, right = e - i - 1
        switch s[e] {
        case 0x6708, 0x65E5: return left <= 2 && right <= 2    // 月 日
        case 0x5E74: return left == 4 && right == 4            // 年
        default: return false
        }
    }

    static func check(_ s: [UInt32], into out: inout [ReviewFinding]) {
        let n = s.count
        var i = 0
        // stacks of open quotes/brackets, reset per paragraph
        var stack: [(UInt32, Int)] = []
        // straight double quotes seen in the paragraph, and whether the last opening one was flagged
        var straightQuotes = 0, openingFlagged = false
        func flushParagraph() {
            straightQuotes = 0; openingFlagged = false
            for (c, p) in stack {
                out.append(finding(s, p, p + 1, .punctuation, .warn, "punct.unpaired", "引号或括号不成对：缺少与“\(UTF8Scalars.string([c]))”配对的符号",
                                   "Unpaired quotation mark or bracket: “\(UTF8Scalars.string([c]))” is never closed", [], 0.8))
            }
            stack.removeAll()
        }
        while i < n {
            let c = s[i]
            if c == 10 || c == 13 { flushParagraph(); i += 1; continue }
            // no rule below starts at a Han character (most of the text): skip the table look-ups
            if isHan(c) || !mayStartRule(c) { i += 1; continue }
            // half-width , ; : ? ! ( ) between Chinese characters
            if let full = halfToFull[c], chineseAround(s, i) {
                let prevDigit = i > 0 && isDigit(s[i - 1]), nextDigit = i + 1 < n && isDigit(s[i + 1])
                let isColonTime = c == 0x3A && prevDigit && nextDigit
                let isThousands = c == 0x2C && prevDigit && nextDigit
                let prevAscii = i > 0 && s[i - 1] < 0x80 && s[i - 1] != 0x20
                let nextAscii = i + 1 < n && s[i + 1] < 0x80 && s[i + 1] != 0x20
                if !isColonTime && !isThousands && !(c == 0x28 || c == 0x29 ? false : prevAscii && nextAscii) {
                    out.append(finding(s, i, i + 1, .punctuation, .warn, "punct.halfwidth", "中文语境中使用了半角标点“\(UTF8Scalars.string([c]))”，应使用全角“\(full)”",
                                       "Half-width punctuation in Chinese text; use the full-width “\(full)”", [full], 0.85))
                }
            }
            // straight double quotes in Chinese text: the paragraph's first is an opening “, the next a closing ”, and so
            // on; a closing one is flagged with its opening one even when English stands beside it (他说："Hello"。)
            if c == 0x22 {
                let opening = straightQuotes % 2 == 0
                if chineseAround(s, i) || (!opening && openingFlagged) {
                    let full = opening ? "“" : "”"
                    out.append(finding(s, i, i + 1, .punctuation, .warn, "punct.halfwidth", "中文语境中使用了半角引号“\"”，应使用全角“\(full)”",
                                       "Straight quotation mark in Chinese text; use the full-width “\(full)”", [full], 0.8))
                    if opening { openingFlagged = true }
                } else if opening {
                    openingFlagged = false
                }
                straightQuotes += 1
                i += 1; continue
            }
            // quotes and brackets
            if pairs[c] != nil {
                if c == 0x201C, let top = stack.last, top.0 == 0x201C {
                    // “…“ : a second opening double quote where a closing one was meant
                    stack.removeLast()
                    out.append(finding(s, i, i + 1, .punctuation, .warn, "punct.unpaired", "引号方向错误：此处应为后引号“””",
                                       "Quotation mark facing the wrong way: a closing ” was expected", ["”"], 0.7))
                } else {
                    stack.append((c, i))
                }
            } else if let open = closers[c] {
                if let k = stack.lastIndex(where: { $0.0 == open }) {
                    stack.removeSubrange(k...)
                } else {
                    out.append(finding(s, i, i + 1, .punctuation, .warn, "punct.unpaired", "引号或括号不成对：“\(UTF8Scalars.string([c]))”没有对应的前半部分",
                                       "Unpaired quotation mark or bracket: “\(UTF8Scalars.string([c]))” has no opening mark", [], 0.75))
                }
            }
            // ellipsis: 。。。 / ... / ・・・ in Chinese text, or a single …
            if c == 0x3002 || c == 0x2E {
                var j = i
                while j < n && s[j] == c { j += 1 }
                if j - i >= 3 && (c == 0x3002 || chineseAround(s, i) || (j < n && isHan(s[j]))) {
                    out.append(finding(s, i, j, .punctuation, .warn, "punct.ellipsis", "省略号应写作“……”", "Write the ellipsis as “……”", ["……"], 0.9))
                    i = j; continue
                }
                if c == 0x3002 && j - i == 2 {
                    out.append(finding(s, i, j, .punctuation, .warn, "punct.repeated", "标点重复", "Repeated punctuation", ["。"], 0.85))
                    i = j; continue
                }
            }
            if c == 0x2026 {
                var j = i
                while j < n && s[j] == c { j += 1 }
                if j - i != 2 && (chineseAround(s, i) || (j < n && isHan(s[j]))) {
                    out.append(finding(s, i, j, .punctuation, .info, "punct.ellipsis", "省略号应为两个“…”连用：“……”", "The Chinese ellipsis is two “…”: “……”", ["……"], 0.8))
                } else if j - i == 2 && j < n && s[j] == 0x3002 && i > 0 && isHan(s[i - 1]) {
                    // ……。: the ellipsis ends the sentence itself
                    out.append(finding(s, j, j + 1, .punctuation, .info, "punct.ellipsis", "省略号后一般不再加句号", "No full stop after an ellipsis", [], 0.6))
                    i = j + 1; continue
                }
                i = j; continue
            }
            // dash: -- or a single — between Chinese characters
            if c == 0x2D || c == 0x2014 || c == 0xFF0D {
                var j = i
                while j < n && s[j] == c { j += 1 }
                let between = i > 0 && isHan(s[i - 1]) && j < n && (isHan(s[j]) || s[j] == 0x201C)
                if between && (c == 0x2D && j - i >= 2 || c == 0x2014 && j - i == 1 || c == 0xFF0D && j - i >= 2) {
                    out.append(finding(s, i, j, .punctuation, .warn, "punct.dash", "破折号应写作“——”", "Write the dash as “——”", ["——"], 0.8))
                } else if (c == 0x2D || c == 0xFF0D) && j - i == 1 && isTimeRange(s, i) {
                    out.append(finding(s, i, j, .punctuation, .info, "punct.dash", "表示时间的起止应使用一字线“—”（1—11月）",
                                       "A span of time takes the en dash “—” (1—11月), not a hyphen", ["—"], 0.7))
                }
                i = j; continue
            }
            // repeated commas, enumeration commas, semicolons, colons
            if repeatable.contains(c), i + 1 < n, s[i + 1] == c || (repeatable.contains(s[i + 1]) && s[i + 1] != 0x2C && c != 0x2C) {
                var j = i + 1
                while j < n && repeatable.contains(s[j]) { j += 1 }
                out.append(finding(s, i, j, .punctuation, .warn, "punct.repeated", "标点重复", "Repeated punctuation", [UTF8Scalars.string([s[j - 1]])], 0.85))
                i = j; continue
            }
            if (c == 0xFF01 || c == 0xFF1F || c == 0x21 || c == 0x3F), i + 2 < n, s[i + 1] == c, s[i + 2] == c {
                var j = i
                while j < n && s[j] == c { j += 1 }
                out.append(finding(s, i, j, .punctuation, .info, "punct.repeated", "叹号或问号连用过多", "Too many exclamation or question marks",
                                   [UTF8Scalars.string([c])], 0.6))
                i = j; continue
            }
            // stray spaces between Chinese characters, or between one and a Chinese punctuation mark (营商环境 ，)
            if c == 0x20 || c == 0x3000 || c == 0xA0, i > 0, isHan(s[i - 1]) || marksTakingNoSpace.contains(s[i - 1]) {
                var j = i
                while j < n && (s[j] == 0x20 || s[j] == 0x3000 || s[j] == 0xA0) { j += 1 }
                if j < n && isHan(s[j]) && isHan(s[i - 1]) {
                    out.append(finding(s, i, j, .format, .info, "format.space", "汉字之间有多余空格", "Stray space between Chinese characters", [], 0.75))
                } else if j < n && (isHan(s[j]) || marksTakingNoSpace.contains(s[j])) {
                    out.append(finding(s, i, j, .format, .info, "format.space", "中文标点前后有多余空格", "Stray space next to Chinese punctuation", [], 0.7))
                }
                i = j; continue
            }
            i += 1
        }
        flushParagraph()
    }
}
