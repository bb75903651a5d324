import Foundation
import ZhimeiText

/// Built-in list of commonly misused words and idioms (常见易错词): wrong form → right form.
/// Every wrong form here is wrong in any context (no valid word contains it), so a hit is a finding.
enum MisusedWords {
    /// "wrong→right" pairs, grouped by kind. Curated for Simplified Chinese news copy.
    static let words: [String] = [
        // 错别字 in common words
        "按装→安装", "安祥→安详", "按步就班→按部就班", "暴乱→暴乱", "辨论→辩论", "辩认→辨认", "辩别→辨别", "分辩是非→分辨是非",
        "震憾→震撼", "松驰→松弛", "气慨→气概", "慷概→慷慨", "既使→即使", "即然→既然", "幅射→辐射", "辐员→幅员", "部署→部署",
        "装璜→装潢", "渲泄→宣泄", "宣染→渲染", "针贬→针砭", "蜇伏→蛰伏", "赝品→赝品", "膺品→赝品", "寒喧→寒暄", "精萃→精粹",
        "荟粹→荟萃", "国粹→国粹", "竣工→竣工", "峻工→竣工", "悬梁刺骨→悬梁刺股", "墨守陈规→墨守成规", "陈词烂调→陈词滥调",
        "再接再励→再接再厉", "迫不急待→迫不及待", "一股作气→一鼓作气", "一愁莫展→一筹莫展", "穿流不息→川流不息", "川流不止→川流不息",
        "默守成规→墨守成规", "甘拜下封→甘拜下风", "谈笑风声→谈笑风生", "名符其实→名副其实", "出奇不意→出其不意", "走头无路→走投无路",
        "原形必露→原形毕露", "额首称庆→额手称庆", "张冠李带→张冠李戴", "变本加利→变本加厉", "黄梁美梦→黄粱美梦", "声名雀起→声名鹊起",
        "金榜提名→金榜题名", "一张一驰→一张一弛", "蛛丝蚂迹→蛛丝马迹", "世外桃园→世外桃源", "插科打浑→插科打诨", "鬼鬼崇崇→鬼鬼祟祟",
        "不径而走→不胫而走", "破斧沉舟→破釜沉舟", "病入膏盲→病入膏肓", "人才辈出→人才辈出", "人才倍出→人才辈出", "明辩是非→明辨是非",
        "大相径廷→大相径庭", "按部就搬→按部就班", "无耻滥调→无耻滥调", "谈何容易→谈何容易", "事半功陪→事半功倍", "重峦叠障→重峦叠嶂",
        "貌和神离→貌合神离", "不可思意→不可思议", "不加思索→不假思索", "不能自己→不能自已", "挺而走险→铤而走险", "针锋相见→针锋相对",
        "直接了当→直截了当", "自抱自弃→自暴自弃", "再所难免→在所难免", "在所不辞→在所不辞", "再所不辞→在所不辞", "好高鹜远→好高骛远",
        "趋之若鹜→趋之若鹜", "趋之若骛→趋之若鹜", "意气风法→意气风发", "一如继往→一如既往", "一如即往→一如既往", "既往不究→既往不咎",
        "坐阵指挥→坐镇指挥", "委屈求全→委曲求全", "迫在眉捷→迫在眉睫", "言简意骇→言简意赅", "滥芋充数→滥竽充数", "山青水秀→山清水秀",
        "锋芒必露→锋芒毕露", "历历再目→历历在目", "沤心沥血→呕心沥血", "呕心呖血→呕心沥血", "食不裹腹→食不果腹", "提纲挈领→提纲挈领",
        "提纲携领→提纲挈领", "粗制烂造→粗制滥造", "暗然失色→黯然失色", "黯然消魂→黯然销魂", "一泄千里→一泻千里", "功亏一匮→功亏一篑",
        "振聋发馈→振聋发聩", "发人深醒→发人深省", "美仑美奂→美轮美奂", "矫揉造做→矫揉造作", "既往开来→继往开来", "继往开来→继往开来",
        "莫衷一事→莫衷一是", "如火如茶→如火如荼", "天翻地复→天翻地覆", "沧海一栗→沧海一粟", "英雄倍出→英雄辈出", "关怀倍至→关怀备至",
        "无微不致→无微不至", "人声鼎沸→人声鼎沸", "人生鼎沸→人声鼎沸", "通霄达旦→通宵达旦", "出类拔粹→出类拔萃", "绿草如荫→绿草如茵",
        "哀声叹气→唉声叹气", "按图索冀→按图索骥", "层峦叠翠→层峦叠翠", "谈虎色变→谈虎色变", "谈虎变色→谈虎色变", "纷至踏来→纷至沓来",
        "一股脑→一股脑", "鞠躬尽粹→鞠躬尽瘁", "鞠躬尽萃→鞠躬尽瘁", "兴高彩烈→兴高采烈", "无精打彩→无精打采", "没精打彩→没精打采",
        "丰富多采→丰富多彩", "五采缤纷→五彩缤纷", "精兵减政→精兵简政", "再生父母→再生父母", "迥然不同→迥然不同", "迴然不同→迥然不同",
        "消声匿迹→销声匿迹", "声名狼籍→声名狼藉", "杯盘狼籍→杯盘狼藉", "出人投地→出人头地", "相形见拙→相形见绌", "自顾不暇→自顾不暇",
        "应接不遐→应接不暇", "目不遐接→目不暇接", "完美无暇→完美无瑕", "白璧无暇→白璧无瑕", "怨天忧人→怨天尤人", "情不自尽→情不自禁",
        "忍俊不止→忍俊不禁", "弱不经风→弱不禁风", "悬崖勒马→悬崖勒马", "悬涯勒马→悬崖勒马", "甜言密语→甜言蜜语", "走投无路→走投无路",
        "心急火撩→心急火燎", "火烧火撩→火烧火燎", "迫不得己→迫不得已", "不得己→不得已", "知己知被→知己知彼", "汗流夹背→汗流浃背",
        "一筹莫展→一筹莫展", "勿庸置疑→毋庸置疑", "无庸置疑→毋庸置疑", "毋容置疑→毋庸置疑", "勿须→毋须", "谈笑风声→谈笑风生",
        "仗义直言→仗义执言", "义不容词→义不容辞", "义无返顾→义无反顾", "共商国事→共商国是", "爱屋及乌→爱屋及乌", "爱屋及鸟→爱屋及乌",
        "穷兵黩武→穷兵黩武", "穷兵渎武→穷兵黩武", "各行其事→各行其是", "自立更生→自力更生", "循规导矩→循规蹈矩", "循序渐近→循序渐进",
        "变化莫侧→变化莫测", "高深莫侧→高深莫测", "礼上往来→礼尚往来", "众志成诚→众志成城", "卧薪尝胆→卧薪尝胆", "卧薪偿胆→卧薪尝胆",
        "防范于未然→防患于未然", "大声急呼→大声疾呼", "待价而估→待价而沽", "独挡一面→独当一面", "甘败下风→甘拜下风",
        "留芳百世→流芳百世", "明查暗访→明察暗访", "相辅相承→相辅相成", "脍灸人口→脍炙人口", "矫柔造作→矫揉造作", "人情事故→人情世故",
        "百战不待→百战不殆", "急流涌退→急流勇退", "披星带月→披星戴月", "记忆尤新→记忆犹新", "振聋发愦→振聋发聩", "再所不惜→在所不惜",
        "以身作责→以身作则", "入场卷→入场券", "修茸→修葺", "装祯→装帧", "暮蔼→暮霭", "宣泻→宣泄", "九宵→九霄", "针炙→针灸", "布署→部署",
        "励行节约→厉行节约", "默默无文→默默无闻", "置之度外→置之度外", "至之度外→置之度外", "入不付出→入不敷出", "入不敷支→入不敷出", "无可非义→无可非议",
        "口干舌噪→口干舌燥", "可见一斑→可见一斑", "可见一般→可见一斑", "一诺千斤→一诺千金", "一视同人→一视同仁", "心旷神怡→心旷神怡",
        "心旷神贻→心旷神怡", "如雷灌耳→如雷贯耳", "有持无恐→有恃无恐", "提心掉胆→提心吊胆", "伶牙利齿→伶牙俐齿", "凭心而论→平心而论",
        // 常见错词
        "账篷→帐篷", "帐目→账目", "报帐→报账", "结帐→结账", "对帐→对账", "欠帐→欠账", "帐户→账户", "帐号→账号", "帐单→账单",
        "消炎→消炎", "防碍→妨碍", "防害→妨害", "妨止→防止", "妨御→防御", "妨范→防范", "妨治→防治", "竟赛→竞赛", "竞然→竟然",
        "毕竞→毕竟", "竞争力→竞争力", "竟争→竞争", "脉膊→脉搏", "膊斗→搏斗", "赌搏→赌博", "博斗→搏斗", "拼博→拼搏", "搏学→博学",
        "渡假→度假", "欢渡→欢度", "过渡时期→过渡时期", "座谈会→座谈会", "坐谈会→座谈会", 
        "讲座→讲座", "讲坐→讲座", "一坐城市→一座城市", "曲指可数→屈指可数",
        "屈指可数→屈指可数", "蜂涌→蜂拥", "蜂涌而至→蜂拥而至", "重叠→重叠", "重迭→重叠", "叠起→叠起", "迭起→迭起", "更迭→更迭",
        "更叠→更迭", "叠加→叠加", "迭加→叠加", "暴发户→暴发户", "爆发户→暴发户", "山洪爆发→山洪暴发", "一幅对联→一副对联",
        "一付眼镜→一副眼镜", "一付手套→一副手套", "副作用→副作用", "付作用→副作用", "付总经理→副总经理", "付主任→副主任",
        "付市长→副市长", "付省长→副省长", "付部长→副部长", "付局长→副局长", "付书记→副书记", "付教授→副教授", "付主席→副主席",
        "通迅→通讯", "通汛→通讯", "汛息→讯息", "防讯→防汛", "讯期→汛期", "嘹望→瞭望", "一如继往→一如既往",
        "神洲→神州", "亚州→亚洲", "欧州→欧洲", "非州→非洲", "美州→美洲", "澳州→澳洲", "五大州→五大洲",
        "七大州→七大洲", "侯车→候车", "侯选人→候选人", "等侯→等候", "问侯→问候", "气侯→气候", "时侯→时候", "火侯→火候",
        "症侯→症候", "候爵→侯爵", "王候→王侯", "既便→即便", "即便如此→即便如此", "既将→即将", "即使→即使", 
        "既而→既而", "必竟→毕竟", "竟管→尽管", "尽快→尽快", "不尽然→不尽然", "尽职尽责→尽职尽责", "进职进责→尽职尽责",
        "再三→再三", "再次→再次", "再接再历→再接再厉", "安排→安排", "按排→安排", "按置→安置", "安全帽→安全帽",
        "贪脏→贪赃", "贪脏枉法→贪赃枉法", "肮赃→肮脏", "赃款→赃款", "脏款→赃款", "赃物→赃物", 
        "追朔→追溯", "回朔→回溯", "朔源→溯源", "溯源→溯源", "精典→经典", "经典→经典", "决择→抉择", "抉定→决定", "坚苦奋斗→艰苦奋斗",
        "艰苦卓绝→艰苦卓绝", "坚苦卓绝→艰苦卓绝", "艰难→艰难", "坚难→艰难", "急燥→急躁", "烦燥→烦躁", "干躁→干燥", "枯躁→枯燥",
        "暴躁→暴躁", "暴燥→暴躁", "躁音→噪音", "噪声→噪声", "躁声→噪声", "蹩脚→蹩脚", "憋脚→蹩脚", "忧郁→忧郁", "犹郁→忧郁",
        "犹豫→犹豫", "尤豫→犹豫", "尤如→犹如", "犹如→犹如", "由衷→由衷", "由忠→由衷", "融汇贯通→融会贯通", "融会贯通→融会贯通",
        "汇合→汇合", "会合→会合", "一幅画→一幅画", "渊缘→渊源", "源远流长→源远流长", "渊远流长→源远流长", "原远流长→源远流长",
        "原材料→原材料", "高屋建瓴→高屋建瓴", "高屋建翎→高屋建瓴", "天网恢恢→天网恢恢", "言行一至→言行一致",
        "专心致志→专心致志", "专心至志→专心致志", "致力于→致力于", "至力于→致力于", "以至于→以至于", "不致于→不至于", "导致→导致",
        "标致→标致", "标志→标志", "标识→标识", "雅致→雅致", "兴致→兴致", "景致→景致", "精致→精致",
        "细致→细致", "一致→一致", "一至通过→一致通过", "大致→大致", "以致→以致",
        "其它→其他", "截止目前→截至目前", "截止到→截至", "截止今年→截至今年", "截止去年→截至去年", "截止日前→截至日前",
        "截止发稿时→截至发稿时", "截止记者发稿时→截至记者发稿时", "截止昨天→截至昨天", "截止今天→截至今天", "截止本月→截至本月",
        "截止上月→截至上月", "截止本周→截至本周", "截止年底→截至年底", "截止年末→截至年末", "截止月底→截至月底",
        "做为→作为", "座落→坐落", "坐落于→坐落于", "渡假村→度假村", "度假村→度假村", "蕃茄→番茄", "番茄→番茄",
        "搬迁→搬迁", "般迁→搬迁", "粘贴→粘贴", "沾贴→粘贴", "不分伯仲→不分伯仲", "不分伯中→不分伯仲", "侯鸟→候鸟", "候鸟→候鸟",
        "编篡→编纂", "篡改→篡改", "纂改→篡改", "篡位→篡位", "纂位→篡位", "发韧→发轫", "韧性→韧性", "坚忍不拔→坚忍不拔",
        "坚韧不拔→坚韧不拔", "针砭时弊→针砭时弊", "针贬时弊→针砭时弊", "贻笑大方→贻笑大方", "遗笑大方→贻笑大方", "贻误→贻误",
        "遗误→贻误", "怡然自得→怡然自得", "宜然自得→怡然自得", "启迪→启迪", "启笛→启迪", "启程→启程", "起锚→起锚",
        "启锚→起锚", "鼎立相助→鼎力相助", "鼎力支持→鼎力支持", "鼎立支持→鼎力支持", "三足鼎力→三足鼎立", "三足鼎立→三足鼎立",
        "按捺不住→按捺不住", "按奈不住→按捺不住", "按耐不住→按捺不住", "不落窠臼→不落窠臼", "不落巢臼→不落窠臼", "窠臼→窠臼",
        "尴尬→尴尬", "尬尴→尴尬", "囊括→囊括", "蹉跎→蹉跎", "磋砣→蹉跎", "切磋→切磋", "切蹉→切磋", "磋商→磋商", "蹉商→磋商",
        "迁徙→迁徙", "迁徒→迁徙", "徙步→徒步", "徒步→徒步", "彗星→彗星", "慧星→彗星", "智慧→智慧", "智彗→智慧", "聪慧→聪慧",
        "聪彗→聪慧", "发祥地→发祥地", "发样地→发祥地", "吉祥→吉祥", "吉详→吉祥", "详细→详细", "祥细→详细", "安详→安详",
        "端详→端详", "端祥→端详", "不详→不详", "不祥之兆→不祥之兆", "不详之兆→不祥之兆", "斑斓→斑斓", "斑澜→斑斓", "斑驳→斑驳",
        "班门弄斧→班门弄斧", "斑门弄斧→班门弄斧", "颁发→颁发", "颁布→颁布", 
    ]

