import Foundation

/// 在 "at, -ing" and 再 "again, then" written for each other, found by what stands around them on the best segmentation:
/// - 在 before a verb that is done once more (在考虑一下, 在来中国一次), after a negated modal (不会在误会, 不用在为…苦恼) or
///   as the second step after 先 (先去看电影在逛街) is 再;
/// - 再 before a place or time that a locative closes (再图书馆外面, 再这种情形下, 再两个月内) is 在, and so is 再一起
///   closing its clause (终于会再一起。).
struct ZaiRules {
    /// A fix: the character at `position` becomes `replacement`; `word` names the usage for the message.
    struct Fix { var position: Int; var replacement: UInt32; var word: String }

    static let zai: UInt32 = 0x5728, again: UInt32 = 0x518D, xian: UInt32 = 0x5148
    /// Repetition after a verb: the action happens again.
    static let once = Scalars.words(["一下", "一次", "一遍", "一趟", "一回"])
    /// Negated modals that put off or forbid doing something again (不会再, 不用再, 别再).
    static let negatedModals = Set(Scalars.words(["不会", "不用", "不要", "别", "不必", "不想", "不能", "不可以", "不该", "不应该", "不敢"]))
    /// What turns a verb into the head of a place or time phrase (在学习上, 在发展中, 在讨论时): 在 is right.
    static let locatives = Set(Scalars.words(["上", "中", "下", "时", "时候", "里", "的", "前", "后", "之前", "之后", "过程", "期间", "方面", "之中", "当中", "以来"]))
    /// Locatives that close a place or time after 在 (再图书馆外面 → 在).
    static let placeClosers = Set(Scalars.words(["里", "内", "中", "下", "上", "外面", "里面", "之中", "之内", "旁边", "附近", "期间", "以内", "当中", "之下",
                                                    "门口", "前面", "后面", "对面"]))
    static let together = Scalars.words(["一起"])[0]

    static func fixes(_ s: [UInt32], words: WordStatistics, segments: RunSegments) -> [Fix] {
        var out: [Fix] = []
        var i = 0
        let n = s.count
        var sawXian = false  // 先 earlier in the sentence
        while i < n {
            guard TypoModel.isHan(s[i]) else {
                if MisusedWords.sentenceEnds.contains(s[i]) { sawXian = false }
                i += 1; continue
            }
            var j = i
            while j < n && TypoModel.isHan(s[j]) { j += 1 }
            let toks = segments.segment(s, i, j)
            func word(_ k: Int) -> [UInt32] { Array(s[toks[k].0..<toks[k].1]) }
            func tag(_ k: Int) -> String { s.withUnsafeBufferPointer { words.tag(WordStatistics.key($0, toks[k].0, toks[k].1)) } }
            func isVerb(_ k: Int) -> Bool { k < toks.count && tag(k) == "v" }
            for k in toks.indices {
                let t = toks[k]
                if t.1 - t.0 == 1, s[t.0] == xian { sawXian = true }
                guard t.1 - t.0 == 1 else { continue }
                // 考虑一下 is one word in the dictionary
                let verbOnce = k + 1 < toks.count && toks[k + 1].1 - toks[k + 1].0 > 2 && once.contains { Scalars.ends(s, at: toks[k + 1].1, with: $0) }
                if s[t.0] == zai, isVerb(k + 1) || verbOnce, !(k + 2 < toks.count && locatives.contains(word(k + 2))) {
                    let repeated = verbOnce || (k + 2..<min(toks.count, k + 4)).contains { once.contains(word($0)) }
                    let putOff = k > 0 && negatedModals.contains(word(k - 1))
                    // 先去看电影在逛街: the second step, in the same sentence, straight after a word (not opening a place phrase)
                    let secondStep = sawXian && k > 0 && tag(k - 1) != "d"
                    if repeated || putOff || secondStep { out.append(Fix(position: t.0, replacement: again, word: "再")) }
                } else if s[t.0] == again, k + 1 < toks.count {
                    if word(k + 1) == together, k + 2 == toks.count, j < n, MisusedWords.clauseEnds.contains(s[j]) {
                        out.append(Fix(position: t.0, replacement: zai, word: "在一起"))
                        continue
                    }
                    // 再图书馆外面, 再这种情形下, 再两个月内: a place or time that a locative closes, with no verb before it
                    var q = k + 1
                    while q < toks.count, q <= k + 5, !placeClosers.contains(word(q)), ["n", "ns", "s", "r", "m", "q", "nz", "t", "mq"].contains(tag(q)) { q += 1 }
                    if q > k + 1, q < toks.count, placeClosers.contains(word(q)) { out.append(Fix(position: t.0, replacement: zai, word: "在")) }
                }
            }
            i = j
        }
        return out
    }
}
