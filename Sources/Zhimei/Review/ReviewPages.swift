import Fluent
import Vapor

/// Review pages: the queue (/review), a story's review view (/review/stories/:storyID) and the tenant's
/// stage settings (/review/settings). They read through `ReviewService`; actions go to the API from /js/review.js.
struct ReviewPages {
    struct ItemView: Encodable {
        var storyID: String; var headline: String; var author: String; var state: String; var stateLabel: String
        var stage: String; var round: Int; var submitted: String; var decided: String; var myAction: String; var myActionAt: String
    }
    struct QueueView: Encodable {
        var waiting: [ItemView]; var mine: [ItemView]; var decided: [ItemView]; var canSettings: Bool
        var hasWaiting: Bool; var hasMine: Bool; var hasDecided: Bool
    }
    struct StageView: Encodable { var index: Int; var name: String; var permission: String; var status: String; var statusLabel: String; var signedBy: String; var signedAt: String }
    struct EventView: Encodable { var round: Int; var stage: String; var action: String; var actionLabel: String; var actor: String; var comment: String; var at: String; var version: String }
    struct FindingView: Encodable { var category: String; var severity: String; var message: String; var excerpt: String; var suggestion: String }
    struct LabelView: Encodable {
        var target: String; var blockIndex: String; var label: String; var provider: String; var model: String; var at: String
        var visible: Bool; var removable: Bool; var removedReason: String; var removedBy: String; var removedAt: String; var targetLabel: String
    }
    struct BlockView: Encodable {
        var index: Int; var kind: String; var text: String; var level: Int; var items: [String]; var rows: [[String]]
        var caption: String; var attribution: String; var label: String; var labelMeta: String
    }
    struct StoryView: Encodable {
        var storyID: String; var headline: String; var subtitle: String; var lead: String; var author: String; var storyStatus: String
        var version: Int; var state: String; var stateLabel: String; var round: Int; var stageIndex: Int; var stageName: String
        var stages: [StageView]; var history: [EventView]; var hasHistory: Bool
        var canApprove: Bool; var canReturn: Bool; var canReject: Bool; var canSubmit: Bool; var canRecall: Bool; var canDecide: Bool
        var firstPassStatus: String; var firstPassLabel: String; var firstPassMessage: String; var firstPassAt: String; var findings: [FindingView]
        var hasFirstPass: Bool; var hasFindings: Bool
        var storyLabel: String; var storyLabelMeta: String; var hasStoryLabel: Bool
        var labels: [LabelView]; var hasLabels: Bool; var canRemoveLabels: Bool
        var blocks: [BlockView]; var distinctSigners: Bool
    }
    struct StageRow: Encodable { var index: Int; var name: String; var permission: String; var defaultPermission: String; var overridden: Bool; var options: [Option] }
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct SettingsView: Encodable { var tenantID: String; var tenantName: String; var stages: [StageRow]; var distinctSigners: Bool; var optionsJSON: String }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "review", access: .permission(.storiesRead), use: queue)
        routes.page(.GET, "review", "settings", access: .permission(.tenantSettings), use: settings)
        routes.page(.GET, "review", "decided", access: .permission(.storiesRead), use: decided)
        routes.page(.GET, "review", "stories", ":storyID", access: .permission(.storiesRead), use: story)
    }

    static func time(_ d: Date?) -> String { DisplayTime.format(d) }

    static func stateLabel(_ raw: String, _ lang: String) -> String {
        let s = ReviewState(rawValue: raw) ?? .none
        let l = ReviewService.stateLabel(s)
        return lang == "en" ? l.en : l.zh
    }

    static func actionLabel(_ raw: String, _ lang: String) -> String {
        let zh: [String: String] = ["submit": "送审", "approve": "通过", "return": "退回修改", "reject": "终止", "recall": "撤回",
                                    "first_pass": "机器初审", "label_remove": "去除 AI 标识", "override": "放行机器初审问题"]
        let en: [String: String] = ["submit": "Submitted", "approve": "Approved", "return": "Returned", "reject": "Rejected", "recall": "Recalled",
                                    "first_pass": "Machine first pass", "label_remove": "AI label removed", "override": "First-pass findings overridden"]
        return (lang == "en" ? en[raw] : zh[raw]) ?? raw
    }

    static func permissionLabel(_ raw: String, _ lang: String) -> String {
        guard let p = Permission(rawValue: raw) else { return lang == "en" ? "Default rule" : "默认规则" }
        let l = ReviewService.permissionLabel(p)
        return lang == "en" ? "\(l.en) (\(raw))" : "\(l.zh)权限（\(raw)）"
    }

    static func itemView(_ i: ReviewQueueItemDTO, _ lang: String) -> ItemView {
        ItemView(storyID: i.storyId.uuidString, headline: i.headline, author: i.authorName, state: i.state, stateLabel: stateLabel(i.state, lang),
                 stage: i.stageName, round: i.round, submitted: time(i.submittedAt), decided: time(i.decidedAt),
                 myAction: i.myAction.map { actionLabel($0, lang) } ?? "", myActionAt: time(i.myActionAt))
    }

    @Sendable func queue(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let q = try await ReviewService.queue(on: req)
        let actor = try req.requireActor()
        let view = QueueView(waiting: q.waiting.map { Self.itemView($0, lang) }, mine: q.mine.map { Self.itemView($0, lang) },
                             decided: q.decided.map { Self.itemView($0, lang) }, canSettings: actor.canAnywhere(.tenantSettings),
                             hasWaiting: !q.waiting.isEmpty, hasMine: !q.mine.isEmpty, hasDecided: !q.decided.isEmpty)
        return try await PageContext.render("review/queue", titleKey: "review.title", section: "review", body: view, on: req)
    }

    struct DecidedView: Encodable { var items: [ItemView]; var total: Int; var pages: PageLinks }
    static let decidedPageSize = 50

    /// All of the person's review decisions, 50 a page (我处理过的全部稿件).
    @Sendable func decided(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let size = Self.decidedPageSize
        let requested = PageLinks.requested(try QueryParams.int(req, "page", 1...100_000), size: size, largestOffset: 100_000)
        var page = try await ReviewService.decisions(on: req, range: ((requested - 1) * size)..<(requested * size))
        let number = PageLinks.shown(requested, size: size, total: page.total)
        if number != requested { page = try await ReviewService.decisions(on: req, range: ((number - 1) * size)..<(number * size)) }
        let items = page.items.map { Self.itemView($0, lang) }
        return try await PageContext.render("review/decided", titleKey: "review.decided.title", section: "review",
                                            body: DecidedView(items: items, total: page.total,
                                                              pages: PageLinks(number: number, size: size, total: page.total, shown: items.count,
                                                                               path: "/review/decided", keep: [])), on: req)
    }

    static func spans(_ s: [InlineSpan]) -> String { s.map(\.text).joined() }

    static func blockViews(_ story: Story, labels: [ReviewAIGCLabelDTO], lang: String) -> [BlockView] {
        story.body.enumerated().map { i, block in
            var v = BlockView(index: i, kind: block.kind.rawValue, text: "", level: 2, items: [], rows: [], caption: "", attribution: "", label: "", labelMeta: "")
            switch block {
            case .paragraph(let s, _): v.text = spans(s)
            case .heading(let level, let s, _): v.text = spans(s); v.level = min(max(level, 2), 4)
            case .quote(let s, let a, _): v.text = spans(s); v.attribution = a
            case .list(_, let items, _): v.items = items.map(spans)
            case .image(_, let caption, let alt, _): v.caption = caption.isEmpty ? alt : caption
            case .video(let src, let caption, _), .audio(let src, let caption, _), .embed(let src, let caption, _): v.caption = caption.isEmpty ? src : caption
            case .table(let rows, _, _): v.rows = rows
            }
            if let l = labels.first(where: { $0.target == "block" && $0.blockIndex == i && $0.visible }) {
                v.label = lang == "en" ? l.labelEn : l.label
                v.labelMeta = "\(l.provider) · \(l.model) · \(time(l.generatedAt))"
            }
            return v
        }
    }

    @Sendable func story(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let story = try await StoryService.find(req.parameters.get("storyID", as: UUID.self), on: req)
        let s = try await ReviewService.state(of: story, on: req)
        let permissionOf = { (raw: String) -> String in
            Permission(rawValue: raw).map { p in let l = ReviewService.permissionLabel(p); return lang == "en" ? "needs \(l.en)" : "需\(l.zh)权限" } ?? raw
        }
        let statusLabels: [String: (String, String)] = ["none": ("未送审", "not submitted"), "waiting": ("待审", "waiting"),
                                                        "current": ("当前环节", "current"), "done": ("已签署", "signed")]
        let stages = s.stages.map { st in
            StageView(index: st.index, name: st.name, permission: permissionOf(st.permission), status: st.status,
                      statusLabel: lang == "en" ? statusLabels[st.status]?.1 ?? st.status : statusLabels[st.status]?.0 ?? st.status,
                      signedBy: st.signedBy ?? "", signedAt: st.signedAt.map(Self.time) ?? "")
        }
        let history = s.history.reversed().map { e in
            EventView(round: e.round, stage: e.stageName ?? "", action: e.action, actionLabel: Self.actionLabel(e.action, lang), actor: e.actorName,
                      comment: e.comment, at: Self.time(e.at), version: e.storyVersion.map { "v\($0)" } ?? "")
        }
        let fp = s.firstPass
        let fpLabels: [String: (String, String)] = ["not_run": ("未运行", "Not run"), "clean": ("未发现问题", "Clean"),
                                                    "findings": ("发现问题", "Findings"), "failed": ("出错", "Failed")]
        let storyLabel = s.aigcLabels.first { $0.target == "story" && $0.visible }
        let labels = s.aigcLabels.map { l in
            LabelView(target: l.target, blockIndex: l.blockIndex.map(String.init) ?? "", label: lang == "en" ? l.labelEn : l.label,
                      provider: l.provider, model: l.model, at: Self.time(l.generatedAt), visible: l.visible, removable: l.removable,
                      removedReason: l.removedReason ?? "", removedBy: l.removedBy ?? "", removedAt: Self.time(l.removedAt),
                      targetLabel: l.target == "story" ? (lang == "en" ? "Whole story" : "全文")
                                                       : (lang == "en" ? "Block \((l.blockIndex ?? 0) + 1)" : "第 \((l.blockIndex ?? 0) + 1) 段"))
        }
        let view = StoryView(
            storyID: s.storyId.uuidString, headline: story.headline, subtitle: story.subtitle, lead: story.lead, author: story.authorName,
            storyStatus: story.status.rawValue, version: story.version, state: s.state, stateLabel: Self.stateLabel(s.state, lang), round: s.round,
            stageIndex: s.stageIndex ?? -1, stageName: s.stageName ?? "", stages: stages, history: Array(history), hasHistory: !history.isEmpty,
            canApprove: s.actions.contains("approve"), canReturn: s.actions.contains("return"), canReject: s.actions.contains("reject"),
            canSubmit: s.actions.contains("submit"), canRecall: s.actions.contains("recall"),
            canDecide: s.actions.contains("approve") || s.actions.contains("return"),
            firstPassStatus: fp?.status ?? "", firstPassLabel: fp.map { lang == "en" ? fpLabels[$0.status]?.1 ?? $0.status : fpLabels[$0.status]?.0 ?? $0.status } ?? "",
            firstPassMessage: fp.map { lang == "en" ? $0.messageEn : $0.message } ?? "", firstPassAt: Self.time(fp?.at),
            findings: (fp?.findings ?? []).map { FindingView(category: $0.category, severity: $0.severity, message: $0.message, excerpt: $0.excerpt, suggestion: $0.suggestion ?? "") },
            hasFirstPass: fp != nil, hasFindings: !(fp?.findings.isEmpty ?? true),
            storyLabel: storyLabel.map { lang == "en" ? $0.labelEn : $0.label } ?? "",
            storyLabelMeta: storyLabel.map { "\($0.provider) · \($0.model) · \(Self.time($0.generatedAt))" } ?? "", hasStoryLabel: storyLabel != nil,
            labels: labels, hasLabels: !labels.isEmpty, canRemoveLabels: s.canRemoveLabels,
            blocks: Self.blockViews(story, labels: s.aigcLabels, lang: lang), distinctSigners: s.distinctSigners)
        return try await PageContext.render("review/story", titleKey: "review.story.title", section: "review", body: view, on: req)
    }

    @Sendable func settings(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let config: ReviewConfigDTO
        if actor.can(.tenantSettings, in: actor.activeTenantID) {
            config = try await ReviewService.getConfig(tenantID: actor.activeTenantID, on: req)
        } else {
            // The active tenant is not one this person administers: show the first one they do.
            let tenant = try await req.scope(for: .tenantSettings).query(Tenant.self, on: req.db).sort(\.$name).first()
            guard let tenant else { throw AppError.forbidden }
            config = try await ReviewService.getConfig(tenantID: tenant.requireID(), on: req)
        }
        let values = ["default"] + ReviewAPI.permissionNames
        let rows = config.stages.map { st in
            StageRow(index: st.index, name: st.name, permission: st.permission, defaultPermission: Self.permissionLabel(st.defaultPermission, lang),
                     overridden: st.overridden,
                     options: values.map { v in Option(value: v, label: v == "default" ? (lang == "en" ? "Default: " : "默认：") + Self.permissionLabel(st.defaultPermission, lang) : Self.permissionLabel(v, lang),
                                                       selected: st.overridden ? v == st.permission : v == "default") })
        }
        let allOptions = values.map { v in ["value": v, "label": v == "default" ? (lang == "en" ? "Default rule" : "默认规则") : Self.permissionLabel(v, lang)] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: allOptions, options: [.sortedKeys]), as: UTF8.self)
        let view = SettingsView(tenantID: config.tenantId.uuidString, tenantName: config.tenantName, stages: rows, distinctSigners: config.distinctSigners, optionsJSON: json)
        return try await PageContext.render("review/settings", titleKey: "review.settings.title", section: "review", body: view, on: req)
    }
}
