import ArgumentParser
import Foundation
import ZhimeiText

func readAllStdin() -> String {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    return String(decoding: data, as: UTF8.self)  // invalid UTF-8 becomes U+FFFD
}

extension TextCommand {
    public struct Convert: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Traditional/Simplified conversion of stdin with OpenCC (s2t, t2s, s2tw, tw2s, s2hk, hk2s, s2twp, tw2sp, …).")
        @Option(help: "OpenCC configuration name.") var config: String = "s2t"
        public init() {}
        public func run() throws {
            let cc: OpenCC
            do { cc = try OpenCC.shared.get() } catch { throw ValidationError("\(error)") }
            guard cc.hasConfig(config) else { throw ValidationError("unknown OpenCC configuration '\(config)' (looked in \(cc.configDirectory))") }
            let out = OutputBuffer()
            let stream = LineStream(fd: 0)
            var failure: Error?
            stream.forEachPiece { piece, endsLine in
                if failure != nil { return }
                do {
                    out.append(try cc.convert(String(decoding: piece, as: UTF8.self), config: config))
                } catch { failure = error }
                if endsLine { out.append(10) }
                out.flushIfNeeded()
            }
            out.flush()
            if let failure { throw ValidationError("\(failure)") }
        }
    }

    public struct Keywords: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Keywords of the text on stdin (one per line: word<TAB>weight).")
        @Option(help: "Number of keywords.") var top: Int = 20
        @Option(help: "tfidf | textrank") var method: String = "tfidf"
        @OptionGroup var data: TextDataOptions
        public init() {}
        public func run() throws {
            guard let m = KeywordMethod(rawValue: method) else { throw ValidationError("--method must be tfidf or textrank") }
            let seg = try data.segmenter()
            for k in KeywordExtractor(segmenter: seg).extract(readAllStdin(), top: top, method: m) {
                print("\(k.word)\t\(String(format: "%.6f", k.weight))")
            }
        }
    }

    public struct Summarize: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Extractive summary (TextRank over sentences) of the text on stdin.")
        @Option(help: "Maximum length in characters (Unicode scalars).") var chars: Int = 200
        @OptionGroup var data: TextDataOptions
        public init() {}
        public func run() throws {
            let seg = try data.segmenter()
            print(Summarizer(segmenter: seg).summarize(readAllStdin(), maxCharacters: chars).summary)
        }
    }

    public struct SimHashCommand: ParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "simhash",
            abstract: "64-bit SimHash of each stdin line (16 hex digits per line); --whole hashes all of stdin as one document.")
        @Flag(help: "Treat the whole input as one document.") var whole = false
        @OptionGroup var data: TextDataOptions
        public init() {}
        public func run() throws {
            let hasher = SimHasher(segmenter: try data.segmenter())
            if whole { print(hex(hasher.fingerprint(readAllStdin()))); return }
            let scratch = SegmentScratch()
            var scalars: [UInt32] = []
            let out = OutputBuffer()
            LineStream(fd: 0, maxPiece: 1 << 26).forEachPiece { piece, _ in
                scalars.removeAll(keepingCapacity: true)
                UTF8Scalars.decode(piece, into: &scalars)
                let fp = scalars.withUnsafeBufferPointer { hasher.fingerprint($0, scratch: scratch) }
                out.append(hex(fp)); out.append(10); out.flushIfNeeded()
            }
            out.flush()
        }
        func hex(_ v: UInt64) -> String { let h = String(v, radix: 16); return String(repeating: "0", count: 16 - h.count) + h }
    }

    public struct Sentences: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Split stdin into sentences, one per output line.")
        public init() {}
        public func run() throws { for s in SentenceSplitter.split(readAllStdin()) { print(s.text) } }
    }

    public struct Match: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Multi-pattern matching: prints start<TAB>end<TAB>pattern for every match in stdin (scalar offsets).")
        @Option(help: "File with one pattern per line.") var patterns: String
        @Option(help: "Folding: comma list of case,width,t2s,symbols, or all.") var fold: String = ""
        public init() {}
        public func run() throws {
            guard let text = try? String(contentsOfFile: patterns, encoding: .utf8) else { throw ValidationError("cannot read \(patterns)") }
            var f: MatchFolding = []
            for part in fold.split(separator: ",") {
                switch part {
                case "case": f.insert(.caseInsensitive)
                case "width": f.insert(.width)
                case "t2s": f.insert(.traditionalToSimplified)
                case "symbols": f.insert(.ignoreSymbols)
                case "all": f = .all
                default: throw ValidationError("unknown folding '\(part)'")
                }
            }
            let list = text.split(whereSeparator: \.isNewline).map(String.init)
            let m = PatternMatcher(patterns: list, folding: f)
            let input = readAllStdin()
            for r in m.matches(in: input) { print("\(r.start)\t\(r.end)\t\(list[r.pattern])") }
        }
    }
}
