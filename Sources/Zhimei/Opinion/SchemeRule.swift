import Foundation

/// A monitoring scheme's keyword rule (监测方案关键词规则): words combined with AND, OR, NOT and parentheses.
///
/// Syntax: `(暴雨 OR 洪水) AND 浏阳 NOT 演练`. Operators are the words AND / OR / NOT (any case) or the symbols
/// `&` `|` `!`/`-` (prefix) and the Chinese 且 / 或 / 非; two terms side by side mean AND; a term in double
/// quotes may hold spaces. Precedence NOT > AND > OR. A term matches when the (simplified, lower-cased) text
/// contains it. Limits: 2,000 characters, 200 terms, nesting 20 — longer rules are rejected, never crash.
indirect enum SchemeRule: Equatable, Sendable {
    case term(String)
    case not(SchemeRule)
    case and([SchemeRule])
    case or([SchemeRule])

    struct ParseError: Error, Equatable { var zh: String; var en: String }

    static let maxLength = 2000
    static let maxTerms = 200
    static let maxDepth = 20

    enum Token: Equatable { case word(String), and, or, not, open, close }

    static func tokenize(_ text: String) throws -> [Token] {
        guard text.count <= maxLength else { throw ParseError(zh: "规则过长（上限 2000 字）", en: "Rule too long (2,000 characters)") }
        var out: [Token] = []
        var word = ""
        var quoted = false
        func flush() {
            guard !word.isEmpty else { return }
            switch word.uppercased() {
            case "AND", "且": out.append(.and)
            case "OR", "或": out.append(.or)
            case "NOT", "非": out.append(.not)
            default: out.append(.word(word.lowercased()))
            }
            word = ""
        }
        for ch in text {
            if quoted {
                if ch == "\"" { quoted = false; if !word.isEmpty { out.append(.word(word.lowercased())); word = "" } } else { word.append(ch) }
                continue
            }
            switch ch {
            case "\"": flush(); quoted = true
            case "(", "（": flush(); out.append(.open)
            case ")", "）": flush(); out.append(.close)
            case "&", "＆": flush(); out.append(.and)
            case "|", "｜": flush(); out.append(.or)
            case "!", "！": flush(); out.append(.not)
            case "-" where word.isEmpty: out.append(.not)
            default:
                if ch.isWhitespace || ch.unicodeScalars.contains(where: { $0.value < 0x20 }) { flush() } else { word.append(ch) }
            }
        }
        if quoted { throw ParseError(zh: "引号未闭合", en: "Unclosed quote") }
        flush()
        return out
    }

    static func parse(_ text: String) throws -> SchemeRule {
        let tokens = try tokenize(text)
        guard !tokens.isEmpty else { throw ParseError(zh: "规则为空", en: "Empty rule") }
        guard tokens.filter({ if case .word = $0 { return true }; return false }).count <= maxTerms else {
            throw ParseError(zh: "关键词过多（上限 200 个）", en: "Too many terms (200)")
        }
        var parser = Parser(tokens: tokens)
        let rule = try parser.or(depth: 0)
        guard parser.index == tokens.count else { throw ParseError(zh: "规则语法错误（多余的右括号或运算符）", en: "Rule syntax error (stray parenthesis or operator)") }
        return rule
    }

    struct Parser {
        let tokens: [Token]
        var index = 0
        var peek: Token? { index < tokens.count ? tokens[index] : nil }

        mutating func or(depth: Int) throws -> SchemeRule {
            guard depth <= SchemeRule.maxDepth else { throw ParseError(zh: "括号嵌套过深", en: "Parentheses nested too deeply") }
            var parts = [try and(depth: depth)]
            while peek == .or { index += 1; parts.append(try and(depth: depth)) }
            return parts.count == 1 ? parts[0] : .or(parts)
        }

        mutating func and(depth: Int) throws -> SchemeRule {
            var parts = [try unary(depth: depth)]
            while let t = peek, t != .or, t != .close {
                if t == .and { index += 1 }
                parts.append(try unary(depth: depth))
            }
            return parts.count == 1 ? parts[0] : .and(parts)
        }

        mutating func unary(depth: Int) throws -> SchemeRule {
            guard let t = peek else { throw ParseError(zh: "规则不完整（运算符后缺少关键词）", en: "Incomplete rule (operator without a term)") }
            index += 1
            switch t {
            case .word(let w): return .term(w)
            case .not:
                guard depth < SchemeRule.maxDepth else { throw ParseError(zh: "否定嵌套过深", en: "NOT nested too deeply") }
                return .not(try unary(depth: depth + 1))
            case .open:
                let inner = try or(depth: depth + 1)
                guard peek == .close else { throw ParseError(zh: "括号未闭合", en: "Unclosed parenthesis") }
                index += 1
                return inner
            case .and, .or, .close:
                throw ParseError(zh: "规则语法错误（运算符位置不对）", en: "Rule syntax error (misplaced operator)")
            }
        }
    }

    /// Whether `text` (already simplified and lower-cased) satisfies the rule.
    func matches(_ text: String) -> Bool {
        switch self {
        case .term(let w): return text.contains(w)
        case .not(let r): return !r.matches(text)
        case .and(let rs): return rs.allSatisfy { $0.matches(text) }
        case .or(let rs): return rs.contains { $0.matches(text) }
        }
    }

    /// The positive terms (for highlighting and the scheme's word cloud).
    var terms: [String] {
        switch self {
        case .term(let w): return [w]
        case .not: return []
        case .and(let rs), .or(let rs): return rs.flatMap(\.terms)
        }
    }
}

/// A scheme as the matcher sees it: rule plus filters on region, platform, source and exclusion words.
struct SchemeMatcher: Sendable {
    var id: UUID
    var rule: SchemeRule
    var regions: [String]
    var platforms: [String]
    var exclusions: [String]
    /// Only posts from these sources (empty: from any source, and posted through the API).
    var sources: Set<UUID> = []

    func matches(text: String, region: String?, platform: String, source: UUID? = nil) -> Bool {
        if !platforms.isEmpty, !platforms.contains(platform) { return false }
        if !sources.isEmpty { guard let source, sources.contains(source) else { return false } }
        if !regions.isEmpty {
            guard regions.contains(where: { region?.contains($0) == true || text.contains($0) }) else { return false }
        }
        if exclusions.contains(where: { !$0.isEmpty && text.contains($0) }) { return false }
        return rule.matches(text)
    }
}
