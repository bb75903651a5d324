import Foundation

/// CSV import/export of sensitive-term lexicons: `term,category,severity,context,window,homophones,note`
/// (header optional; context words separated by `|`; severity block/warn/info; homophones true/false).
public enum SensitiveTermCSV {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var message: String
        public var description: String { "词库 CSV 第\(line)行有误 / lexicon CSV line \(line): \(message)" }
    }

    public static let header = "term,category,severity,context,window,homophones,note"

    public static func parse(_ text: String) throws -> [SensitiveTerm] {
        var out: [SensitiveTerm] = []
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cols = fields(line)
            if i == 0 && cols.first?.lowercased() == "term" { continue }
            guard let term = cols.first, !term.isEmpty else { throw ParseError(line: i + 1, message: "empty term / 词条为空") }
            let category = cols.count > 1 && !cols[1].isEmpty ? cols[1] : "custom"
            var severity = FindingSeverity.block
            if cols.count > 2 && !cols[2].isEmpty {
                guard let s = FindingSeverity(rawValue: cols[2].lowercased()) else {
                    throw ParseError(line: i + 1, message: "severity must be block, warn or info / 级别应为 block、warn 或 info")
                }
                severity = s
            }
            let context = cols.count > 3 ? cols[3].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : []
            var window = 20
            if cols.count > 4 && !cols[4].isEmpty {
                guard let w = Int(cols[4]), (0...10_000).contains(w) else { throw ParseError(line: i + 1, message: "window must be 0…10000 / 窗口应为0到10000") }
                window = w
            }
            let hom = cols.count > 5 && ["true", "1", "yes", "是"].contains(cols[5].lowercased())
            let note = cols.count > 6 && !cols[6].isEmpty ? cols[6] : nil
            out.append(SensitiveTerm(term: term, category: category, severity: severity, context: context, contextWindow: window, matchHomophones: hom, note: note))
        }
        return out
    }

    public static func export(_ terms: [SensitiveTerm]) -> String {
        func q(_ s: String) -> String { s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        return ([header] + terms.map { t in
            [t.term, t.category, t.severity.rawValue, t.context.joined(separator: "|"), String(t.contextWindow), t.matchHomophones ? "true" : "false", t.note ?? ""].map(q).joined(separator: ",")
        }).joined(separator: "\n") + "\n"
    }

    /// Splits one CSV line (double quotes, "" escapes).
    static func fields(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        var it = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() { if n == "\"" { cur.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
                } else { cur.append(c) }
            } else if c == "\"" && cur.isEmpty { quoted = true }
            else if c == "," { out.append(cur.trimmingCharacters(in: .whitespaces)); cur = "" }
            else { cur.append(c) }
        }
        out.append(cur.trimmingCharacters(in: .whitespaces))
        return out
    }
}

extension SensitiveTerm {
    /// A tiny, harmless built-in DEMO lexicon (no real offensive lists ship with the product).
    public static let demoLexicon: [SensitiveTerm] = [
        SensitiveTerm(term: "演示敏感词", category: "custom", severity: .block, note: "内置演示词条 / built-in demo term"),
        SensitiveTerm(term: "代开发票", category: "违禁", severity: .block),
        SensitiveTerm(term: "网络赌场", category: "违禁", severity: .block, matchHomophones: true),
        SensitiveTerm(term: "加微信领红包", category: "广告", severity: .warn),
        SensitiveTerm(term: "稳赚不赔", category: "广告", severity: .warn, context: ["投资", "理财", "收益"], contextWindow: 30),
    ]
}
