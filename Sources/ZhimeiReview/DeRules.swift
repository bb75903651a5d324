import Foundation

/// 的/地/得 usage: adverbial modifiers before a verb take 地 (慢慢地走, 缓缓地下降), a verb followed by a degree
/// complement takes 得 (跑得很快). Uses the dictionary's part-of-speech tags on the best segmentation.
struct DeRules {
    static let de: UInt32 = 0x7684, di: UInt32 = 0x5730, de2: UInt32 = 0x5F97
    static let degree: [[UInt32]] = ["很", "非常", "十分", "特别", "太", "更加", "越来越", "不错", "极其", "相当"].map { $0.unicodeScalars.map(\.value) }

    /// `phrase`: found by the verb-phrase rule for news adverbials, whose evidence is the phrase itself (the character
    /// model, learnt from learners' essays, has rarely seen 大力地/有效地 and must not veto it).
    struct Fix { var position: Int; var replacement: UInt32; var confidence: Double; var phrase = false }

    static func scalars(_ words: [String]) -> Set<[UInt32]> { Set(words.map { $0.unicodeScalars.map(\.value) }) }
    /// Words that news copy uses as adverbials before 的 + verb although the dictionary tags them as adjectives, nouns or
    /// verbs (大力 n, 有效 a, 高兴 b …): 大力的推进改革 → 大力地推进. Adjectives also head noun phrases (有效的解决办法,
    /// 有了明显的提高), so for these the verb must go on into a verb phrase (see `continuesAsVerb`).
    static let adverbials = scalars(["大力", "全面", "有效", "高兴", "深入", "扎实", "广泛", "明显", "热情", "耐心", "主动", "及时", "坚定",
                                     "稳妥", "精准", "依法", "严肃", "妥善", "紧密", "显著", "高效", "静静", "热烈", "反复", "准确", "开心",
                                     "愉快", "轻松", "激动", "兴奋", "用心", "细心", "专心", "安静", "紧张", "飞快", "勇敢", "大胆", "有序",
                                     "重重", "深深",
                                     // learners' manner words (辛苦的开公司, 简单的介绍, 成功的制定, 准时的交卷, 生气的说)
                                     "辛苦", "简单", "单纯", "成功", "准时", "莫名", "生气", "好奇", "持续", "不断", "大量", "少量"])
    /// Degree complements that follow 得 as a whole word (高兴得不得了, 冷得要命, 好得很): 的 before them is 得.
    static let degreeComplements = scalars(["不得了", "要命", "很", "极了", "厉害", "不行", "出奇", "半死", "要死"])
    /// Verbs of saying: a manner before them takes 地 (好奇地问：).
    static let speechVerbs = scalars(["说", "问", "回答", "喊", "答", "说道", "问道", "笑道", "喊道", "叫道"])
    /// Verbs whose outcome is judged by a complement (过得怎么样, 长得不错, 考得蛮好), and the judgements that follow them.
    static let complementVerbs = scalars(["过", "长", "睡", "玩", "住", "活", "考", "学", "跑", "唱", "跳", "画", "写", "吃", "穿", "变", "来"])
    static let evaluations: [[UInt32]] = ["怎么样", "好吗", "好不好", "如何", "不错", "不好", "不太好", "蛮", "挺", "还不错", "还好吗", "这么快", "那么快",
                                          "很好", "很开心", "很快乐", "真好", "比"].map { $0.unicodeScalars.map(\.value) }
    /// Set phrases that describe how something is done (不知不觉地, 无论如何地): before a verb, 的 is 地. Idioms in
    /// general are not — 蒸蒸日上的报道, 各种各样的应用 modify nouns the dictionary tags as verbs.
    static let adverbialIdioms = scalars(["不知不觉", "无论如何", "兴高采烈", "小心翼翼", "津津有味", "聚精会神", "全神贯注", "一五一十",
                                          "不由自主", "情不自禁", "自言自语", "毫不犹豫", "不约而同", "争先恐后", "理直气壮", "心甘情愿",
                                          "千方百计", "迫不及待", "大摇大摆", "哈哈大笑", "依依不舍", "恋恋不舍", "慢条斯理", "目不转睛",
                                          "专心致志", "不慌不忙", "默默无语", "滔滔不绝", "一步一步", "一点一点", "一次又一次", "不停"])
    /// Words the dictionary tags as verbs that after 的 are nearly always nouns (共同的回忆, 难忘的经历).
    static let verbalNouns = scalars(["回忆", "记忆", "经历", "感受", "收获", "梦想"])
    /// Potential complements after a one-character verb (看得到, 买得起, 听得懂, 吃得完).
    static let potentialComplements = scalars(["到", "懂", "起", "完", "见", "清楚", "动", "了"])
    static let bian: UInt32 = 0x53D8  // 变
    static let shi: UInt32 = 0x4F7F  // 使
    /// Verbs the dictionary tags otherwise (落实 a, 部署 n).
    static let verbsTaggedOtherwise = scalars(["落实", "部署"])
    /// Verbs the dictionary tags as names (谢谢 nr): after a manner adverb they take 地 (好好的谢谢她).
    static let verbsTaggedAsNames = scalars(["谢谢"])
    /// Words tagged as nouns or adverbs that are verbs when another verb follows them (努力求知, 习惯用中文).
    static let nounTaggedVerbs = scalars(["努力", "习惯"])
    /// What a verb phrase goes on with: aspect particles and directional complements.
    static let verbContinuations = scalars(["了", "着", "过", "起来", "起", "下去", "下来", "出来", "出", "到", "上", "下", "进", "回", "过来", "回来", "开"])
    /// Nouns that a verb + noun compound heads (有效的解决办法 is a noun phrase: 的 is right).
    static let compoundHeads = scalars(["办法", "方法", "方案", "措施", "途径", "手段", "方式", "思路", "机制", "模式", "体系", "对策", "路径", "作用",
                                        "效果", "能力", "过程", "工作", "意见", "建议", "计划", "政策", "服务", "体验", "经验", "目标", "任务",
                                        "水平", "质量", "速度", "结果", "情况", "精神", "态度", "样子", "时候", "时间", "时期", "地方",
                                        "场所", "机会", "条件", "环境", "软件", "系统", "平台", "设备", "技术", "项目", "产品", "对象", "范围",
                                        "领域", "内容", "形式", "材料", "程序", "标准", "制度", "活动"])

