import Foundation

/// Tunable weights of the statistical typo model (round 4: tuned on a held-out fifth of SIGHAN train14+15 and on
/// train13's clean sentences for false alarms; never on test sets — see docs/review-engine.md).
public struct TypoSettings: Sendable, Hashable {
    /// Minimum gain in window log-probability (after the confusion cost) for a correction.
    public var threshold: Float = 5.0
    /// Characters left and right of the candidate that the window covers.
    public var window: Int = 3
    /// Two-character words rarer than this (log-probability) are candidates too; -infinity = off.
    public var rareWordLogP: Float = -15
    /// Minimum language-model gain (ln probability of the window) for a real-word correction (在/再, 以/已…).
    public var lmThreshold: Float = 7.0
    /// Characters left and right of a real-word candidate that the language-model window covers.
    public var lmWindow: Int = 4
    /// Threshold of the confusion-set search when the language model scores its windows (nil = unigram word model only).
    public var confusionLMThreshold: Float? = 10.0
    /// Whether the real-word pass also tries the learned confusion prior (`LearnedPairs`), not only the hand-picked pairs.
    public var learnedPairs = true
    /// A learned tag context (`LearnedPairs.context`) must point to the other character in at least this share of cases…
    public var contextShare: Float = 0.6
    /// …and the language model may prefer the written character by at most this much (ln probability of the window).
    public var contextMargin: Float = 0
    /// Whether the real-word pass also tries characters inside common (not rare) dictionary words of the segmentation.
    public var realWordInWords = false
    /// Real-word pass: skip replacements that form no dictionary-word pair with a neighbour (speed).
    public var realWordPairFilter = true
    /// A tag-context correction must also pay this share of the pair's channel cost in language-model gain (0 = the
    /// context alone decides unless the model objects); most false alarms of tag contexts had a gain near 0.
    public var contextCostWeight: Float = 0.5
    /// 的→地 (`typo.de`) is dropped when the language model prefers 的 by more than this (nil = no veto).
    public var deLMVeto: Float? = nil
    /// Confusion search: extra cost of a replacement that writers were never seen to make (not in the learned prior).
    public var unseenPairPenalty: Float = 3
    /// Confusion search: whether a written 地 may be rewritten (the real-word pass and tag contexts never do).
    public var confusionRewritesDi = false
    /// Character n-gram veto (round 5): a correction is dropped when the character model finds the text less likely
    /// with it by at least this much (ln), per family; nil = no veto. Confusion search, 的→地 rule, real-word pairs,
    /// real-word tag contexts.
    public var charVetoConfusion: Float? = 8
    public var charVetoDe: Float? = 6
    public var charVetoRealWord: Float? = 1
    public var charVetoContext: Float? = 1
    /// Weight of the character n-gram gain added to a candidate's gain (confusion search and real-word pairs; 0 = off).
    /// Only candidates within `charReach` of their threshold are scored by it (speed).
    public var charWeight: Float = 0.3
    public var charReach: Float = 6
    /// With the character gain added, the confusion-search and real-word thresholds are raised by this much (10 → 12,
    /// 7 → 9); without the character model they stay as they were.
    public var charThresholdRaise: Float = 2
    /// Round 9: with the language model and the character model, a learned classifier adds corrections that the
    /// confusion search's threshold misses (nil = the round-5 threshold alone).
    public var confusionClassifier: CandidateClassifier? = .confusion
    public init() {}

    /// How much the thresholds rise because the character model's gain is added (0 without the model).
    func charRaise(_ model: CharNGramModel?) -> Float { model != nil && charWeight > 0 ? charThresholdRaise : 0 }
}

/// Statistical typo detection (错别字): for each suspicious character, try its confusion set
/// (same sound, other tone, similar shape) and keep a replacement that makes the best segmentation of
/// the surrounding window much more probable under the word model. Explainable: the finding carries
/// the log-probability gain as its evidence.
struct TypoModel {
    static let costSameTone: Float = 0.5
    static let costOtherTone: Float = 4.0
    static let costShape: Float = 2.5

    /// Common single-character surnames (百家姓, most frequent first).
    static let surnames: Set<UInt32> = Set(("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程"
        + "魏苏吕丁任沈姚卢姜崔钟谭陆汪范廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文艾")
        .unicodeScalars.map(\.value))
    /// `surnames` as a flat BMP table: checked for nearly every candidate position (Set hashing showed in the profile).
    static let surnameFlags: [Bool] = {
        var f = [Bool](repeating: false, count: 0x10000)
        for c in surnames where c < 0x10000 { f[Int(c)] = true }
        return f
    }()
    @inline(__always) static func isSurname(_ c: UInt32) -> Bool { c < 0x10000 ? surnameFlags[Int(c)] : surnames.contains(c) }

