import ArgumentParser
import Foundation
import ZhimeiText

/// Paths and helpers shared by score / agree / bench.
enum EvalSupport {
    /// `../shared/eval/<rel>` relative to the working directory (the repository root), or nil.
    static func evalPath(_ rel: String) -> String? {
        let env = ProcessInfo.processInfo.environment
        var roots = ["../shared/eval", "shared/eval", "../../shared/eval"]
        if let e = env["ZHIMEI_EVAL_DIR"] { roots.insert(e, at: 0) }
        for r in roots {
            let p = (r as NSString).appendingPathComponent(rel)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    static func scriptPath(_ name: String) -> String {
        let env = ProcessInfo.processInfo.environment
        for d in [env["ZHIMEI_TEXT_SCRIPTS"], "scripts/text"].compactMap({ $0 }) {
            let p = (d as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return "scripts/text/" + name
    }

    /// Runs a command with stdin from a file and stdout to a file; returns (status, stderr).
    static func run(_ args: [String], stdinPath: String?, stdoutPath: String?) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        if let stdinPath { p.standardInput = FileHandle(forReadingAtPath: stdinPath) }
        if let stdoutPath {
            FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            p.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        } else {
            p.standardOutput = FileHandle.nullDevice
        }
        let errPath = NSTemporaryDirectory() + "zhimei-text-err-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        p.waitUntilExit()
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: errPath)
        return (p.terminationStatus, err)
    }

    /// Segments a file with ZhimeiText into `out` (the same code path as `zhimei text segment`).
    static func segmentFile(_ seg: Segmenter, input: String, output: String) throws -> Double {
        let inFD = open(input, O_RDONLY)
        guard inFD >= 0 else { throw ValidationError("cannot read \(input)") }
        defer { close(inFD) }
        let saved = dup(1)
        let outFD = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        dup2(outFD, 1); close(outFD)
        let t0 = DispatchTime.now().uptimeNanoseconds
        SegmentStream.run(segmenter: seg, tags: false, input: inFD)
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        dup2(saved, 1); close(saved)
        return dt
    }

    static func lines(_ path: String) -> [String] {
        // Byte-level split: Swift treats "\r\n" as one Character, so split on the LF byte.
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        var l = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line -> String in
            let t = line.last == 13 ? line.dropLast() : line
            return String(decoding: t, as: UTF8.self)
        }
        if l.last == "" { l.removeLast() }
        return l
    }
}

/// Bakeoff-style word-span scoring.
public struct SegmentationScore: Sendable {
    public var precision: Double, recall: Double, f1: Double, oovRecall: Double
    public var goldWords: Int, testWords: Int, correct: Int, oovWords: Int, oovCorrect: Int

    public static func score(gold: [String], test: [String], training: Set<String>) -> SegmentationScore {
        var g = 0, t = 0, c = 0, oov = 0, oovC = 0
        for (i, gl) in gold.enumerated() {
            let gw = gl.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }).map(String.init)
            let tw = i < test.count ? test[i].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }).map(String.init) : []
            var spans = Set<Int>()  // start << 32 | end
            var pos = 0
            for w in tw { let n = w.unicodeScalars.count; spans.insert(pos << 32 | (pos + n)); pos += n }
            pos = 0
            for w in gw {
                let n = w.unicodeScalars.count
                let hit = spans.contains(pos << 32 | (pos + n))
                if hit { c += 1 }
                if !training.contains(w) { oov += 1; if hit { oovC += 1 } }
                pos += n
            }
            g += gw.count; t += tw.count
        }
        let p = t > 0 ? Double(c) / Double(t) : 0, r = g > 0 ? Double(c) / Double(g) : 0
        return SegmentationScore(precision: p, recall: r, f1: p + r > 0 ? 2 * p * r / (p + r) : 0,
                                 oovRecall: oov > 0 ? Double(oovC) / Double(oov) : 0,
                                 goldWords: g, testWords: t, correct: c, oovWords: oov, oovCorrect: oovC)
    }

    var line: String {
        String(format: "P=%.4f R=%.4f F1=%.4f OOV-R=%.4f (gold %d, test %d, correct %d, OOV %d/%d)",
               precision, recall, f1, oovRecall, goldWords, testWords, correct, oovCorrect, oovWords)
    }
}

