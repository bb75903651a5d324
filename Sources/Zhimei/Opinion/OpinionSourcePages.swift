import Fluent
import Vapor

/// The sources page (/opinion/sources, 信息来源): each feed, webhook and import channel with its state, last poll or
/// delivery and post count; managers add, change, poll, switch off and on, delete, and see a webhook's address and
/// secret. Actions go to the API (data-api buttons and forms).
struct OpinionSourcePages {
    struct SourceRow: Encodable {
        var id: String; var name: String; var kind: String; var kindLabel: String; var platform: String; var url: String
        var interval: Int; var enabled: Bool; var posts: Int; var lastPolled: String; var lastOutcome: String; var lastError: String
        var lastReceived: String; var nextPoll: String; var webhookURL: String; var secret: String?; var canManage: Bool
        /// The owning centre's name, for someone who sees several ("" otherwise).
        var tenant: String
    }
    struct SourcesView: Encodable { var sources: [SourceRow]; var canManage: Bool }

    /// Tenant names for a person who sees more than one tenant's opinion data (a platform admin sees every county's
    /// sources, schemes and rules on one page and must tell them apart); nil for one tenant.
    static func tenantNames(_ req: Request) async throws -> [UUID: String]? {
        switch try req.scope(for: .opinionRead) {
        case .only(let ids) where ids.count <= 1: return nil
        case .only(let ids):
            return Dictionary(try await Tenant.query(on: req.db).filter(\.$id ~~ Array(ids)).all().compactMap { t in t.id.map { ($0, t.name) } },
                              uniquingKeysWith: { a, _ in a })
        case .all:
            return Dictionary(try await Tenant.query(on: req.db).all().compactMap { t in t.id.map { ($0, t.name) } }, uniquingKeysWith: { a, _ in a })
        }
    }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "opinion", "sources", access: .permission(.opinionRead), use: sources)
    }

    @Sendable func sources(_ req: Request) async throws -> View {
        let actor = try req.requireActor()
        let lang = Localizer.language(of: req)
        let base = req.application.zhimei.settings.publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let names = try await Self.tenantNames(req)
        let rows = try await OpinionAPI.sources(req).all().map { s -> SourceRow in
            let canManage = actor.can(.opinionManage, in: s.tenantID)
            let dto = OpinionSourceDTO(s, showSecret: canManage)
            return SourceRow(id: dto.id.uuidString, name: dto.name, kind: dto.kind, kindLabel: Localizer.text("opinion.source.short.\(dto.kind)", lang),
                             platform: OpinionLabels.platform(dto.platform, lang), url: dto.url ?? "", interval: dto.intervalMinutes ?? 0, enabled: dto.enabled,
                             posts: dto.postsReceived, lastPolled: DisplayTime.format(dto.lastPolledAt), lastOutcome: dto.lastOutcome ?? "",
                             lastError: dto.lastError ?? "", lastReceived: DisplayTime.format(dto.lastReceivedAt), nextPoll: DisplayTime.format(dto.nextPollAt),
                             webhookURL: base + dto.webhookPath, secret: dto.webhookSecret, canManage: canManage,
                             tenant: names.map { $0[s.tenantID] ?? "" } ?? "")
        }
        return try await PageContext.render("opinion/sources", titleKey: "opinion.sources", section: "opinion",
                                            body: SourcesView(sources: rows, canManage: actor.canAnywhere(.opinionManage)), on: req)
    }
}
