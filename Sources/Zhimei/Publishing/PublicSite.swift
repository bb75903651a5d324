import Crypto
import Fluent
import Foundation
import Vapor

/// The public site per tenant (/site/{tenantSlug}/…): home, category (channel) pages, articles, tags, search,
/// sitemap and feeds. Anyone may read; only live publications are shown; answers are cached in memory.
struct PublicSite {
    static let maxItems = 50
    static let scanLimit = 500

    func register(_ routes: RoutesBuilder) {
        let site = routes.grouped("site", ":tenantSlug")
        site.page(.GET, access: .anonymous, use: home)
        site.page(.GET, "articles", ":storyID", access: .anonymous, use: article)
        site.page(.GET, "tags", ":tag", access: .anonymous, use: tag)
        site.page(.GET, "categories", ":category", access: .anonymous, use: category)
        site.page(.GET, "categories", ":category", "feed.rss", access: .anonymous) { req in try await feed(req, atom: false) }
        site.page(.GET, "categories", ":category", "feed.atom", access: .anonymous) { req in try await feed(req, atom: true) }
        site.page(.GET, "search", access: .anonymous, use: search)
        site.page(.GET, "sitemap.xml", access: .anonymous, use: sitemap)
        site.page(.GET, "feed.rss", access: .anonymous) { req in try await feed(req, atom: false) }
        site.page(.GET, "feed.atom", access: .anonymous) { req in try await feed(req, atom: true) }
        site.page(.GET, "media", ":storyID", ":mediaID", access: .anonymous, use: media)
    }

    // MARK: Data

    /// The tenant named by the path (404 for unknown or disabled tenants).
    static func tenant(_ req: Request) async throws -> (Tenant, RenderContext) {
        guard let slug = req.parameters.get("tenantSlug"), slug.count <= 64,
              let tenant = try await Tenant.query(on: req.db).filter(\.$slug == slug).first(), !tenant.disabled else { throw AppError.notFound }
        return (tenant, try await RenderContext.make(tenantID: try tenant.requireID(), app: req.application, on: req.db))
    }

    /// Live publications of a channel, newest first.
    static func live(_ tenantID: UUID, channel: ChannelKind, context: RenderContext, limit: Int, on db: any Database) async throws -> [RenderInput] {
        try await Publication.query(on: db).filter(\.$tenantID == tenantID).filter(\.$channel == channel).filter(\.$state == .published)
            .sort(\.$publishedAt, .descending).limit(limit).all().map { context.input($0) }
    }

    /// Categories in use, for the navigation.
    static func categories(_ items: [RenderInput]) -> [String] {
        var seen = Set<String>()
        return items.flatMap(\.snapshot.categories).filter { seen.insert($0).inserted }
    }

    // MARK: Cache and answers

    static func etag(_ body: String) -> String {
        "\"" + SHA256.hash(data: Data(body.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// Answers from the cache, or builds, caches and answers. Honours If-None-Match (304).
    static func cached(_ req: Request, tenant: Tenant, contentType: String, maxAge: Int = 60,
                       build: () async throws -> (String, HTTPResponseStatus)) async throws -> Response {
        let key = req.url.string
        let cache = req.application.publicSiteCache
        await cache.startPolling(req.application)
        if let hit = cache.get(tenant: tenant.slug, key: key) { return answer(req, hit) }
        let epoch = cache.epoch   // read before the database: a change during the build keeps this answer out of the cache
        let (body, status) = try await build()
        let entry = Self.entry(body, contentType: contentType, status: status, maxAge: maxAge, ttl: cache.ttl)
        cache.put(tenant: tenant.slug, tenantID: try tenant.requireID(), key: key, entry, epoch: epoch)
        return answer(req, entry)
    }

    /// A cacheable answer with every header it is served with (the security headers included, so the hot path in
    /// `PublicCacheResponder` answers exactly like the full middleware chain).
    static func entry(_ body: String, contentType: String, status: HTTPResponseStatus, maxAge: Int, ttl: TimeInterval) -> PublicSiteCache.Entry {
        let tag = etag(body)
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: contentType)
        headers.add(name: .eTag, value: tag)
        headers.add(name: .cacheControl, value: status == .ok && maxAge > 0 ? "public, max-age=\(maxAge)" : "no-cache")
        for (name, value) in PublicCacheResponder.securityHeaders { headers.add(name: name, value: value) }
        let buffer = ByteBuffer(string: body)
        return .init(body: buffer, etag: tag, status: status, headers: headers, expires: Date().addingTimeInterval(ttl),
                     wire: PublicEdgeWire(status: status, headers: headers, bodyLength: buffer.readableBytes))
    }

    /// The cached answer for this URL, before any database work (requests that did not take the hot path).
    static func hit(_ req: Request) -> Response? {
        guard let slug = req.parameters.get("tenantSlug"), let entry = req.application.publicSiteCache.get(tenant: slug, key: req.url.string) else { return nil }
        return answer(req, entry)
    }

    static func answer(_ req: Request, _ entry: PublicSiteCache.Entry) -> Response {
        if entry.status == .ok, let match = req.headers.first(name: .ifNoneMatch),
           match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == entry.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: .notModified, headers: entry.headers)
        }
        return Response(status: entry.status, headers: entry.headers, body: .init(buffer: entry.body))
    }