extension TextCommand {
    public struct Score: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Score segmentation on the MSR test set (P/R/F1/OOV recall) for ZhimeiText and for jieba (Python) on the same data.")
        @Option(help: "Raw test text (default ../shared/eval/segmentation/msr_test.utf8).") var test: String?
        @Option(help: "Gold segmentation, words separated by spaces.") var gold: String?
        @Option(help: "Training word list for OOV recall.") var training: String?
        @Flag(name: .customLong("no-baseline"), help: "Skip jieba.") var noBaseline = false
        @OptionGroup var data: TextDataOptions
        public init() {}
        public func run() throws {
            guard let test = test ?? EvalSupport.evalPath("segmentation/msr_test.utf8"),
                  let gold = gold ?? EvalSupport.evalPath("segmentation/msr_test_gold.utf8") else {
                throw ValidationError("MSR data not found: pass --test and --gold (or run from the repository root with ../shared/eval present)")
            }
            let trainingWords = Set((training ?? EvalSupport.evalPath("segmentation/msr_training_words.utf8")).map(EvalSupport.lines) ?? [])
            let goldLines = EvalSupport.lines(gold)
            let tmp = NSTemporaryDirectory() + "zhimei-score-\(getpid())"
            for (name, opts) in [("ZhimeiText precise+HMM", SegmentOptions()), ("ZhimeiText precise no-HMM", SegmentOptions(hmm: false))] {
                let seg = try data.segmenter(options: opts)
                _ = try EvalSupport.segmentFile(seg, input: test, output: tmp)
                let s = SegmentationScore.score(gold: goldLines, test: EvalSupport.lines(tmp), training: trainingWords)
                print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(s.line)")
            }
            if !noBaseline {
                for (name, args) in [("jieba precise+HMM", [String]()), ("jieba precise no-HMM", ["--no-hmm"])] {
                    let (st, err) = try EvalSupport.run(["python3", EvalSupport.scriptPath("jieba_segment.py")] + args, stdinPath: test, stdoutPath: tmp)
                    if st != 0 { print("\(name): failed (\(err.prefix(200)))"); continue }
                    let s = SegmentationScore.score(gold: goldLines, test: EvalSupport.lines(tmp), training: trainingWords)
                    print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(s.line)")
                }
            }
            try? FileManager.default.removeItem(atPath: tmp)
        }
    }

    public struct Agree: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Token-level agreement with jieba (precise mode, HMM on, same dictionary) and the list of differences.")
        @Option(help: "Input text, one document per line (default ../shared/eval/segmentation/msr_test.utf8).") var input: String?
        @Option(help: "Show at most this many differing lines.") var show: Int = 20
        @Flag(name: .customLong("jieba-strict"), help: "Disable the keep-whole rules.") var strict = false
        @OptionGroup var data: TextDataOptions
        public init() {}
        public func run() throws {
            guard let input = input ?? EvalSupport.evalPath("segmentation/msr_test.utf8") else { throw ValidationError("pass --input") }
            let tmpZ = NSTemporaryDirectory() + "zhimei-agree-z-\(getpid())", tmpJ = NSTemporaryDirectory() + "zhimei-agree-j-\(getpid())"
            _ = try EvalSupport.segmentFile(try data.segmenter(options: SegmentOptions(keepWhole: !strict)), input: input, output: tmpZ)
            let (st, err) = try EvalSupport.run(["python3", EvalSupport.scriptPath("jieba_segment.py")], stdinPath: input, stdoutPath: tmpJ)
            guard st == 0 else { throw ValidationError("jieba failed: \(err.prefix(300)) — install it with `pip install jieba`") }
            let z = EvalSupport.lines(tmpZ), j = EvalSupport.lines(tmpJ)
            let r = Agreement.compare(ours: z, jieba: j)
            print(String(format: "agreement: %.4f%% of jieba's %d tokens reproduced exactly (%d); %d of %d lines identical",
                         100 * r.rate, r.jiebaTokens, r.matched, r.identicalLines, r.lines))
            for d in r.differences.prefix(show) { print("line \(d.line):\n  jieba: \(d.jieba)\n  ours:  \(d.ours)") }
            try? FileManager.default.removeItem(atPath: tmpZ); try? FileManager.default.removeItem(atPath: tmpJ)
        }
    }
}

enum Agreement {
    struct Result { var rate: Double; var jiebaTokens: Int; var matched: Int; var lines: Int; var identicalLines: Int; var differences: [(line: Int, jieba: String, ours: String)] }
    static func compare(ours: [String], jieba: [String]) -> Result {
        var total = 0, matched = 0, same = 0
        var diffs: [(Int, String, String)] = []
        for i in 0..<max(ours.count, jieba.count) {
            let o = i < ours.count ? ours[i] : "", jl = i < jieba.count ? jieba[i] : ""
            let js = SegmentationScore.score(gold: [jl], test: [o], training: [])
            total += js.goldWords; matched += js.correct
            if o == jl { same += 1 } else { diffs.append((i + 1, jl, o)) }
        }
        return Result(rate: total > 0 ? Double(matched) / Double(total) : 1, jiebaTokens: total, matched: matched,
                      lines: max(ours.count, jieba.count), identicalLines: same, differences: diffs)
    }
}
