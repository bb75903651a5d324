import Fluent
import Vapor

/// The post list (/opinion/posts, 信息列表): every monitored post the person may read, newest first, 50 a page,
/// filtered by text, sentiment, platform, source, scheme and time (the API's filters, `OpinionPostFilter`), each with
/// its event.
struct OpinionPostPages {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Row: Encodable {
        var time: String; var author: String; var platform: String; var text: String; var url: String; var sentiment: String; var sentimentLabel: String
        var eventID: String; var eventTitle: String; var likes: Int; var reposts: Int; var comments: Int; var future: Bool
    }
    struct PostsView: Encodable {
        var rows: [Row]; var total: Int; var q: String; var from: String; var to: String
        var sentiments: [Option]; var platforms: [Option]; var sources: [Option]; var schemes: [Option]; var pages: PageLinks
        /// The API's CSV export of the same filters.
        var exportURL: String
    }
    static let pageSize = 50
    /// Platforms offered in the filter besides those of the person's sources.
    static let knownPlatforms = ["weibo", "wechat", "news", "douyin", "kuaishou", "toutiao", "bilibili", "xiaohongshu", "zhihu", "tieba", "forum"]

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "opinion", "posts", access: .permission(.opinionRead), use: posts)
    }

    @Sendable func posts(_ req: Request) async throws -> View {
        let filter = try OpinionPostFilter(req)
        let lang = Localizer.language(of: req)
        let size = Self.pageSize
        let total = try await filter.query(req).countRows()
        let number = PageLinks.shown(try QueryParams.int(req, "page", 1...100_000), size: size, total: total)
        let posts = try await filter.query(req).sort(\.$postedAt, .descending).sort(\.$id).range(((number - 1) * size)..<(number * size)).all()
        let titles = try await OpinionPostFilter.eventTitles(of: posts, on: req.db)
        let rows = posts.map { p in
            Row(time: DisplayTime.format(p.postedAt), author: p.author, platform: OpinionLabels.platform(p.platform, lang),
                text: String(p.text.prefix(300)), url: Self.safeURL(p.url), sentiment: p.sentiment, sentimentLabel: OpinionLabels.sentiment(p.sentiment, lang),
                eventID: p.eventID?.uuidString ?? "", eventTitle: p.eventID.flatMap { titles[$0] } ?? "", likes: p.likes, reposts: p.reposts,
                comments: p.comments, future: p.futureTime)
        }
        let sources = try await OpinionAPI.sources(req).all().sorted { $0.name < $1.name }
        let schemes = try await req.scope(for: .opinionRead).query(OpinionScheme.self, on: req.db).filter(\.$archived == false).sort(\.$name).all()
        let platformCodes = Self.knownPlatforms + Set(sources.map { $0.platform.lowercased() }).subtracting(Self.knownPlatforms).sorted()
        let keep = filter.queryItems(req)
        let view = PostsView(
            rows: rows, total: total, q: filter.q ?? "", from: filter.from.map(QueryParams.day) ?? "", to: filter.to.map(QueryParams.day) ?? "",
            sentiments: OpinionSchemas.sentiments.map { Option(value: $0, label: OpinionLabels.sentiment($0, lang), selected: filter.sentiment == $0) },
            platforms: platformCodes.map { Option(value: $0, label: OpinionLabels.platform($0, lang), selected: filter.platform == $0) },
            sources: sources.compactMap { s in s.id.map { Option(value: $0.uuidString, label: s.name, selected: filter.sourceID == $0) } },
            schemes: schemes.compactMap { s in s.id.map { Option(value: $0.uuidString, label: s.name, selected: filter.schemeID == $0) } },
            pages: PageLinks(number: number, size: size, total: total, shown: rows.count, path: "/opinion/posts", keep: keep),
            exportURL: PageLinks.url("/api/v1/opinion/posts/export", keep))
        return try await PageContext.render("opinion/posts", titleKey: "opinion.postList", section: "opinion", body: view, on: req)
    }

    /// A post's link, only when it is a web address (a post's URL comes from outside).
    static func safeURL(_ url: String?) -> String {
        guard let url, let scheme = URL(string: url)?.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return "" }
        return url
    }
}
