import Foundation
import Vapor

/// One published story in the content API (and the app channel's rendition).
struct ContentItem: Content, Sendable {
    var id: UUID
    var version: Int
    var url: String
    var headline: String
    var subtitle: String
    var summary: String
    var byline: String
    var tags: [String]
    var categories: [String]
    var location: String
    var language: String
    var publishedAt: Date
    var updatedAt: Date
    var correction: String?
    var aiGenerated: Bool
    var credit: String
    var bodyHtml: String
    var bodyText: String

    init(_ input: RenderInput) {
        id = input.storyID; version = input.version; url = input.articleURL; headline = input.headline
        subtitle = input.snapshot.subtitle; summary = input.summary; byline = input.snapshot.byline
        tags = input.snapshot.tags; categories = input.snapshot.categories; location = input.snapshot.location
        language = input.snapshot.language; publishedAt = input.firstPublishedAt; updatedAt = input.publishedAt
        correction = input.correction; aiGenerated = input.isAIGenerated; credit = input.credit
        bodyHtml = NinjsRenderer.bodyHTML(input); bodyText = ChannelRenderer.bodyText(input.snapshot.body).joined(separator: "\n\n")
    }

    enum CodingKeys: String, CodingKey {
        case id, version, url, headline, subtitle, summary, byline, tags, categories, location, language
        case publishedAt = "published_at", updatedAt = "updated_at", correction, aiGenerated = "ai_generated", credit
        case bodyHtml = "body_html", bodyText = "body_text"
    }
}

/// What the content API answers for a killed story (HTTP 410).
struct ContentTombstone: Content, Sendable {
    var id: UUID
    var state: String
    var killedAt: Date?
    var reason: String

    enum CodingKeys: String, CodingKey { case id, state, killedAt = "killed_at", reason }
}

/// A page of content items.
struct ContentPage: Content, Sendable {
    var items: [ContentItem]
    var page: Int
    var perPage: Int
    var total: Int

    enum CodingKeys: String, CodingKey { case items, page, perPage = "per_page", total }
}
