import Foundation

/// A self-contained HTML error page (no template, so it renders even when views are broken).
enum ErrorPage {
    static func render(error: AppError, lang: String, requestID: String?) -> String {
        let title = Localizer.text("error.title", lang)
        let primary = lang == "en" ? error.en : error.zh
        let secondary = lang == "en" ? error.zh : error.en
        return """
        <!doctype html><html lang="\(lang == "en" ? "en" : "zh-CN")"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>\(escape(title)) · \(error.status.code)</title>
        <link rel="stylesheet" href="/css/app.css"></head><body class="error-page"><main class="error-card" id="main">
        <p class="error-code">\(error.status.code)</p><h1>\(escape(title))</h1><p class="error-message">\(escape(primary))</p>
        <p class="error-secondary">\(escape(secondary))</p>\(requestID.map { "<p class=\"muted small\">Request ID: \(escape($0))</p>" } ?? "")
        <p><a class="btn" href="/">\(escape(Localizer.text("error.home", lang)))</a></p></main></body></html>
        """
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
