import ArgumentParser
import Dispatch
import Foundation
import ZhimeiText

/// `zhimei bench …`: benchmarks that report ratios against baselines measured in the same run.
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks with same-run baselines.", subcommands: [TextBench.self])
    public init() {}

    public struct TextBench: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "text",
            abstract: "ZhimeiText vs jieba, rjieba and pyahocorasick on the same ~10 MB of news text.")
        @Option(help: "Corpus size in MB (msr_test.utf8 repeated, else generated text).") var mb: Int = 10
        @Option(help: "Number of multi-pattern terms.") var terms: Int = 100_000
        @Option(help: "Number of fingerprints in the near-duplicate index.") var fingerprints: Int = 1_000_000
        @Flag(name: .customLong("no-baselines"), help: "Skip the Python baselines.") var noBaselines = false
        @OptionGroup var data: TextDataOptions
        public init() {}

        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        func secs(_ t0: UInt64) -> Double { Double(now() - t0) / 1e9 }
        func rssKB() -> Int {
            guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
            for l in s.split(separator: "\n") where l.hasPrefix("VmRSS:") {
                return Int(l.split(separator: " ").dropFirst().first ?? "0") ?? 0
            }
            return 0
        }
        func row(_ name: String, _ value: String, _ note: String = "") {
            print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + value.padding(toLength: 22, withPad: " ", startingAt: 0) + note)
        }

        public func run() throws {
            let tmp = NSTemporaryDirectory() + "zhimei-bench-\(getpid())"
            try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            // corpus
            var corpus: [UInt8] = []
            let target = mb << 20
            var source = "generated"
            if let msr = EvalSupport.evalPath("segmentation/msr_test.utf8"), let d = FileManager.default.contents(atPath: msr) {
                let b = [UInt8](d)
                while corpus.count < target { corpus.append(contentsOf: b) }
                source = "msr_test.utf8 ×\(corpus.count / b.count)"
            } else {
                corpus = Array(BenchCorpus.generate(bytes: target).utf8)
            }
            let corpusPath = tmp + "/corpus.txt"
            FileManager.default.createFile(atPath: corpusPath, contents: Data(corpus))
            let mbytes = Double(corpus.count) / 1e6
            print("ZhimeiText benchmark — corpus: \(String(format: "%.1f", mbytes)) MB (\(source)), one core unless noted\n")

            // dictionary
            let loc = data.location()
            _ = try data.segmenter()  // make sure the cache exists
            let rss0 = rssKB()
            var best = Double.infinity
            var lex: Lexicon! = nil
            for _ in 0..<3 {
                let t0 = now()
                lex = try Lexicon.load(from: loc)
                best = min(best, secs(t0))
            }
            let rss1 = rssKB()
            row("dictionary load from cache", String(format: "%.1f ms", best * 1000), "target < 200 ms")
            row("resident dictionary", String(format: "%.1f MB", Double(lex.residentBytes) / 1e6),
                String(format: "RSS +%.1f MB over 3 loads; target < 150 MB", Double(rss1 - rss0) / 1024))

            // segmentation
            let seg = Segmenter(lexicon: lex)
            var segBest = Double.infinity
            var tokens = 0
            for _ in 0..<2 {
                let t0 = now()
                tokens = BenchCorpus.segmentAll(seg, corpus)
                segBest = min(segBest, secs(t0))
            }
            row("segmentation ZhimeiText (precise+HMM)", String(format: "%.3f s %.1f MB/s", segBest, mbytes / segBest), "\(tokens) tokens")
            if !noBaselines {
                for impl in ["jieba", "rjieba"] {
                    let (st, err) = try EvalSupport.run(["python3", EvalSupport.scriptPath("jieba_segment.py"), "--impl", impl, "--time", "--quiet"],
                                                        stdinPath: corpusPath, stdoutPath: nil)
                    if st == 0, let t = Double(err.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") {
                        row("segmentation \(impl)", String(format: "%.3f s %.1f MB/s", t, mbytes / t),
                            String(format: "ZhimeiText is %.1f× %@ (target %@)", t / segBest, impl, impl == "jieba" ? "≥ 20×" : "≥ 1.5×"))
                    } else {
                        row("segmentation \(impl)", "unavailable", String(err.suffix(160)))
                    }
                }
            }

            // multi-pattern matching
            let termList = try BenchCorpus.terms(count: terms, location: loc)
            let termsPath = tmp + "/terms.txt"
            FileManager.default.createFile(atPath: termsPath, contents: Data(termList.joined(separator: "\n").utf8))
            var t0 = now()
            let matcher = PatternMatcher(patterns: termList)
            let build = secs(t0)
            var acBest = Double.infinity
            var matches = 0
            for _ in 0..<3 {
                t0 = now()
                matches = corpus.withUnsafeBufferPointer { matcher.countMatches(utf8: $0) }
                acBest = min(acBest, secs(t0))
            }
            row("AC scan, \(termList.count) terms, no folding", String(format: "%.1f MB/s", mbytes / acBest),
                String(format: "%d matches, build %.2f s; target ≥ 100 MB/s", matches, build))
            let folded = PatternMatcher(patterns: termList, folding: .all)
            var fBest = Double.infinity
            var fMatches = 0
            for _ in 0..<2 {
                t0 = now()
                fMatches = corpus.withUnsafeBufferPointer { folded.countMatches(utf8: $0) }
                fBest = min(fBest, secs(t0))
            }
            row("AC scan, all folding", String(format: "%.1f MB/s", mbytes / fBest), "\(fMatches) matches, t2s \(folded.traditionalFoldingActive ? "on" : "off (no OpenCC)")")
            if !noBaselines {
                let outPath = tmp + "/ac.txt"
                let (st, err) = try EvalSupport.run(["python3", EvalSupport.scriptPath("ac_baseline.py"), termsPath, corpusPath], stdinPath: nil, stdoutPath: outPath)
                let parts = ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").split(separator: " ")
                if st == 0, parts.count == 2, let t = Double(parts[0]) {
                    row("AC scan pyahocorasick", String(format: "%.1f MB/s", mbytes / t),
                        String(format: "%@ matches; ZhimeiText is %.1f× (target ≥ 1×)", String(parts[1]).trimmingCharacters(in: .whitespacesAndNewlines), t / acBest))
                } else {
                    row("AC scan pyahocorasick", "unavailable", String(err.suffix(160)))
                }
            }

            // SimHash
            let articles = BenchCorpus.articles(corpus, size: 2000)
            let hasher = SimHasher(segmenter: seg)
            t0 = now()
            var fps = [UInt64](repeating: 0, count: articles.count)
            let scratch = SegmentScratch()
            for (i, a) in articles.enumerated() { fps[i] = a.withUnsafeBufferPointer { hasher.fingerprint($0, scratch: scratch) } }
            let sh1 = secs(t0)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            t0 = now()
            let chunk = (articles.count + cores - 1) / cores
            DispatchQueue.concurrentPerform(iterations: cores) { c in
                let sc = SegmentScratch()
                var x: UInt64 = 0
                for i in (c * chunk)..<min(articles.count, (c + 1) * chunk) { x ^= articles[i].withUnsafeBufferPointer { hasher.fingerprint($0, scratch: sc) } }
                if x == 42 { print("") }
            }
            let shN = secs(t0)
            row("SimHash, ~2 KB articles (1 core)", String(format: "%.0f articles/s", Double(articles.count) / sh1), "\(articles.count) articles")
            row("SimHash, ~2 KB articles (\(cores) cores)", String(format: "%.0f articles/s", Double(articles.count) / shN), "target ≥ 20,000/s")
            var index = SimHashIndex()
            var rng = SplitMix(seed: 7)
            t0 = now()
            for fp in fps { index.add(fp) }
            while index.count < fingerprints { index.add(rng.next()) }
            let buildIdx = secs(t0)
            var lat: [Double] = []
            var found = 0
            for q in 0..<2000 {
                var fp = index.fingerprints[Int(rng.next() % UInt64(index.count))]
                for _ in 0..<(q % 4) { fp ^= 1 << (rng.next() % 64) }
                let s = now()
                found += index.query(fp, maxDistance: 3).isEmpty ? 0 : 1
                lat.append(secs(s))
            }
            lat.sort()
            row("near-dup query, \(index.count) fingerprints, k=3", String(format: "%.3f ms mean", lat.reduce(0, +) / Double(lat.count) * 1000),
                String(format: "p99 %.3f ms, max %.3f ms, %d/2000 found, index built in %.2f s; target < 5 ms", lat[lat.count * 99 / 100] * 1000, lat.last! * 1000, found, buildIdx))
        }
    }
}

