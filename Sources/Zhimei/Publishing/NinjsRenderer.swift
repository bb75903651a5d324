import Foundation

/// IPTC ninjs 2.2 (lower-case keys) and 3.1 (camelCase keys). Both validate against the official schemas (tests).
enum NinjsRenderer {
    /// IPTC digital source type for content produced with AI (the AIGC label) or by people.
    static func digitalSource(_ input: RenderInput) -> (uri: String, name: String) {
        input.isAIGenerated
            ? ("http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia", "AI 辅助生成 / Composite with trained algorithmic media")
            : ("http://cv.iptc.org/newscodes/digitalsourcetype/humanEdits", "人工编辑 / Human edits")
    }

    static func bodyHTML(_ input: RenderInput) -> String {
        var html = ChannelRenderer.websiteBody(input).replacingOccurrences(of: "=\"/site/", with: "=\"\(input.baseURL)/site/")
        if let c = ChannelRenderer.correctionLine(input) { html = "<p class=\"correction\">\(StoryRenderer.escape(c))</p>" + html }
        return html
    }

    static func ninjs22(_ input: RenderInput) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("uri", .string(input.guid)), ("type", .string("text")), ("version", .string(String(input.version))),
            ("firstcreated", .string(FeedRenderer.rfc3339(input.firstPublishedAt))),
            ("versioncreated", .string(FeedRenderer.rfc3339(input.publishedAt))),
            ("pubstatus", .string(input.killed ? "canceled" : "usable")),
            ("language", .string(input.snapshot.language.isEmpty ? "zh" : input.snapshot.language)),
            ("headlines", .array([.object([("role", .string("main")), ("value", .string(input.headline))])])),
            ("bodies", .array([.object([("role", .string("main")), ("contenttype", .string("text/html")), ("value", .string(bodyHTML(input)))])])),
            ("copyrightholder", .string(input.tenantName)),
        ]
        if !input.summary.isEmpty { pairs.append(("descriptions", .array([.object([("role", .string("summary")), ("value", .string(input.summary))])]))) }
        if !input.snapshot.byline.isEmpty { pairs.append(("by", .string(input.snapshot.byline))) }
        if !input.snapshot.location.isEmpty { pairs.append(("located", .string(input.snapshot.location))) }
        let subjects = input.snapshot.tags + input.snapshot.categories
        if !subjects.isEmpty { pairs.append(("subjects", .array(subjects.map { .object([("name", .string($0))]) }))) }
        if let c = input.correction { pairs.append(("ednote", .string("更正 / Correction: " + c))) }
        if let e = input.snapshot.embargo { pairs.append(("embargoed", .string(FeedRenderer.rfc3339(e)))) }
        let source = digitalSource(input)
        pairs.append(("digitalsourcetype", .object([("uri", .string(source.uri)), ("name", .string(source.name))])))
        pairs.append(("renditions", .array([.object([("name", .string("web")), ("href", .string(input.articleURL)), ("contenttype", .string("text/html"))])])))
        return .object(pairs)
    }

    static func ninjs31(_ input: RenderInput) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("uri", .string(input.guid)), ("type", .string("text")), ("version", .string(String(input.version))),
            ("firstCreated", .string(FeedRenderer.rfc3339(input.firstPublishedAt))),
            ("versionCreated", .string(FeedRenderer.rfc3339(input.publishedAt))),
            ("pubStatus", .string(input.killed ? "canceled" : "usable")),
            ("language", .string(input.snapshot.language.isEmpty ? "zh" : input.snapshot.language)),
            ("headlines", .array([.object([("role", .string("main")), ("value", .string(input.headline))])])),
            ("bodies", .array([.object([("role", .string("main")), ("contentType", .string("text/html")),
                                        ("charCount", .int(ChannelRenderer.bodyText(input.snapshot.body).joined().count)),
                                        ("value", .string(bodyHTML(input)))])])),
            ("copyrightHolder", .string(input.tenantName)),
        ]
        if !input.summary.isEmpty { pairs.append(("descriptions", .array([.object([("role", .string("summary")), ("value", .string(input.summary))])]))) }
        if !input.snapshot.byline.isEmpty { pairs.append(("by", .string(input.snapshot.byline))) }
        if !input.snapshot.location.isEmpty { pairs.append(("located", .string(input.snapshot.location))) }
        let subjects = input.snapshot.tags + input.snapshot.categories
        if !subjects.isEmpty { pairs.append(("subjects", .array(subjects.map { .object([("name", .string($0))]) }))) }
        if let c = input.correction { pairs.append(("edNote", .string("更正 / Correction: " + c))) }
        if let e = input.snapshot.embargo { pairs.append(("embargoedUntil", .string(FeedRenderer.rfc3339(e)))) }
        let source = digitalSource(input)
        pairs.append(("digitalSourceType", .object([("uri", .string(source.uri)), ("name", .string(source.name))])))
        pairs.append(("renditions", .array([.object([("name", .string("web")), ("href", .string(input.articleURL)), ("contentType", .string("text/html"))])])))
        return .object(pairs)
    }
}
