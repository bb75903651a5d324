import Fluent
import Vapor

/// Every batch import (/opinion/imports, 导入任务), newest first, 50 a page, by state: the dashboard shows the newest five
/// only. The rows are the dashboard's (progress followed live by opinion.js, skipped rows, resume).
struct OpinionImportPages {
    struct StatusTab: Encodable { var status: String; var label: String; var count: Int; var selected: Bool }
    struct ImportsView: Encodable {
        var imports: [OpinionPages.ImportRow]; var importStatusLabels: String; var statuses: [StatusTab]; var statusFilter: String
        var total: Int; var pages: PageLinks
    }
    struct Query: Content { var status: String?; var page: Int? }

    static let pageSize = 50

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "opinion", "imports", access: .permission(.opinionRead), use: imports)
    }

    @Sendable func imports(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let lang = Localizer.language(of: req)
        let query = (try? req.query.decode(Query.self)) ?? Query()
        let filter = query.status.flatMap { OpinionImportJob.statuses.contains($0) ? $0 : nil }
        var tabs: [StatusTab] = []
        for status in OpinionImportJob.statuses {
            tabs.append(StatusTab(status: status, label: Localizer.text("opinion.import.status.\(status)", lang),
                                  count: try await OpinionAPI.imports(req, status: status).countRows(), selected: status == filter))
        }
        let total = filter.map { f in tabs.first { $0.status == f }?.count ?? 0 } ?? tabs.map(\.count).reduce(0, +)
        let size = Self.pageSize
        let number = PageLinks.shown(query.page, size: size, total: total, largestOffset: OpinionEventsAPI.largestOffset)
        let list = try await OpinionAPI.imports(req, status: filter).range(((number - 1) * size)..<(number * size)).all()
        let names = Dictionary(try await OpinionAPI.sources(req).all().compactMap { s in s.id.map { ($0, s.name) } }, uniquingKeysWith: { a, _ in a })
        let rows = list.map { i in
            OpinionPages.importRow(OpinionImportDTO(i), source: i.sourceID.flatMap { names[$0] } ?? "", lang: lang, canManage: actor.can(.opinionManage, in: i.tenantID))
        }
        return try await PageContext.render("opinion/imports", titleKey: "opinion.imports", section: "opinion",
                                            body: ImportsView(imports: rows, importStatusLabels: OpinionPages.importStatusLabels(lang), statuses: tabs,
                                                              statusFilter: filter ?? "", total: total,
                                                              pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/opinion/imports",
                                                                               keep: [URLQueryItem(name: "status", value: filter)])), on: req)
    }
}
