import Foundation

/// Characters that news copy writes correctly in uses where learners' essays, which the typo models learnt from, more
/// often meant another character. Each case was flagged on clean news copy (msr_test, docs/review-engine.md); the
/// typo models leave such a character as written.
enum WrittenAsMeant {
    static func set(_ chars: String) -> Set<UInt32> { Set(chars.unicodeScalars.map(\.value)) }
    static func words(_ list: [String]) -> [[UInt32]] { list.map { $0.unicodeScalars.map(\.value) } }

    static let zuo: UInt32 = 0x5EA7, you: UInt32 = 0x7531, shi: UInt32 = 0x4F7F, na: UInt32 = 0x54EA, bu: UInt32 = 0x90E8
    static let yi: UInt32 = 0x4EBF, wan: UInt32 = 0x4E07, jin: UInt32 = 0x8FD1
    static let numerals = set("一二两三四五六七八九十百千万亿几数多0123456789０１２３４５６７８９")
    /// Before 座 these make it a classifier (这座山, ５７座大罐), which is never 坐.
    static let classifierTakers = set("这那哪每几某整").union(numerals)
    /// What follows 由 in its clause when it is the preposition "from / by" (由３０％提高到６０％, 由交通部规定, 由计划经济向…).
    static let prepositionalYou = words(["到", "向", "至", "为", "规定", "负责", "审批", "会同", "组成", "构成", "决定", "主持", "承担",
                                         "发射", "制定", "批准", "颁发", "牵头", "实施", "执行", "统一", "组织", "主办", "举办", "提供"])
    /// Adverbs before a causative 使 (这就使粮价…, 更使我们…, 至今还使世人…): 是 would need no object and verb after it.
    static let causativeAdverbs = set("更就还正也都又才将亦已便")
    static let negation = set("不没")
    /// 哪 + a classifier with 也/都 later in the clause means "any" (哪一行也离不开, 哪个地方都有), not 那.
    static let anyClassifiers = set("一个些种里儿家位样天年条件本")
    static let anyMarkers = set("也都")
    static let clauseEnds = set("，。；！？：、,;!?:\n“”\"（）()")

    /// Whether the character at `p` stays as written.
    static func applies(_ s: [UInt32], _ p: Int) -> Bool {
        let prev: UInt32 = p > 0 ? s[p - 1] : 0, next: UInt32 = p + 1 < s.count ? s[p + 1] : 0
        switch s[p] {
        case zuo:
            return classifierTakers.contains(prev)
        case yi, wan:
            // ２亿步, 千亿次: a numeral's unit
            return numerals.contains(prev)
        case jin:
            // 近３年, 近万人: "nearly" before a figure (仅 would be a sentence too)
            return numerals.contains(next)
        case shi:
            return causativeAdverbs.contains(prev) && !negation.contains(next)
        case bu:
            // a department closing a list item or clause (广播电影电视部、): 不 does not end a clause there
            return p > 0 && clauseEnds.contains(next) && next != 0
        case na:
            return anyClassifiers.contains(next) && clause(s, after: p).contains { anyMarkers.contains($0) }
        case you:
            let rest = clause(s, after: p)
            // a figure (由３０％…): digits only, since 由一位男生来帮忙 is a learner's 有
            if let first = rest.first, let u = UnicodeScalar(first), u.properties.numericType == .decimal { return true }
            return prepositionalYou.contains { w in
                rest.count >= w.count && (0...(rest.count - w.count)).contains { q in rest[(rest.startIndex + q)..<(rest.startIndex + q + w.count)].elementsEqual(w) }
            }
        default:
            return false
        }
    }

    /// The characters after `p` up to the end of its clause.
    static func clause(_ s: [UInt32], after p: Int) -> ArraySlice<UInt32> {
        var end = p + 1
        while end < s.count && !clauseEnds.contains(s[end]) { end += 1 }
        return s[min(p + 1, end)..<end]
    }
}
