import ArgumentParser
import Foundation
import ZhimeiReview
import ZhimeiText

/// `zhimei review`: the proofreading engine on the command line. Exits 1 when any block finding exists.
public struct ReviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Proofread Chinese text (智能审校): sensitive content, typos, punctuation, format, facts.",
        discussion: "Files may be UTF-8, GBK/GB18030 or Big5 (detected). With no FILE or with '-', reads stdin. "
            + "--correct reads lines on stdin and writes one corrected line per input line (typo suggestions applied).")

    @Option(help: "Output format: text or json.") var format: String = "text"
    @Option(help: "Sensitive-term lexicon CSV (term,category,severity,context,window,homophones,note).") var lexicon: [String] = []
    @Option(help: "Fact base JSON (people, organisations, places, fixedExpressions, fixedLists).") var facts: String?
    @Option(help: "Whitelist file, one phrase per line.") var whitelist: String?
    @Option(help: "Protected terms file, one term per line (never corrected).") var protected: String?
    @Option(help: "Headline length limit (checks the first line of each file as its headline).") var headlineLimit: Int?
    @Flag(help: "Add the built-in demo lexicon.") var demoLexicon = false
    @Flag(help: "Scoring mode: correct stdin line by line.") var correct = false
    @Option(help: "Typo model threshold (log-probability gain).") var threshold: Float?
    @Option(help: "Real-word (language-model) threshold (log-probability gain).") var lmThreshold: Float?
    @Option(help: "Confusion-set threshold when the language model scores it (negative = unigram word model only).") var confusionLmThreshold: Float?
    @Argument(help: "Files to check ('-' = stdin).") var files: [String] = []
    @OptionGroup var data: TextDataOptions

    public init() {}

    public func validate() throws {
        guard format == "text" || format == "json" else { throw ValidationError("--format must be text or json / 格式应为 text 或 json") }
        if let h = headlineLimit, !(1...1000).contains(h) { throw ValidationError("--headline-limit must be 1…1000") }
    }

    /// Builds the proofreader from the options (data errors become validation errors naming the missing file).
    func proofreader() throws -> Proofreader {
        let loc = data.location()
        let engine: TextEngine
        let resources: ReviewResources
        do {
            engine = TextEngine(lexicon: try Lexicon.load(from: loc))
            resources = try ReviewResources.load(from: loc)
        } catch let e as TextDataError { throw ValidationError(e.description) }
          catch let e as ReviewDataError { throw ValidationError(e.description) }
        var config = ReviewConfiguration()
        for path in lexicon {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read lexicon \(path) / 无法读取词库") }
            do { config.sensitiveTerms += try SensitiveTermCSV.parse(text) } catch let e as SensitiveTermCSV.ParseError { throw ValidationError("\(path): \(e.description)") }
        }
        if demoLexicon { config.sensitiveTerms += SensitiveTerm.demoLexicon }
        if let facts {
            guard let d = FileManager.default.contents(atPath: facts) else { throw ValidationError("cannot read fact base \(facts) / 无法读取事实库") }
            do { config.factBase = try JSONDecoder().decode(FactBase.self, from: d) } catch { throw ValidationError("fact base \(facts) is not valid JSON: \(error) / 事实库 JSON 格式错误") }
        }
        func lines(_ p: String?) throws -> [String] {
            guard let p else { return [] }
            guard let t = try? String(contentsOfFile: p, encoding: .utf8) else { throw ValidationError("cannot read \(p) / 无法读取文件") }
            return t.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        config.whitelist = try lines(whitelist)
        config.protectedTerms = try lines(protected)
        config.headlineLimit = headlineLimit
        var settings = TypoSettings()
        if let threshold { settings.threshold = threshold }
        if let lmThreshold { settings.lmThreshold = lmThreshold }
        if let c = confusionLmThreshold { settings.confusionLMThreshold = c < 0 ? nil : c }
        return Proofreader(engine: engine, configuration: config, resources: resources, typoSettings: settings)
    }

    public func run() throws {
        let pr = try proofreader()
        if correct {
            ReviewCommand.correctLines(pr, input: 0) { FileHandle.standardOutput.write(Data($0.utf8)) }
            return
        }
        let blocking = try ReviewCommand.review(pr, files: files, format: format) { FileHandle.standardOutput.write(Data($0.utf8)) }
        if blocking { throw ExitCode(1) }
    }

    /// Scoring mode: one corrected line per input line.
    public static func correctLines(_ pr: Proofreader, input fd: Int32, emit: (String) -> Void) {
        // Scalar-level line splitting: Swift treats "\r\n" as one Character
        var pending = String.UnicodeScalarView()
        _ = ReviewInput.read(fd: fd, isCommon: { pr.resources.words.isKnownCharacter($0.value) }) { piece, _ in
            var scalars = pending
            scalars.append(contentsOf: piece.unicodeScalars)
            var lines = scalars.split(separator: "\n", omittingEmptySubsequences: false)
            pending = String.UnicodeScalarView(lines.removeLast())
            var out = ""
            for line in lines { out += pr.correct(ReviewCommand.dropCR(line)) + "\n" }
            emit(out)
        }
        if !pending.isEmpty { emit(pr.correct(ReviewCommand.dropCR(pending[...])) + "\n") }
    }

    static func dropCR(_ line: Substring.UnicodeScalarView) -> String {
        String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line[...]))
    }

    /// Checks every file (stdin for none or "-"), streaming findings; returns whether any block finding exists.
    public static func review(_ pr: Proofreader, files: [String], format: String, emit: (String) -> Void) throws -> Bool {
        let paths = files.isEmpty ? ["-"] : files
        var blocking = false
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if format == "json" { emit("[") }
        for (fi, path) in paths.enumerated() {
            let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
            guard fd >= 0 else { throw ValidationError("cannot read \(path) / 无法读取文件") }
            defer { if path != "-" { close(fd) } }
            var base = 0
            var count = 0
            var first = true
            var headlineDone = pr.configuration.headlineLimit == nil
            if format == "json" { emit((fi > 0 ? "," : "") + "{\"file\":" + String(decoding: try encoder.encode(path), as: UTF8.self) + ",\"findings\":[") }
            let enc = ReviewInput.read(fd: fd, isCommon: { pr.resources.words.isKnownCharacter($0.value) }) { piece, _ in
                var text = piece
                var headline: String? = nil
                var offset = base
                if !headlineDone, let nl = text.firstIndex(of: "\n") {
                    headline = String(text[..<nl]); text = String(text[text.index(after: nl)...])
                    offset += headline!.unicodeScalars.count + 1
                    headlineDone = true
                }
                let findings = pr.check(text, headline: headline)
                for var f in findings {
                    if !f.ruleID.hasPrefix("headline.") { f.start += offset; f.end += offset } else { f.start += base; f.end += base }
                    if f.severity == .block { blocking = true }
                    count += 1
                    if format == "json" {
                        emit((first ? "" : ",") + String(decoding: (try? encoder.encode(f)) ?? Data(), as: UTF8.self))
                    } else {
                        emit("\(path):\(f.start)-\(f.end) [\(f.severity.rawValue)] \(f.category.rawValue)\(f.subcategory.map { "/" + $0 } ?? "") \(f.ruleID) “\(f.text)”"
                             + (f.suggestions.isEmpty ? "" : " → \(f.suggestions.joined(separator: " | "))") + "\n    \(f.messageZh) / \(f.messageEn)\n")
                    }
                    first = false
                }
                base += piece.unicodeScalars.count
            }
            if format == "json" { emit("],\"encoding\":\"\(enc.rawValue)\",\"count\":\(count)}") }
            else { emit("\(path): \(count) finding(s), encoding \(enc.rawValue)\n") }
        }
        if format == "json" { emit("]\n") }
        return blocking
    }
}
