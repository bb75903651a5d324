import Fluent
import Vapor

/// Opinion pages: the dashboard (live charts polled from /api/v1/opinion/dashboard), an event's page with server-side
/// SVG charts, spread graph and response card, and the schemes/alerts page.
struct OpinionPages {
    struct EventRow: Encodable {
        var id: String; var title: String; var posts: Int; var risk: String; var heat: String
        var negative: Int; var neutral: Int; var positive: Int; var lastAt: String
    }
    struct SortOption: Encodable { var value: String; var label: String; var selected: Bool }
    struct IndexView: Encodable {
        var events: [EventRow]; var hasEvents: Bool; var canManage: Bool; var imports: [ImportRow]; var importsTotal: Int; var sources: [SourceOption]
        /// The import states in the page's language, as JSON, for opinion.js's live progress.
        var importStatusLabels: String
        var total: Int; var orders: [SortOption]; var pages: PageLinks
        /// The listed state (open or closed) and a tab for each, with its count.
        var status: String; var states: [StateTab]
        /// The schemes the list can be narrowed to (the chosen one selected).
        var schemes: [SchemeChoice]
    }
    struct StateTab: Encodable { var label: String; var count: Int; var href: String; var selected: Bool }
    /// An import on the dashboard: its state in words, how far it has read, its counts and first problems; one still
    /// queued or running is refreshed by opinion.js, a paused or failed one can be resumed.
    struct ImportRow: Encodable {
        var id: String; var time: String; var format: String; var source: String; var status: String; var statusLabel: String; var percent: Int
        var rowsRead: Int; var imported: Int; var duplicates: Int; var skipped: Int; var problems: [String]; var live: Bool; var canResume: Bool
    }
    struct SourceOption: Encodable { var id: String; var name: String }
    /// The newest imports the dashboard shows (the rest on /opinion/imports).
    static let dashboardImports = 5
    /// Events a page of the dashboard's list.
    static let eventPageSize = 50
    struct IndexQuery: Content { var sort: String?; var page: Int?; var status: String? }
    struct PostRow: Encodable {
        var id: String; var author: String; var platform: String; var time: String; var text: String; var sentiment: String; var sentimentLabel: String
    }
    /// An open event of the same tenant that may be the same happening: offered for merging, most alike first.
    struct MergeCandidate: Encodable { var id: String; var title: String; var posts: Int; var lastAt: String; var likeness: Int }
    struct EventView: Encodable {
        var event: OpinionEventDTO; var volumeSVG: String; var sentimentSVG: String; var cloudSVG: String; var sourcesSVG: String; var spreadSVG: String
        var timeline: [PostRow]; var representatives: [PostRow]; var origins: String; var speed: String; var card: ResponseCard
        var canManage: Bool; var canTopic: Bool; var hasTopic: Bool; var candidates: [MergeCandidate]
        /// The statement templates to choose from (the draft's selected, the suggested one marked).
        var templates: [TemplateOption]
    }
    struct TemplateOption: Encodable { var value: String; var label: String; var selected: Bool }
    struct SchemeRow: Encodable {
        var scheme: OpinionSchemeDTO; var canManage: Bool; var tenant: String
        var regions: String; var platforms: String; var exclusions: String
        /// The names of the sources it is limited to, and its edit form's choice of the tenant's sources.
        var sources: String; var sourceChoices: [SchemeChoice]
        /// A queued or running re-match of the stored posts, followed live on the page.
        var rematchJob: String?
    }
    struct RuleRow: Encodable {
        var rule: OpinionAlertRuleDTO; var schemeName: String; var negativePercent: Int; var canManage: Bool; var tenant: String
        /// The schemes its edit form offers: those of the rule's own tenant.
        var schemeChoices: [SchemeChoice]
    }
    struct SchemeChoice: Encodable { var id: String; var name: String; var selected: Bool }
    struct AlertRow: Encodable { var alert: OpinionAlertDTO; var time: String }
    struct SchemesView: Encodable {
        var schemes: [SchemeRow]; var rules: [RuleRow]; var alerts: [AlertRow]; var alertTotal: Int; var canManage: Bool; var pages: PageLinks
        /// The sources a new scheme (made in the active tenant) can be limited to.
        var newSchemeSources: [SchemeChoice]
    }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "opinion", access: .permission(.opinionRead), use: index)
        routes.page(.GET, "opinion", "schemes", access: .permission(.opinionRead), use: schemes)
        routes.page(.GET, "opinion", "events", ":eventID", access: .permission(.opinionRead), use: event)
    }

    static func row(_ p: OpinionPostDTO, _ lang: String) -> PostRow {
        PostRow(id: p.id.uuidString, author: p.author, platform: OpinionLabels.platform(p.platform, lang), time: DisplayTime.format(p.postedAt), text: String(p.text.prefix(300)),
                sentiment: p.sentiment, sentimentLabel: OpinionLabels.sentiment(p.sentiment, lang))
    }

    @Sendable func index(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        // Every open event, 50 a page, in the chosen order (before: the 50 riskiest only).
        let query = (try? req.query.decode(IndexQuery.self)) ?? IndexQuery()
        let sort = query.sort.flatMap { OpinionEventsAPI.orders.contains($0) ? $0 : nil } ?? "risk"
        let status = query.status.flatMap { OpinionEventsAPI.listedStatuses.contains($0) ? $0 : nil } ?? "open"
        // The schemes the person may read; a scheme_id that is not one of them is ignored.
        let schemeModels = try await req.scope(for: .opinionRead).query(OpinionScheme.self, on: req.db).filter(\.$archived == false).sort(\.$name).all()
        let scheme = ((try? OpinionParams.uuid(req, "scheme_id")) ?? nil).flatMap { id in schemeModels.contains { $0.id == id } ? id : nil }
        let size = Self.eventPageSize
        var totals: [String: Int] = [:]
        for s in OpinionEventsAPI.listedStatuses { totals[s] = try await OpinionEventsAPI.listed(req, status: s, scheme: scheme).countRows() }
        let total = totals[status] ?? 0
        let number = PageLinks.shown(query.page, size: size, total: total, largestOffset: OpinionEventsAPI.largestOffset)
        let events = try await OpinionEventsAPI.sorted(OpinionEventsAPI.listed(req, status: status, scheme: scheme), by: sort).range(((number - 1) * size)..<(number * size)).all()
        let lang = Localizer.language(of: req)
        let states = OpinionEventsAPI.listedStatuses.map { s in
            StateTab(label: Localizer.text(s == "open" ? "opinion.openEvents" : "opinion.closedEvents", lang), count: totals[s] ?? 0,
                     href: PageLinks.url("/opinion", [URLQueryItem(name: "status", value: s == "open" ? nil : s),
                                                      URLQueryItem(name: "sort", value: sort == "risk" ? nil : sort),
                                                      URLQueryItem(name: "scheme_id", value: scheme?.uuidString)]),
                     selected: s == status)
        }
        let sourceNames = Dictionary(try await OpinionAPI.sources(req).all().compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        let importsTotal = try await OpinionAPI.imports(req).countRows()
        let imports = try await OpinionAPI.imports(req).limit(Self.dashboardImports).all().map { i in
            Self.importRow(OpinionImportDTO(i), source: i.sourceID.flatMap { sourceNames[$0]?.name } ?? "", lang: lang,
                           canManage: actor.can(.opinionManage, in: i.tenantID))
        }
        let sources = sourceNames.values.filter { $0.tenantID == actor.activeTenantID && $0.isLive }.sorted { $0.name < $1.name }
            .map { SourceOption(id: $0.id!.uuidString, name: $0.name) }
        let rows = events.map { EventRow(id: $0.id!.uuidString, title: $0.title, posts: $0.postCount, risk: String(format: "%.1f", $0.risk),
                                         heat: String(format: "%.1f", $0.heat), negative: $0.negative, neutral: $0.neutral, positive: $0.positive,
                                         lastAt: DisplayTime.format($0.lastAt)) }
        return try await PageContext.render("opinion/index", titleKey: "opinion.title", section: "opinion",
                                            body: IndexView(events: rows, hasEvents: !rows.isEmpty, canManage: actor.canAnywhere(.opinionManage), imports: imports, importsTotal: importsTotal,
                                                            sources: sources, importStatusLabels: Self.importStatusLabels(lang),
                                                            total: total, orders: Self.orders(sort, lang),
                                                            pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/opinion",
                                                                             keep: [URLQueryItem(name: "sort", value: sort == "risk" ? nil : sort),
                                                                                    URLQueryItem(name: "status", value: status == "open" ? nil : status),
                                                                                    URLQueryItem(name: "scheme_id", value: scheme?.uuidString)]),
                                                            status: status, states: states,
                                                            schemes: schemeModels.compactMap { s in s.id.map { SchemeChoice(id: $0.uuidString, name: s.name, selected: $0 == scheme) } }),
                                            on: req)
    }

    static func importStatusLabels(_ lang: String) -> String {
        let labels = Dictionary(uniqueKeysWithValues: OpinionImportJob.statuses.map { ($0, Localizer.text("opinion.import.status.\($0)", lang)) })
        return String(decoding: (try? JSONEncoder.sorted.encode(labels)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func importRow(_ i: OpinionImportDTO, source: String, lang: String, canManage: Bool) -> ImportRow {
        let percent = i.status == "done" ? 100 : i.totalBytes > 0 ? Int(min(99, i.checkpoint * 100 / i.totalBytes)) : 0
        return ImportRow(id: i.id.uuidString, time: DisplayTime.format(i.createdAt), format: i.format, source: source, status: i.status,
                         statusLabel: Localizer.text("opinion.import.status.\(i.status)", lang), percent: percent, rowsRead: i.rowsRead,
                         imported: i.imported, duplicates: i.duplicates, skipped: i.skipped, problems: Array(i.problems.prefix(5)),
                         live: ["queued", "running"].contains(i.status), canResume: canManage && ["paused", "failed"].contains(i.status))
    }

    /// The event list's orders, labelled as the table's columns are.
    static func orders(_ selected: String, _ lang: String) -> [SortOption] {
        let keys = ["risk": "opinion.risk", "heat": "opinion.heat", "recent": "opinion.lastAt", "size": "opinion.posts"]
        return OpinionEventsAPI.orders.map { SortOption(value: $0, label: Localizer.text(keys[$0] ?? $0, lang), selected: $0 == selected) }
    }

    @Sendable func event(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let e = try await OpinionEventsAPI.event(req)
        let d = try await OpinionAnalysis.detail(e, on: req.db)
        let chosen = (try? req.query.get(String.self, at: "template")).flatMap(StatementTemplate.init(rawValue:))
        let card = try await OpinionResponse.card(e, detail: d, template: chosen, app: req.application, on: req.db)
        let lang = Localizer.language(of: req)
        let suggestedMark = Localizer.text("opinion.template.suggested", lang)
        let templates = StatementTemplate.allCases.map { t in
            TemplateOption(value: t.rawValue, label: (lang == "en" ? t.label.en : t.label.zh) + (t.rawValue == card.suggestedTemplate ? suggestedMark : ""),
                           selected: chosen == t)
        }
        let view = EventView(
            event: d.event,
            volumeSVG: OpinionCharts.line(d.volume.map { Double($0.total) }, title: "声量与预测 Volume and forecast", forecast: d.forecast),
            sentimentSVG: OpinionCharts.sentiment(d.volume, title: "情感走势 Sentiment over time"),
            cloudSVG: OpinionCharts.wordCloud(d.keywords, title: "热词 Word cloud"),
            sourcesSVG: OpinionCharts.bars(d.sources.map { .init(name: OpinionLabels.platform($0.name, lang), count: $0.count) }, title: "来源 Sources"),
            spreadSVG: OpinionCharts.spreadGraph(d.spread, title: "传播图 Spread graph"),
            timeline: d.timeline.map { Self.row($0, lang) }, representatives: d.representatives.map { Self.row($0, lang) },
            origins: d.spread.origins.joined(separator: "、"), speed: String(format: "%.2f", d.spread.authorsPerHour), card: card,
            canManage: actor.can(.opinionManage, in: e.tenantID), canTopic: actor.can(.topicsManage, in: e.tenantID) && e.topicID == nil, hasTopic: e.topicID != nil,
            candidates: actor.can(.opinionManage, in: e.tenantID) ? try await Self.mergeCandidates(for: e, on: req.db) : [],
            templates: templates)
        return try await PageContext.render("opinion/event", titleKey: "opinion.event", section: "opinion", body: view, on: req)
    }

    /// The open events of the event's tenant most alike to it by their keyword weights (cosine), among the 500 most
    /// recently active: what an editor would merge it with, instead of typing event IDs.
    static func mergeCandidates(for event: OpinionEvent, on db: any Database, count: Int = 10) async throws -> [MergeCandidate] {
        let mine = event.termWeights
        let norm = mine.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, let id = event.id else { return [] }
        let recent = try await OpinionEvent.query(on: db).filter(\.$tenantID == event.tenantID).filter(\.$status == "open").filter(\.$id != id)
            .sort(\.$lastAt, .descending).limit(500).all()
        let scored = recent.compactMap { other -> (OpinionEvent, Double)? in
            let theirs = other.termWeights
            let otherNorm = theirs.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard otherNorm > 0 else { return nil }
            let dot = mine.reduce(0) { $0 + $1.value * (theirs[$1.key] ?? 0) }
            let cosine = dot / (norm * otherNorm)
            return cosine > 0.05 ? (other, cosine) : nil
        }
        return scored.sorted { ($0.1, $0.0.lastAt) > ($1.1, $1.0.lastAt) }.prefix(count).map { e, cosine in
            MergeCandidate(id: e.id!.uuidString, title: e.title, posts: e.postCount, lastAt: DisplayTime.format(e.lastAt), likeness: Int((cosine * 100).rounded()))
        }
    }

    /// Alerts a page of the schemes page's list.
    static let alertPageSize = 50

    @Sendable func schemes(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let scope = try req.scope(for: .opinionRead)
        let lang = Localizer.language(of: req)
        let schemeModels = try await scope.query(OpinionScheme.self, on: req.db).filter(\.$archived == false).sort(\.$name).all()
        let names = Dictionary(schemeModels.compactMap { s in s.id.map { ($0, s.name) } }, uniquingKeysWith: { a, _ in a })
        let tenantNames = try await OpinionSourcePages.tenantNames(req)
        func tenant(_ id: UUID) -> String { tenantNames.map { $0[id] ?? "" } ?? "" }
        let rematching = try await OpinionSchemeRematch.pending(schemes: schemeModels.compactMap(\.id), on: req.db)
        let sources = try await scope.query(OpinionSource.self, on: req.db).filter(\.$archived == false).sort(\.$name).all()
        func choices(_ tenantID: UUID, _ chosen: [UUID]) -> [SchemeChoice] {
            sources.filter { $0.tenantID == tenantID }.compactMap { src in src.id.map { SchemeChoice(id: $0.uuidString, name: src.name, selected: chosen.contains($0)) } }
        }
        let sourceNames = Dictionary(sources.compactMap { s in s.id.map { ($0, s.name) } }, uniquingKeysWith: { a, _ in a })
        let schemes = schemeModels.map { s in
            SchemeRow(scheme: OpinionSchemeDTO(s), canManage: actor.can(.opinionManage, in: s.tenantID), tenant: tenant(s.tenantID),
                      regions: s.regions.joined(separator: ", "), platforms: s.platforms.joined(separator: ", "), exclusions: s.exclusions.joined(separator: ", "),
                      sources: (s.sourceIDs ?? []).map { sourceNames[$0] ?? (lang == "en" ? "(deleted source)" : "（已删除的来源）") }.joined(separator: ", "),
                      sourceChoices: choices(s.tenantID, s.sourceIDs ?? []),
                      rematchJob: s.id.flatMap { rematching[$0]?.uuidString })
        }
        let rules = try await scope.query(OpinionAlertRule.self, on: req.db).filter(\.$archived == false).sort(\.$createdAt).all().map { r in
            RuleRow(rule: OpinionAlertRuleDTO(r), schemeName: r.schemeID.flatMap { names[$0] } ?? "", negativePercent: Int((r.minNegativeShare * 100).rounded()),
                    canManage: actor.can(.opinionManage, in: r.tenantID), tenant: tenant(r.tenantID),
                    schemeChoices: schemeModels.filter { $0.tenantID == r.tenantID }.compactMap { s in
                        s.id.map { SchemeChoice(id: $0.uuidString, name: s.name, selected: $0 == r.schemeID) }
                    })
        }
        // Every alert, 50 a page (before: the newest 50 only).
        let query = (try? req.query.decode(IndexQuery.self)) ?? IndexQuery()
        let size = Self.alertPageSize
        let total = try await OpinionEventsAPI.alerts(req).countRows()
        let number = PageLinks.shown(query.page, size: size, total: total, largestOffset: OpinionEventsAPI.largestOffset)
        let alerts = try await OpinionEventsAPI.alerts(req).range(((number - 1) * size)..<(number * size)).all().map { a in
            var dto = OpinionAlertDTO(a)
            dto.title = OpinionLabels.alertTitle(dto.title, lang)
            dto.detail = OpinionLabels.alertDetail(dto.detail, lang)
            return AlertRow(alert: dto, time: DisplayTime.format(a.createdAt))
        }
        return try await PageContext.render("opinion/schemes", titleKey: "opinion.schemes", section: "opinion",
                                            body: SchemesView(schemes: schemes, rules: rules, alerts: alerts, alertTotal: total, canManage: actor.canAnywhere(.opinionManage),
                                                              pages: PageLinks(number: number, size: size, total: total, shown: alerts.count, path: "/opinion/schemes", keep: []),
                                                              newSchemeSources: choices(actor.activeTenantID, [])),
                                            on: req)
    }
}
