import Foundation

/// A term of a sensitive-content lexicon (敏感词库), platform-wide or a tenant's.
public struct SensitiveTerm: Codable, Sendable, Hashable {
    public var term: String
    /// 政治, 涉黄, 涉恐, 违禁, 广告, 低俗 or a custom category.
    public var category: String
    public var severity: FindingSeverity
    /// Context rule: when non-empty, the term only counts if one of these words occurs within `contextWindow` characters.
    public var context: [String]
    public var contextWindow: Int
    /// Also match homophone substitutions (same pinyin, other characters).
    public var matchHomophones: Bool
    public var note: String?

    public init(term: String, category: String, severity: FindingSeverity = .block, context: [String] = [], contextWindow: Int = 20,
                matchHomophones: Bool = false, note: String? = nil) {
        self.term = term
        self.category = category
        self.severity = severity
        self.context = context
        self.contextWindow = contextWindow
        self.matchHomophones = matchHomophones
        self.note = note
    }
}

/// A person in a tenant's fact base (事实库): the current title and titles they no longer hold.
public struct FactPerson: Codable, Sendable, Hashable {
    public var name: String
    public var title: String
    public var formerTitles: [String]
    public init(name: String, title: String, formerTitles: [String] = []) {
        self.name = name
        self.title = title
        self.formerTitles = formerTitles
    }
}

/// A fixed expression whose items must appear in this order (e.g. 富强、民主、文明、和谐).
public struct FixedList: Codable, Sendable, Hashable {
    public var items: [String]
    public init(items: [String]) { self.items = items }
}

/// A tenant's fact base.
public struct FactBase: Codable, Sendable, Hashable {
    public var people: [FactPerson]
    public var organisations: [String]
    public var places: [String]
    /// Fixed wording: the right form and known wrong forms (e.g. "中国共产党第二十次全国代表大会").
    public var fixedExpressions: [String]
    public var fixedLists: [FixedList]
    public init(people: [FactPerson] = [], organisations: [String] = [], places: [String] = [], fixedExpressions: [String] = [], fixedLists: [FixedList] = []) {
        self.people = people
        self.organisations = organisations
        self.places = places
        self.fixedExpressions = fixedExpressions
        self.fixedLists = fixedLists
    }
}

/// Everything one check needs beyond the built-in resources: lexicons, whitelist, fact base, protected words.
public struct ReviewConfiguration: Sendable {
    public var sensitiveTerms: [SensitiveTerm]
    /// Whitelisted phrases: a sensitive match inside one of these is not reported (e.g. 习近平新时代 in an official title).
    public var whitelist: [String]
    public var factBase: FactBase
    /// Words never "corrected" (user dictionary, names): typo findings that overlap them are dropped.
    public var protectedTerms: [String]
    /// Headline length limit in characters (per channel); nil = no check.
    public var headlineLimit: Int?
    /// Categories to run; empty = all.
    public var categories: Set<FindingCategory>

    public init(sensitiveTerms: [SensitiveTerm] = [], whitelist: [String] = [], factBase: FactBase = FactBase(), protectedTerms: [String] = [],
                headlineLimit: Int? = nil, categories: Set<FindingCategory> = []) {
        self.sensitiveTerms = sensitiveTerms
        self.whitelist = whitelist
        self.factBase = factBase
        self.protectedTerms = protectedTerms
        self.headlineLimit = headlineLimit
        self.categories = categories
    }
}
