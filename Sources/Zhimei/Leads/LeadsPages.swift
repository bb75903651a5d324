import Fluent
import Vapor

/// The lead inbox, a lead's page, the sources page and the public tip form (爆料).
struct LeadsPages {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Row: Encodable {
        var id: String; var title: String; var summary: String; var source: String; var time: String; var category: String
        var language: String; var status: String; var statusLabel: String; var assignee: String; var clusterSize: Int; var hot: String; var keywords: String
    }
    struct InboxView: Encodable {
        var rows: [Row]; var total: Int; var q: String; var from: String; var to: String
        var statuses: [Option]; var categories: [Option]; var languages: [Option]; var sources: [Option]; var sorts: [Option]; var assignees: [Option]
        var canManage: Bool; var hasRows: Bool; var pages: PageLinks
    }
    struct DetailView: Encodable {
        var lead: LeadDTO; var sourceLabel: String; var time: String; var fetched: String; var categoryLabel: String; var languageLabel: String; var statusLabel: String; var keywords: String
        var cluster: [Row]; var canManage: Bool; var canConvert: Bool; var assignees: [Option]; var isOpen: Bool; var photos: [String]
        var paragraphs: [String]; var hasPhotos: Bool; var hasCluster: Bool
    }
    struct SourceRow: Encodable {
        var id: String; var name: String; var kind: String; var url: String; var enabled: Bool; var interval: Int; var health: String
        var healthLabel: String; var lastSuccess: String; var lastError: String; var failures: Int; var items: Int; var nextPoll: String
        var webhookURL: String; var secret: String?
    }
    struct SourcesView: Encodable { var sources: [SourceRow]; var canManage: Bool; var tipURL: String; var hasSources: Bool }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "leads", access: .permission(.leadsRead), use: inbox)
        routes.page(.GET, "leads", "sources", access: .permission(.leadsRead), use: sources)
        routes.page(.GET, "leads", ":leadID", access: .permission(.leadsRead), use: detail)
        routes.page(.GET, "leads", ":leadID", "photos", ":index", access: .permission(.leadsRead), use: photo)
        TipPages().register(routes)
    }

    static func statusLabel(_ s: LeadStatus, _ lang: String) -> String { Localizer.text("leads.status.\(s.rawValue)", lang) }

    /// Built-in sources are named in both languages when stored ("粘贴 / Paste", "邮件 / E-mail: …"); a page shows its own.
    static func sourceLabel(_ name: String, _ lang: String) -> String {
        for (zh, en) in [("粘贴", "Paste"), ("群众爆料", "Citizen tip"), ("邮件", "E-mail")] {
            let stored = "\(zh) / \(en)"
            guard name.hasPrefix(stored) else { continue }
            let rest = name.dropFirst(stored.count)
            if rest.isEmpty { return lang == "en" ? en : zh }
            guard rest.hasPrefix(": ") else { continue }
            return lang == "en" ? "\(en): \(rest.dropFirst(2))" : "\(zh)：\(rest.dropFirst(2))"
        }
        return name
    }
    static func categoryLabel(_ raw: String, _ lang: String) -> String {
        let c = LeadCategory(rawValue: raw) ?? .other
        return lang == "en" ? c.label.en : c.label.zh
    }

    static func row(_ l: LeadDTO, _ lang: String) -> Row {
        Row(id: l.id.uuidString, title: l.titleSimplified ?? l.title, summary: String(l.summary.prefix(120)), source: sourceLabel(l.sourceName, lang),
            time: DisplayTime.format(l.publishedAt), category: categoryLabel(l.category, lang), language: LanguageNames.label(l.language, lang), status: l.status.rawValue,
            statusLabel: statusLabel(l.status, lang), assignee: l.assigneeName ?? "", clusterSize: l.clusterSize, hot: String(format: "%.2f", l.hot),
            keywords: l.keywords.prefix(5).joined(separator: "、"))
    }

    @Sendable func inbox(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let filter = try LeadFilter.parse(req)
        let page = try await LeadQueries.list(filter, on: req)
        let sources = try await LeadsAPI.sources(req).all()
        let assignees = actor.canAnywhere(.leadsManage) ? try await LeadQueries.assignees(tenantIDs: [actor.activeTenantID], on: req.db) : []
        func options(_ values: [(String, String)], _ selected: String?) -> [Option] {
            values.map { Option(value: $0.0, label: $0.1, selected: $0.0 == selected) }
        }
        // the filters stay in the page links
        let keep = (URLComponents(string: "/leads" + (req.url.query.map { "?" + $0 } ?? ""))?.queryItems ?? []).filter { $0.name != "offset" }
        let view = InboxView(
            rows: page.items.map { Self.row($0, lang) }, total: page.total, q: filter.q ?? "",
            from: (try? req.query.get(String.self, at: "from")) ?? "", to: (try? req.query.get(String.self, at: "to")) ?? "",
            statuses: options(LeadStatus.allCases.map { ($0.rawValue, Self.statusLabel($0, lang)) }, filter.status?.rawValue),
            categories: options(LeadCategory.allCases.map { ($0.rawValue, lang == "en" ? $0.label.en : $0.label.zh) }, filter.category?.rawValue),
            languages: options([("zh-Hans", LanguageNames.label("zh-Hans", lang)), ("zh-Hant", LanguageNames.label("zh-Hant", lang)), ("en", LanguageNames.label("en", lang)), ("other", LanguageNames.label("other", lang))], filter.language),
            sources: options(sources.map { ($0.id!.uuidString, $0.name) }, filter.sourceID?.uuidString),
            sorts: options([("newest", Localizer.text("leads.sort.newest", lang)), ("hot", Localizer.text("leads.sort.hot", lang))], filter.sort),
            assignees: options([("me", Localizer.text("leads.assignee.me", lang))] + assignees.map { ($0.id.uuidString, $0.displayName) },
                               (try? req.query.get(String.self, at: "assignee_id"))),
            canManage: actor.canAnywhere(.leadsManage), hasRows: !page.items.isEmpty,
            pages: PageLinks(offset: filter.offset, size: filter.limit, total: page.total, shown: page.items.count, path: "/leads", keep: keep))
        return try await PageContext.render("leads/inbox", titleKey: "leads.title", section: "leads", body: view, on: req)
    }

    @Sendable func detail(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let lead = try await LeadService.find(req.parameters.get("leadID", as: UUID.self), on: req)
        let detail = try await LeadQueries.detail(lead, on: req)
        let canManage = actor.can(.leadsManage, in: lead.tenantID)
        let assignees = canManage ? try await LeadQueries.assignees(tenantIDs: [lead.tenantID], on: req.db) : []
        let l = detail.lead
        let view = DetailView(
            lead: l, sourceLabel: Self.sourceLabel(l.sourceName, lang), time: DisplayTime.format(l.publishedAt), fetched: DisplayTime.format(l.fetchedAt), categoryLabel: Self.categoryLabel(l.category, lang),
            languageLabel: LanguageNames.label(l.language, lang), statusLabel: Self.statusLabel(l.status, lang), keywords: l.keywords.joined(separator: "、"),
            cluster: detail.cluster.filter { $0.id != l.id }.map { Self.row($0, lang) }, canManage: canManage,
            canConvert: actor.can(.topicsManage, in: lead.tenantID) && l.status != .converted && l.status != .discarded,
            assignees: assignees.map { Option(value: $0.id.uuidString, label: $0.displayName, selected: $0.id == l.assigneeId) },
            isOpen: l.status == .new || l.status == .claimed, photos: l.attachments.indices.map { "/leads/\(l.id.uuidString)/photos/\($0)" },
            paragraphs: l.body.split(separator: "\n").map(String.init), hasPhotos: !l.attachments.isEmpty, hasCluster: detail.cluster.count > 1)
        return try await PageContext.render("leads/detail", titleKey: "leads.detail", section: "leads", body: view, on: req)
    }

    /// A tip's photo, served from the blob store to people who may read the lead.
    @Sendable func photo(_ req: Request) async throws -> Response {
        let lead = try await LeadService.find(req.parameters.get("leadID", as: UUID.self), on: req)
        guard let index = req.parameters.get("index", as: Int.self), lead.attachments.indices.contains(index),
              let data = try await req.application.zhimei.blobs.get(lead.attachments[index]) else { throw AppError.notFound }
        let type = TipPages.imageType(data)?.mime ?? "application/octet-stream"
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "image", subType: String(type.split(separator: "/").last ?? "jpeg"))
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    @Sendable func sources(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let list = try await LeadsAPI.sources(req).all()
        let base = req.application.zhimei.settings.publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let rows = list.map { s -> SourceRow in
            let dto = LeadsAPI.dto(s, req)
            return SourceRow(id: dto.id.uuidString, name: dto.name, kind: dto.kind.rawValue, url: dto.url ?? "", enabled: dto.enabled, interval: dto.intervalSeconds,
                             health: dto.health, healthLabel: Localizer.text("leads.health.\(dto.health)", lang), lastSuccess: DisplayTime.format(dto.lastSuccessAt),
                             lastError: dto.lastError ?? "", failures: dto.failureCount, items: dto.itemsFetched, nextPoll: DisplayTime.format(dto.nextPollAt),
                             webhookURL: base + dto.webhookPath, secret: dto.webhookSecret)
        }
        let slug = try await Tenant.find(actor.activeTenantID, on: req.db)?.slug ?? ""
        return try await PageContext.render("leads/sources", titleKey: "leads.sources", section: "leads",
                                            body: SourcesView(sources: rows, canManage: actor.canAnywhere(.leadsManage), tipURL: base + "/tips/" + slug, hasSources: !rows.isEmpty), on: req)
    }
}