    static let html = "text/html; charset=utf-8"

    // MARK: Pages

    @Sendable func home(_ req: Request) async throws -> Response {
        if let cached = Self.hit(req) { return cached }
        let (tenant, context) = try await Self.tenant(req)
        return try await Self.cached(req, tenant: tenant, contentType: Self.html) {
            let items = try await Self.live(try tenant.requireID(), channel: .website, context: context, limit: Self.maxItems, on: req.db)
            let page = SiteRenderer.Page(title: context.tenantName, description: "\(context.tenantName)新闻", canonical: "\(context.baseURL)/site/\(tenant.slug)",
                                         main: SiteRenderer.list("最新稿件", items))
            return (SiteRenderer.layout(page, context: context, categories: Self.categories(items)), .ok)
        }
    }

    @Sendable func article(_ req: Request) async throws -> Response {
        if let cached = Self.hit(req) { return cached }
        let (tenant, context) = try await Self.tenant(req)
        guard let storyID = req.parameters.get("storyID", as: UUID.self) else { return try await notFound(req, tenant, context) }
        return try await Self.cached(req, tenant: tenant, contentType: Self.html) {
            let rows = try await Publication.query(on: req.db).filter(\.$tenantID == tenant.requireID()).filter(\.$storyID == storyID)
                .filter(\.$channel == .website).sort(\.$storyVersion, .descending).all()
            let canonical = "\(context.baseURL)/site/\(tenant.slug)/articles/\(storyID.uuidString.lowercased())"
            if let p = rows.first(where: { $0.state == .published }) {
                let i = context.input(p)
                let description = i.summary.isEmpty ? String((ChannelRenderer.bodyText(i.snapshot.body).first ?? "").prefix(120)) : i.summary
                let page = SiteRenderer.Page(title: i.headline + " - " + context.tenantName, description: description, canonical: canonical,
                                             ogType: "article", main: SiteRenderer.article(i))
                return (SiteRenderer.layout(page, context: context, categories: i.snapshot.categories), .ok)
            }
            let killed = rows.contains { $0.state == .killed }
            let page = SiteRenderer.Page(title: (killed ? "稿件已撤回 - " : "找不到该页面 - ") + context.tenantName, description: "", canonical: canonical,
                                         main: killed ? SiteRenderer.gone(context) : SiteRenderer.notFound(context))
            return (SiteRenderer.layout(page, context: context, categories: []), killed ? .gone : .notFound)
        }
    }

    func notFound(_ req: Request, _ tenant: Tenant, _ context: RenderContext) async throws -> Response {
        let page = SiteRenderer.Page(title: "找不到该页面 - " + context.tenantName, description: "", canonical: "\(context.baseURL)/site/\(tenant.slug)",
                                     main: SiteRenderer.notFound(context))
        return Self.answer(req, Self.entry(SiteRenderer.layout(page, context: context, categories: []), contentType: Self.html, status: .notFound,
                                           maxAge: 0, ttl: 0))
    }

    /// Pages that list live articles matching a filter (tag, category, search).
    func filtered(_ req: Request, heading: String, canonicalPath: String, empty: String = "暂无稿件",
                  _ keep: @escaping @Sendable (RenderInput) -> Bool) async throws -> Response {
        if let cached = Self.hit(req) { return cached }
        let (tenant, context) = try await Self.tenant(req)
        return try await Self.cached(req, tenant: tenant, contentType: Self.html) {
            let all = try await Self.live(try tenant.requireID(), channel: .website, context: context, limit: Self.scanLimit, on: req.db)
            let items = Array(all.filter(keep).prefix(Self.maxItems))
            let page = SiteRenderer.Page(title: heading + " - " + context.tenantName, description: heading,
                                         canonical: "\(context.baseURL)/site/\(tenant.slug)\(canonicalPath)", main: SiteRenderer.list(heading, items, empty: empty))
            return (SiteRenderer.layout(page, context: context, categories: Self.categories(all)), .ok)
        }
    }

