/// How the UI names a content language code (BCP 47, as text detection and the index spell them).
enum LanguageNames {
    private static let names: [String: (zh: String, en: String)] = [
        "zh-Hans": ("简体中文", "Chinese (Simplified)"), "zh-Hant": ("繁体中文", "Chinese (Traditional)"), "en": ("英文", "English"),
        "ja": ("日文", "Japanese"), "ko": ("韩文", "Korean"), "bo": ("藏文", "Tibetan"), "ug": ("维吾尔文", "Uyghur"),
        "mn": ("蒙古文", "Mongolian"), "other": ("其他", "Other"),
    ]

    /// The name of `code` in the UI language; an unknown code is shown as it is, an empty one as "（无）".
    static func label(_ code: String, _ lang: String) -> String {
        guard let name = names[code] else { return code.isEmpty ? (lang == "en" ? "(none)" : "（无）") : code }
        return lang == "en" ? name.en : name.zh
    }
}
