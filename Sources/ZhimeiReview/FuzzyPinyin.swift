import Foundation

/// Near-reading confusions (模糊音) that the same-reading sets lack: front and back nasals (in/ing, en/eng, an/ang),
/// flat and retroflex initials (z/zh, c/ch, s/sh), n/l and hu/f — the slips of southern speakers, Hunan's among them
/// (振心 → 振兴, 生厂 → 生产, 应为 → 因为). Each character's most common reading is compared: folding every reading
/// found nothing more on dev and flagged more clean news lines (msr_test 78 → 83).
enum FuzzyPinyin {
    /// The confusion cost of a near-reading pair (same reading, other tone: 4.0; shape: 2.5).
    static let cost: Float = Float(ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_FUZZY_COST"] ?? "") ?? 4.0
    /// Only characters at least this frequent (in the dictionary's words) take part, on both sides.
    static let minFrequency = Int(ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_FUZZY_MINFREQ"] ?? "") ?? 300

    /// The reading with the fuzzy distinctions folded away (zheng → zen, ning → lin).
    static func folded(_ reading: String) -> String {
        var r = Substring(reading)
        for (retroflex, flat) in [("zh", "z"), ("ch", "c"), ("sh", "s")] where r.hasPrefix(retroflex) {
            r = flat + r.dropFirst(2)
        }
        if r.hasPrefix("n") { r = "l" + r.dropFirst() }
        if r.hasPrefix("hu") { r = "f" + r.dropFirst() }  // 湖南 says fu for hu
        for (back, front) in [("ing", "in"), ("eng", "en"), ("ang", "an")] where r.hasSuffix(back) {
            r = r.dropLast(back.count) + front
        }
        return String(r)
    }

    /// "chang/chan" when `written` and `intended` are a near-reading pair (main readings differ, fold the same, no reading
    /// shared), for the finding's message; nil otherwise.
    static func nearReadings(_ pinyin: [UInt32: [String]], _ written: UInt32, _ intended: UInt32) -> String? {
        guard let a = pinyin[written], let b = pinyin[intended], let ra = a.first, let rb = b.first,
              ra != rb, folded(ra) == folded(rb), Set(a).isDisjoint(with: b) else { return nil }
        return ra + "/" + rb
    }

    /// Ordered pairs (written, intended) of frequent characters whose main readings differ but fold to the same, and
    /// that share no reading at all.
    static func pairs(_ pinyin: [UInt32: [String]], frequency: (UInt32) -> Int) -> [(UInt32, UInt32)] {
        guard cost.isFinite else { return [] }
        var groups: [String: [UInt32]] = [:]
        for (c, readings) in pinyin where frequency(c) >= minFrequency {
            guard let main = readings.first else { continue }
            groups[folded(main), default: []].append(c)
        }
        var out: [(UInt32, UInt32)] = []
        for (_, chars) in groups where chars.count > 1 {
            for a in chars {
                let ra = Set(pinyin[a] ?? [])
                for b in chars where a != b && ra.isDisjoint(with: pinyin[b] ?? []) { out.append((a, b)) }
            }
        }
        return out
    }
}
