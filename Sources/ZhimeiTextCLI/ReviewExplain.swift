import ZhimeiReview

/// Tuning aid for `zhimei bench review --explain FILE`: one block per changed line, each typo finding marked right
/// (the gold sentence has the suggestion there), wrong (a false alarm) or miss-fix (the right place, another character).
enum ReviewExplain {
    static func line(set: String, number: Int, source: String, gold: String, findings: [ReviewFinding]) -> String {
        let g = Array(gold.unicodeScalars)
        let aligned = source.unicodeScalars.count == g.count
        var out = "\(set)\t\(number)\t\(source == gold ? "clean" : "error")\n  src  \(source)\n  gold \(gold)\n"
        for f in findings where f.category == .typo && !f.suggestions.isEmpty {
            let sug = f.suggestions[0]
            var verdict = "?"
            if aligned && f.end == f.start + 1 && f.start < g.count {
                let want = String(g[f.start])
                verdict = want == sug ? "RIGHT" : (want == f.text ? "WRONG" : "MISFIX")
            }
            out += "  \(verdict)\t\(f.ruleID)\t\(f.start)\t\(f.text)→\(sug)\t\(f.messageZh)\n"
        }
        return out
    }
}
