import Foundation

/// One entry point for the server: load once at start-up, share across requests (immutable, `Sendable`).
///
///     let engine = try TextEngine()                       // $ZHIMEI_TEXT_DATA or $ZHIMEI_DATA_DIR/text
///     engine.segment("我来到北京清华大学")                    // ["我", "来到", "北京", "清华大学"]
///     var tenantDict = UserDictionary(); tenantDict.add("智媒中台", frequency: 2000, tag: "nz")
///     engine.segment(text, userDictionary: tenantDict)
public final class TextEngine: Sendable {
    public let lexicon: Lexicon
    /// The base segmenter (no user words, precise mode, HMM on, keep-whole rules on).
    public let segmenter: Segmenter

    public init(location: TextDataLocation = .fromEnvironment()) throws {
        lexicon = try Lexicon.load(from: location)
        segmenter = Segmenter(lexicon: lexicon)
    }

    public init(lexicon: Lexicon) {
        self.lexicon = lexicon
        segmenter = Segmenter(lexicon: lexicon)
    }

    /// A segmenter with a tenant's (or the platform's) user dictionary. Cheap: shares the lexicon.
    public func segmenter(userDictionary: UserDictionary = UserDictionary(), options: SegmentOptions = SegmentOptions()) -> Segmenter {
        Segmenter(lexicon: lexicon, userDictionary: userDictionary, options: options)
    }

    public func segment(_ text: String, mode: SegmentMode = .precise, hmm: Bool = true,
                        userDictionary: UserDictionary = UserDictionary()) -> [String] {
        segmenter(userDictionary: userDictionary, options: SegmentOptions(mode: mode, hmm: hmm)).cut(text)
            .filter { !$0.unicodeScalars.allSatisfy { CharClass.isSpace($0.value) || CharClass.isControl($0.value) } }
    }

    public func tokenize(_ text: String, mode: SegmentMode = .precise, hmm: Bool = true,
                         userDictionary: UserDictionary = UserDictionary()) -> [Token] {
        segmenter(userDictionary: userDictionary, options: SegmentOptions(mode: mode, hmm: hmm)).tokenize(text)
    }

    public func keywords(_ text: String, top: Int = 20, method: KeywordMethod = .tfidf,
                         userDictionary: UserDictionary = UserDictionary()) -> [Keyword] {
        var extractor = KeywordExtractor(segmenter: segmenter(userDictionary: userDictionary))
        extractor.skipNumbers = true
        extractor.contentWordsOnly = true
        return extractor.extract(text, top: top, method: method)
    }

    public func summarize(_ text: String, maxCharacters: Int = 200) -> Summarizer.Result {
        Summarizer(segmenter: segmenter).summarize(text, maxCharacters: maxCharacters)
    }

    public func simhash(_ text: String) -> UInt64 { SimHasher(segmenter: segmenter).fingerprint(text) }

    public func sentences(_ text: String) -> [Sentence] { SentenceSplitter.split(text) }

    /// Traditional/Simplified conversion via OpenCC (throws `OpenCCError` when OpenCC is missing).
    public func convert(_ text: String, config: OpenCC.Config) throws -> String {
        try OpenCC.shared.get().convert(text, config)
    }
}
