import Fluent
import Vapor

/// The Planning pages: the board (kanban, list and month calendar), a topic's detail and the shared pool.
/// They read through the same services as the API; changes go to the API from /js/planning.js and /js/app.js.
struct PlanningPages {
    struct Card: Encodable {
        var id: String; var title: String; var status: String; var statusLabel: String; var priority: String; var priorityLabel: String
        var due: String; var overdue: Bool; var assignees: String; var coverage: String
        var leftTo: String; var rightTo: String; var leftLabel: String; var rightLabel: String; var fromPool: Bool; var fromLead: Bool
    }
    struct Column: Encodable { var status: String; var label: String; var cards: [Card]; var count: Int }
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Day: Encodable { var day: Int; var date: String; var inMonth: Bool; var today: Bool; var cards: [Card] }
    struct Week: Encodable { var days: [Day] }
    struct BoardView: Encodable {
        var view: String; var columns: [Column]; var cards: [Card]; var empty: Bool; var weeks: [Week]; var weekdays: [String]
        var monthLabel: String; var prevMonth: String; var nextMonth: String; var month: String
        var people: [Option]; var priorities: [Option]; var statuses: [Option]; var q: String; var statusFilter: String; var tenantName: String
        /// Set when the page was opened to convert a lead (/planning?lead_id=…): the new-topic form opens with it.
        var leadID: String
    }

    struct CoverageRow: Encodable { var id: String; var kind: String; var kindLabel: String; var note: String; var assignee: String; var assigneeID: String; var done: Bool; var people: [Option] }
    struct CommentRow: Encodable { var author: String; var body: String; var time: String; var mentions: String }
    struct OutlineView: Encodable { var content: String; var label: String; var ai: Bool; var provider: String; var model: String; var time: String; var edited: String; var keywords: String; var people: String; var places: String; var orgs: String }
    struct Provenance: Encodable { var tenant: String; var direction: String; var by: String; var time: String; var entryID: String }
    struct DetailView: Encodable {
        var topic: Card; var tenantName: String; var description: String; var angle: String; var dueInput: String; var keywords: String
        var createdBy: String; var created: String; var approved: String; var people: [Option]; var priorities: [Option]
        var coverage: [CoverageRow]; var coverageKinds: [Option]; var comments: [CommentRow]; var noComments: Bool; var outline: OutlineView?; var outlineCount: Int
        var canApprove: Bool; var canSubmit: Bool; var submitted: Bool; var canAssign: Bool; var counties: [Option]; var assignedTo: String
        var provenance: Provenance?; var leadID: String; var statusSteps: [Option]
        var canWriteStory: Bool
    }

