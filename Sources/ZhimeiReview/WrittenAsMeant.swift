import Foundation

/// Characters that news copy writes correctly in uses where learners' essays, which the typo models learnt from, more
/// often meant another character. Each case was flagged on clean news copy (msr_test, docs/review-engine.md); the
/// typo models leave such a character as written.
enum WrittenAsMeant {
    static let zuo: UInt32 = 0x5EA7, you: UInt32 = 0x7531, shi: UInt32 = 0x4F7F, na: UInt32 = 0x54EA, bu: UInt32 = 0x90E8
    static let yi: UInt32 = 0x4EBF, wan: UInt32 = 0x4E07, jin: UInt32 = 0x8FD1
    static let numerals = Scalars.set("一二两三四五六七八九十百千万亿几数多0123456789０１２３４５６７８９")
    /// Before 座 these make it a classifier (这座山, ５７座大罐), which is never 坐.
    static let classifierTakers = Scalars.set("这那哪每几某整").union(numerals)
    /// What follows 由 in its clause when it is the preposition "from / by" (由３０％提高到６０％, 由交通部规定, 由计划经济向…).
    static let prepositionalYou = Scalars.words(["到", "向", "至", "为", "规定", "负责", "审批", "会同", "组成", "构成", "决定", "主持", "承担",
                                                 "发射", "制定", "批准", "颁发", "牵头", "实施", "执行", "统一", "组织", "主办", "举办", "提供"])
    /// Adverbs before a causative 使 (这就使粮价…, 更使我们…, 至今还使世人…): 是 would need no object and verb after it.
    static let causativeAdverbs = Scalars.set("更就还正也都又才将亦已便")
    static let negation = Scalars.set("不没")
    /// 哪 + a classifier with 也/都 later in the clause means "any" (哪一行也离不开, 哪个地方都有), not 那.
    static let anyClassifiers = Scalars.set("一个些种里儿家位样天年条件本")
    static let anyMarkers = Scalars.set("也都")
    static let clauseEnds = Scalars.set("，。；！？：、,;!?:\n“”\"（）()")

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
            return anyClassifiers.contains(next) && s[(p + 1)..<clauseEnd(s, after: p)].contains { anyMarkers.contains($0) }
        case you:
            // a figure (由３０％…): digits only, since 由一位男生来帮忙 is a learner's 有
            if let u = UnicodeScalar(next), u.properties.numericType == .decimal { return true }
            let end = clauseEnd(s, after: p)
            return prepositionalYou.contains { FactRules.find($0, in: s, p + 1, end) != nil }
        default:
            return false
        }
    }

    /// Where the clause holding `p` ends (the next clause mark, or the end of the text).
    static func clauseEnd(_ s: [UInt32], after p: Int) -> Int {
        var end = p + 1
        while end < s.count && !clauseEnds.contains(s[end]) { end += 1 }
        return min(end, s.count)
    }
}
