import Foundation
import ZhimeiText

/// `zhimei bench opinion`: ingest throughput of the processing pipeline (language, Simplified text, segmentation,
/// keywords, SimHash, sentiment, near-duplicate detection and online clustering) against a Python pipeline doing the
/// same steps with jieba and snownlp in the same run; sentiment accuracy on the held-out split; clustering purity and
/// NMI on a generated, labelled set and on THUCNews headlines (topic labels; `OpinionNewsEval`).
public enum OpinionBenchmark {
    public struct Options: Sendable {
        public var posts = 20_000
        public var workers = 2
        public var pythonPosts = 2_000
        public var seed: UInt64 = 20_261_202
        public var threshold = 0.3
        public var scriptDirectory = "scripts/opinion"
        public init() {}
    }

    struct Generated { var texts: [String]; var gold: [Int] }

    /// Posts about `topics` made-up events: each event has its own place, subject and action words; posts are
    /// original wordings (template × event words × filler), reprints ("转发：…") and near copies with a tail added.
    static func generate(count: Int, topics: Int = 60, seed: UInt64) -> Generated {
        var rng = seed
        func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % UInt64(max(1, n))) }
        let places = ["浏阳", "宁乡", "醴陵", "韶山", "湘潭", "株洲", "岳阳", "常德", "衡阳", "邵阳", "益阳", "郴州", "永州", "怀化", "娄底", "吉首"]
        let subjects = ["化工厂", "小学", "菜市场", "医院", "高速公路", "地铁站", "水库", "商场", "养老院", "景区", "工业园", "老旧小区", "农贸市场", "体育馆", "汽车站"]
        let actions = [("排污", "河水发臭居民投诉"), ("停水", "居民生活不便"), ("火灾", "消防车赶到扑救"), ("开业", "市民排队参观"), ("拥堵", "车辆排起长龙"),
                       ("涨价", "群众议论纷纷"), ("维修", "施工队连夜作业"), ("表彰", "获得群众点赞"), ("塌陷", "路面出现大坑"), ("义诊", "专家免费看病")]
        let fillers = ["据了解", "记者从现场获悉", "有网友表示", "截至发稿时", "相关部门回应", "多位居民反映", "视频显示", "知情人士透露"]
        let moods = ["非常失望", "希望尽快解决", "点赞", "太不像话了", "感谢工作人员", "担心安全问题", "情况已经好转", "没人管"]
        var events: [(String, String, String, String)] = []
        for i in 0..<topics {
            let a = actions[i % actions.count]
            events.append((places[(i * 7 + i / actions.count) % places.count], subjects[(i * 3 + i / 5) % subjects.count], a.0, a.1))
        }
        var texts: [String] = [], gold: [Int] = []
        var originals: [[String]] = Array(repeating: [], count: topics)
        for _ in 0..<count {
            let t = next(topics)
            let (place, subject, action, detail) = events[t]
            let r = next(10)
            let base: String? = originals[t].isEmpty ? nil : originals[t][next(originals[t].count)]
            if r < 2, let base {
                texts.append("转发：" + base)
            } else if r < 3, let base {
                texts.append(base + " " + moods[next(moods.count)])
            } else {
                let text = "\(fillers[next(fillers.count)])，\(place)\(subject)\(action)，\(detail)。\(place)\(subject)\(action)一事引发关注，\(moods[next(moods.count)])。"
                originals[t].append(text)
                texts.append(text)
            }
            gold.append(t)
        }
        return Generated(texts: texts, gold: gold)
    }

    public static func run(_ o: Options, textData: String, log: @escaping @Sendable (String) -> Void) async throws -> String {
        let engine = try TextEngine(location: TextDataLocation(directory: textData))
        let analyzer = PostAnalyzer(engine: engine, directory: textData)
        let data = generate(count: o.posts, seed: o.seed)
        log("generated \(data.texts.count) posts; \(analyzer.sentiment.lexicon.derivedCount) derived lexicon entries, \(analyzer.sentiment.model?.count ?? 0) model features")

        // Swift pipeline: analysis on `workers` tasks, then online clustering in arrival order.
        let start = Date()
        let workers = max(1, o.workers)
        let texts = data.texts
        let analyses = await analyzer.analyze(texts.map { (text: $0, regionHint: nil) }, workers: workers)
        let analysisSeconds = Date().timeIntervalSince(start)
        var clusterer = EventClusterer(threshold: o.threshold)
        var predicted: [Int] = []
        var nearDuplicates = 0
        for a in analyses {
            let r = clusterer.add(keywords: a.keywords, simhash: a.simhash)
            predicted.append(r.event)
            if r.nearDuplicateOf != nil { nearDuplicates += 1 }
        }
        let swiftSeconds = Date().timeIntervalSince(start)
        let swiftRate = Double(texts.count) / swiftSeconds
        log(String(format: "swift: %d posts in %.2f s = %.0f posts/s (%d workers; analysis %.2f s, clustering %.2f s), %d events, %d near duplicates",
                   texts.count, swiftSeconds, swiftRate, workers, analysisSeconds, swiftSeconds - analysisSeconds, clusterer.centroids.count, nearDuplicates))
        let purity = ClusterQuality.purity(predicted: predicted, gold: data.gold)
        let nmi = ClusterQuality.nmi(predicted: predicted, gold: data.gold)

        // Sentiment accuracy on the held-out split.
        var accuracyLine = "sentiment: held-out split missing (run scripts/opinion/setup-data.sh)"
        if let docs = SentimentHeldOut.load(directory: textData) {
            let r = SentimentHeldOut.evaluate(analyzer.sentiment, on: docs)
            accuracyLine = String(format: "sentiment accuracy (snownlp review corpora, de-duplicated, test split 2/10, never tuned on): %.1f%% on %d documents", r.accuracy * 100, r.documents)
        }

        // Clustering on real labelled news (THUCNews headlines from a PyPI archive), at the threshold in use and two stricter ones.
        let newsLines = OpinionNewsEval.report(textData: textData, scripts: o.scriptDirectory, analyzer: analyzer,
                                               thresholds: [o.threshold] + [0.5, 0.7].filter { $0 != o.threshold }, log: log)

        // Python baseline (jieba + snownlp), same steps, in the same run.
        var pythonLine = "python baseline: not run"
        var ratioLine = ""
        let sample = Array(texts.prefix(max(100, min(o.pythonPosts, texts.count))))
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("opinion-bench-\(UUID().uuidString).txt")
        try sample.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bash", "\(o.scriptDirectory)/python-baseline.sh", input.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.standardError
        do {
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            if let line = out.split(separator: "\n").last(where: { $0.hasPrefix("posts_per_second ") }), let rate = Double(line.split(separator: " ")[1]) {
                pythonLine = String(format: "python (jieba + snownlp, 1 process): %d posts, %.0f posts/s", sample.count, rate)
                ratioLine = String(format: "ratio swift / python: %.1fx (target ≥ 20x)", swiftRate / max(rate, 1e-9))
            } else {
                pythonLine = "python baseline failed: \(out.suffix(300))"
            }
        } catch {
            pythonLine = "python baseline could not start: \(error)"
        }
        return """
        zhimei bench opinion
        posts: \(texts.count) generated (60 events; originals, reprints, near copies)
        \(String(format: "swift pipeline: %.0f posts/s with %d workers (dedupe, sentiment, keywords, clustering; target ≥ 5000)", swiftRate, workers))
        \(pythonLine)
        \(ratioLine)
        \(accuracyLine)
        \(String(format: "clustering on the generated labelled set: purity %.3f, NMI %.3f, %d events found for 60 true", purity, nmi, clusterer.centroids.count))
        \(newsLines)
        """
    }
}