    static func cleanParameter(_ value: String?) throws -> String {
        guard let value, !value.isEmpty, value.count <= 100, !value.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw AppError.invalid("path", zh: "参数无效", en: "Invalid parameter")
        }
        return value
    }

    @Sendable func tag(_ req: Request) async throws -> Response {
        let tag = try Self.cleanParameter(req.parameters.get("tag"))
        return try await filtered(req, heading: "标签：\(tag)", canonicalPath: "/tags/\(SiteRenderer.pathEscape(tag))") { $0.snapshot.tags.contains(tag) }
    }

    @Sendable func category(_ req: Request) async throws -> Response {
        let category = try Self.cleanParameter(req.parameters.get("category"))
        return try await filtered(req, heading: category, canonicalPath: "/categories/\(SiteRenderer.pathEscape(category))") { $0.snapshot.categories.contains(category) }
    }

    @Sendable func search(_ req: Request) async throws -> Response {
        let raw = (try? req.query.get(String.self, at: "q")) ?? ""
        let q = String(raw.unicodeScalars.filter { $0.value >= 0x20 }.map(Character.init)).trimmingCharacters(in: .whitespaces)
        guard q.count <= 100 else { throw AppError.invalid("q", zh: "搜索词不超过 100 字", en: "The search text is limited to 100 characters") }
        let terms = q.split(separator: " ").map(String.init)
        return try await filtered(req, heading: q.isEmpty ? "搜索" : "搜索：\(q)", canonicalPath: "/search", empty: q.isEmpty ? "请输入搜索词" : "没有找到相关稿件") { i in
            guard !terms.isEmpty else { return false }
            let text = i.headline + "\n" + i.summary + "\n" + i.snapshot.tags.joined(separator: " ") + "\n" + ChannelRenderer.bodyText(i.snapshot.body).joined(separator: "\n")
            return terms.allSatisfy { text.localizedCaseInsensitiveContains($0) }
        }
    }

    @Sendable func sitemap(_ req: Request) async throws -> Response {
        if let cached = Self.hit(req) { return cached }
        let (tenant, context) = try await Self.tenant(req)
        return try await Self.cached(req, tenant: tenant, contentType: "application/xml; charset=utf-8", maxAge: 300) {
            let items = try await Self.live(try tenant.requireID(), channel: .website, context: context, limit: 5000, on: req.db)
            return (SiteRenderer.sitemap(items, home: "\(context.baseURL)/site/\(tenant.slug)"), .ok)
        }
    }

    /// RSS 2.0 or Atom for the whole site or one category, from the rss/atom channel publications.
    func feed(_ req: Request, atom: Bool) async throws -> Response {
        if let cached = Self.hit(req) { return cached }
        let (tenant, context) = try await Self.tenant(req)
        let category = try req.parameters.get("category").map { try Self.cleanParameter($0) }
        let type = atom ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8"
        return try await Self.cached(req, tenant: tenant, contentType: type, maxAge: 120) {
            let all = try await Self.live(try tenant.requireID(), channel: atom ? .atom : .rss, context: context, limit: Self.scanLimit, on: req.db)
            let items = Array(all.filter { category == nil || $0.snapshot.categories.contains(category!) }.prefix(Self.maxItems))
            let home = "\(context.baseURL)/site/\(tenant.slug)"
            let path = category.map { "/categories/\(SiteRenderer.pathEscape($0))" } ?? ""
            let title = context.tenantName + (category.map { " · " + $0 } ?? "")
            let updated = items.map(\.publishedAt).max() ?? Date(timeIntervalSince1970: 0)
            if atom {
                return (FeedRenderer.atom(title: title, id: "urn:zhimei:site:\(tenant.slug)\(path)", link: home + path, selfURL: home + path + "/feed.atom",
                                          entries: items.map(FeedRenderer.atomEntry), updated: updated), .ok)
            }
            return (FeedRenderer.rss(title: title, link: home + path, selfURL: home + path + "/feed.rss", description: title,
                                     items: items.map(FeedRenderer.rssItem), built: updated), .ok)
        }
    }

    /// Media of a live article (images, audio, video in the blob store); nothing else is reachable.
    @Sendable func media(_ req: Request) async throws -> Response {
        let (tenant, _) = try await Self.tenant(req)
        guard let storyID = req.parameters.get("storyID", as: UUID.self), let mediaID = req.parameters.get("mediaID", as: UUID.self),
              let p = try await Publication.query(on: req.db).filter(\.$tenantID == tenant.requireID()).filter(\.$storyID == storyID)
                .filter(\.$channel == .website).filter(\.$state == .published).first() else { throw AppError.notFound }
        let wanted = mediaID.uuidString.lowercased()
        let key = p.snapshot.body.compactMap { block -> String? in
            switch block {
            case .image(let k, _, _, _), .video(let k, _, _), .audio(let k, _, _): return k
            default: return nil
            }
        }.first { $0.split(separator: "/").last.map { $0.lowercased() == wanted } ?? false }
        guard let key, let data = try await req.application.zhimei.blobs.get(key) else { throw AppError.notFound }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: Self.sniff(data))
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    static func sniff(_ data: Data) -> String {
        let b = [UInt8](data.prefix(12))
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if b.starts(with: [0x47, 0x49, 0x46]) { return "image/gif" }
        if b.count >= 12, b[8...11] == [0x57, 0x45, 0x42, 0x50] { return "image/webp" }
        return "application/octet-stream"
    }
}
