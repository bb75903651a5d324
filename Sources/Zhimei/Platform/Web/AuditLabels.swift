import Foundation

/// How the audit log page names an action and reads its change summary. The stored codes and JSON stay as they
/// are (the hash chain covers them, and the API returns them); only the page shows words.
enum AuditLabels {
    typealias Pair = (zh: String, en: String)

    /// What an action acts on: the longest known prefix of the code ("publishing.delivery" before "publishing").
    private static let subjects: [String: Pair] = [
        "aigc": ("AI 标识", "AI label"), "audit": ("审计日志", "Audit log"), "auth": ("账号", "Account"),
        "demo": ("演示数据", "Demo data"), "job": ("后台任务", "Job"), "lead": ("线索", "Lead"), "lead_source": ("线索源", "Lead source"),
        "notifications.webhook": ("通知 Webhook", "Notification webhook"), "opinion": ("舆情", "Opinion"),
        "opinion_alert_rule": ("预警规则", "Alert rule"), "opinion_event": ("舆情事件", "Opinion event"),
        "opinion_scheme": ("监测方案", "Monitoring scheme"), "opinion_source": ("舆情来源", "Opinion source"),
        "pool": ("共享选题池", "Shared pool"), "publishing": ("发布", "Publishing"), "publishing.channel": ("发布渠道", "Channel"),
        "publishing.delivery": ("投递", "Delivery"), "publishing.destination": ("发布目标", "Destination"),
        "review": ("审核", "Review"), "review.lexicon": ("审校词库", "Review lexicon"), "search": ("检索", "Search"),
        "story": ("稿件", "Story"), "tenant": ("单位", "Tenant"), "token": ("API 令牌", "API token"), "topic": ("选题", "Topic"),
        "topic.coverage": ("报道分工", "Coverage"), "topic.outline": ("报道提纲", "Outline"), "user": ("用户", "User"),
    ]

    /// What was done (the code's last part).
    private static let verbs: [String: Pair] = [
        "create": ("新建", "created"), "update": ("修改", "updated"), "delete": ("删除", "deleted"), "save": ("保存", "saved"),
        "approve": ("通过", "approved"), "return": ("退回修改", "returned"), "reject": ("退稿", "rejected"), "recall": ("撤回", "recalled"),
        "submit": ("提交", "submitted"), "first_pass": ("机审", "machine check"), "override": ("越过拦截", "block overridden"),
        "blocked": ("被拦截", "blocked"), "config": ("配置", "configured"), "proofread_batch": ("批量校对", "batch proofreading"),
        "label_remove": ("去除", "removed"), "login": ("登录", "signed in"), "login_failed": ("登录失败", "sign-in failed"),
        "login_locked": ("登录锁定", "sign-in locked"), "login_throttled": ("登录限流", "sign-in throttled"), "logout": ("退出", "signed out"),
        "token_rejected": ("令牌被拒", "token rejected"), "seed": ("生成", "seeded"), "discard": ("丢弃", "discarded"), "retry": ("重试", "retried"),
        "assign": ("指派", "assigned"), "claim": ("认领", "claimed"), "convert": ("转为选题", "made a topic"), "paste": ("粘贴录入", "pasted"),
        "tip": ("报料", "tip received"), "webhook": ("Webhook 接收", "received by webhook"), "poll": ("抓取", "polled"),
        "rotate_secret": ("更换密钥", "secret rotated"), "test": ("测试", "tested"), "alert": ("预警", "alert"), "import": ("导入", "imported"),
        "import_resume": ("继续导入", "import resumed"), "ingest": ("接收帖文", "posts received"), "merge": ("合并", "merged"),
        "split": ("拆分", "split"), "topic": ("转为选题", "made a topic"), "adopt": ("采用", "adopted"), "correct": ("更正", "corrected"),
        "resend": ("重新投递", "resent"), "kill": ("撤稿", "killed"), "publish": ("发布", "published"), "republish": ("重新发布", "republished"),
        "reindex_requested": ("请求重建索引", "reindex requested"), "repair": ("修复", "repaired"), "unsave": ("取消保存", "unsaved"),
        "export": ("导出", "exported"), "lock": ("锁定编辑", "locked"), "lock_takeover": ("接管编辑锁", "lock taken over"),
        "unlock": ("解除锁定", "unlocked"), "status": ("状态变更", "status changed"), "comment": ("评论", "commented"),
        "add": ("添加", "added"), "remove": ("移除", "removed"), "edit": ("编辑", "edited"), "generate": ("生成", "generated"),
        "password_change": ("修改密码", "password changed"), "password_set": ("设置密码", "password set"),
        "reset_password": ("重置密码", "password reset"), "roles": ("角色变更", "roles changed"), "revoke": ("吊销", "revoked"),
        "verify_requested": ("请求校验", "verification requested"), "invite": ("邀请", "invited"), "enable": ("启用", "enabled"),
        "disable": ("停用", "disabled"), "switch": ("切换", "switched"),
    ]

