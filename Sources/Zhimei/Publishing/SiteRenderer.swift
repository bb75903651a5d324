import Foundation

/// HTML of the public site (per tenant): rendered from publication snapshots, every piece of user text escaped,
/// no inline script or style (the app's CSP applies), Open Graph and canonical tags on every page.
enum SiteRenderer {
    static let e = StoryRenderer.escape

    struct Page {
        var title: String
        var description: String
        var canonical: String
        var ogType: String = "website"
        var main: String
        var status: Int = 200
    }

    static func layout(_ page: Page, context: RenderContext, categories: [String]) -> String {
        let base = "/site/\(e(context.tenantSlug))"
        let nav = categories.prefix(8).map { "<li><a href=\"\(base)/categories/\(e(pathEscape($0)))\">\(e($0))</a></li>" }.joined()
        return """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(page.title))</title><meta name="description" content="\(e(page.description))">
        <link rel="canonical" href="\(e(page.canonical))">
        <meta property="og:title" content="\(e(page.title))"><meta property="og:description" content="\(e(page.description))">
        <meta property="og:type" content="\(e(page.ogType))"><meta property="og:url" content="\(e(page.canonical))">
        <meta property="og:site_name" content="\(e(context.tenantName))"><meta property="og:locale" content="zh_CN">
        <link rel="alternate" type="application/rss+xml" title="RSS" href="\(base)/feed.rss">
        <link rel="alternate" type="application/atom+xml" title="Atom" href="\(base)/feed.atom">
        <link rel="stylesheet" href="/css/site.css"></head>
        <body><a class="skip" href="#main">跳到正文</a>
        <header class="site-header"><a class="site-name" href="\(base)">\(e(context.tenantName))</a>
        <nav aria-label="栏目"><ul><li><a href="\(base)">首页</a></li>\(nav)</ul></nav>
        <form class="site-search" role="search" action="\(base)/search" method="get"><label for="q" class="sr">搜索</label>
        <input id="q" name="q" type="search" maxlength="100" placeholder="搜索"><button type="submit">搜索</button></form></header>
        <main id="main">\(page.main)</main>
        <footer class="site-footer"><p>© \(e(context.tenantName)) · <a href="\(base)/feed.rss">RSS</a> · <a href="\(base)/feed.atom">Atom</a> · <a href="\(base)/sitemap.xml">网站地图</a></p></footer>
        </body></html>
        """
    }

    static func pathEscape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
    }

    static func date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "zh_CN")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy年M月d日 HH:mm"
        return f.string(from: d)
    }

    /// A list of article teasers.
    static func list(_ heading: String, _ items: [RenderInput], empty: String = "暂无稿件") -> String {
        var html = "<h1>\(e(heading))</h1>"
        guard !items.isEmpty else { return html + "<p class=\"empty\">\(e(empty))</p>" }
        html += "<ol class=\"teasers\">"
        for i in items {
            html += "<li><article><h2><a href=\"\(e(i.articlePath))\">\(e(i.headline))</a></h2>"
            if !i.summary.isEmpty { html += "<p>\(e(i.summary))</p>" }
            html += "<p class=\"meta\"><time datetime=\"\(FeedRenderer.rfc3339(i.firstPublishedAt))\">\(date(i.firstPublishedAt))</time>"
            if i.isAIGenerated { html += " <span class=\"aigc-label\">AI生成</span>" }
            if i.correction != nil { html += " <span class=\"corrected\">已更正</span>" }
            html += "</p></article></li>"
        }
        return html + "</ol>"
    }

    static func article(_ i: RenderInput) -> String {
        let base = "/site/\(e(i.tenantSlug))"
        var html = "<article class=\"story\"><header><h1>\(e(i.headline))</h1>"
        if !i.snapshot.subtitle.isEmpty { html += "<p class=\"subtitle\">\(e(i.snapshot.subtitle))</p>" }
        html += "<p class=\"meta\">"
        if !i.snapshot.byline.isEmpty { html += "<span class=\"byline\">\(e(i.snapshot.byline))</span> " }
        html += "<time datetime=\"\(FeedRenderer.rfc3339(i.firstPublishedAt))\">\(date(i.firstPublishedAt))</time>"
        if i.publishedAt > i.firstPublishedAt.addingTimeInterval(1) {
            html += " · 更新于 <time datetime=\"\(FeedRenderer.rfc3339(i.publishedAt))\">\(date(i.publishedAt))</time>"
        }
        html += "</p>"
        if i.isAIGenerated {
            html += "<p class=\"aigc-label\" role=\"note\">本文含人工智能生成内容（AI生成）</p>"
        }
        html += "</header>"
        if let c = i.correction { html += "<aside class=\"correction\" role=\"note\"><strong>更正：</strong>\(e(c))</aside>" }
        if !i.summary.isEmpty { html += "<p class=\"lead\">\(e(i.summary))</p>" }
        html += "<div class=\"body\">\(ChannelRenderer.websiteBody(i))</div>"
        if !i.credit.isEmpty { html += "<p class=\"credit\">来源：\(e(i.credit))</p>" }
        let tags = i.snapshot.tags.map { "<li><a href=\"\(base)/tags/\(e(pathEscape($0)))\">\(e($0))</a></li>" }.joined()
        if !tags.isEmpty { html += "<ul class=\"tags\" aria-label=\"标签\">\(tags)</ul>" }
        return html + "</article>"
    }

    static func gone(_ context: RenderContext) -> String {
        "<h1>该稿件已撤回</h1><p>This story has been withdrawn.</p><p><a href=\"/site/\(e(context.tenantSlug))\">返回首页</a></p>"
    }

    static func notFound(_ context: RenderContext) -> String {
        "<h1>找不到该页面</h1><p>Page not found.</p><p><a href=\"/site/\(e(context.tenantSlug))\">返回首页</a></p>"
    }

    static func sitemap(_ items: [RenderInput], home: String) -> String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        xml += "<url><loc>\(FeedRenderer.xml(home))</loc></url>"
        for i in items {
            xml += "<url><loc>\(FeedRenderer.xml(i.articleURL))</loc><lastmod>\(FeedRenderer.rfc3339(i.publishedAt))</lastmod></url>"
        }
        return xml + "</urlset>\n"
    }
}
