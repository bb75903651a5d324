import ArgumentParser
import Foundation
import ZhimeiText

/// Options shared by commands that need the dictionary data.
public struct TextDataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory with dict.txt, hmm.txt, idf.txt (default: $ZHIMEI_TEXT_DATA, else $ZHIMEI_DATA_DIR/text, else ./data/text).")
    public var dataDir: String?
    @Option(name: .customLong("cache"), help: "Path of the compiled binary cache (default: <data-dir>/zhimei-text.cache).")
    public var cache: String?
    @Option(name: .customLong("user-dict"), help: "A jieba-format user dictionary (word [freq] [tag] per line).")
    public var userDict: String?

    public init() {}

    func location() -> TextDataLocation {
        var loc = TextDataLocation.fromEnvironment()
        if let dataDir { loc = TextDataLocation(directory: dataDir, cachePath: cache) } else if let cache { loc.cachePath = cache }
        return loc
    }

    func segmenter(options: SegmentOptions = SegmentOptions()) throws -> Segmenter {
        do {
            let lex = try Lexicon.load(from: location())
            var seg = Segmenter(lexicon: lex, options: options)
            if let userDict {
                guard let text = try? String(contentsOfFile: userDict, encoding: .utf8) else {
                    throw ValidationError("cannot read user dictionary \(userDict)")
                }
                var ud = UserDictionary()
                ud.load(contentsOf: text, segmenter: seg)
                seg.userDictionary = ud
            }
            return seg
        } catch let e as TextDataError {
            throw ValidationError(e.description)
        }
    }
}

/// `zhimei text …`: the Chinese text engine on the command line.
public struct TextCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Chinese text engine: segmentation, Traditional/Simplified conversion, keywords, summaries, SimHash.",
        subcommands: [Segment.self, Convert.self, Keywords.self, Summarize.self, SimHashCommand.self, Sentences.self,
                      Match.self, Score.self, Agree.self]
    )
    public init() {}

    public struct Segment: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Segment stdin line by line: one output line per input line, words separated by one space.")
        @Option(help: "precise | search") var mode: String = "precise"
        @Flag(name: .customLong("no-hmm"), help: "Do not use the HMM for unknown words.") var noHMM = false
        @Flag(name: .customLong("jieba-strict"), help: "Do not keep URLs, dates, times etc. whole (pure jieba behaviour).") var strict = false
        @Flag(name: .customLong("tags"), help: "Print word/tag.") var tags = false
        @OptionGroup var data: TextDataOptions
        public init() {}

        public func run() throws {
            guard let m = SegmentMode(rawValue: mode) else { throw ValidationError("--mode must be precise or search") }
            let seg = try data.segmenter(options: SegmentOptions(mode: m, hmm: !noHMM, keepWhole: !strict))
            SegmentStream.run(segmenter: seg, tags: tags, input: 0)
        }
    }
}

enum SegmentStream {
    /// Streams fd `input` to stdout. Invalid UTF-8 becomes U+FFFD; whitespace and control characters
    /// are dropped from the output (they only separate words).
    static func run(segmenter seg: Segmenter, tags: Bool, input: Int32) {
        let stream = LineStream(fd: input)
        let out = OutputBuffer()
        let scratch = SegmentScratch()
        var scalars: [UInt32] = []
        var lineHasToken = false
        stream.forEachPiece { piece, endsLine in
            scalars.removeAll(keepingCapacity: true)
            UTF8Scalars.decode(piece, into: &scalars)
            scratch.reset()
            scalars.withUnsafeBufferPointer { s in
                seg.segment(s, scratch: scratch)
                for t in 0..<scratch.tokenCount {
                    let a = scratch.tokenStart(t), e = scratch.tokenEnd(t)
                    if isBlankToken(s, a, e) { continue }
                    if lineHasToken { out.append(32) }
                    UTF8Scalars.encode(s, a, e, into: &out.bytes)
                    if tags { out.append(0x2F); out.append(seg.tagFor(s, a, e)) }
                    lineHasToken = true
                }
            }
            if endsLine { out.append(10); lineHasToken = false }
            out.flushIfNeeded()
        }
        out.flush()
    }
}

extension Segmenter {
    func tagFor(_ s: UnsafeBufferPointer<UInt32>, _ a: Int, _ e: Int) -> String {
        tag(scalars: s, start: a, end: e)
    }
}

/// Root command used by standalone drivers (the `zhimei` executable registers TextCommand and BenchCommand itself).
public struct ZhimeiTextTool: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zhimei", subcommands: [TextCommand.self, BenchCommand.self])
    public init() {}
    public static func runMain() { main() }
}
