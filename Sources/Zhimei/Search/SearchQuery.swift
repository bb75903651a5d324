import Foundation

/// A parsed search box query: a safe AST that never carries raw FTS or SQL syntax.
///
/// Syntax: words (all must match), "exact phrases", -exclusion, OR (or |) between words, and field prefixes
/// 标题:/title:, 作者:/author: (a filter on the author), tag:/标签:. Anything else — punctuation, unbalanced quotes,
/// FTS operators such as NEAR( * ^ : — is plain text. Input is cut to `maxInput` characters and `maxTerms` terms.
public struct SearchQuery: Sendable, Equatable {
    /// Where a term must match.
    public enum Field: String, Sendable, Equatable { case any, title, tags }

    /// One word or phrase.
    public struct Term: Sendable, Equatable {
        public var text: String
        public var phrase: Bool
        public var field: Field
    }

    /// Alternatives joined by OR; a negated clause excludes documents.
    public struct Clause: Sendable, Equatable {
        public var alternatives: [Term]
        public var negated: Bool
    }

    public var clauses: [Clause] = []
    /// Values of 作者:/author: prefixes.
    public var authors: [String] = []

    public static let maxInput = 1000
    public static let maxTerms = 24

    static let prefixes: [(String, Field?)] = [
        ("标题:", .title), ("标题：", .title), ("title:", .title), ("标签:", .tags), ("标签：", .tags), ("tag:", .tags), ("tags:", .tags),
        ("作者:", nil), ("作者：", nil), ("author:", nil),
    ]

    static func isSpace(_ c: Character) -> Bool { c.isWhitespace || c == "\u{3000}" }
    static func isOpenQuote(_ c: Character) -> Bool { c == "\"" || c == "“" || c == "”" || c == "「" }
    static func isCloseQuote(_ c: Character) -> Bool { c == "\"" || c == "”" || c == "“" || c == "」" }

    private enum Item { case or, term(Term, negated: Bool) }

    /// Parses the search box text. Never throws; everything unrecognised is text.
    public static func parse(_ raw: String) -> SearchQuery {
        let chars = Array(raw.prefix(maxInput))
        let n = chars.count
        var i = 0
        var items: [Item] = []
        var query = SearchQuery()
        var termCount = 0
        while i < n, termCount < maxTerms {
            while i < n, isSpace(chars[i]) { i += 1 }
            guard i < n else { break }
            if chars[i] == "|" { items.append(.or); i += 1; continue }
            var negated = false
            if chars[i] == "-" || chars[i] == "－", i + 1 < n, !isSpace(chars[i + 1]) { negated = true; i += 1 }
            var field: Field? = .any
            for (prefix, f) in prefixes {
                let p = Array(prefix)
                if i + p.count <= n, chars[i..<(i + p.count)].map({ $0.lowercased() }).joined() == prefix {
                    field = f; i += p.count; break
                }
            }
            var text = ""
            var phrase = false
            if i < n, isOpenQuote(chars[i]), let close = (i + 1..<n).first(where: { isCloseQuote(chars[$0]) }) {
                text = String(chars[(i + 1)..<close]); phrase = true; i = close + 1
            } else {
                let start = i
                while i < n, !isSpace(chars[i]) { i += 1 }
                text = String(chars[start..<i])
            }
            if !phrase, !negated, field == .any, text == "OR" { items.append(.or); continue }
            guard !text.isEmpty else { continue }
            guard let field else { query.authors.append(text); continue }
            items.append(.term(Term(text: text, phrase: phrase, field: field), negated: negated))
            termCount += 1
        }
        var joinNext = false
        for item in items {
            switch item {
            case .or:
                joinNext = !query.clauses.isEmpty && !(query.clauses.last?.negated ?? true)
            case .term(let term, let negated):
                if joinNext, !negated, var last = query.clauses.popLast() {
                    last.alternatives.append(term)
                    query.clauses.append(last)
                } else {
                    query.clauses.append(Clause(alternatives: [term], negated: negated))
                }
                joinNext = false
            }
        }
        query.authors = Array(query.authors.prefix(4))
        return query
    }
}

