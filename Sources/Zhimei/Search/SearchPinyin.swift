import Foundation
import NIOConcurrencyHelpers
import ZhimeiReview

/// Pinyin initials of people's names, so 作者:zxm finds 张晓明.
///
/// Readings come from pypinyin's character table (`<text data>/review/pinyin.txt`, "字<TAB>reading,reading"). A name's
/// surname is read as a surname: the surname table below (单 shan, 曾 zeng, 解 xie, 查 zha …), else the character's
/// first (most common) reading; a given-name character contributes every reading's initial, so a name can have a few
/// initial strings (明 ming/meng → m either way; 朝 chao/zhao → c or z). Without the table there are no
/// initials and 作者: only matches the name's characters.
public struct SearchPinyin: Sendable {
    /// First letters of each character's readings.
    let initials: [Unicode.Scalar: [Character]]

    /// Surname readings that differ from (or narrow) the character's common readings.
    static let surnames: [Unicode.Scalar: [Character]] = [
        "单": ["s"], "曾": ["z"], "解": ["x"], "查": ["z"], "仇": ["q"], "朴": ["p"], "区": ["o"], "盖": ["g"], "缪": ["m"],
        "秘": ["b"], "种": ["c"], "员": ["y"], "覃": ["q"], "翟": ["z"], "乐": ["y", "l"], "尉": ["y", "w"], "长": ["z", "c"],
        "繁": ["p"], "折": ["s"], "能": ["n"], "召": ["s"], "句": ["g"], "华": ["h"], "重": ["c"], "沈": ["s"], "厦": ["x"],
        "宿": ["s"], "贲": ["b"], "谌": ["c"], "隗": ["w"], "眭": ["s"], "阚": ["k"], "郇": ["h"], "相": ["x"], "万": ["w"],
    ]

    /// Most initial strings kept per name (every combination of polyphones).
    static let maxVariants = 8

    public init(initials: [Unicode.Scalar: [Character]]) { self.initials = initials }

    /// Loads the table from a text data directory; nil when the review data is not installed.
    public static func load(textData: String) -> SearchPinyin? {
        let path = textData + "/review/pinyin.txt"
        return cache.withLockedValue { cached in
            if let hit = cached[path] { return hit }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            var table: [Unicode.Scalar: [Character]] = [:]
            for (c, readings) in PinyinTable.parse(text) {
                guard let scalar = Unicode.Scalar(c) else { continue }
                var firsts: [Character] = []
                for reading in readings {
                    if let f = reading.first, f.isASCII, f.isLetter, !firsts.contains(f) { firsts.append(f) }
                }
                if !firsts.isEmpty { table[scalar] = firsts }
            }
            let made = SearchPinyin(initials: table)
            cached[path] = made
            return made
        }
    }

    private static let cache = NIOLockedValueBox<[String: SearchPinyin]>([:])

    /// The initial strings of every Chinese name in `authors` (names are runs of Han characters, e.g. "张晓明 李四"),
    /// space-delimited with a space at both ends (" zxm ls "), so a prefix can be found with LIKE '% zx%'.
    public func field(_ authors: String) -> String {
        var out: [String] = []
        var name: [Unicode.Scalar] = []
        func flush() {
            if name.count >= 2 && name.count <= 6 { for v in variants(name) where !out.contains(v) { out.append(v) } }
            name.removeAll()
        }
        for s in authors.unicodeScalars {
            if initials[s] != nil { name.append(s) } else { flush() }
        }
        flush()
        return out.isEmpty ? "" : " " + out.joined(separator: " ") + " "
    }

    /// Every reading of one name (the surname read as a surname), at most `maxVariants`.
    func variants(_ name: [Unicode.Scalar]) -> [String] {
        var partial = [""]
        for (i, s) in name.enumerated() {
            let all = initials[s] ?? []
            let choices = i == 0 ? (Self.surnames[s] ?? Array(all.prefix(1))) : all
            guard !choices.isEmpty else { return [] }
            var next: [String] = []
            for p in partial { for c in choices where next.count < Self.maxVariants { next.append(p + String(c)) } }
            partial = next
        }
        return partial
    }

    /// True for a query that looks like name initials (2–6 Latin letters).
    public static func isInitials(_ text: String) -> Bool {
        (2...6).contains(text.count) && text.unicodeScalars.allSatisfy { ($0.value >= 0x61 && $0.value <= 0x7A) || ($0.value >= 0x41 && $0.value <= 0x5A) }
    }
}
