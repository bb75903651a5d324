import Foundation
import ZhimeiText

/// Language of a lead: zh-Hans, zh-Hant, en or other.
///
/// Heuristic: count Han characters and Latin letters. Mostly Latin letters (and few Han) → en; mostly Han →
/// Chinese, then Traditional when (a) characters from a list of common Traditional-only forms make up at least
/// 3% of the Han characters (two at least), or (b) OpenCC t2s changes at least 3% of them. Anything else
/// (Cyrillic, Arabic, Japanese kana, Korean, empty) is `other`.
enum LanguageDetector {
    /// Frequent characters that exist only in Traditional script (their Simplified forms differ).
    static let traditionalOnly: Set<Character> = Set("們這個來時說國會對發與經動後學實現點體關問開東長門見電話從應當過還進區機產業報導記書車數愛變讓藝術聽歲灣臺為無聲戰華萬錢裡義務總統選舉議員縣鄉鎮團隊醫療經濟環境設計網絡際歷將軍隊準確認識嗎個傳統風險辦處運輸購買賣級護權變貨幣銀陸島場樂覺興條兩幾萬聯係統錄響頭顯驗須離難續組織現狀態廣農廳區劃邊參與".map { $0 })

    static func detect(_ text: String, engine: TextEngine?) -> String {
        var han = 0, latin = 0, kana = 0, hangul = 0, other = 0
        var traditional = 0
        for ch in text.prefix(20_000) {
            guard let scalar = ch.unicodeScalars.first else { continue }
            switch scalar.value {
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF:
                han += 1
                if traditionalOnly.contains(ch) { traditional += 1 }
            case 0x41...0x5A, 0x61...0x7A: latin += 1
            case 0x3040...0x30FF: kana += 1
            case 0xAC00...0xD7AF, 0x1100...0x11FF: hangul += 1
            default:
                if ch.isLetter { other += 1 }
            }
        }
        let letters = han + latin + kana + hangul + other
        guard letters > 0 else { return "other" }
        if kana * 10 > letters || hangul * 4 > letters { return "other" }
        // Chinese text carries Latin names and acronyms; a few Han characters are enough to call it Chinese.
        if han * 4 >= letters || (han >= 10 && han * 10 >= letters) {
            if traditional >= 2 && traditional * 100 >= han * 3 { return "zh-Hant" }
            if let engine, let simplified = try? engine.convert(String(text.prefix(5_000)), config: .t2s) {
                let sample = Array(text.prefix(5_000)), converted = Array(simplified)
                if sample.count == converted.count {
                    var changed = 0, hanSeen = 0
                    for (a, b) in zip(sample, converted) where a.unicodeScalars.first.map({ (0x3400...0x9FFF).contains($0.value) }) == true {
                        hanSeen += 1
                        if a != b { changed += 1 }
                    }
                    if changed >= 2 && changed * 100 >= hanSeen * 3 { return "zh-Hant" }
                }
            }
            return "zh-Hans"
        }
        if latin * 10 >= letters * 7 { return "en" }
        return "other"
    }
}

/// Categories of leads and the rule-based classifier.
///
/// Rules (documented here and on the inbox page's help): each category has a list of cue words. A lead's score in
/// a category is (title hits × 3) + (body hits, at most 10 per word). 突发 (emergency) wins when its score is at least 3
/// (one cue in the title, or three in the body), because breaking events outrank everything else; otherwise the highest
/// score wins, ties broken in the order listed; no hit at all → 其他 (other).
enum LeadCategory: String, CaseIterable, Codable, Sendable {
    case emergency, politics, economy, society, livelihood, culture, sports, technology, law, other

    var label: (zh: String, en: String) {
        switch self {
        case .emergency: return ("突发", "Breaking")
        case .politics: return ("时政", "Politics")
        case .economy: return ("经济", "Economy")
        case .society: return ("社会", "Society")
        case .livelihood: return ("民生", "Livelihood")
        case .culture: return ("文化", "Culture")
        case .sports: return ("体育", "Sports")
        case .technology: return ("科技", "Technology")
        case .law: return ("法治", "Law")
        case .other: return ("其他", "Other")
        }
    }

    static let cues: [LeadCategory: [String]] = [
        .emergency: ["突发", "火灾", "爆炸", "地震", "坍塌", "塌方", "塌陷", "泥石流", "山体滑坡", "洪水", "洪涝", "暴雨", "台风", "交通事故", "车祸", "伤亡", "遇难", "死亡", "受伤", "救援", "被困", "疏散", "泄漏", "溺水", "失联", "紧急", "breaking", "explosion", "earthquake", "fire"],
        .politics: ["书记", "市长", "县长", "省长", "人大", "政协", "党委", "政府", "会议", "调研", "部署", "干部", "党建", "政策", "两会", "代表", "委员", "常委", "外交", "主席", "国务院", "government", "minister"],
        .economy: ["经济", "产业", "企业", "投资", "项目", "招商", "GDP", "增长", "出口", "进口", "营收", "市场", "金融", "银行", "股市", "消费", "花炮", "工业", "园区", "税收", "economy", "market", "investment"],
        .society: ["社区", "志愿者", "好人", "邻里", "市民", "村民", "群众", "公益", "慈善", "老人", "儿童", "家庭", "婚姻", "society"],
        .livelihood: ["民生", "就业", "社保", "医保", "医疗", "医院", "教育", "学校", "住房", "物价", "供水", "停水", "停电", "燃气", "公交", "交通", "养老", "菜价", "拆迁", "投诉", "噪音", "垃圾", "道路", "路面", "路灯"],
        .culture: ["文化", "非遗", "博物馆", "演出", "展览", "文艺", "旅游", "景区", "戏曲", "书法", "文物", "电影", "音乐", "节庆",
                   "文旅", "游客", "焰火", "烟花", "灯会", "庙会", "艺术节", "文化节", "音乐节", "旅游节", "演艺", "culture", "museum"],
        .sports: ["体育", "比赛", "运动员", "冠军", "马拉松", "足球", "篮球", "排球", "乒乓", "奥运", "赛事", "联赛", "健身", "sports", "football", "marathon"],
        .technology: ["科技", "人工智能", "AI", "芯片", "5G", "互联网", "数字化", "大数据", "科研", "创新", "专利", "软件", "机器人", "新能源", "卫星", "technology", "software"],
        .law: ["法院", "检察院", "公安", "警方", "民警", "判决", "审判", "案件", "诈骗", "犯罪", "嫌疑人", "律师", "法律", "执法", "违法", "拘留", "逮捕", "court", "police"],
    ]

    static func classify(title: String, body: String) -> LeadCategory {
        let titleLower = title.lowercased(), bodyLower = String(body.prefix(50_000)).lowercased()
        func count(_ needle: String, in haystack: String) -> Int {
            guard !needle.isEmpty else { return 0 }
            var n = 0
            var range = haystack.startIndex..<haystack.endIndex
            while n < 10, let found = haystack.range(of: needle, range: range) { n += 1; range = found.upperBound..<haystack.endIndex }
            return n
        }
        var best: (LeadCategory, Int) = (.other, 0)
        for category in allCases where category != .other {
            let score = (cues[category] ?? []).reduce(0) { sum, cue in
                let c = cue.lowercased()
                return sum + count(c, in: titleLower) * 3 + count(c, in: bodyLower)
            }
            if category == .emergency, score >= 3 { return .emergency }
            if score > best.1 { best = (category, score) }
        }
        return best.0
    }
}
