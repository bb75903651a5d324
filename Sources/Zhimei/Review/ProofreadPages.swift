import Fluent
import Vapor

/// Pages of 智能校对: the standalone proofreading page (/review/proofread) and lexicon / fact-base management
/// (/review/lexicon). Checks and changes go to the API from /js/proofread.js.
struct ProofreadPages {
    struct KindOption: Encodable { var value: String; var label: String; var selected: Bool }
    struct EntryView: Encodable {
        var id: String; var kind: String; var kindLabel: String; var term: String; var category: String; var severity: String
        var severityLabel: String
        var title: String; var items: String; var note: String; var homophones: Bool
    }
    struct LexiconView: Encodable {
        var level: String; var tenantID: String; var tenantName: String; var isPlatformAdmin: Bool; var q: String
        var kinds: [KindOption]; var entries: [EntryView]; var total: Int; var hasEntries: Bool; var exportURL: String; var importURL: String
        var categories: [String]
        var pages: PageLinks
    }
    /// Entries per page of the lexicon page.
    static let lexiconPageSize = 200
    struct ProofreadView: Encodable { var tenantID: String; var canManage: Bool }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "review", "proofread", access: .permission(.textUse), use: proofread)
        routes.page(.GET, "review", "lexicon", access: .permission(.tenantSettings), use: lexicon)
    }

    @Sendable func proofread(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let view = ProofreadView(tenantID: actor.activeTenantID.uuidString, canManage: actor.canAnywhere(.tenantSettings))
        return try await PageContext.render("review/proofread", titleKey: "proofread.title", section: "review/proofread", body: view, on: req)
    }

    struct LexiconQuery: Content { var level: String?; var kind: String?; var q: String?; var page: Int? }

    @Sendable func lexicon(_ req: Request) async throws -> View {
        let lang = Localizer.language(of: req)
        let actor = try req.requireActor()
        let query = (try? req.query.decode(LexiconQuery.self)) ?? LexiconQuery()
        let tenantID = try await req.tenantForSettings()
        let level = query.level == "platform" && actor.isPlatformAdmin ? "platform" : "tenant"
        let owner = try await LexiconService.owner(level: level, tenantID: tenantID, on: req)
        let kind = query.kind.flatMap { LexiconKind(rawValue: $0) }
        // A lexicon of 100,000 terms is paged (before, only its first 500 entries could be seen, the rest only by search).
        let size = Self.lexiconPageSize
        var number = PageLinks.requested(query.page, size: size, largestOffset: LexiconService.largestOffset)
        var page = try await LexiconService.list(owner, kind: kind?.rawValue, search: query.q, limit: size, offset: (number - 1) * size, on: req.db)
        let pageCount = PageLinks.count(total: page.total, size: size)
        if number > pageCount {
            // past the end (the list shrank, or a hand-typed number): the last page
            number = pageCount
            page = try await LexiconService.list(owner, kind: kind?.rawValue, search: query.q, limit: size, offset: (number - 1) * size, on: req.db)
        }
        let tenant = try await Tenant.find(tenantID, on: req.db)
        let entries = page.items.map { e in
            EntryView(id: e.id.uuidString, kind: e.kind, kindLabel: LexiconKind(rawValue: e.kind).map { lang == "en" ? $0.label.en : $0.label.zh } ?? e.kind,
                      term: e.term, category: e.category, severity: e.severity,
                      severityLabel: Localizer.text("lexicon.severity.\(e.severity)", lang), title: e.title, items: e.items.joined(separator: "、"), note: e.note,
                      homophones: e.homophones)
        }
        let suffix = level == "platform" ? "level=platform" : "tenant_id=\(tenantID.uuidString)"
        let view = LexiconView(
            level: level, tenantID: tenantID.uuidString, tenantName: level == "platform" ? (lang == "en" ? "Platform" : "平台") : tenant?.name ?? "",
            isPlatformAdmin: actor.isPlatformAdmin, q: query.q ?? "",
            kinds: LexiconKind.allCases.map { KindOption(value: $0.rawValue, label: lang == "en" ? $0.label.en : $0.label.zh, selected: $0 == kind) },
            entries: entries, total: page.total, hasEntries: !entries.isEmpty,
            exportURL: "/api/v1/review/lexicon/export?\(suffix)", importURL: "/api/v1/review/lexicon/import?\(suffix)", categories: LexiconService.categories,
            pages: PageLinks(number: number, size: size, total: page.total, shown: entries.count, path: "/review/lexicon",
                             keep: [URLQueryItem(name: "level", value: level == "platform" ? "platform" : nil),
                                    URLQueryItem(name: "kind", value: kind?.rawValue), URLQueryItem(name: "q", value: query.q)]))
        return try await PageContext.render("review/lexicon", titleKey: "lexicon.title", section: "review/lexicon", body: view, on: req)
    }
}