struct SplitMix {
    var x: UInt64
    init(seed: UInt64) { x = seed }
    mutating func next() -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum BenchCorpus {
    /// Segments every line like `zhimei text segment` does (decode, segment, encode); returns the token count.
    static func segmentAll(_ seg: Segmenter, _ corpus: [UInt8]) -> Int {
        let scratch = SegmentScratch()
        var scalars: [UInt32] = []
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var tokens = 0
        corpus.withUnsafeBufferPointer { all in
            var start = 0
            let n = all.count
            while start < n {
                var end = start
                while end < n && all[end] != 10 { end += 1 }
                scalars.removeAll(keepingCapacity: true)
                UTF8Scalars.decode(UnsafeBufferPointer(rebasing: all[start..<end]), into: &scalars)
                scratch.reset()
                scalars.withUnsafeBufferPointer { s in
                    seg.segment(s, scratch: scratch)
                    for t in 0..<scratch.tokenCount {
                        let a = scratch.tokenStart(t), e = scratch.tokenEnd(t)
                        if isBlankToken(s, a, e) { continue }
                        UTF8Scalars.encode(s, a, e, into: &out); out.append(32)
                    }
                }
                tokens += scratch.tokenCount
                out.append(10)
                if out.count > 1 << 20 { out.removeAll(keepingCapacity: true) }
                start = end + 1
            }
        }
        return tokens
    }

    static func articles(_ corpus: [UInt8], size: Int) -> [[UInt32]] {
        var out: [[UInt32]] = []
        var cur: [UInt8] = []
        for line in corpus.split(separator: 10) {
            cur.append(contentsOf: line); cur.append(10)
            if cur.count >= size { out.append(UTF8Scalars.decode(cur)); cur.removeAll(keepingCapacity: true) }
        }
        if !cur.isEmpty { out.append(UTF8Scalars.decode(cur)) }
        return out
    }

    /// `count` dictionary words of 2+ characters spread evenly over jieba's dict.txt.
    static func terms(count: Int, location: TextDataLocation) throws -> [String] {
        let path = (location.directory as NSString).appendingPathComponent("dict.txt")
        guard let d = FileManager.default.contents(atPath: path) else { throw ValidationError("missing \(path)") }
        let words = d.split(separator: 10).compactMap { l -> String? in
            guard let sp = l.firstIndex(of: 32) else { return nil }
            let w = String(decoding: l[l.startIndex..<sp], as: UTF8.self)
            return w.unicodeScalars.count >= 2 ? w : nil
        }
        if words.count <= count { return words }
        let step = Double(words.count) / Double(count)
        return (0..<count).map { words[Int(Double($0) * step)] }
    }

    static func generate(bytes: Int) -> String {
        let parts = ["新华社北京5月1日电", "记者从国家统计局获悉", "今年一季度国内生产总值同比增长5.3%", "我国经济持续回升向好",
                     "各地区各部门认真贯彻落实党中央决策部署", "消费市场保持恢复态势", "科技创新取得新进展", "，", "。", "\n"]
        var s = ""
        var r = SplitMix(seed: 1)
        while s.utf8.count < bytes { s += parts[Int(r.next() % UInt64(parts.count))] }
        return s
    }
}
