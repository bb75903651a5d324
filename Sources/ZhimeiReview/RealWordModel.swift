import Foundation

/// Real-word typo detection (在/再, 以/已, 做/作…) as a noisy channel: each character that writers are known to
/// write in place of another is tried as that other character, the window around it is re-segmented (jieba word
/// model) and scored with the bigram language model; the replacement is kept when the language-model gain minus
/// the pair's channel cost (−ln P(written | intended), `LearnedPairs`) clears `TypoSettings.lmThreshold`.
struct RealWordModel {
    /// Hand-picked pairs (round 2, from error analysis on train14), used for pairs the learned prior lacks.
    static let commonPairs = ["在再", "以已", "做作", "象像", "即既", "带戴", "那哪", "的得"]
    static let rarerPairs = ["座坐", "到倒", "副付", "练炼", "须需", "由有", "部步", "园圆", "历厉", "进近", "经径", "气汽", "受授",
                             "词辞", "成城", "渡度", "反返"]
    static let commonCost: Float = 2.0
    static let rarerCost: Float = 5.0
    /// Never tried as the written character: 他/她/它 (gender is rarely decidable from a window: a paragraph-wide female-referent rule was 51% precise on dev, docs/review-engine.md)
    /// and 地 (the news-trained model prefers 的 even after adverbs).
    static let neverWritten: Set<UInt32> = Set("他她它地".unicodeScalars.map(\.value))

