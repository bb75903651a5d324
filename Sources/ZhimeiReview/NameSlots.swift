import Foundation

/// Personal names in news copy, found by where they stand: a surname and one or two characters after a role (老汉高维旦,
/// 审计局倪传启) or before a title or a verb of saying (原正市先生, 盛炜彤等专家, 倪传启参加). Names are made of
/// characters that the typo models would otherwise "correct" (旦 → 但, 彤 → 同); the typo models leave them alone.
/// `TypoModel`'s surname rule already covers names segmented into lone characters after a common surname.
enum NameSlots {
    /// Surnames beyond `TypoModel.surnames` (which holds the 130 commonest).
    static let moreSurnames = Scalars.set("盛倪原柳岳齐申左翁靳祁牛洪包葛殷苗聂鲁庞骆焦褚喻俞施蒲尚党耿谷房童温单柏凌裴巫沙宁车查路符阮闵邢詹梅管鲍廉栾穆樊储甘卜季关屈柯景桂蓝滕瞿欧司诸上")
    static let roles = Scalars.words(["书记", "县长", "市长", "镇长", "乡长", "村长", "主任", "局长", "院长", "校长", "所长", "站长", "部长", "厅长", "处长",
                                      "科长", "队长", "组长", "老师", "教师", "记者", "通讯员", "村民", "市民", "居民", "老汉", "老人", "大爷", "大妈",
                                      "阿姨", "专家", "教授", "医生", "护士", "志愿者", "经理", "董事长", "委员", "代表", "干部", "党员", "农民", "工人",
                                      "律师", "民警", "法官", "局", "院", "所", "办", "厅", "处", "委", "站", "社"])
    static let marksAfter = Scalars.words(["先生", "女士", "同志", "等专家", "等人", "等同志", "说", "表示", "介绍", "告诉", "认为", "指出", "强调",
                                           "要求", "主持", "参加", "出席", "讲话", "带队", "一行", "教授", "院士", "博士", "书记", "主任", "局长", "县长",
                                           "市长", "镇长", "村长", "经理", "）", ")"])

    static func isSurname(_ c: UInt32) -> Bool { TypoModel.isSurname(c) || moreSurnames.contains(c) }

    /// Whether `p` lies in such a name.
    static func covers(_ s: [UInt32], _ p: Int) -> Bool {
        for length in 2...3 {
            for start in max(0, p - length + 1)...p where start + length <= s.count && isSurname(s[start]) {
                guard (start..<(start + length)).allSatisfy({ TypoModel.isHan(s[$0]) }) else { continue }
                if roles.contains(where: { Scalars.ends(s, at: start, with: $0) }) || marksAfter.contains(where: { Scalars.begins(s, at: start + length, with: $0) }) {
                    return true
                }
            }
        }
        return false
    }
}
