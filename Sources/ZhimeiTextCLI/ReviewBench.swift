import ArgumentParser
import Dispatch
import Foundation
import ZhimeiReview
import ZhimeiText

/// `zhimei bench review`: full-review latency of a 3,000-character story, throughput with a generated
/// 100,000-term lexicon against same-run baselines, and spelling scores on ../shared/eval/spelling.
public struct ReviewBench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "review", abstract: "Proofreading latency, throughput (100k-term lexicon) and spelling scores (SIGHAN).")
    @Option(help: "Number of generated lexicon terms.") var terms: Int = 100_000
    @Option(help: "Throughput corpus size in MB.") var mb: Int = 4
    @Option(help: "Spelling data directory (default ../shared/eval/spelling).") var spelling: String?
    @Option(help: "Spelling sets to score, comma-separated.") var sets: String = "test13,test14"
    @Option(help: "Typo model threshold (log-probability gain).") var threshold: Float?
    @Option(help: "Real-word (language-model) threshold (log-probability gain).") var lmThreshold: Float?
    @Option(help: "Confusion-set threshold when the language model scores it (negative = unigram word model only).") var confusionLmThreshold: Float?
    @Flag(help: "Only the spelling scores.") var scoreOnly = false
    @Flag(help: "Real-word pass with the hand-picked pairs only (no learned confusion prior).") var noLearnedPairs = false
    @Option(help: "Minimum share of a learned tag context (0…1).") var contextShare: Float?
    @Flag(help: "Real-word pass: also try characters inside common dictionary words.") var realWordInWords = false
    @Flag(help: "Real-word pass: also score replacements that form no dictionary-word pair with a neighbour.") var noPairFilter = false
    @Option(help: "How much the language model may prefer the written character before a tag-context correction is dropped.") var contextMargin: Float?
    @Option(help: "Share of the pair cost a tag-context correction must also gain.") var contextCostWeight: Float?
    @Option(help: "Drop 的→地 when the language model prefers 的 by more than this (negative = no veto).") var deLmVeto: Float?
    @Option(help: "Confusion search: extra cost of a pair not in the learned prior.") var unseenPairPenalty: Float?
    @Option(help: "Confusion search: may a written 地 be rewritten (true/false).") var confusionRewritesDi: Bool?
    @Option(help: "Character n-gram veto of the confusion search (ln; negative = none).") var charVetoConfusion: Float?
    @Option(help: "Character n-gram veto of the 的→地 rule (ln; negative = none).") var charVetoDe: Float?
    @Option(help: "Character n-gram veto of real-word pairs (ln; negative = none).") var charVetoRealWord: Float?
    @Option(help: "Character n-gram veto of real-word tag contexts (ln; negative = none).") var charVetoContext: Float?
    @Option(help: "Weight of the character n-gram gain added to candidates' gains (0 = off).") var charWeight: Float?
    @Option(help: "Raise of both thresholds when the character gain is added.") var charThresholdRaise: Float?
    @Option(help: "Tuning: write every changed line with its typo findings (rule id, gain, right/wrong) to this file.") var explain: String?
    @OptionGroup var data: TextDataOptions
    public init() {}

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    static func ms(_ t0: UInt64) -> Double { Double(now() - t0) / 1e6 }
    func row(_ name: String, _ value: String, _ note: String = "") {
        print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + value.padding(toLength: 20, withPad: " ", startingAt: 0) + note)
    }

    public func run() throws {
        let loc = data.location()
        let t0 = ReviewBench.now()
        let engine: TextEngine, resources: ReviewResources
        do {
            engine = TextEngine(lexicon: try Lexicon.load(from: loc))
            resources = try ReviewResources.load(from: loc)
        } catch let e as TextDataError { throw ValidationError(e.description) } catch let e as ReviewDataError { throw ValidationError(e.description) }
        var settings = TypoSettings()
        if let threshold { settings.threshold = threshold }
        if let lmThreshold { settings.lmThreshold = lmThreshold }
        if let c = confusionLmThreshold { settings.confusionLMThreshold = c < 0 ? nil : c }
        if noLearnedPairs { settings.learnedPairs = false }
        if let contextShare { settings.contextShare = contextShare }
        if realWordInWords { settings.realWordInWords = true }
        if noPairFilter { settings.realWordPairFilter = false }
        if let contextMargin { settings.contextMargin = contextMargin }
        if let contextCostWeight { settings.contextCostWeight = contextCostWeight }
        if let v = deLmVeto { settings.deLMVeto = v < 0 ? nil : v }
        if let unseenPairPenalty { settings.unseenPairPenalty = unseenPairPenalty }
        if let v = charVetoConfusion { settings.charVetoConfusion = v < 0 ? nil : v }
        if let v = charVetoDe { settings.charVetoDe = v < 0 ? nil : v }
        if let v = charVetoRealWord { settings.charVetoRealWord = v < 0 ? nil : v }
        if let v = charVetoContext { settings.charVetoContext = v < 0 ? nil : v }
        if let charThresholdRaise { settings.charThresholdRaise = charThresholdRaise }
        if let charWeight { settings.charWeight = charWeight }
        if let confusionRewritesDi { settings.confusionRewritesDi = confusionRewritesDi }
        print("ZhimeiReview benchmark — one core\n")
        row("load (dictionary + confusion sets)", String(format: "%.0f ms", ReviewBench.ms(t0)))
        if !scoreOnly { try speed(engine, resources, settings) }
        try score(engine, resources, settings)
    }

    func corpusText() -> String {
        if let p = EvalSupport.evalPath("segmentation/msr_test.utf8"), let d = FileManager.default.contents(atPath: p) {
            return String(decoding: d, as: UTF8.self)
        }
        return BenchCorpus.generate(bytes: 1 << 20)
    }

    func speed(_ engine: TextEngine, _ resources: ReviewResources, _ settings: TypoSettings) throws {
        let source = corpusText()
        let sc = Array(source.unicodeScalars)
        var story = String(String.UnicodeScalarView(sc.prefix(3000)))
        if sc.count < 3000 { story = String(repeating: story, count: 3000 / max(1, sc.count) + 1) }
        let demo = Proofreader(engine: engine, configuration: ReviewConfiguration(sensitiveTerms: SensitiveTerm.demoLexicon, headlineLimit: 30),
                               resources: resources, typoSettings: settings)
        _ = demo.check(story)
        var times: [Double] = []
        for _ in 0..<30 { let t = ReviewBench.now(); _ = demo.check(story, headline: "标题"); times.append(ReviewBench.ms(t)) }
        times.sort()
        row("3,000-character story, full review", String(format: "%.2f ms median", times[times.count / 2]),
            String(format: "p90 %.2f ms · target < 20 ms · %d findings", times[times.count * 9 / 10], demo.check(story).count))

        // generated lexicon: 2–4 character substrings of the corpus, deduplicated
        var rng = SplitMix(seed: 7)
        var seen = Set<String>(), lexicon: [SensitiveTerm] = []
        let cats = ["政治", "涉黄", "涉恐", "违禁", "广告", "低俗"]
        var attempts = 0
        while lexicon.count < terms && attempts < terms * 20 {
            attempts += 1
            let len = 2 + Int(rng.next() % 3)
            let at = Int(rng.next() % UInt64(max(1, sc.count - len)))
            let t = String(String.UnicodeScalarView(sc[at..<(at + len)]))
            guard t.unicodeScalars.allSatisfy({ $0.value >= 0x4E00 && $0.value <= 0x9FFF }), seen.insert(t + "X").inserted else { continue }
            // perturb one character so that terms are rare in the corpus (realistic hit density)
            var u = Array(t.unicodeScalars)
            u[u.count - 1] = Unicode.Scalar(0x4E00 + UInt32(rng.next() % 0x5000))!
            let term = String(String.UnicodeScalarView(u))
            if seen.insert(term).inserted { lexicon.append(SensitiveTerm(term: term, category: cats[lexicon.count % cats.count], matchHomophones: lexicon.count % 50 == 0)) }
        }
        var t = ReviewBench.now()
        let big = Proofreader(engine: engine, configuration: ReviewConfiguration(sensitiveTerms: lexicon), resources: resources, typoSettings: settings)
        row("build with \(lexicon.count) terms", String(format: "%.0f ms", ReviewBench.ms(t)))
        var corpus = ""
        while corpus.utf8.count < mb << 20 { corpus += source }
        let paragraphs = corpus.split(separator: "\n").map(String.init)
        let bytes = Double(corpus.utf8.count) / 1e6
        t = ReviewBench.now()
        var hits = 0
        for p in paragraphs { hits += big.check(p).count }
        let full = bytes / (ReviewBench.ms(t) / 1000)
        row("full review, \(lexicon.count)-term lexicon", String(format: "%.2f MB/s", full), "\(hits) findings on \(String(format: "%.1f", bytes)) MB · target ≥ 2 MB/s")
        var sensOnly = ReviewConfiguration(sensitiveTerms: lexicon)
        sensOnly.categories = [.sensitive]
        let sens = Proofreader(engine: engine, configuration: sensOnly, resources: resources, typoSettings: settings)
        t = ReviewBench.now()
        hits = 0
        for p in paragraphs { hits += sens.check(p).count }
        row("sensitive-content check only", String(format: "%.2f MB/s", bytes / (ReviewBench.ms(t) / 1000)), "\(hits) findings")
        // baselines: the bare ZhimeiText matcher, and naive per-term String search (on a sample, extrapolated)
        let matcher = PatternMatcher(patterns: lexicon.map(\.term), folding: .all)
        t = ReviewBench.now()
        var n = 0
        var c = corpus
        c.withUTF8 { n = matcher.countMatches(utf8: $0) }
        row("baseline: ZhimeiText matcher alone", String(format: "%.2f MB/s", bytes / (ReviewBench.ms(t) / 1000)), "\(n) matches")
        let sample = String(corpus.prefix(20_000))
        t = ReviewBench.now()
        n = 0
        for term in lexicon.prefix(5_000) where sample.contains(term.term) { n += 1 }
        let naiveSec = ReviewBench.ms(t) / 1000 * Double(lexicon.count) / Double(min(5_000, lexicon.count))
        row("baseline: naive per-term String search", String(format: "%.4f MB/s", Double(sample.utf8.count) / 1e6 / naiveSec),
            String(format: "full review is %.0f× faster", full / (Double(sample.utf8.count) / 1e6 / naiveSec)))
    }

    func score(_ engine: TextEngine, _ resources: ReviewResources, _ settings: TypoSettings) throws {
        guard let dir = spelling ?? EvalSupport.evalPath("spelling") else {
            print("\nspelling: ../shared/eval/spelling not found (use --spelling DIR)"); return
        }
        let pr = Proofreader(engine: engine, configuration: ReviewConfiguration(categories: [.typo]), resources: resources, typoSettings: settings)
        print("")
        var report = ""
        defer { if let explain { try? report.write(toFile: explain, atomically: true, encoding: .utf8) } }
        for set in sets.split(separator: ",").map(String.init) {
            let src = EvalSupport.lines(dir + "/\(set)_error.txt"), gold = EvalSupport.lines(dir + "/\(set)_correct.txt")
            guard !src.isEmpty, src.count == gold.count else { print("spelling \(set): missing or misaligned files in \(dir)"); continue }
            var s = SpellingScore()
            let t = ReviewBench.now()
            for (n, (a, g)) in zip(src, gold).enumerated() {
                let o = pr.correct(a)
                s.add(source: a, gold: g, output: o)
                if explain != nil && o != a { report += ReviewExplain.line(set: set, number: n + 1, source: a, gold: g, findings: pr.check(a)) }
            }
            print("spelling \(set) (\(s.sentences) sentences, \(String(format: "%.0f", ReviewBench.ms(t))) ms): \(s.summary)")
        }
    }
}
