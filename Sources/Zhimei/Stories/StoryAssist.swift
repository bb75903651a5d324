import Fluent
import Foundation
import Vapor
import ZhimeiText

/// The AI assist panel, built in (no provider, no network): an extractive summary, headline candidates from
/// keyword templates, keywords and tags, related earlier stories (keyword overlap and SimHash distance), counts.
/// Every suggestion carries an `AIGCLabel` so whatever the user inserts is marked as AI-generated.
enum StoryAssist {
    static let provider = "builtin"

    struct Keyword: Content { var word: String; var weight: Double }
    struct Related: Content {
        var id: UUID
        var headline: String
        var updatedAt: Date
        var score: Double
        var sharedKeywords: [String]
        var distance: Int?
    }
    struct Result: Content {
        var summary: String
        var headlines: [String]
        var keywords: [Keyword]
        var tags: [String]
        var related: [Related]
        var characters: Int
        var paragraphs: Int
        var readingMinutes: Int
        var aigc: AIGCLabel
    }

    /// Characters that count as words for Chinese copy: ideographs count one each, a run of Latin letters or digits
    /// counts as one word; spaces and punctuation do not count.
    static func countCharacters(_ text: String) -> Int {
        var count = 0
        var inLatinWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isCJK = (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2FFFF).contains(v) || (0xF900...0xFAFF).contains(v)
            if isCJK {
                count += 1
                inLatinWord = false
            } else if CharacterSet.alphanumerics.contains(scalar) {
                if !inLatinWord { count += 1; inLatinWord = true }
            } else {
                inLatinWord = false
            }
        }
        return count
    }

    /// Reading time at ~450 Chinese characters a minute (the 400–500 range newsrooms use), at least one minute.
    static func readingMinutes(_ characters: Int) -> Int {
        characters == 0 ? 0 : max(1, Int((Double(characters) / 450).rounded(.up)))
    }

    /// Headline candidates from the summary's lead sentence and the top keywords (3–5, unique, ≤ 30 characters).
    static func headlines(headline: String, summary: String, sentences: [String], keywords: [String], location: String) -> [String] {
        func clip(_ s: String, _ n: Int = 30) -> String {
            var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            while let last = t.last, "。．.!！?？；;，,、".contains(last) { t.removeLast() }
            return t.count > n ? String(t.prefix(n - 1)) + "…" : t
        }
        func firstClause(_ s: String) -> String {
            let parts = s.split(whereSeparator: { "，,。；;！!？?".contains($0) })
            return parts.first.map(String.init) ?? s
        }
        var out: [String] = []
        func add(_ s: String) {
            let t = clip(s)
            if t.count >= 4, !out.contains(t), t != headline { out.append(t) }
        }
        let k = keywords.filter { $0.count >= 2 }
        if let first = sentences.first { add(firstClause(first).count >= 8 ? firstClause(first) : first) }
        if k.count >= 1, let first = sentences.first { add("\(k[0])：\(firstClause(first))") }
        if k.count >= 3 { add("聚焦\(k[0])：\(k[1])\(k[2])见新变化") }
        if k.count >= 2 { add("\(location.isEmpty ? "" : location)\(k[0])\(k[1])观察") }
        if k.count >= 2 { add("\(k[0])如何带动\(k[1])？") }
        if sentences.count > 1 { add(firstClause(sentences[1])) }
        if !summary.isEmpty { add(summary) }
        if out.count < 3, !headline.isEmpty { add("\(headline)（追踪）"); add("关注｜\(headline)"); add("\(headline)：最新进展") }
        return Array(out.prefix(5))
    }

    /// Runs the panel over a story's current text (or unsaved content the editor sends).
    static func run(story: Story, snapshot: StorySnapshot?, on req: Request) async throws -> Result {
        let engine = try await req.application.text.engine()
        let snap = snapshot ?? StorySnapshot(story)
        let bodyText = snap.body.map(\.plainText).filter { !$0.isEmpty }.joined(separator: "\n")
        let text = StoryService.plainText(headline: snap.headline, subtitle: snap.subtitle, lead: snap.lead, body: snap.body)
        let analysed = snap.lead.isEmpty ? bodyText : snap.lead + "\n" + bodyText
        let summary = engine.summarize(analysed.isEmpty ? text : analysed, maxCharacters: 150)
        let keywords = engine.keywords(text, top: 12, method: .tfidf)
        let words = keywords.map(\.word)
        let tags = Array(words.filter { $0.count >= 2 && !snap.tags.contains($0) }.prefix(5))
        let headlineList = headlines(headline: snap.headline, summary: summary.summary, sentences: summary.sentences.map(\.text),
                                     keywords: words, location: snap.location)
        let fingerprint = engine.simhash(text)
        // Related: earlier stories of the same tenant, scored by shared keywords and SimHash distance.
        let candidates = try await req.scope(for: .storiesRead).query(Story.self, on: req.db)
            .filter(\.$tenantID == story.tenantID).filter(\.$id != story.requireID())
            .sort(\.$updatedAt, .descending).limit(400).all()
        var related: [Related] = []
        let top = Array(words.filter { $0.count >= 2 }.prefix(10))
        for other in candidates {
            let haystack = other.headline + " " + other.lead + " " + other.tags.joined(separator: " ")
            let shared = top.filter { haystack.contains($0) }
            let distance = other.fingerprint.flatMap { UInt64($0, radix: 16) }.map { SimHasher.distance($0, fingerprint) }
            let closeness = distance.map { max(0, Double(24 - $0)) / 8 } ?? 0
            let score = Double(shared.count) + closeness
            if !shared.isEmpty || (distance ?? 64) <= 12 {
                related.append(Related(id: try other.requireID(), headline: other.headline, updatedAt: other.updatedAt,
                                       score: (score * 100).rounded() / 100, sharedKeywords: shared, distance: distance))
            }
        }
        related.sort { $0.score > $1.score }
        let characters = countCharacters(text)
        return Result(summary: summary.summary, headlines: headlineList,
                      keywords: keywords.map { Keyword(word: $0.word, weight: $0.weight.isFinite ? ($0.weight * 10000).rounded() / 10000 : 0) }, tags: tags,
                      related: Array(related.prefix(5)), characters: characters,
                      paragraphs: snap.body.filter { $0.kind == .paragraph }.count, readingMinutes: readingMinutes(characters),
                      aigc: AIGCLabel(provider: provider, model: "zhimei-text (textrank summary, tf-idf keywords, headline templates)", generatedAt: Date()))
    }
}
