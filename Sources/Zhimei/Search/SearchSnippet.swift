import Foundation
import ZhimeiText

/// Highlighted snippets: HTML-escape the text first, then wrap matched words in <mark>.
public enum SearchSnippet {
    /// Forms of each token to look for in stored text: the token itself and its Traditional form.
    public static func variants(_ tokens: [String]) -> [String] {
        var out: [String] = []
        let cc = try? OpenCC.shared.get()
        for t in tokens {
            out.append(t)
            if !t.utf8.allSatisfy({ $0 < 0x80 }), let trad = try? cc?.convert(t, .s2t), trad != t { out.append(trad) }
        }
        return Array(Set(out)).sorted { $0.count > $1.count }
    }

    /// HTML-escapes snippet text and drops control characters (the app's one escaper).
    public static func escape(_ s: String) -> String { StoryRenderer.escape(s) }

    /// Match ranges of any of the words in `text` (case-insensitive, non-overlapping, in order).
    static func matches(_ text: String, _ words: [String]) -> [Range<String.Index>] {
        var found: [Range<String.Index>] = []
        for w in words where !w.isEmpty {
            var from = text.startIndex
            var count = 0
            while count < 50, let r = text.range(of: w, options: [.caseInsensitive], range: from..<text.endIndex) {
                if !found.contains(where: { $0.overlaps(r) }) { found.append(r) }
                from = r.upperBound
                count += 1
            }
        }
        return found.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// The whole text escaped with matches marked.
    public static func mark(_ text: String, _ words: [String]) -> String {
        var out = ""
        var at = text.startIndex
        for r in matches(text, words) {
            out += escape(String(text[at..<r.lowerBound])) + "<mark>" + escape(String(text[r])) + "</mark>"
            at = r.upperBound
        }
        return out + escape(String(text[at...]))
    }

    /// A window of about `width` characters around the first match (or the start), escaped and marked.
    public static func snippet(_ text: String, _ words: [String], width: Int = 120) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        guard !flat.isEmpty else { return "" }
        let first = matches(flat, words).first
        var start = flat.startIndex
        if let first {
            start = flat.index(first.lowerBound, offsetBy: -min(width / 4, flat.distance(from: flat.startIndex, to: first.lowerBound)))
        }
        let end = flat.index(start, offsetBy: width, limitedBy: flat.endIndex) ?? flat.endIndex
        let window = String(flat[start..<end])
        return (start > flat.startIndex ? "…" : "") + mark(window, words) + (end < flat.endIndex ? "…" : "")
    }
}