    /// "稿件 · 新建" / "Story created"; a code with an unknown part is shown as it is.
    static func action(_ code: String, _ lang: String) -> String {
        let parts = code.split(separator: ".").map(String.init)
        guard parts.count >= 2, let verb = verbs[parts[parts.count - 1]] else { return code }
        let prefix = parts.dropLast()
        guard let subject = (1...prefix.count).reversed().lazy.compactMap({ subjects[prefix.prefix($0).joined(separator: ".")] }).first
        else { return code }
        return lang == "en" ? "\(subject.en) \(verb.en)" : "\(subject.zh) · \(verb.zh)"
    }

    private static let fields: [String: Pair] = [
        "status": ("状态", "status"), "state": ("审核状态", "review state"), "stage": ("审级", "stage"), "round": ("轮次", "round"),
        "version": ("版本", "version"), "title": ("标题", "title"), "headline": ("标题", "headline"), "name": ("名称", "name"),
        "priority": ("优先级", "priority"), "angle": ("角度", "angle"), "channels": ("渠道", "channels"), "at": ("时间", "at"),
        "findings": ("问题数", "findings"), "checker": ("检查器", "checker"), "rule": ("规则", "rule"), "roles": ("角色", "roles"),
        "imported": ("导入", "imported"), "skipped": ("跳过", "skipped"), "reason": ("理由", "reason"), "note": ("说明", "note"),
        "due_at": ("截止时间", "due"), "keywords": ("关键词", "keywords"), "assignee_ids": ("负责人", "assignees"),
    ]

    /// Machine first-pass outcomes (review states are named by `ReviewService.stateLabel`, as on the review pages).
    private static let firstPassStates: [String: Pair] = [
        "clean": ("无问题", "clean"), "findings": ("有提示", "findings"), "failed": ("失败", "failed"),
    ]

    private static func stateLabel(_ code: String, _ lang: String) -> String? {
        guard let pair = ReviewState(rawValue: code).map(ReviewService.stateLabel) ?? firstPassStates[code] else { return nil }
        return lang == "en" ? pair.en : pair.zh
    }

    /// Fields shown first, in this order; the rest follow by name.
    private static let fieldOrder = ["title", "headline", "name", "status", "stage", "state", "round", "version"]

    /// The change summary `{"before":{…},"after":{…},"note":{"text":…}}` as lines "状态：草稿 → 审核中"
    /// (unchanged and empty values left out). Anything that is not such JSON is one line, as stored.
    static func changes(_ summary: String, targetType: String, _ lang: String) -> [String] {
        guard !summary.isEmpty, summary != "{}" else { return [] }
        guard let data = summary.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [summary] }
        let before = object["before"] as? [String: Any] ?? [:], after = object["after"] as? [String: Any] ?? [:]
        let sep = lang == "en" ? ": " : "："
        var lines: [String] = []
        let keys = Set(before.keys).union(after.keys).sorted { (fieldOrder.firstIndex(of: $0) ?? 99, $0) < (fieldOrder.firstIndex(of: $1) ?? 99, $1) }
        // A field only in "before" is context (the round a review step was in), not a change — unless nothing is
        // "after" at all (a deletion), when the old values are what the entry is about.
        let deletion = after.isEmpty
        for key in keys where deletion || after[key] != nil {
            let old = value(before[key], key: key, targetType: targetType, lang), new = value(after[key], key: key, targetType: targetType, lang)
            if old == new || (old.isEmpty && new.isEmpty) { continue }
            let name = fields[key].map { lang == "en" ? $0.en : $0.zh } ?? key
            if deletion { lines.append("\(name)\(sep)\(old)"); continue }
            lines.append(old.isEmpty ? "\(name)\(sep)\(new)" : "\(name)\(sep)\(old) → \(new.isEmpty ? "—" : new)")
        }
        if let note = object["note"] as? [String: Any], let text = note["text"] { lines.append("\(lang == "en" ? "note" : "说明")\(sep)\(text)") }
        for key in object.keys.sorted() where !["before", "after", "note"].contains(key) { lines.append("\(key)\(sep)\(object[key] ?? "")") }
        return lines
    }

    /// A field's value in words where the code is known (a story's or topic's status, a review state).
    private static func value(_ raw: Any?, key: String, targetType: String, _ lang: String) -> String {
        guard let raw else { return "" }
        let text = "\(raw)"
        switch key {
        case "status":
            let table = targetType == "topic" ? "planning.status." : targetType == "story" ? "stories.status." : ""
            if !table.isEmpty, UIStrings.all[table + text] != nil { return Localizer.text(table + text, lang) }
            return stateLabel(text, lang) ?? text
        case "state": return stateLabel(text, lang) ?? text
        case "note" where targetType == "story": return StoriesPages.versionNote(text, lang)
        default:
            // Times are stored as ISO 8601 (UTC); the page shows them like every other time on it.
            if text.count == 20, text.hasSuffix("Z"), let date = ISO8601DateFormatter().date(from: text) { return DisplayTime.format(date) }
            return text
        }
    }
}
