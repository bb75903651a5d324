import Foundation

/// Accuracy of the analyzer on the splits written by scripts/opinion/setup-data.sh: `sentiment-heldout.tsv` (test,
/// reported only) and `sentiment-dev.tsv` (dev, where choices are made); lines `pos|neg TAB text`.
/// Binary: the sign of the raw score decides (ties → positive).
public enum SentimentHeldOut {
    public struct Report: Sendable {
        public var documents: Int
        public var correct: Int
        /// Documents the three-way label calls neutral (they still count by sign above).
        public var neutral: Int
        public var accuracy: Double { documents == 0 ? 0 : Double(correct) / Double(documents) }
    }

    /// The test split (`sentiment-heldout.tsv`), or another split file of the directory (`sentiment-dev.tsv`).
    public static func load(directory: String, file: String = "sentiment-heldout.tsv") -> [(positive: Bool, text: String)]? {
        let path = (directory as NSString).appendingPathComponent(file)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { line in
            guard let tab = line.firstIndex(of: "\t") else { return nil }
            let label = line[..<tab]
            guard label == "pos" || label == "neg" else { return nil }
            return (label == "pos", String(line[line.index(after: tab)...]))
        }
    }

    public static func evaluate(_ analyzer: SentimentAnalyzer, on docs: [(positive: Bool, text: String)]) -> Report {
        var report = Report(documents: 0, correct: 0, neutral: 0)
        for doc in docs {
            let r = analyzer.analyze(doc.text)
            report.documents += 1
            if (r.raw >= 0) == doc.positive { report.correct += 1 }
            if r.label == .neutral { report.neutral += 1 }
        }
        return report
    }
}
