import Foundation

/// One spelling per facet value in the index, the filter and the facet. Languages: the BCP 47 script forms ZhimeiText's
/// language detection gives ("zh-Hans", "zh-Hant"); a plain "zh" (a story's default) or a region form means the same.
/// Categories: the newsroom's own words, as stories have them (经济), also for a lead's category code (economy).
enum SearchFacetSpelling {
    /// Index spelling → the codes that mean it, lower-cased.
    static let languageSpellings: [(String, [String])] = [
        ("zh-Hans", ["zh", "zh-cn", "zh-sg", "zh-hans", "zh-hans-cn", "cmn"]),
        ("zh-Hant", ["zh-tw", "zh-hk", "zh-mo", "zh-hant"]),
    ]

    private static let byCode: [String: String] = {
        var out: [String: String] = [:]
        for (spelling, codes) in languageSpellings { for code in codes { out[code] = spelling } }
        return out
    }()

    /// The index spelling of a language code ("zh" → "zh-Hans", "zh-TW" → "zh-Hant"); other codes are kept, trimmed.
    static func language(_ code: String) -> String {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        return byCode[trimmed.lowercased().replacingOccurrences(of: "_", with: "-")] ?? trimmed
    }

    /// The index spelling of a category: a lead category's code becomes its Chinese name; anything else is kept.
    static func category(_ value: String) -> String {
        LeadCategory(rawValue: value)?.label.zh ?? value
    }
}
