import Foundation

/// 的/地/得 usage: adverbial modifiers before a verb take 地 (慢慢地走, 缓缓地下降), a verb followed by a degree
/// complement takes 得 (跑得很快). Uses the dictionary's part-of-speech tags on the best segmentation.
struct DeRules {
    static let de: UInt32 = 0x7684, di: UInt32 = 0x5730, de2: UInt32 = 0x5F97
    static let degree: [[UInt32]] = ["很", "非常", "十分", "特别", "太", "更加", "越来越", "不错", "极其", "相当"].map { $0.unicodeScalars.map(\.value) }

    struct Fix { var position: Int; var replacement: UInt32; var confidence: Double }

    static func fixes(_ s: [UInt32], words: WordStatistics, segments: RunSegments? = nil) -> [Fix] {
        guard words.count > 0 else { return [] }
        var out: [Fix] = []
        var i = 0
        let n = s.count
        while i < n {
            guard TypoModel.isHan(s[i]) else { i += 1; continue }
            var j = i
            while j < n && TypoModel.isHan(s[j]) { j += 1 }
            guard s[i..<j].contains(de) else { i = j; continue }
            let toks = segments?.segment(s, i, j) ?? s.withUnsafeBufferPointer { words.segment($0, i, j) }
            func tag(_ t: (Int, Int)) -> String { s.withUnsafeBufferPointer { words.tag(WordStatistics.key($0, t.0, t.1)) } }
            for k in 1..<max(1, toks.count) where k + 1 < toks.count {
                let t = toks[k]
                guard t.1 - t.0 == 1, s[t.0] == de else { continue }
                let prev = toks[k - 1], next = toks[k + 1]
                let pt = tag(prev), nt = tag(next)
                let pl = prev.1 - prev.0
                let redup = (pl == 2 && s[prev.0] == s[prev.0 + 1]) || (pl == 4 && s[prev.0] == s[prev.0 + 1] && s[prev.0 + 2] == s[prev.0 + 3])
                // 的是/的有 nominalise (最深刻的是); a reduplicated kinship noun (哥哥的推荐) is no adverb
                let nominal = next.1 - next.0 == 1 && (s[next.0] == 0x662F || s[next.0] == 0x6709)
                if !nominal, (pt == "ad" || pt == "d" || pt == "z" || (redup && !pt.hasPrefix("n"))) && nt.hasPrefix("v") && nt != "vn" {
                    out.append(Fix(position: t.0, replacement: di, confidence: 0.75))
                } else if pt == "v" && degree.contains(where: { d in next.0 + d.count <= j && s[next.0..<(next.0 + d.count)].elementsEqual(d) }) {
                    out.append(Fix(position: t.0, replacement: de2, confidence: 0.7))
                }
            }
            i = j
        }
        return out
    }
}