    static func fixes(_ s: [UInt32], words: WordStatistics, segments: RunSegments? = nil) -> [Fix] {
        guard words.count > 0 else { return [] }
        var out: [Fix] = []
        var i = 0
        let n = s.count
        while i < n {
            guard TypoModel.isHan(s[i]) else { i += 1; continue }
            var j = i
            while j < n && TypoModel.isHan(s[j]) { j += 1 }
            guard s[i..<j].contains(where: { $0 == de || $0 == de2 || $0 == di }) else { i = j; continue }
            let toks = segments?.segment(s, i, j) ?? s.withUnsafeBufferPointer { words.segment($0, i, j) }
            func tag(_ t: (Int, Int)) -> String { s.withUnsafeBufferPointer { words.tag(WordStatistics.key($0, t.0, t.1)) } }
            for k in 1..<max(1, toks.count) where k + 1 < toks.count {
                let t = toks[k]
                guard t.1 - t.0 == 1 else { continue }
                if s[t.0] == de2 || s[t.0] == di {
                    if let fx = fixOfDiOrDe2(s, toks, k, tag) { out.append(fx) }
                    continue
                }
                guard s[t.0] == de else { continue }
                let prev = toks[k - 1], next = toks[k + 1]
                let pt = tag(prev), nt = tag(next)
                let pl = prev.1 - prev.0
                let redup = isReduplication(s, prev)
                // 的是/的有 nominalise (最深刻的是); a reduplicated kinship noun (哥哥的推荐) is no adverb
                let nominal = next.1 - next.0 == 1 && (s[next.0] == 0x662F || s[next.0] == 0x6709)
                let adverbTag = pt == "ad" || pt == "d" || pt == "z"
                let adverbial = adverbials.contains(Array(s[prev.0..<prev.1])), nextWord = Array(s[next.0..<next.1])
                let verb = nt.hasPrefix("v") && nt != "vn" || verbsTaggedAsNames.contains(nextWord)
                // the word after the verb, if the Han run goes on
                let after: (word: (Int, Int), tag: String)? = k + 2 < toks.count ? (toks[k + 2], tag(toks[k + 2])) : nil
                // 进行认真的研究, 发挥积极的作用: the verb is the object of a light verb, a noun phrase: 的 is right
                let object = !redup && afterLightVerb(s, toks, k - 1)
                let setPhrase = adverbialIdioms.contains(Array(s[prev.0..<prev.1]))  // 不知不觉的赚钱, 无论如何的爱我
                // 积极的作用 (a noun the dictionary tags as a verb); 有充分的估计。, 严格的要求， — an adjective-adverb before a
                // verb that closes the clause modifies it as a noun (news copy, msr_test)
                let nounLike = compoundHeads.contains(nextWord) || verbalNouns.contains(nextWord) || (pt == "ad" && k + 2 == toks.count)
                // 持续的下降: a verb-adverb (vd) before a verb modifies it as an adverb
                if !nominal, !object, !nounLike, (adverbTag || pt == "vd" || (redup && !pt.hasPrefix("n")) || setPhrase) && verb {
                    out.append(Fix(position: t.0, replacement: di, confidence: 0.75))
                } else if !nominal, !object, adverbial || adverbTag,
                          ((adverbial && verb) || verbsTaggedOtherwise.contains(nextWord)) && after.map({ continuesAsVerb(s, $0.word, tag: $0.tag) }) == true
                            || startsWithVerb(s, next, tag: nt, tag) {
                    out.append(Fix(position: t.0, replacement: di, confidence: 0.7, phrase: true))
                } else if !nominal, !object, adverbTag || redup || adverbial, nounTaggedVerbs.contains(nextWord),
                          let a = after, a.tag.hasPrefix("v") && a.tag != "vn" && !verbContinuations.contains(Array(s[a.word.0..<a.word.1])) {
                    // 不断的努力求知, 慢慢的习惯用中文: tagged as nouns, verbs when a verb follows (在大家不断的努力下 keeps 的)
                    out.append(Fix(position: t.0, replacement: di, confidence: 0.7, phrase: true))
                } else if !nominal, !object, speechVerbs.contains(nextWord), k + 2 == toks.count || (k + 3 == toks.count && after.map { $0.tag == "r" || $0.tag == "n" || $0.tag == "nr" } == true),
                          pt == "a" || adverbTag || adverbial || redup {
                    // 高兴的说：, 很好奇的问：, 好奇的问那同学： — a manner before a verb of saying (and whom it addresses) that ends
                    // the run (a colon or quote follows)
                    out.append(Fix(position: t.0, replacement: di, confidence: 0.7, phrase: true))
                } else if pl == 1, pt.hasPrefix("v"), potentialComplements.contains(nextWord) {
                    // 看的到, 买的起, 听的懂: a potential complement takes 得 (到底 is a word of its own)
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7))
                } else if pl == 1, s[prev.0] == shi {
                    // a lone 使 + 的 is 使得 (使的他只好离开); 大使的, 行使的, 即使的 are words of their own
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7))
                } else if pl == 1, s[prev.0] == bian, ["a", "ad", "d", "z"].contains(nt) || nt == "zg" {
                    // 变的困难, 变的很 — 变得 + how it turned out
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7))
                } else if complementVerbs.contains(Array(s[prev.0..<prev.1])), evaluations.contains(where: { e in next.0 + e.count <= j && s[next.0..<(next.0 + e.count)].elementsEqual(e) }) {
                    // 最近过的怎么样, 长的不错, 考的蛮好: how an action went is a complement with 得
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7, phrase: true))
                } else if pt == "v" && degree.contains(where: { d in next.0 + d.count <= j && s[next.0..<(next.0 + d.count)].elementsEqual(d) }) {
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7))
                } else if pt == "a" || pt == "v" || adverbial, degreeComplements.contains(nextWord), after?.tag != "n" {
                    // an adjective with a degree complement ending its clause: 高兴得不得了, 冷得要命, 好得很
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7, phrase: true))
                }
            }
            i = j
        }
        return out
    }

    /// 得 and 地 written where another of the three belongs:
    /// - before a noun that closes its clause, a modifier takes 的 (很无聊得事情。 很方便地事，);
    /// - after an adverb of manner (不停得写信, 不知不觉得察觉), before a verb, 得 is 地 — but not after adverbs that
    ///   take the modal 得 (děi: 就得去, 一定得做).
    static func fixOfDiOrDe2(_ s: [UInt32], _ toks: [(Int, Int)], _ k: Int, _ tag: ((Int, Int)) -> String) -> Fix? {
        let t = toks[k], prev = toks[k - 1], next = toks[k + 1]
        let pt = tag(prev), nt = tag(next)
        let prevWord = Array(s[prev.0..<prev.1]), nextWord = Array(s[next.0..<next.1])
        let pl = prev.1 - prev.0
        let redup = isReduplication(s, prev)
        // two characters or more, and not one that takes the modal 得 (还得靠山, 一定得去)
        let mannerAdverb = pt == "d" && pl >= 2 && !modalAdverbs.contains(prevWord)
        if s[t.0] == de2 && clauseNouns.contains(nextWord) { return Fix(position: t.0, replacement: de, confidence: 0.7) }
        // a noun (or a verbal noun: 做好得工作。) closing the clause. Only a written 得: 高兴地工作。 is right, and 地 before a
        // noun was tried — the dictionary tags too many verbs as nouns (简单地视讯, 夸张地断言): 5 false alarms for 3 finds
        // on dev and news copy, even with the language model's assent
        if s[t.0] == de2 && k + 2 == toks.count && (nt == "n" || nt == "vn") && !degreeComplements.contains(nextWord) {
            let modifier = ["a", "ad", "an", "v", "i", "l", "z"].contains(pt) || redup || mannerAdverb
            return modifier ? Fix(position: t.0, replacement: de, confidence: 0.7) : nil
        }
        guard s[t.0] == de2, nt.hasPrefix("v"), nt != "vn" else { return nil }
        let manner = mannerAdverb || pt == "z" || ((pt == "i" || pt == "l") && pl >= 4)
            || (redup && !pt.hasPrefix("n"))
        return manner ? Fix(position: t.0, replacement: di, confidence: 0.7) : nil
    }
    /// Whether word `w` is a reduplication: AA (慢慢, 好好) or AABB (开开心心).
    static func isReduplication(_ s: [UInt32], _ w: (Int, Int)) -> Bool {
        let l = w.1 - w.0
        return (l == 2 && s[w.0] == s[w.0 + 1]) || (l == 4 && s[w.0] == s[w.0 + 1] && s[w.0 + 2] == s[w.0 + 3])
    }
    /// Nouns that only a 的 phrase modifies (我回越南得时候 → 的时候).
    static let clauseNouns = scalars(["时候"])
    /// Adverbs before the modal 得 (děi, "must"): 一定得去, 必须得做.
    static let modalAdverbs = scalars(["一定", "必须", "还是", "总是", "非得", "就是", "恐怕", "可能", "也许", "大概", "现在", "今天", "明天",
                                       "马上", "立刻", "迟早", "早晚", "终究", "到底", "真是", "实在", "真的", "都"])

    /// Verbs whose object is a verb made noun (进行认真的研究, 发挥积极的作用, 有了进一步的认识, 加以必要的限制), found
    /// flagged on clean news copy (msr_test).
    static let lightVerbs = scalars(["进行", "作", "做", "作出", "做出", "加以", "给予", "予以", "给以", "得到", "受到", "具有", "发挥",
                                     "产生", "起", "起到", "引起", "实行", "实施", "开展", "展开", "得以", "获得", "取得", "缺乏", "致以"])
    /// What may stand between the light verb and the modifier (产生了积极的作用, 发挥更加积极的作用).
    static let lightVerbGap = scalars(["了", "过", "很", "更", "更加", "非常", "十分", "较", "比较", "最", "极为", "特别", "相当", "一定", "一番"])

    /// Whether the modifier at token `m` follows a light verb, with at most two gap words between. 有 counts only as 有了
    /// (有了进一步的认识): 才有慢慢的接触 is a learner's 地.
    static func afterLightVerb(_ s: [UInt32], _ toks: [(Int, Int)], _ m: Int) -> Bool {
        var q = m - 1
        var gaps: [[UInt32]] = []
        while q >= 0, gaps.count < 2, case let w = Array(s[toks[q].0..<toks[q].1]), lightVerbGap.contains(w) { gaps.append(w); q -= 1 }
        guard q >= 0 else { return false }
        let verb = Array(s[toks[q].0..<toks[q].1])
        if verb == you { return gaps.contains(le) }  // 有 + 了 as two words
        return lightVerbs.contains(verb) || verb == you + le
    }
    static let you = Array("有".unicodeScalars.map(\.value)), le = Array("了".unicodeScalars.map(\.value))

    static let negators = Set("不没未别".unicodeScalars.map(\.value))

    /// A set phrase that is a verb phrase itself (推进改革 l): four characters or more, its first two a verb.
    static func startsWithVerb(_ s: [UInt32], _ w: (Int, Int), tag: String, _ tagOf: ((Int, Int)) -> String) -> Bool {
        // 未知数 (three characters) is a noun; a negated phrase is a degree complement (高兴得不得了 takes 得)
        guard tag == "l" || tag == "i", w.1 - w.0 >= 4, !negators.contains(s[w.0]) else { return false }
        let head = tagOf((w.0, w.0 + 2))
        // 应用软件, 休息时间: a verb + noun compound is a noun phrase
        return head.hasPrefix("v") && head != "vn" && !compoundHeads.contains(Array(s[(w.0 + 2)..<w.1]))
    }

    /// Whether the word after a verb makes it a verb phrase: an aspect particle or complement, or an object or a
    /// second verb — not the head of a verb + noun compound, and not 的 (大力的支持的结果).
    static func continuesAsVerb(_ s: [UInt32], _ w: (Int, Int), tag: String) -> Bool {
        let word = Array(s[w.0..<w.1])
        if verbContinuations.contains(word) { return true }
        if compoundHeads.contains(word) || word == [de] { return false }
        return tag.hasPrefix("n") || tag.hasPrefix("v") || ["r", "m", "q", "a", "l", "i"].contains(tag)
    }
}
