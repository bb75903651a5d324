import Foundation

/// Where the learned confusion prior comes from: the generated `LearnedPairs` constants, or — for tuning only — a
/// file written by `scripts/review/learn-pairs.py --out FILE` named by `ZHIMEI_REVIEW_PRIOR`, so that thresholds can
/// be tuned on the held-out dev fifth with a prior learned from the other four fifths without rebuilding.
enum LearnedPrior {
    static let (table, context): (String, String) = {
        guard let path = ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_PRIOR"], !path.isEmpty,
              let text = try? String(contentsOfFile: path, encoding: .utf8),
              let t = literal(text, "table"), let c = literal(text, "context") else { return (LearnedPairs.table, LearnedPairs.context) }
        return (t, c)
    }()

    /// The body of `static let NAME = """ … """` in a generated LearnedPairs.swift.
    static func literal(_ text: String, _ name: String) -> String? {
        guard let start = text.range(of: "static let \(name) = \"\"\"\n"),
              let end = text.range(of: "\n\"\"\"", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
