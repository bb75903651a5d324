import Foundation
import ZhimeiText

/// Misused characters that only their neighbours reveal (the context rules of `typo.misused`).
extension MisusedWords {
    /// A misused character found by its neighbours: `at` is the character to replace with `right`.
    struct InContext { var at: Int; var wrong: String; var right: String; var word: String }

    /// Misused characters that only their neighbours reveal:
    /// - 小时后 with no count before it is 小时候 "childhood" (我小时后 → 我小时候); 两小时后 / 一个小时后 are times;
    /// - 一前 / 一后 after a word are 以前 / 以后 (睡觉一后, 很久一前), except after 之/第/唯/统/单/同/逐/万/十 (之一后, 第一前) and in
    ///   一前一后;
    /// - 把 or 阿 closing a clause are 吧 and 啊; 是应为 and a clause opening with 应为 + 是/有/a pronoun are 因为; 朋友门 is 朋友们;
    ///   受到 a letter, a photo or a parcel is 收到.
    static func inContext(_ s: [UInt32]) -> [InContext] {
        var out: [InContext] = []
        let xiao: UInt32 = 0x5C0F, shi: UInt32 = 0x65F6, hou: UInt32 = 0x540E, qian: UInt32 = 0x524D, yi: UInt32 = 0x4E00
        for i in s.indices {
            if s[i] == xiao, i + 2 < s.count, s[i + 1] == shi, s[i + 2] == hou, i > 0, TypoModel.isHan(s[i - 1]), !counts.contains(s[i - 1]) {
                out.append(InContext(at: i + 2, wrong: "后", right: "候", word: "小时候"))
            }
            if s[i] == yi, i + 1 < s.count, s[i + 1] == qian || s[i + 1] == hou, i > 0, TypoModel.isHan(s[i - 1]), !beforeNumberOne.contains(s[i - 1]),
               !(i + 2 < s.count && s[i + 2] == yi), !(i >= 2 && s[i - 2] == yi) {
                out.append(InContext(at: i, wrong: "一", right: "以", word: s[i + 1] == qian ? "以前" : "以后"))
            }
            // 把 ends no clause (决定把。 → 吧), except as a classifier (拉他们一把。)
            if s[i] == ba, i + 1 == s.count || sentenceEnds.contains(s[i + 1]), i > 0, TypoModel.isHan(s[i - 1]), !classifierTakers.contains(s[i - 1]) {
                out.append(InContext(at: i, wrong: "把", right: "吧", word: "吧"))
            }
            // 阿 ends no clause (发现我阿！ → 啊), except in 刚正不阿
            if s[i] == a, i + 1 < s.count, clauseEnds.contains(s[i + 1]), i > 0, TypoModel.isHan(s[i - 1]), s[i - 1] != bu {
                out.append(InContext(at: i, wrong: "阿", right: "啊", word: "啊"))
            }
            // 是应为 and a clause opening with 应为 + 是/有/a pronoun are 因为 (是应为我的爸爸, 。应为我们…); 应为群众办实事 is right
            if s[i] == ying, i + 2 < s.count, s[i + 1] == wei,
               (i > 0 && s[i - 1] == shiVerb) || ((i == 0 || clauseEnds.contains(s[i - 1])) && opensReason(s, i + 2)) {
                out.append(InContext(at: i, wrong: "应", right: "因", word: "因为"))
            }
            // 受到 what is sent is 收到 (受到你的信, 受到了一封邀请卡); 受到信任 and 受到影响 stay
            if s[i] == shou, i + 1 < s.count, s[i + 1] == dao, receivesMail(s, after: i + 2) {
                out.append(InContext(at: i, wrong: "受", right: "收", word: "收到"))
            }
            // 作法, 作生意 and 作事 are 做法, 做生意 and 做事 (not 工作法规, 作法自毙, 合作生意, 工作事项)
            if s[i] == zuo, i + 1 < s.count, !(i > 0 && zuoCompounds.contains(s[i - 1])) {
                let method = s[i + 1] == fa && !(i + 2 < s.count && s[i + 2] == zi)
                let deed = s[i + 1] == affair && !(i + 2 < s.count && notDeed.contains(s[i + 2]))
                if method || deed || Scalars.begins(s, at: i + 1, with: business) {
                    out.append(InContext(at: i, wrong: "作", right: "做", word: method ? "做法" : deed ? "做事" : "做生意"))
                }
            }
            // 跟 before a pronoun (根她坐车 → 跟她), not 扎根他乡 or 树根
            if s[i] == gen, i + 1 < s.count, pronouns.contains(s[i + 1]), !(i > 0 && rootCompounds.contains(s[i - 1])),
               !(i + 2 < s.count && s[i + 2] == xiang) {
                out.append(InContext(at: i, wrong: "根", right: "跟", word: "跟"))
            }
            // 我的心理永远…, 心理面: the heart as a place is 心里 (心理健康, 心理压力 stay)
            if s[i] == heart, i + 2 < s.count, s[i + 1] == li, i > 0, heartOwners.contains(s[i - 1]),
               s[i + 2] == mian || innerStates.contains(where: { Scalars.begins(s, at: i + 2, with: $0) }) {
                out.append(InContext(at: i + 1, wrong: "理", right: "里", word: "心里"))
            }
            // 这么 + a verb asked about is 怎么 (不知道该这么过, 先教我这么用电脑, 我这么办？); 就这么做吧 stays
            if s[i] == zhe, i + 2 < s.count, s[i + 1] == me, howVerbs.contains(where: { Scalars.begins(s, at: i + 2, with: $0) }), asksHow(s, i) {
                out.append(InContext(at: i, wrong: "这", right: "怎", word: "怎么"))
            }
            // 朋友门 → 朋友们 (not 朋友门口)
            if s[i] == men, i > 0, !(i + 1 < s.count && doorPlaces.contains(s[i + 1])),
               let noun = peopleNouns.first(where: { Scalars.ends(s, at: i, with: $0) }) {
                out.append(InContext(at: i, wrong: "门", right: "们", word: UTF8Scalars.string(noun) + "们"))
            }
        }
        return out
    }
    static let ba: UInt32 = 0x628A, a: UInt32 = 0x963F, bu: UInt32 = 0x4E0D, ying: UInt32 = 0x5E94, wei: UInt32 = 0x4E3A, shiVerb: UInt32 = 0x662F
    static let men: UInt32 = 0x95E8
    static let zuo: UInt32 = 0x4F5C, fa: UInt32 = 0x6CD5, zi: UInt32 = 0x81EA, gen: UInt32 = 0x6839, xiang: UInt32 = 0x4E61
    static let heart: UInt32 = 0x5FC3, li: UInt32 = 0x7406, mian: UInt32 = 0x9762
    static let business = Scalars.words(["生意"])[0]
    static let zhe: UInt32 = 0x8FD9, me: UInt32 = 0x4E48  // 这, 么
    /// Verbs whose manner is asked with 怎么 (怎么用, 怎么过, 怎么办).
    static let howVerbs = Scalars.words(["用", "过", "写", "办", "做", "念", "读", "走", "说", "去", "解决", "处理", "回答", "学", "穿", "吃", "玩"])
    /// Words before 这么 in the same clause that make it a question of manner (不知道该这么…, 教我这么…).
    static let howCues = Scalars.words(["不知道", "知道", "记得", "学会", "告诉我", "告诉你", "问", "想想", "看看", "教我", "教你", "明白", "懂得"])
    /// Whether the clause around 这么 at `p` asks how: it ends with a question mark, or a cue stands before it in the clause.
    static func asksHow(_ s: [UInt32], _ p: Int) -> Bool {
        var a = p
        while a > 0, !clauseEnds.contains(s[a - 1]) { a -= 1 }
        var b = p
        while b < s.count, !clauseEnds.contains(s[b]) { b += 1 }
        if b < s.count, s[b] == 0xFF1F || s[b] == 0x3F { return true }
        return (a..<p).contains { q in howCues.contains { Scalars.begins(s, at: q, with: $0) && q + $0.count <= p } }
    }
    static let affair: UInt32 = 0x4E8B  // 事
    /// After 作事, what makes 事 part of another word (作事业, 作事项, 作事务).
    static let notDeed = Scalars.set("业项务件宜实故例迹")
    /// Words ending in 作 that 法 or 生意 may follow (工作法规, 写作法, 操作法, 合作生意).
    static let zuoCompounds = Scalars.set("工写创操耕合协动制炒劳")
    static let pronouns = Scalars.set("我你他她它您")
    /// Words ending in 根 (树根, 扎根, 病根, 归根).
    static let rootCompounds = Scalars.set("树草扎生病祸须寻盘归牙耳发命词银劣球一两几这那百千块")
    /// Whose heart: 我的心里, 在心里, 她心里.
    static let heartOwners = Scalars.set("的在我你他她们")
    /// What a heart as a place goes on with (心里永远…, 心里空虚); 心理 + noun (健康, 压力) is psychology.
    static let innerStates = Scalars.words(["永远", "只有", "不但", "空虚", "不舒服", "难受", "一直", "总是", "暗暗", "默默", "想着", "却", "好像"])
    static let sentenceEnds = Scalars.set("。！？!?")
    static let clauseEnds = Scalars.set("。！？!?，,、；;：:")
    static let classifierTakers = Scalars.set("一这那几两每某")
    static let doorPlaces = Scalars.set("口前外里上下边旁")
    static let peopleNouns = Scalars.words(["朋友", "同学", "少年", "邻居", "孩子", "学生", "老师", "女生", "男生", "同事", "家人", "亲人",
                              "哥哥", "姐姐", "弟弟", "妹妹", "伙伴", "先生", "女士", "年轻人", "人"])
    static let shou: UInt32 = 0x53D7, dao: UInt32 = 0x5230, xin: UInt32 = 0x4FE1
    /// Things one receives by post or message (收到…), not 受到.
    static let mail = Scalars.words(["照片", "礼物", "邮件", "包裹", "短信", "来信", "卡片", "邀请卡", "明信片", "贺卡", "红包", "信件", "电报", "快递"])
    /// After 信, a word that is not a letter (信任, 信息 …).
    static let notLetter = Scalars.set("任赖心息念仰誉用号件箱")
    /// Whether what is sent is named in the 12 characters after 受到, within its clause.
    static func receivesMail(_ s: [UInt32], after p: Int) -> Bool {
        var q = p
        while q < s.count, q < p + 12, !clauseEnds.contains(s[q]) {
            if s[q] == xin, !(q + 1 < s.count && notLetter.contains(s[q + 1])) { return true }
            if mail.contains(where: { Scalars.begins(s, at: q, with: $0) }) { return true }
            q += 1
        }
        return false
    }
    /// What opens a reason clause: 是, 有 or a pronoun.
    static let reasonOpeners = Scalars.set("是有我你他她它")
    /// Whether a reason clause opens at `p`.
    static func opensReason(_ s: [UInt32], _ p: Int) -> Bool { p < s.count && reasonOpeners.contains(s[p]) }
    /// What may count hours before 小时 (两小时后, 一个小时后, 半小时后, 几小时后).
    static let counts = Scalars.set("〇一二两三四五六七八九十百千几半多个数每")
    /// Characters after which 一 is the number one (之一, 第一, 唯一, 统一, 单一, 同一, 逐一, 万一, 十一).
    static let beforeNumberOne = Scalars.set("之第唯统单同逐万十〇一二三四五六七八九百千")
}
