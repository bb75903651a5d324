import Foundation

/// What kind of problem a finding is about.
public enum FindingCategory: String, Codable, Sendable, CaseIterable {
    case sensitive      // 敏感内容 (subcategory: 政治, 涉黄, 涉恐, 违禁, 广告, 低俗 or a custom one)
    case typo           // 错别字
    case grammar        // 语法、搭配
    case punctuation    // 标点
    case format         // 格式、数字用法、标题长度
    case fact           // 事实、一致性
    case provider       // suggestions of an optional text-generation provider; never blocking
}

/// How much a finding matters: `block` stops a story at the workflow gate until fixed or overridden.
public enum FindingSeverity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, warn, block

    private var rank: Int { switch self { case .info: 0; case .warn: 1; case .block: 2 } }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One finding of the machine first pass. Spans are in Unicode scalars (code points) of the checked text,
/// `start..<end`, so `text` is exactly that slice.
public struct ReviewFinding: Codable, Sendable, Hashable {
    public var category: FindingCategory
    /// e.g. "政治" for sensitive terms, "的地得" for misused words; nil when the category says it all.
    public var subcategory: String?
    public var severity: FindingSeverity
    public var start: Int
    public var end: Int
    /// The flagged text (the slice `start..<end`).
    public var text: String
    public var messageZh: String
    public var messageEn: String
    /// Replacements, best first; empty when the fix is to delete or rewrite by hand.
    public var suggestions: [String]
    /// Stable rule id, e.g. "typo.confusion", "sensitive.lexicon", "punct.unpaired".
    public var ruleID: String
    /// 0…1.
    public var confidence: Double

    public init(category: FindingCategory, subcategory: String? = nil, severity: FindingSeverity, start: Int, end: Int, text: String,
                messageZh: String, messageEn: String, suggestions: [String] = [], ruleID: String, confidence: Double) {
        self.category = category
        self.subcategory = subcategory
        self.severity = severity
        self.start = start
        self.end = end
        self.text = text
        self.messageZh = messageZh
        self.messageEn = messageEn
        self.suggestions = suggestions
        self.ruleID = ruleID
        self.confidence = confidence
    }
}