    struct Correction { var position: Int; var original: UInt32; var replacement: UInt32; var gain: Float }

    let resources: ReviewResources
    let settings: TypoSettings

    /// Tuning only: with `ZHIMEI_REVIEW_DUMP` set, the confusion search and the real-word pass print their candidates
    /// to standard error for scripts/review/train-confusion.py.
    static let dump = ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_DUMP"] != nil
    @inline(__always) static func isHan(_ c: UInt32) -> Bool { (0x4E00...0x9FFF).contains(c) || (0x3400...0x4DBF).contains(c) }

    /// With the language model the window is segmented by the word model and scored by the bigram model.
    private var lm: LanguageModel? { settings.confusionLMThreshold == nil ? nil : resources.languageModel }
    private var threshold: Float {
        lm == nil ? settings.threshold : (settings.confusionLMThreshold ?? settings.threshold) + settings.charRaise(resources.charModel)
    }

    /// Whether the character n-gram model objects to `c` at `p` by at least `limit` (false without a model or limit).
    @inline(__always) static func vetoed(_ model: CharNGramModel?, _ limit: Float?, _ s: [UInt32], _ p: Int, _ c: UInt32) -> Bool {
        guard let model, let limit else { return false }
        return model.gain(s, p, c) <= -limit
    }

    /// With the language model, candidates whose unigram gain (after cost) is below this are not scored by it:
    /// they never clear the threshold on train13, and the bigram look-ups are the expensive part.
    static let lmPrefilter: Float = -3

    /// Corrections for `s` (modified in place as corrections are applied, left to right).
    /// `locked[i]` marks characters that must not change (protected terms, other findings).
    func corrections(_ s: inout [UInt32], locked: [Bool], segments: RunSegments? = nil) -> [Correction] {
        guard resources.hasTypoModel else { return [] }
        let words = resources.words
        var out: [Correction] = []
        let memo = segments?.memo ?? TypoMemo()
        let radius = min(max(settings.window, 1), 16)  // public setting: never trap on a bad value
        var scratch = [UInt32](repeating: 0, count: 2 * radius + 1)
        var lattice = WindowLattice(capacity: 2 * radius + 1, memo: memo)  // the window's words, looked up once; per candidate only those covering it
        var i = 0
        let n = s.count
        while i < n {
            guard TypoModel.isHan(s[i]) else { i += 1; continue }
            var j = i
            while j < n && TypoModel.isHan(s[j]) { j += 1 }
            if j - i >= 2 { out += correctRun(&s, i, j, locked: locked, words: words, segments: segments, radius: radius, &scratch, &lattice) }
            i = j
        }
        return out
    }

