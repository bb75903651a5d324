/// How the opinion pages name a post's sentiment and platform (the stored values are codes: "negative", "weibo").
enum OpinionLabels {
    static func sentiment(_ code: String, _ lang: String) -> String {
        let names = ["positive": ("正面", "Positive"), "neutral": ("中性", "Neutral"), "negative": ("负面", "Negative")]
        guard let name = names[code] else { return code }
        return lang == "en" ? name.1 : name.0
    }

    /// A platform's name; a platform it does not know is shown as the source wrote it.
    static func platform(_ code: String, _ lang: String) -> String {
        let names = ["weibo": ("微博", "Weibo"), "wechat": ("微信", "WeChat"), "news": ("新闻网站", "News sites"), "douyin": ("抖音", "Douyin"),
                     "kuaishou": ("快手", "Kuaishou"), "toutiao": ("今日头条", "Toutiao"), "bilibili": ("哔哩哔哩", "Bilibili"),
                     "xiaohongshu": ("小红书", "Xiaohongshu"), "zhihu": ("知乎", "Zhihu"), "tieba": ("百度贴吧", "Tieba"),
                     "forum": ("论坛", "Forums"), "rss": ("订阅源", "Feeds"), "webhook": ("实时推送", "Webhook")]
        guard let name = names[code.lowercased()] else { return code }
        return lang == "en" ? name.1 : name.0
    }

    /// Where to answer on a platform: its official account (微博 → 官方微博); the platform's name when it is not known.
    static func channel(for platform: String) -> String {
        switch platform.lowercased() {
        case "weibo": return "官方微博"
        case "wechat": return "微信公众号"
        case "news": return "官方网站"
        default:
            let name = Self.platform(platform, "zh")
            return name == platform ? platform : name + "官方账号"
        }
    }

    /// An alert's stored title is bilingual for e-mail and webhooks ("舆情预警 Alert：…"); a page shows its own language.
    static func alertTitle(_ title: String, _ lang: String) -> String {
        let prefix = "舆情预警 Alert："
        guard title.hasPrefix(prefix) else { return title }
        return (lang == "en" ? "Opinion alert: " : "舆情预警：") + title.dropFirst(prefix.count)
    }

    /// An alert's stored detail is "中文 · English"; a page shows the half in its language.
    static func alertDetail(_ detail: String, _ lang: String) -> String {
        let halves = detail.components(separatedBy: " · ")
        guard halves.count == 2, halves[1].unicodeScalars.allSatisfy(\.isASCII) else { return detail }
        return lang == "en" ? halves[1] : halves[0]
    }
}
