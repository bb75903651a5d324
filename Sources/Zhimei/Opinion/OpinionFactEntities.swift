import Fluent
import Foundation
import ZhimeiText

/// Entities taken from the fact base (事实库) that the Review module keeps in `review_lexicon`: people, organisations
/// and places of the tenant and of the platform, read through `LexiconService.query` (read-only). A post names an
/// entity when the term occurs in its Simplified text (case and width folded); these come before the dictionary's
/// nr/ns/nt words in the post's entities.
struct OpinionFactEntities: Sendable {
    let terms: [String]
    /// Each term's dictionary tag (nr person, nt organisation, ns place), for segmentation.
    let tags: [String]
    let matcher: PatternMatcher?

    init(terms: [String], tags: [String]? = nil) {
        self.terms = terms
        self.tags = tags ?? terms.map { _ in "nz" }
        matcher = terms.isEmpty ? nil : PatternMatcher(patterns: terms, folding: [.caseInsensitive, .width])
    }

    /// The terms with their tags, as `PostAnalyzer.adding(words:)` takes them.
    var words: [(word: String, tag: String)] { zip(terms, tags).map { (word: $0, tag: $1) } }

    static func load(tenantID: UUID, on db: any Database) async throws -> OpinionFactEntities {
        let names = try await FactBaseNames.load(tenantID: tenantID, on: db)
        return OpinionFactEntities(terms: names.map(\.word), tags: names.map(\.tag))
    }

    /// Fact terms found in `text`, in order of first occurrence, each once; longest match wins at one position.
    func find(in text: String) -> [String] {
        guard let matcher else { return [] }
        var best: [Int: PatternMatch] = [:]
        for m in matcher.matches(in: text) where (best[m.start].map { m.end > $0.end } ?? true) { best[m.start] = m }
        var out: [String] = []
        var covered = -1
        for start in best.keys.sorted() {
            guard let m = best[start], start >= covered else { continue }
            let term = terms[m.pattern]
            if !out.contains(term) { out.append(term) }
            covered = m.end
        }
        return out
    }

    /// The post's entities: fact-base terms first, then the dictionary's, at most 12.
    func merge(_ facts: [String], _ tagged: [String]) -> [String] {
        var out: [String] = []
        for e in facts + tagged where !out.contains(e) && out.count < 12 { out.append(e) }
        return out
    }
}
