import Leaf
import Vapor

/// UI strings in Chinese (first) and English. Templates use `#t("key")`; the page context carries `lang`.
enum Localizer {
    static func language(of req: Request) -> String {
        if let cookie = req.cookies["zm_lang"]?.string, ["zh", "en"].contains(cookie) { return cookie }
        if let actor = req.actor { return actor.language }
        if let accept = req.headers.first(name: .acceptLanguage)?.lowercased(), accept.hasPrefix("en") { return "en" }
        return "zh"
    }

    static func text(_ key: String, _ lang: String) -> String {
        guard let pair = UIStrings.all[key] else { return key }
        return lang == "en" ? pair.1 : pair.0
    }
}

/// `#t("key")`: the UI string for the page's language.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else { return .string("") }
        let lang = ctx.data["lang"]?.string ?? "zh"
        return .string(Localizer.text(key, lang))
    }
}