    struct PoolRow: Encodable {
        var id: String; var kind: String; var kindLabel: String; var direction: String; var directionLabel: String; var title: String; var summary: String; var body: String
        var keywords: String; var sourceTenant: String; var sharedBy: String; var sharedAt: String; var sourceID: String
        var adoptedTopicID: String; var adoptedBy: String; var receiver: String
    }
    struct PoolFilter: Encodable { var value: String; var label: String; var count: Int; var selected: Bool }
    struct PoolView: Encodable {
        var rows: [PoolRow]; var empty: Bool; var tenantName: String; var isPlatform: Bool; var filters: [PoolFilter]; var pages: PageLinks
    }
    struct PoolQuery: Content { var show: String?; var page: Int? }
    /// Pool entries a page.
    static let poolPageSize = 50

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "planning", access: .permission(.topicsManage), use: board)
        routes.page(.GET, "planning", "topics", ":topicID", access: .permission(.topicsManage), use: detail)
        routes.page(.GET, "planning", "pool", access: .permission(.topicsManage), use: pool)
    }

    static func card(_ t: Topic, people: [UUID: User], coverage: [CoverageItem], lang: String, canApprove: Bool) -> Card {
        let statuses = TopicStatus.allCases
        let i = t.status.index
        var left = i > 0 ? statuses[i - 1] : nil
        var right = i + 1 < statuses.count ? statuses[i + 1] : nil
        // Approving (either way) is for editors: the buttons do not offer it to others.
        if !canApprove, t.status == .proposed { right = nil }
        if !canApprove, t.status == .approved { left = nil }
        let done = coverage.filter(\.done).count
        return Card(id: t.id?.uuidString ?? "", title: t.title, status: t.status.rawValue, statusLabel: TopicService.label(t.status, lang),
                    priority: t.priority.rawValue, priorityLabel: Localizer.text("planning.priority.\(t.priority.rawValue)", lang),
                    due: t.dueAt.map(Self.shortTime) ?? "", overdue: (t.dueAt.map { $0 < Date() } ?? false) && t.status != .done,
                    assignees: t.assignees.compactMap { people[$0]?.displayName }.joined(separator: "、"),
                    coverage: coverage.isEmpty ? "" : "\(done)/\(coverage.count)",
                    leftTo: left?.rawValue ?? "", rightTo: right?.rawValue ?? "",
                    leftLabel: left.map { TopicService.label($0, lang) } ?? "", rightLabel: right.map { TopicService.label($0, lang) } ?? "",
                    fromPool: t.poolEntryID != nil, fromLead: t.leadID != nil)
    }

    static func shortTime(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TopicService.shanghai
        f.dateFormat = "MM-dd HH:mm"
        return f.string(from: d)
    }

    static func calendar() -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TopicService.shanghai
        c.firstWeekday = 2
        return c
    }

    @Sendable func board(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let tenantID = actor.activeTenantID
        let view = ["list", "calendar"].contains((try? req.query.get(String.self, at: "view")) ?? "") ? try req.query.get(String.self, at: "view") : "board"
        let canApprove = actor.can(.topicsApprove, in: tenantID)
        var filter = TopicService.ListFilter(tenantID: tenantID)
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let statusFilter = (try? req.query.get(String.self, at: "status")).flatMap(TopicStatus.init(rawValue:))
        if view == "list" {
            filter.query = q
            filter.status = statusFilter
        }
        // The calendar month (China time).
        let cal = Self.calendar()
        let monthRaw = (try? req.query.get(String.self, at: "month")) ?? ""
        var monthStart = cal.date(from: cal.dateComponents([.year, .month], from: Date()))!
        let parts = monthRaw.split(separator: "-").compactMap { Int($0) }
        if parts.count == 2, (1970...2999).contains(parts[0]), (1...12).contains(parts[1]),
           let d = cal.date(from: DateComponents(year: parts[0], month: parts[1], day: 1)) { monthStart = d }
        let nextMonthStart = cal.date(byAdding: .month, value: 1, to: monthStart)!
        let leading = (cal.component(.weekday, from: monthStart) + 5) % 7
        let gridStart = cal.date(byAdding: .day, value: -leading, to: monthStart)!
        let gridEnd = cal.date(byAdding: .day, value: 42, to: gridStart)!
        if view == "calendar" {
            filter.dueFrom = gridStart
            filter.dueTo = gridEnd
        }
        let topics = try await TopicService.list(filter, on: req)
        let coverage = Dictionary(grouping: try await TopicService.coverage(of: topics.compactMap(\.id), on: req), by: \.topicID)
        let members = try await TopicService.tenantMembers(tenantID, on: req.db)
        var people = try await PlanningAPI.people(Set(topics.flatMap(\.assignees)), on: req.db)
        for m in members { if let id = m.id { people[id] = m } }
        let cards = topics.map { Self.card($0, people: people, coverage: coverage[$0.id ?? UUID()] ?? [], lang: lang, canApprove: canApprove) }
        let columns = TopicStatus.allCases.map { s in
            let list = cards.filter { $0.status == s.rawValue }
            return Column(status: s.rawValue, label: TopicService.label(s, lang), cards: list, count: list.count)
        }
        var weeks: [Week] = []
        if view == "calendar" {
            let dayKey = DateFormatter()
            dayKey.locale = Locale(identifier: "en_US_POSIX")
            dayKey.timeZone = TopicService.shanghai
            dayKey.dateFormat = "yyyy-MM-dd"
            var byDay: [String: [Card]] = [:]
            for (t, c) in zip(topics, cards) { if let due = t.dueAt { byDay[dayKey.string(from: due), default: []].append(c) } }
            let today = dayKey.string(from: Date())
            for w in 0..<6 {
                var days: [Day] = []
                for d in 0..<7 {
                    let date = cal.date(byAdding: .day, value: w * 7 + d, to: gridStart)!
                    let key = dayKey.string(from: date)
                    days.append(Day(day: cal.component(.day, from: date), date: key, inMonth: date >= monthStart && date < nextMonthStart,
                                    today: key == today, cards: byDay[key] ?? []))
                }
                weeks.append(Week(days: days))
            }
        }
        let ym = DateFormatter()
        ym.locale = Locale(identifier: "en_US_POSIX")
        ym.timeZone = TopicService.shanghai
        ym.dateFormat = "yyyy-MM"
        let label = DateFormatter()
        label.locale = Locale(identifier: lang == "en" ? "en_US" : "zh_CN")
        label.timeZone = TopicService.shanghai
        label.dateFormat = lang == "en" ? "MMMM yyyy" : "yyyy年M月"
        let weekdays = lang == "en" ? ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] : ["一", "二", "三", "四", "五", "六", "日"]
        let tenantName = try await Tenant.find(tenantID, on: req.db)?.name ?? ""
        let body = BoardView(view: view, columns: columns, cards: cards, empty: cards.isEmpty, weeks: weeks, weekdays: weekdays,
                             monthLabel: label.string(from: monthStart), prevMonth: ym.string(from: cal.date(byAdding: .month, value: -1, to: monthStart)!),
                             nextMonth: ym.string(from: nextMonthStart), month: ym.string(from: monthStart),
                             people: members.map { Option(value: $0.id?.uuidString ?? "", label: "\($0.displayName)（\($0.username)）", selected: false) },
                             priorities: TopicPriority.allCases.map { Option(value: $0.rawValue, label: Localizer.text("planning.priority.\($0.rawValue)", lang), selected: $0 == .normal) },
                             statuses: TopicStatus.allCases.map { Option(value: $0.rawValue, label: TopicService.label($0, lang), selected: $0 == statusFilter) },
                             q: q, statusFilter: statusFilter?.rawValue ?? "", tenantName: tenantName,
                             leadID: (try? req.query.get(String.self, at: "lead_id")).flatMap(UUID.init(uuidString:))?.uuidString ?? "")
        return try await PageContext.render("planning/board", titleKey: "planning.title", section: "planning", body: body, on: req)
    }

    @Sendable func detail(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let topic = try await TopicService.find(req.parameters.get("topicID", as: UUID.self), on: req)
        let topicID = try topic.requireID()
        let canApprove = actor.can(.topicsApprove, in: topic.tenantID)
        let coverage = try await TopicService.coverage(of: [topicID], on: req)
        let members = try await TopicService.tenantMembers(topic.tenantID, on: req.db)
        var people = try await PlanningAPI.people(Set(topic.assignees + coverage.compactMap(\.assigneeID)), on: req.db)
        for m in members { if let id = m.id { people[id] = m } }
        let tenant = try await Tenant.find(topic.tenantID, on: req.db)
        let comments = try await TopicService.comments(of: topic, on: req)
        let outlines = try await OutlineService.list(topic, on: req)
        let shares = try await SharedPoolService.shares(of: topic, on: req)
        let submitted = shares.submitted
        let isPlatform = tenant?.kind == .platform
        var counties: [Option] = []
        var assignedNames = ""
        if isPlatform && canApprove {
            let assignedIDs = shares.assignedTo
            let all = try await Tenant.query(on: req.db).filter(\.$kind == .county).filter(\.$disabled == false).sort(\.$name).all()
            counties = all.map { Option(value: $0.id?.uuidString ?? "", label: $0.name, selected: assignedIDs.contains($0.id ?? UUID())) }
            assignedNames = all.filter { assignedIDs.contains($0.id ?? UUID()) }.map(\.name).joined(separator: "、")
        }
        var provenance: Provenance?
        if let entryID = topic.poolEntryID, let entry = try? await SharedPoolService.find(entryID, on: req) {
            provenance = Provenance(tenant: entry.sourceTenantName, direction: Localizer.text("planning.pool.\(entry.direction.rawValue)", lang),
                                    by: entry.sharedByName, time: DisplayTime.format(entry.sharedAt), entryID: entryID.uuidString)
        }
        let outline = outlines.first.map { o in
            OutlineView(content: o.content, label: o.origin == "ai" ? "AI生成" : Localizer.text("planning.outline.template", lang), ai: o.origin == "ai",
                        provider: o.provider, model: o.model, time: DisplayTime.format(o.generatedAt), edited: o.editedAt.map(DisplayTime.format) ?? "",
                        keywords: o.keywords.joined(separator: "、"), people: o.people.joined(separator: "、"), places: o.places.joined(separator: "、"),
                        orgs: o.organisations.joined(separator: "、"))
        }
        let dueInput: String = topic.dueAt.map { d in
            let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TopicService.shanghai; f.dateFormat = "yyyy-MM-dd'T'HH:mm"
            return f.string(from: d)
        } ?? ""
        let memberOptions = { (selected: Set<UUID>) in members.map { Option(value: $0.id?.uuidString ?? "", label: "\($0.displayName)（\($0.username)）", selected: selected.contains($0.id ?? UUID())) } }
        let view = DetailView(
            topic: Self.card(topic, people: people, coverage: coverage, lang: lang, canApprove: canApprove), tenantName: tenant?.name ?? "",
            description: topic.details, angle: topic.angle, dueInput: dueInput, keywords: topic.keywords.joined(separator: ", "),
            createdBy: topic.createdByName, created: DisplayTime.format(topic.createdAt), approved: topic.approvedAt.map(DisplayTime.format) ?? "",
            people: memberOptions(Set(topic.assignees)),
            priorities: TopicPriority.allCases.map { Option(value: $0.rawValue, label: Localizer.text("planning.priority.\($0.rawValue)", lang), selected: $0 == topic.priority) },
            coverage: coverage.map { c in
                CoverageRow(id: c.id?.uuidString ?? "", kind: c.kind.rawValue, kindLabel: TopicService.coverageLabel(c.kind, lang), note: c.note,
                            assignee: c.assigneeID.flatMap { people[$0]?.displayName } ?? "", assigneeID: c.assigneeID?.uuidString ?? "", done: c.done,
                            people: memberOptions(c.assigneeID.map { [$0] } ?? []))
            },
            coverageKinds: CoverageKind.allCases.map { Option(value: $0.rawValue, label: TopicService.coverageLabel($0, lang), selected: false) },
            comments: comments.map { CommentRow(author: $0.authorName, body: $0.body, time: DisplayTime.format($0.createdAt), mentions: $0.mentions.map { "@" + $0 }.joined(separator: " ")) },
            noComments: comments.isEmpty, outline: outline, outlineCount: outlines.count, canApprove: canApprove,
            canSubmit: tenant?.kind == .county && !submitted, submitted: submitted, canAssign: isPlatform && canApprove, counties: counties,
            assignedTo: assignedNames, provenance: provenance, leadID: topic.leadID?.uuidString ?? "",
            statusSteps: TopicStatus.allCases.map { Option(value: $0.rawValue, label: TopicService.label($0, lang), selected: $0 == topic.status) },
            canWriteStory: actor.can(.storiesWrite, in: topic.tenantID))
        return try await PageContext.render("planning/topic", titleKey: "planning.topic", section: "planning", body: view, on: req)
    }

    @Sendable func pool(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        // Every entry, 50 a page, all or only those waiting to be adopted or already adopted (before: the newest 500).
        let query = (try? req.query.decode(PoolQuery.self)) ?? PoolQuery()
        let choices: [(value: String, adopted: Bool?)] = [("", nil), ("waiting", false), ("adopted", true)]
        let chosen = choices.first { $0.value == (query.show ?? "") } ?? choices[0]
        var filters: [PoolFilter] = []
        for c in choices {
            let n = try await SharedPoolService.query(tenantID: actor.activeTenantID, adopted: c.adopted, on: req).countRows()
            filters.append(PoolFilter(value: c.value, label: Localizer.text(c.value.isEmpty ? "common.all" : "planning.pool.show.\(c.value)", lang),
                                      count: n, selected: c.value == chosen.value))
        }
        let total = filters.first { $0.selected }?.count ?? 0
        let size = Self.poolPageSize
        let number = PageLinks.shown(query.page, size: size, total: total)
        let entries = try await SharedPoolService.list(tenantID: actor.activeTenantID, adopted: chosen.adopted, offset: (number - 1) * size, limit: size, on: req)
        let tenant = try await Tenant.find(actor.activeTenantID, on: req.db)
        let rows = entries.map { e in
            PoolRow(id: e.id?.uuidString ?? "", kind: e.kind.rawValue, kindLabel: Localizer.text("planning.pool.kind.\(e.kind.rawValue)", lang),
                    direction: e.direction.rawValue, directionLabel: Localizer.text("planning.pool.\(e.direction.rawValue)", lang),
                    title: e.title, summary: e.summary, body: String(e.body.prefix(600)), keywords: e.keywords.joined(separator: "、"),
                    sourceTenant: e.sourceTenantName, sharedBy: e.sharedByName, sharedAt: DisplayTime.format(e.sharedAt), sourceID: e.sourceID.uuidString,
                    adoptedTopicID: e.adoptedTopicID?.uuidString ?? "", adoptedBy: e.adoptedByName ?? "", receiver: tenant?.name ?? "")
        }
        return try await PageContext.render("planning/pool", titleKey: "planning.pool.title", section: "planning",
                                            body: PoolView(rows: rows, empty: rows.isEmpty, tenantName: tenant?.name ?? "", isPlatform: tenant?.kind == .platform,
                                                           filters: filters,
                                                           pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/planning/pool",
                                                                            keep: [URLQueryItem(name: "show", value: chosen.value)])), on: req)
    }
}