    /// Best-first: the single most convincing replacement in the run is applied, its neighbours are frozen, and the
    /// run is searched again — so of two adjacent characters the one whose replacement explains more is changed.
    private func correctRun(_ s: inout [UInt32], _ a: Int, _ b: Int, locked: [Bool], words: WordStatistics, segments: RunSegments?,
                            radius: Int, _ scratch: inout [UInt32], _ lattice: inout WindowLattice) -> [Correction] {
        var out: [Correction] = []
        var frozen: [Int] = []  // at most 3 per applied fix (≤ 24): a linear scan beats hashing
        let memo = lattice.memo
        var single = [Bool](repeating: false, count: b - a)  // single[k]: s[a + k] is a one-character word of `seg`
        var positions: [Int] = []
        while out.count < 8 {
            let seg = segments?.segment(s, a, b) ?? s.withUnsafeBufferPointer { words.segment($0, a, b) }
            var best: Correction? = nil
            positions.removeAll(keepingCapacity: true)
            for (x, y) in seg {
                if y - x == 1 { positions.append(x); continue }
                // rare two-character words are often a typo that happens to be in the dictionary
                if y - x == 2, settings.rareWordLogP > -Float.infinity,
                   s.withUnsafeBufferPointer({ words.logP(WordStatistics.key($0, x, y), memo) }) < settings.rareWordLogP {
                    positions.append(x); positions.append(x + 1)
                }
            }
            for k in single.indices { single[k] = false }
            for (x, y) in seg where y - x == 1 { single[x - a] = true }
            // a lone surname followed by lone characters is most likely a personal name (陈耀, 记者艾笑): leave it
            func inName(_ i: Int) -> Bool {
                if i - 1 >= a && single[i - 1 - a] && TypoModel.isSurname(s[i - 1]) { return true }
                if i - 2 >= a && single[i - 2 - a] && single[i - 1 - a] && TypoModel.isSurname(s[i - 2]) { return true }
                return TypoModel.isSurname(s[i]) && i + 1 < b && single[i + 1 - a]
            }
            for i in positions where !inName(i) {
                if (i < locked.count && locked[i]) || frozen.contains(i) || WrittenAsMeant.applies(s, i) || NameSlots.covers(s, i) { continue }
                if !settings.confusionRewritesDi && s[i] == DeRules.di { continue }
                guard let cands = resources.confusionCandidates[s[i]] else { continue }
                let prev: UInt32 = i > a ? s[i - 1] : 0
                let next: UInt32 = i + 1 < b ? s[i + 1] : 0
                let lo = max(a, i - radius), hi = min(b, i + radius + 1)
                let w = hi - lo
                for k in 0..<w { scratch[k] = s[lo + k] }
                let q = i - lo
                var loaded: Float? = nil  // the window's lattice, loaded once a candidate forms a pair (a quarter of positions have none)
                var baseLM: Float? = nil
                var charWindow: CharNGramModel.Window? = nil  // the character model's view of position i, for every candidate
                for (c, generic) in cands {
                    let lp = words.pairInfo(prev, c), rp = words.pairInfo(c, next)  // word +infinity = no pair
                    let left = lp.word, right = rp.word
                    guard left != .infinity || right != .infinity else { continue }
                    if loaded == nil {
                        scratch[q] = s[i]
                        loaded = scratch.withUnsafeBufferPointer { lattice.load(words, $0, w) }
                    }
                    let base = loaded ?? 0
                    let cost = generic + (settings.unseenPairPenalty > 0 && !RealWordModel.isLearned(s[i], c) ? settings.unseenPairPenalty : 0)
                    scratch[i - lo] = c
                    var gain: Float
                    var lmPart: Float = 0
                    if let lm {
                        // an upper bound first (no look-ups): a candidate it already rules out needs no exact score
                        let (bound, exact) = scratch.withUnsafeBufferPointer {
                            lattice.upperBound(words, $0, q, left: left, right: right, leftLong: lp.long, rightLong: rp.long)
                        }
                        guard bound - base - cost > TypoModel.lmPrefilter else { continue }
                        gain = (exact ? bound : scratch.withUnsafeBufferPointer { lattice.score(words, $0, q, left: left, right: right) }) - base - cost
                        guard gain > TypoModel.lmPrefilter else { continue }
                        // the bigram score of the lattice's best path (the one `scores` would segment)
                        if baseLM == nil {
                            scratch[q] = s[i]
                            baseLM = scratch.withUnsafeBufferPointer { lattice.lmScore(lm, $0) }
                            scratch[q] = c
                        }
                        lmPart = scratch.withUnsafeBufferPointer { lattice.lmScore(lm, $0, q: q) } - (baseLM ?? 0)
                        gain += lmPart
                    } else {
                        gain = scratch.withUnsafeBufferPointer { lattice.score(words, $0, q, left: left, right: right) } - base - cost
                    }
                    if lm != nil, let clf = settings.confusionClassifier, let cm = resources.charModel {
                        if charWindow == nil { charWindow = cm.window(s, i) }
                        let cg = cm.gain(&charWindow!, c)
                        let vetoed = settings.charVetoConfusion.map { cg <= -$0 } ?? false
                        if TypoModel.dump && out.isEmpty {
                            FileHandle.standardError.write("CAND\t\(i)\t\(s[i])\t\(c)\t\(gain)\t\(lmPart)\t\(cost)\t\(generic)\t\(cg)\t\(vetoed)\n".data(using: .utf8)!)
                        }
                        // the round-5 rule still decides (it is sure of the large gains the classifier rarely saw); the
                        // classifier adds what it finds likely below that threshold
                        let total = gain + (gain > threshold - settings.charReach ? settings.charWeight * cg : 0)
                        let accepted = (total > threshold && !vetoed)
                            || clf.confusionLogit(gain: gain, lm: lmPart, cost: cost, generic: generic, charGain: cg, vetoed: vetoed,
                                         writtenFrequency: words.charFrequency(s[i]), proposedFrequency: words.charFrequency(c)) > clf.threshold
                        if accepted, total > (best?.gain ?? -Float.infinity) {
                            best = Correction(position: i, original: s[i], replacement: c, gain: total)
                        }
                        continue
                    }
                    if settings.charWeight > 0, gain > threshold - settings.charReach, let cm = resources.charModel {
                        gain += settings.charWeight * cm.gain(s, i, c)
                    }
                    if gain > threshold, gain > (best?.gain ?? -Float.infinity),
                       !TypoModel.vetoed(resources.charModel, settings.charVetoConfusion, s, i, c) {
                        best = Correction(position: i, original: s[i], replacement: c, gain: gain)
                    }
                }
            }
            guard let fix = best else { break }
            out.append(fix)
            s[fix.position] = fix.replacement
            frozen += [fix.position - 1, fix.position, fix.position + 1]
        }
        return out.sorted { $0.position < $1.position }
    }
}