/// A query with every term turned into index tokens, ready to render for either backend.
public struct AnalyzedQuery: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        public var tokens: [String]
        public var phrase: Bool
        public var field: SearchQuery.Field
    }
    public var positive: [[Term]] = []
    public var negative: [[Term]] = []
    public var authors: [String] = []

    /// True when nothing positive is left to match (empty, punctuation-only or only exclusions).
    public var isEmpty: Bool { positive.isEmpty }

    /// Tokens to highlight in snippets.
    public var highlightTokens: [String] {
        var seen = Set<String>()
        return positive.flatMap { $0.flatMap(\.tokens) }.filter { seen.insert($0).inserted }
    }

    /// Analyses each term; `synonyms` maps a (simplified) word to words that should also match.
    public init(_ query: SearchQuery, analyzer: SearchAnalyzer, synonyms: [String: [String]] = [:]) {
        authors = query.authors
        for clause in query.clauses {
            var alternatives: [Term] = []
            for term in clause.alternatives {
                let tokens = analyzer.queryTokens(term.text)
                guard !tokens.isEmpty else { continue }
                let t = Term(tokens: tokens, phrase: term.phrase && tokens.count > 1, field: term.field)
                if !alternatives.contains(t) { alternatives.append(t) }
                guard !term.phrase, !clause.negated else { continue }
                for other in synonyms[SearchAnalyzer.simplify(term.text)] ?? [] {
                    let more = analyzer.queryTokens(other)
                    let s = Term(tokens: more, phrase: more.count > 1, field: term.field)
                    if !more.isEmpty, !alternatives.contains(s), alternatives.count < 8 { alternatives.append(s) }
                }
            }
            guard !alternatives.isEmpty else { continue }
            if clause.negated { negative.append(alternatives) } else { positive.append(alternatives) }
        }
    }

    // MARK: Rendering (every token quoted; tokens hold letters and digits only)

    static func ftsQuote(_ token: String) -> String { "\"" + token.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    // PostgreSQL: a positive phrase is matched in two steps: the index finds documents holding all its tokens, then the phrase
    // check (`phraseChecks`) keeps those where the tokens follow each other — allowing the first token to end a longer
    // word and the last to begin one, so "媒体中心" (媒体 + 中心) is found in 融媒体中心 (融媒体 + 中心). An excluded
    // clause with a phrase is left to the same check alone (negated), so it excludes exactly what it would find.

    /// A term's FTS5 phrases, each with its column filter: one for a phrase, one per token otherwise.
    static func ftsPhrases(_ t: Term) -> [String] {
        let column: String? = t.field == .title ? "tok_title" : (t.field == .tags ? "tok_tags" : nil)
        // SQLite (066): a phrase is an FTS5 phrase — the `zhimei` tokenizer gives a word's sub-words its position, so
        // "媒体 中心" follows 融媒体 中心 as the phrase check below does on PostgreSQL
        let pieces = t.phrase ? [ftsQuote(t.tokens.joined(separator: " "))] : t.tokens.map(ftsQuote)
        return pieces.map { piece in column.map { c in "\(c) : \(piece)" } ?? piece }
    }

    static func ftsTerm(_ t: Term) -> String {
        let scoped = ftsPhrases(t)
        return scoped.count == 1 ? scoped[0] : "(" + scoped.joined(separator: " AND ") + ")"
    }

    static func ftsClause(_ c: [Term]) -> String {
        let terms = c.map(ftsTerm)
        return terms.count == 1 ? terms[0] : "(" + terms.joined(separator: " OR ") + ")"
    }

    /// Every phrase of `fts5`, in the order FTS5 numbers them (left to right), each a MATCH expression of its own.
    public var ftsPhrases: [String] { (positive + negative).flatMap { $0.flatMap(Self.ftsPhrases) } }

    /// The SQLite FTS5 MATCH expression (bound as a parameter, never spliced into SQL).
    public var fts5: String {
        var out = "(" + positive.map { Self.ftsClause($0) }.joined(separator: " AND ") + ")"
        for n in negative { out += " NOT " + Self.ftsClause(n) }
        return out
    }

    /// One substring test on a document's space-joined tokens: `pattern` occurs in one of `columns`.
    public struct PhraseCheck: Sendable, Equatable {
        public var columns: [String]
        public var pattern: String
    }

    /// For each positive clause with a phrase: its alternatives, each a list of checks that must all pass. A plain
    /// token must occur whole (" token "); a phrase as its tokens in order, open at a Chinese end (see above).
    public var phraseChecks: [[[PhraseCheck]]] { Self.checks(positive) }

    /// The same for excluded clauses with a phrase (a document is dropped when one alternative passes).
    public var excludedPhraseChecks: [[[PhraseCheck]]] { Self.checks(negative) }

    static func checks(_ clauses: [[Term]]) -> [[[PhraseCheck]]] {
        clauses.filter { $0.contains(where: \.phrase) }.map { clause in
            clause.map { t in
                let columns = t.field == .title ? ["tok_title"] : (t.field == .tags ? ["tok_tags"] : ["tok_title", "tok_lead", "tok_tags", "tok_body"])
                guard t.phrase, let first = t.tokens.first, let last = t.tokens.last else {
                    return t.tokens.map { PhraseCheck(columns: columns, pattern: " " + $0 + " ") }
                }
                let ascii = { (s: String) in s.utf8.allSatisfy { $0 < 0x80 } }
                let pattern = (ascii(first) ? " " : "") + t.tokens.joined(separator: " ") + (ascii(last) ? " " : "")
                return [PhraseCheck(columns: columns, pattern: pattern)]
            }
        }
    }

    static func tsQuote(_ token: String, _ field: SearchQuery.Field) -> String {
        let escaped = token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
        return "'" + escaped + "'" + (field == .title ? ":A" : (field == .tags ? ":C" : ""))
    }

    static func tsTerm(_ t: Term) -> String {
        let pieces = t.tokens.map { tsQuote($0, t.field) }
        return pieces.count == 1 ? pieces[0] : "(" + pieces.joined(separator: " & ") + ")"
    }

    static func tsClause(_ c: [Term]) -> String {
        c.count == 1 ? tsTerm(c[0]) : "(" + c.map(tsTerm).joined(separator: " | ") + ")"
    }

    /// The PostgreSQL tsquery text (bound as a parameter and cast with `::tsquery`).
    public var tsquery: String {
        (positive.map(Self.tsClause) + negative.filter { !$0.contains(where: \.phrase) }.map { "!" + Self.tsClause($0) }).joined(separator: " & ")
    }
}
