import Foundation

/// Real-word typo detection (在/再, 以/已, 做/作…): each character of a known confusable pair is tried in its
/// place, the window around it is re-segmented (jieba word model) and scored with the bigram language model;
/// the replacement is kept when the language-model gain (minus a per-pair cost) clears `TypoSettings.lmThreshold`.
struct RealWordModel {
    /// Character → replacements worth trying, with a cost in log-probability (common confusions cost nothing).
    /// 他/她/它 are left out (gender is rarely decidable from a window), and so is 地→的: the language model,
    /// trained on news text where 的 is very frequent, prefers 的 even after adverbs.
    static let pairs: [UInt32: [(UInt32, Float)]] = {
        let common = ["在再", "以已", "做作", "象像", "即既", "带戴", "那哪", "的得"]
        let rarer = ["座坐", "到倒", "副付", "练炼", "须需", "由有", "部步", "园圆", "历厉", "进近", "经径", "气汽", "受授",
                     "词辞", "成城", "渡度", "反返"]
        var out: [UInt32: [(UInt32, Float)]] = [:]
        for (groups, cost) in [(common, Float(0)), (rarer, RealWordModel.rarerCost)] {
            for g in groups {
                let cs = g.unicodeScalars.map(\.value)
                for a in cs { for b in cs where a != b { out[a, default: []].append((b, cost)) } }
            }
        }
        out[DeRules.de, default: []].append((DeRules.di, 0))
        out[DeRules.de2, default: []].append((DeRules.di, 0))
        return out
    }()
    static let rarerCost: Float = 4

    struct Correction { var position: Int; var original: UInt32; var replacement: UInt32; var gain: Float }

    let lm: LanguageModel
    let words: WordStatistics
    let settings: TypoSettings
    /// The window radius, clamped (settings are public; a negative or huge value must not trap).
    var radius: Int { min(max(settings.lmWindow, 1), 16) }

    /// Corrections for `s` (applied in place, left to right); `locked[i]` characters never change.
    func corrections(_ s: inout [UInt32], locked: [Bool]) -> [Correction] {
        var out: [Correction] = []
        let n = s.count
        var scratch = [UInt32](repeating: 0, count: 2 * radius + 1)
        var i = 0
        while i < n {
            guard TypoModel.isHan(s[i]) else { i += 1; continue }
            var b = i
            while b < n && TypoModel.isHan(s[b]) { b += 1 }
            let a = i
            for p in a..<b where !(p < locked.count && locked[p]) {
                guard let cands = RealWordModel.pairs[s[p]] else { continue }
                if let fix = best(&s, p, a, b, cands, &scratch) { out.append(fix); s[p] = fix.replacement }
            }
            i = b
        }
        return out
    }

    private func best(_ s: inout [UInt32], _ p: Int, _ a: Int, _ b: Int, _ cands: [(UInt32, Float)], _ scratch: inout [UInt32]) -> Correction? {
        let lo = max(a, p - radius), hi = min(b, p + radius + 1)
        let w = hi - lo
        for k in 0..<w { scratch[k] = s[lo + k] }
        let base = score(&scratch, w)
        var best: Correction? = nil
        for (c, cost) in cands {
            scratch[p - lo] = c
            let gain = score(&scratch, w) - base - cost
            if gain > settings.lmThreshold, gain > (best?.gain ?? -Float.infinity) {
                best = Correction(position: p, original: s[p], replacement: c, gain: gain)
            }
        }
        return best
    }

    private func score(_ scratch: inout [UInt32], _ w: Int) -> Float {
        scratch.withUnsafeBufferPointer { buf in words.scores(buf, 0, w, lm).lm }
    }
}
