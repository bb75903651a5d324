import Foundation
import ZhimeiText

/// Errors raised while loading the proofreading data.
public enum ReviewDataError: Error, CustomStringConvertible, Sendable {
    case missingFile(path: String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "ZhimeiReview data file missing: \(path). Run scripts/review/setup-data.sh (it extracts the confusion sets from the PyPI wheels of pycorrector and pypinyin into $ZHIMEI_TEXT_DATA/review), and scripts/text/setup-data.sh for dict.txt."
        }
    }
}

/// The built-in data of the engine, loaded once per process and shared (immutable, `Sendable`):
/// word statistics from jieba's dict.txt, confusion sets (same sound / similar shape) and a pinyin table.
public final class ReviewResources: Sendable {
    public let words: WordStatistics
    /// Character → confusable characters with a cost (lower = likelier confusion).
    let confusion: [UInt32: [(UInt32, Float)]]
    /// The same lists, flat (the confusion search's per-character look-up).
    let confusionCandidates: CharCandidates
    /// Character → toneless pinyin readings (first = most common).
    let pinyin: [UInt32: [String]]
    /// Character → a canonical character with the same first reading (homophone folding).
    let homophoneKey: [UInt32: UInt32]
    /// `homophoneKey` for every BMP scalar (the scalar itself when it has no key): folding reads it per character.
    private let homophoneBMP: [UInt32]
    /// Where the data came from, for diagnostics.
    public let directory: String?
    /// Word bigram language model (`review/lm_bigram.bin`); nil when not installed — real-word typo detection is then off.
    public let languageModel: LanguageModel?
    /// Character n-gram counts (`review/char_ngram.bin`), the veto of typo corrections; nil when not built.
    public let charModel: CharNGramModel?
    /// Whether the real-word (language-model) typo detection is available.
    public var hasLanguageModel: Bool { languageModel != nil && hasTypoModel }

    /// No data: sensitive-content, misused-word, punctuation, format and fact rules still work;
    /// statistical typo detection and homophone matching are off.
    public static let empty = ReviewResources(words: WordStatistics(), confusion: [:], pinyin: [:], directory: nil)

    nonisolated(unsafe) private static var cached: ReviewResources?
    private static let lock = NSLock()

    /// Loaded lazily from `$ZHIMEI_TEXT_DATA` (see `TextDataLocation.fromEnvironment`); `.empty` when the data is missing.
    public static var shared: ReviewResources {
        lock.lock(); defer { lock.unlock() }
        if let c = cached { return c }
        let r: ReviewResources
        do { r = try load(from: .fromEnvironment()) } catch { r = .empty; loadError = "\(error)" }
        cached = r
        return r
    }

    nonisolated(unsafe) private static var loadError: String?
    /// Why `shared` fell back to `.empty` (nil when the data loaded), for start-up logs and health pages.
    public static var sharedLoadError: String? {
        _ = shared
        lock.lock(); defer { lock.unlock() }
        return loadError
    }

    /// Whether the statistical typo model is available.
    public var hasTypoModel: Bool { !confusion.isEmpty && words.count > 0 }

    init(words: WordStatistics, confusion: [UInt32: [(UInt32, Float)]], pinyin: [UInt32: [String]], directory: String?,
         languageModel: LanguageModel? = nil, charModel: CharNGramModel? = nil) {
        self.words = words
        self.languageModel = languageModel
        self.charModel = charModel
        self.confusion = confusion
        confusionCandidates = CharCandidates(confusion)
        self.pinyin = pinyin
        var first: [String: UInt32] = [:]
        var key: [UInt32: UInt32] = [:]
        for (c, r) in pinyin.sorted(by: { $0.key < $1.key }) {
            guard let p = r.first else { continue }
            if let k = first[p] { key[c] = k } else { first[p] = c; key[c] = c }
        }
        homophoneKey = key
        var bmp = (0..<UInt32(0x10000)).map { $0 }
        for (c, k) in key where c < 0x10000 { bmp[Int(c)] = k }
        homophoneBMP = bmp
        self.directory = directory
    }