    /// Written character → (intended character, cost): the hand-picked pairs, then the learned prior (which wins).
    static func table(learned: Bool) -> [UInt32: [(UInt32, Float)]] {
        var m: [UInt32: [UInt32: Float]] = [:]
        for (groups, cost) in [(commonPairs, commonCost), (rarerPairs, rarerCost)] {
            for g in groups {
                let cs = g.unicodeScalars.map(\.value)
                for a in cs { for b in cs where a != b { m[a, default: [:]][b] = cost } }
            }
        }
        m[DeRules.de, default: [:]][DeRules.di] = commonCost
        m[DeRules.de2, default: [:]][DeRules.di] = commonCost
        if learned {
            for entry in LearnedPrior.table.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let u = Array(entry.unicodeScalars)
                guard u.count >= 3, let cost = Float(String(String.UnicodeScalarView(u[2...]))) else { continue }
                m[u[0].value, default: [:]][u[1].value] = cost
            }
        }
        // 作 → 做 is not tried: news copy writes 作 formally (作后盾, 不作硬性要求, 作战略转移), which the learners' prior
        // takes for their slip; 作法, 作生意 and 作事 are context rules (`MisusedWords.inContext`)
        m[0x4F5C]?[0x505A] = nil
        var out: [UInt32: [(UInt32, Float)]] = [:]
        for (a, cands) in m where !neverWritten.contains(a) { out[a] = cands.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 } }
        return out
    }
    static let learnedTable = table(learned: true)
    static let learnedCandidates = CharCandidates(learnedTable)
    /// Packed (written << 32 | intended) pairs of the learned prior, for the confusion search's unseen-pair cost.
    static let learnedKeys: FlatTable<Bool> = {
        var keys: [UInt64] = []
        for entry in LearnedPrior.table.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let u = Array(entry.unicodeScalars)
            if u.count >= 3 { keys.append(UInt64(u[0].value) << 32 | UInt64(u[1].value)) }
        }
        var table = FlatTable<Bool>(capacity: keys.count, filler: false)
        for k in keys { table.set(k, true) }
        return table
    }()
    @inline(__always) static func isLearned(_ written: UInt32, _ intended: UInt32) -> Bool {
        let k = UInt64(written) << 32 | UInt64(intended)
        return k != 0 && learnedKeys[k] != nil
    }
    static let builtinTable = table(learned: false)
    static let builtinCandidates = CharCandidates(builtinTable)

    /// `byContext`: proposed by a learned tag context (`ContextPrior`), the language model only not objecting.
    struct Correction { var position: Int; var original: UInt32; var replacement: UInt32; var gain: Float; var byContext = false }

    let lm: LanguageModel
    let words: WordStatistics
    let settings: TypoSettings
    /// The character n-gram veto (nil = none).
    var charModel: CharNGramModel? = nil
    var pairs: CharCandidates { settings.learnedPairs ? RealWordModel.learnedCandidates : RealWordModel.builtinCandidates }
    /// The window radius, clamped (settings are public; a negative or huge value must not trap).
    var radius: Int { min(max(settings.lmWindow, 1), 16) }

    /// Corrections for `s` (applied in place, left to right); `locked[i]` characters never change.
    func corrections(_ s: inout [UInt32], locked: [Bool], segments: RunSegments? = nil) -> [Correction] {
        var out: [Correction] = []
        let n = s.count
        let pairs = self.pairs
        var scratch = [UInt32](repeating: 0, count: 2 * radius + 1)
        var lattice = WindowLattice(capacity: 2 * radius + 1, memo: segments?.memo ?? TypoMemo())  // per candidate only the words covering it and the path after them
        var i = 0
        while i < n {
            guard TypoModel.isHan(s[i]) else { i += 1; continue }
            var b = i
            while b < n && TypoModel.isHan(s[b]) { b += 1 }
            let a = i
            // with `realWordInWords` off, characters inside common dictionary words (一下, 以下) are not tried
            let wordStarts: [Bool]? = settings.realWordInWords ? nil : commonWordMask(s, a, b, segments)
            let context = settings.learnedPairs
                ? ContextPrior.shared.suggestions(s, a, b, words: words, minShare: settings.contextShare, segments: segments) : []
            for p in a..<b where !(p < locked.count && locked[p]) && !WrittenAsMeant.applies(s, p) {
                // a learned tag context points to another character: kept unless the language model objects
                // 的是 nominalises (最深刻的是), whatever the tags say: never 地 there
                if !context.isEmpty, case let y = context[p - a], y != 0, !RealWordModel.neverWritten.contains(s[p]), !(y == DeRules.di && p + 1 < b && s[p + 1] == 0x662F),
                   case let toll = settings.contextCostWeight * (pairs[s[p]]?.first(where: { $0.0 == y })?.1 ?? RealWordModel.rarerCost) - settings.contextMargin,
                   !TypoModel.vetoed(charModel, settings.charVetoContext, s, p, y),
                   var fix = best(&s, p, a, b, [(y, toll)][...], &scratch, &lattice, threshold: 0) {
                    fix.byContext = true
                    fix.gain += toll  // report the language model's own gain
                    out.append(fix); s[p] = fix.replacement
                    continue
                }
                if let inWord = wordStarts, inWord[p - a] { continue }
                guard let cands = pairs[s[p]] else { continue }
                if let fix = best(&s, p, a, b, cands, &scratch, &lattice, threshold: settings.lmThreshold + settings.charRaise(charModel)) { out.append(fix); s[p] = fix.replacement }
            }
            i = b
        }
        return out
    }

    /// Positions covered by a multi-character word of the run's best segmentation (two-character words only when not rare).
    private func commonWordMask(_ s: [UInt32], _ a: Int, _ b: Int, _ segments: RunSegments?) -> [Bool] {
        var mask = [Bool](repeating: false, count: b - a)  // the run only: a whole-text mask per run made long texts quadratic
        for (x, y) in segments?.segment(s, a, b) ?? s.withUnsafeBufferPointer({ words.segment($0, a, b) }) where y - x > 1 {
            // three- and four-character words (考虑一下) are kept whatever their frequency; two-character ones unless rare
            let rare = y - x == 2 && s.withUnsafeBufferPointer { buf in
                let k = WordStatistics.key(buf, x, y)
                guard let memo = segments?.memo else { return (words.entry(k)?.logP ?? -100) < settings.rareWordLogP }
                let lp = words.logP(k, memo)  // a word of the segmentation: just looked up, so memoised
                return (lp == .infinity ? -100 : lp) < settings.rareWordLogP
            }
            if !rare { for k in x..<y { mask[k - a] = true } }
        }
        return mask
    }

    private func best(_ s: inout [UInt32], _ p: Int, _ a: Int, _ b: Int, _ cands: ArraySlice<(UInt32, Float)>, _ scratch: inout [UInt32],
                      _ lattice: inout WindowLattice, threshold: Float) -> Correction? {
        let lo = max(a, p - radius), hi = min(b, p + radius + 1)
        let w = hi - lo, q = p - lo
        var best: Correction? = nil
        var base: Float? = nil   // scored only once a candidate passes the filter (most do not)
        let prev: UInt32 = p > a ? s[p - 1] : 0, next: UInt32 = p + 1 < b ? s[p + 1] : 0
        for (c, cost) in cands {
            let left = words.pairWord(prev, c), right = words.pairWord(c, next)  // +infinity = no pair
            // speed: a replacement that forms no dictionary-word pair with either neighbour cannot gain much
            if settings.realWordPairFilter && threshold > 0 && left == .infinity && right == .infinity { continue }
            if base == nil {
                for k in 0..<w { scratch[k] = s[lo + k] }
                // the window's lattice and the bigram score of its best path (what `score` computes, word by word)
                base = scratch.withUnsafeBufferPointer { buf in _ = lattice.load(words, buf, w); return lattice.lmScore(lm, buf) }
            }
            scratch[q] = c
            var gain = scratch.withUnsafeBufferPointer { buf in
                _ = lattice.score(words, buf, q, left: left, right: right)
                return lattice.lmScore(lm, buf, q: q)
            } - (base ?? 0) - cost
            if TypoModel.dump, threshold > 0, let cm = charModel {  // tuning: train-confusion.py --pass realword
                FileHandle.standardError.write("RW\t\(p)\t\(s[p])\t\(c)\t\(gain)\t\(cost)\t\(cm.gain(s, p, c))\n".data(using: .utf8)!)
            }
            if settings.charWeight > 0, threshold > 0, gain > threshold - settings.charReach, let cm = charModel {
                gain += settings.charWeight * cm.gain(s, p, c)
            }
            if gain > threshold, gain > (best?.gain ?? -Float.infinity),
               threshold <= 0 || !TypoModel.vetoed(charModel, settings.charVetoRealWord, s, p, c) {
                best = Correction(position: p, original: s[p], replacement: c, gain: gain)
            }
        }
        return best
    }

    /// Language-model gain of writing `c` at `p` instead of `s[p]` (window of the Han run `s[a..<b]`).
    func gain(_ s: [UInt32], _ p: Int, _ a: Int, _ b: Int, _ c: UInt32) -> Float {
        let lo = max(a, p - radius), hi = min(b, p + radius + 1)
        var scratch = Array(s[lo..<hi])
        let base = score(&scratch, hi - lo)
        scratch[p - lo] = c
        return score(&scratch, hi - lo) - base
    }

    private func score(_ scratch: inout [UInt32], _ w: Int) -> Float {
        scratch.withUnsafeBufferPointer { buf in words.scores(buf, 0, w, lm).lm }
    }
}
