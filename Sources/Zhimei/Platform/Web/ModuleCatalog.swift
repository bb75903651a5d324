/// The chain modules shown in navigation, with what each will do. Modules not built yet render a
/// plain "not available yet" page listing these capabilities.
struct ModuleInfo: Encodable, Sendable {
    var path: String
    var titleKey: String
    var stage: String
    var permission: Permission
    var built: Bool
    var planned: [String]
    var plannedEn: [String]
}

enum ModuleCatalog {
    static let modules: [ModuleInfo] = [
        .init(path: "leads", titleKey: "nav.leads", stage: "策", permission: .leadsRead, built: true,
              planned: ["RSS/Atom/JSON Feed 订阅与网络钩子", "群众爆料表单", "线索去重与热度排序", "认领、指派与转为选题"],
              plannedEn: ["RSS/Atom/JSON Feed polling and webhooks", "Citizen tip form", "Near-duplicate grouping and hot sort", "Claim, assign, convert to topic"]),
        .init(path: "planning", titleKey: "nav.planning", stage: "策", permission: .topicsManage, built: true,
              planned: ["选题看板与日历", "采访提纲", "省县选题上报与下发"], plannedEn: ["Topic board and calendar", "Interview outlines", "Shared pool between platform and counties"]),
        .init(path: "assets", titleKey: "nav.assets", stage: "采", permission: .assetsManage, built: false,
              planned: ["图片、音视频、文档上传", "转写、OCR、标签", "查重"], plannedEn: ["Photo, audio, video, document upload", "Transcription, OCR, tagging", "De-duplication"]),
        .init(path: "stories", titleKey: "nav.stories", stage: "编", permission: .storiesRead, built: true,
              planned: ["结构化稿件编辑器", "版本与对比", "AI 辅助：摘要、标题、关键词"], plannedEn: ["Structured story editor", "Versions and diffs", "AI assist: summaries, headlines, keywords"]),
        .init(path: "search", titleKey: "nav.search", stage: "编", permission: .storiesRead, built: true,
              planned: ["中文全文检索", "相关资料推荐"], plannedEn: ["Chinese full-text search", "Related material while writing"]),
        .init(path: "search/settings", titleKey: "search.settings", stage: "编", permission: .tenantSettings, built: true,
              planned: ["同义词", "索引检查、修复与重建"], plannedEn: ["Synonyms", "Index check, repair and rebuild"]),
        // Review and publishing pages open to everyone who reads stories (a reporter follows their submissions there).
        .init(path: "review", titleKey: "nav.reviewq", stage: "审", permission: .storiesRead, built: true,
              planned: ["机器初审：敏感词、错别字、格式、事实", "初审 → 复审 → 终审"], plannedEn: ["Machine first pass: sensitive terms, typos, format, facts", "First → second → final review"]),
        .init(path: "review/proofread", titleKey: "proofread.title", stage: "审", permission: .textUse, built: true,
              planned: ["粘贴、上传或网址校对", "批量校对与报告"], plannedEn: ["Paste, upload or URL", "Batch checks and reports"]),
        .init(path: "review/lexicon", titleKey: "lexicon.title", stage: "审", permission: .tenantSettings, built: true,
              planned: ["敏感词、白名单、用户词典", "事实库：人物职务、机构、地名、固定表述"], plannedEn: ["Sensitive terms, whitelist, user dictionary", "Fact base: titles, organisations, places, fixed expressions"]),
        .init(path: "publishing", titleKey: "nav.publishing", stage: "发", permission: .storiesRead, built: true,
              planned: ["一次采集、多元分发", "定时与禁发", "更正与撤稿"], plannedEn: ["One story, every channel", "Scheduling and embargo", "Corrections and retraction"]),
        .init(path: "opinion", titleKey: "nav.opinion", stage: "管", permission: .opinionRead, built: true,
              planned: ["事件聚类与情感分析", "传播路径", "预警与回应建议"], plannedEn: ["Event clustering and sentiment", "Spread paths", "Alerts and response drafts"]),
        .init(path: "analytics", titleKey: "nav.analytics", stage: "管", permission: .analyticsRead, built: false,
              planned: ["传播力与互动分析", "周期报告"], plannedEn: ["Reach and engagement", "Periodic reports"]),
        .init(path: "services", titleKey: "nav.services", stage: "+", permission: .servicesHandle, built: false,
              planned: ["问政、爆料、帮办工单", "回复率与满意度"], plannedEn: ["Requests, tips, help desk", "Response rate and satisfaction"]),
        .init(path: "broadcast", titleKey: "nav.broadcast", stage: "+", permission: .storiesWrite, built: false,
              planned: ["文稿生成双语播报视频", "AI 生成标识"], plannedEn: ["Script to bilingual broadcast video", "AI-generated label"]),
        .init(path: "live", titleKey: "nav.live", stage: "+", permission: .assetsManage, built: false,
              planned: ["RTMP 推流、HLS 播放", "录像入库"], plannedEn: ["RTMP ingest, HLS playback", "Recordings into the asset library"]),
        .init(path: "knowledge", titleKey: "nav.knowledge", stage: "+", permission: .storiesRead, built: false,
              planned: ["基于稿库的问答与引用"], plannedEn: ["Q&A over the archive with citations"]),
    ]

    /// A sidebar group: its heading and the modules in it.
    struct NavGroup: Encodable { var label: String; var modules: [NavModule] }
    /// A sidebar entry.
    struct NavModule: Encodable { var path: String; var title: String; var stage: String }

    /// Sidebar headings by chain stage, in chain order.
    private static let groups: [(keys: [String], stages: [String])] = [
        (["nav.plan"], ["策"]), (["nav.gather", "nav.edit"], ["采", "编"]), (["nav.review", "nav.publish"], ["审", "发"]),
        (["nav.manage"], ["管"]), (["nav.more"], ["+"]),
    ]

    /// The modules `actor` may open, by group; groups left empty are dropped (a link that answers 403 is no help).
    static func navGroups(for actor: Actor, lang: String) -> [NavGroup] {
        groups.compactMap { group in
            let visible = modules.filter { group.stages.contains($0.stage) && actor.canAnywhere($0.permission) }
            guard !visible.isEmpty else { return nil }
            return NavGroup(label: group.keys.map { Localizer.text($0, lang) }.joined(separator: " · "),
                            modules: visible.map { NavModule(path: $0.path, title: Localizer.text($0.titleKey, lang), stage: $0.stage) })
        }
    }
}
