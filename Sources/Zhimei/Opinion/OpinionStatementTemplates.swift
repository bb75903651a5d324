import Foundation

/// The statement templates of the response card (回应声明模板): one per kind of happening, because an accident, a
/// citizen's complaint and a rumour call for different first statements. The card picks one from the event's words
/// and mood; the analyst can pick another.
enum StatementTemplate: String, CaseIterable, Sendable {
    case general, incident, complaint, rumor, positive

    /// The template's name in Chinese and English.
    var label: (zh: String, en: String) {
        switch self {
        case .general: ("通用情况说明", "General statement")
        case .incident: ("突发事件通报", "Incident notice")
        case .complaint: ("民生诉求回应", "Reply to a complaint")
        case .rumor: ("不实信息澄清", "Correcting false information")
        case .positive: ("正面回应致谢", "Thanks for positive attention")
        }
    }

    /// Words that mark the kind, looked for in the event's title, keywords and first posts (first match wins, in
    /// the order rumor, incident, complaint: a rumour about a fire is answered as a rumour).
    static let cues: [(StatementTemplate, [String])] = [
        (.rumor, ["谣言", "辟谣", "不实", "造谣", "假消息", "网传", "传谣", "假新闻"]),
        (.incident, ["火灾", "起火", "着火", "爆炸", "坍塌", "垮塌", "事故", "伤亡", "遇难", "死亡", "受伤", "泄漏", "溺水", "塌方",
                     "滑坡", "山洪", "洪水", "地震", "中毒", "车祸", "相撞", "被困"]),
        (.complaint, ["投诉", "积水", "停水", "停电", "噪音", "扰民", "没人管", "拖欠", "欠薪", "乱收费", "堵车", "拥堵", "脏乱",
                      "异味", "排污", "维修", "整改", "反映", "诉求", "物业", "漏水", "上学难", "看病难"]),
    ]

    /// The template that fits an event: by its words, else by its mood (mostly positive → thanks), else general.
    static func suggested(text: String, positiveShare: Double, negativeShare: Double) -> StatementTemplate {
        for (kind, words) in cues where words.contains(where: text.contains) { return kind }
        if positiveShare >= 0.5 && negativeShare < 0.2 { return .positive }
        return .general
    }

    /// The draft: a title, what is known so far (up to three facts), the kind's commitment, and the reminder that it is
    /// a draft to be checked and signed off.
    func draft(title: String, facts: [String], negativeShare: Double) -> String {
        let known = facts.prefix(3).map { "· \($0)" }.joined(separator: "\n")
        let footer = "（草稿，须经核实与审签后发布）"
        switch self {
        case .general:
            let tone = negativeShare >= 0.4
                ? "对此我们高度重视，已第一时间成立工作组核查处置，并将及时公布进展。对给公众带来的困扰，我们深表歉意。"
                : "我们将持续关注，欢迎社会各界监督并提供线索。"
            return "关于“\(title)”的情况说明\n\n近日，网络上出现关于“\(title)”的讨论。经初步了解，有关情况如下：\n\(known)\n\n\(tone)\n\n\(footer)"
        case .incident:
            return "关于“\(title)”的情况通报\n\n【时间】年月日时分，【地点】发生【事件】。事发后，有关部门立即启动应急预案，"
                + "组织力量赶赴现场开展处置。网络上的相关信息如下：\n\(known)\n\n目前现场处置工作正在有序进行，【人员伤亡及救治情况】，"
                + "事件原因正在调查中。后续情况将通过官方渠道及时发布，请以权威发布为准。\n\n\(footer)"
        case .complaint:
            return "关于“\(title)”的回应\n\n近日，有网友反映“\(title)”的问题。我们高度重视，已安排【责任部门】工作人员到现场"
                + "了解核实。网友反映的主要情况如下：\n\(known)\n\n经核实，【核实情况】。下一步，我们将【整改措施及完成时限】，"
                + "并及时向公众反馈进展。感谢网友的监督，欢迎通过【服务热线】继续反映问题。\n\n\(footer)"
        case .rumor:
            return "关于“\(title)”的说明\n\n近日，网络上流传“\(title)”的相关信息：\n\(known)\n\n经【核查单位】核实，"
                + "网传内容【与事实不符/部分失实】，真实情况为：【事实】。请广大网民不信谣、不传谣，以官方发布的信息为准；"
                + "对恶意编造、传播谣言的行为，将依法追究责任。\n\n\(footer)"
        case .positive:
            return "感谢大家对“\(title)”的关注\n\n近日，“\(title)”受到广大网友关注和好评：\n\(known)\n\n"
                + "我们将总结经验、做好服务，欢迎大家继续关注并提出宝贵意见。\n\n\(footer)"
        }
    }
}