    /// The automaton over every wrong form (built once per process; pattern index = index in `pairs`).
    static let matcher = PatternMatcher(patterns: pairs.map(\.wrong), folding: [])

    /// Parsed (wrong, right) pairs with identical or empty entries dropped.
    static let pairs: [(wrong: String, right: String)] = {
        var seen = Set<String>()
        var out: [(String, String)] = []
        for e in words {
            let p = e.components(separatedBy: "→")
            guard p.count == 2, p[0] != p[1], !p[0].isEmpty, seen.insert(p[0]).inserted else { continue }
            out.append((p[0], p[1]))
        }
        return out
    }()

    /// Where 截止 is followed by a date or number (截止11月底, 截止2025年, 截止三季度末): "up to" a time is 截至; 截止
    /// means "closes" and stands after its date (报名于11月30日截止). The fixed pairs above cover 截止目前, 截止今年 and
    /// the like; this covers every date. Returns the start of each such 截止.
    static func cutoffsBeforeDates(_ s: [UInt32]) -> [Int] {
        var out: [Int] = []
        var i = 0
        while i + 2 < s.count {
            if s[i] == 0x622A, s[i + 1] == 0x6B62, isNumeral(s[i + 2]) { out.append(i); i += 2 } else { i += 1 }
        }
        return out
    }

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
            // 朋友门 → 朋友们 (not 朋友门口)
            if s[i] == men, i > 0, !(i + 1 < s.count && doorPlaces.contains(s[i + 1])),
               let noun = peopleNouns.first(where: { NameSlots.ends(s, at: i, with: $0) }), !noun.isEmpty {
                out.append(InContext(at: i, wrong: "门", right: "们", word: String(String.UnicodeScalarView(noun.compactMap(UnicodeScalar.init))) + "们"))
            }
        }
        return out
    }
    static let ba: UInt32 = 0x628A, a: UInt32 = 0x963F, bu: UInt32 = 0x4E0D, ying: UInt32 = 0x5E94, wei: UInt32 = 0x4E3A, shiVerb: UInt32 = 0x662F
    static let men: UInt32 = 0x95E8
    static let sentenceEnds = Set("。！？!?".unicodeScalars.map(\.value))
    static let clauseEnds = Set("。！？!?，,、；;：:".unicodeScalars.map(\.value))
    static let classifierTakers = Set("一这那几两每某".unicodeScalars.map(\.value))
    static let doorPlaces = Set("口前外里上下边旁".unicodeScalars.map(\.value))
    static let peopleNouns = NameSlots.words(["朋友", "同学", "少年", "邻居", "孩子", "学生", "老师", "女生", "男生", "同事", "家人", "亲人",
                                              "哥哥", "姐姐", "弟弟", "妹妹", "伙伴", "先生", "女士", "年轻人", "人"])
    static let shou: UInt32 = 0x53D7, dao: UInt32 = 0x5230, xin: UInt32 = 0x4FE1
    /// Things one receives by post or message (收到…), not 受到.
    static let mail = NameSlots.words(["照片", "礼物", "邮件", "包裹", "短信", "来信", "卡片", "邀请卡", "明信片", "贺卡", "红包", "信件", "电报", "快递"])
    /// After 信, a word that is not a letter (信任, 信息 …).
    static let notLetter = Set("任赖心息念仰誉用号件箱".unicodeScalars.map(\.value))
    /// Whether what is sent is named in the 12 characters after 受到, within its clause.
    static func receivesMail(_ s: [UInt32], after p: Int) -> Bool {
        var q = p
        while q < s.count, q < p + 12, !clauseEnds.contains(s[q]) {
            if s[q] == xin, !(q + 1 < s.count && notLetter.contains(s[q + 1])) { return true }
            if mail.contains(where: { NameSlots.begins(s, at: q, with: $0) }) { return true }
            q += 1
        }
        return false
    }
    /// Whether a reason clause opens at `p` (是, 有 or a pronoun).
    static func opensReason(_ s: [UInt32], _ p: Int) -> Bool {
        ["是", "有", "我", "你", "他", "她", "它"].contains { NameSlots.begins(s, at: p, with: $0.unicodeScalars.map(\.value)) }
    }
    /// What may count hours before 小时 (两小时后, 一个小时后, 半小时后, 几小时后).
    static let counts = Set("〇一二两三四五六七八九十百千几半多个数每".unicodeScalars.map(\.value))
    /// Characters after which 一 is the number one (之一, 第一, 唯一, 统一, 单一, 同一, 逐一, 万一, 十一).
    static let beforeNumberOne = Set("之第唯统单同逐万十〇一二三四五六七八九百千".unicodeScalars.map(\.value))

    /// ASCII or full-width digits, and the Chinese numerals a date starts with.
    static func isNumeral(_ c: UInt32) -> Bool {
        (0x30...0x39).contains(c) || (0xFF10...0xFF19).contains(c)
            || [0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341].contains(c)  // 〇一二三四五六七八九十
    }
}