    /// Loads dict.txt from the text data directory and the confusion / pinyin files from its `review/` folder.
    /// Throws `ReviewDataError.missingFile` naming the first missing file.
    public static func load(from location: TextDataLocation) throws -> ReviewResources {
        let dir = location.directory
        let rdir = (dir as NSString).appendingPathComponent("review")
        func read(_ path: String) throws -> String {
            guard let d = FileManager.default.contents(atPath: path) else { throw ReviewDataError.missingFile(path: path) }
            return String(decoding: d, as: UTF8.self)
        }
        let dict = try read((dir as NSString).appendingPathComponent("dict.txt"))
        let samePinyin = try read((rdir as NSString).appendingPathComponent("same_pinyin.txt"))
        let sameStroke = try read((rdir as NSString).appendingPathComponent("same_stroke.txt"))
        let pinyinText = try read((rdir as NSString).appendingPathComponent("pinyin.txt"))
        let words = WordStatistics(jiebaDictionary: dict)
        var conf: [UInt32: [UInt32: Float]] = [:]
        func add(_ a: UInt32, _ b: UInt32, _ cost: Float) {
            guard a != b else { return }
            if let old = conf[a]?[b], old <= cost { return }
            conf[a, default: [:]][b] = cost
        }
        for line in samePinyin.split(separator: "\n") where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard let c = cols.first?.unicodeScalars.first?.value else { continue }
            if cols.count > 1 { for s in cols[1].unicodeScalars { add(c, s.value, TypoModel.costSameTone) } }
            if cols.count > 2 { for s in cols[2].unicodeScalars { add(c, s.value, TypoModel.costOtherTone) } }
        }
        for line in sameStroke.split(separator: "\n") where !line.hasPrefix("#") {
            let chars = line.split(separator: "\t").compactMap { $0.unicodeScalars.first?.value }
            for a in chars { for b in chars { add(a, b, TypoModel.costShape) } }
        }
        for group in ReviewResources.shapeSupplement {
            let chars = group.unicodeScalars.map(\.value)
            for a in chars { for b in chars { add(a, b, TypoModel.costShape) } }
        }
        let pinyin = PinyinTable.parse(pinyinText)
        for (a, b) in FuzzyPinyin.pairs(pinyin, frequency: words.charFrequency) { add(a, b, FuzzyPinyin.cost) }
        var confusion: [UInt32: [(UInt32, Float)]] = [:]
        for (c, m) in conf {
            confusion[c] = m.filter { words.charFrequency($0.key) > 0 }.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 }
        }
        // optional: without it every rule works, only real-word typos (在/再…) are not detected
        let lmPath = (rdir as NSString).appendingPathComponent("lm_bigram.bin")
        let lm = FileManager.default.contents(atPath: lmPath).flatMap { LanguageModel(data: $0) }
        // optional too (built from the SIGHAN training sets when ../shared/eval is present); ZHIMEI_REVIEW_CHARLM names
        // another file for tuning (a model built without the dev fifth)
        let env = ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_CHARLM"] ?? ""
        let cmPath = env.isEmpty ? (rdir as NSString).appendingPathComponent("char_ngram.bin") : env
        let cm = FileManager.default.contents(atPath: cmPath).flatMap { CharNGramModel(data: $0) }
        return ReviewResources(words: words, confusion: confusion, pinyin: pinyin, directory: dir, languageModel: lm, charModel: cm)
    }

    /// Look-alike groups missing from same_stroke.txt (built in, curated).
    static let shapeSupplement = ["己已巳", "未末", "戊戌戍", "冶治", "候侯", "拔拨", "辨辩辫瓣", "竞竟", "栽载裁", "籍藉", "锋峰蜂",
                                  "睛晴", "喝渴", "汗汉", "折拆", "免兔", "历厉", "今令", "徒途", "侍待", "货贷", "坏环", "仑仓",
                                  "土士", "干千于", "天夭", "日曰", "王玉", "大太犬", "失矢", "拆折", "密蜜", "暇瑕遐", "辍缀",
                                  "赢嬴", "祟崇", "胫径", "粱梁", "篑匮", "荼茶", "沓踏", "骛鹜", "戮戳", "炙灸", "恃侍", "撤撒", "展屏"]

    /// Folds each character to its homophone key (same length in scalars, so offsets are kept).
    func homophoneFold(_ s: [UInt32]) -> [UInt32] {
        s.map { $0 < 0x10000 ? homophoneBMP[Int($0)] : homophoneKey[$0] ?? $0 }
    }
}
