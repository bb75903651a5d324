import Foundation

/// Time-series arithmetic for hot topics and early warning: bursts against an EWMA baseline, Holt's linear
/// forecast, the heat index and the risk score. Pure functions over per-bucket counts (oldest first).
enum Trend {
    struct Burst: Equatable {
        var zScore: Double
        var baseline: Double
        var isBurst: Bool
    }

    /// The last bucket against an exponentially weighted baseline of the ones before it (α = 0.3).
    /// A burst is z ≥ `z` with at least `minCount` posts in the last bucket. The standard deviation has a floor
    /// of √(baseline + 1) (Poisson-like), so a quiet series does not make every small bump a burst.
    static func burst(_ counts: [Double], z threshold: Double = 3, minCount: Double = 5) -> Burst {
        guard let last = counts.last else { return Burst(zScore: 0, baseline: 0, isBurst: false) }
        let history = counts.dropLast()
        var mean = history.first ?? 0, variance = 0.0
        for x in history.dropFirst() {
            let diff = x - mean
            mean += 0.3 * diff
            variance = 0.7 * (variance + 0.3 * diff * diff)
        }
        let sd = max(variance.squareRoot(), (mean + 1).squareRoot())
        let z = (last - mean) / sd
        return Burst(zScore: (z * 100).rounded() / 100, baseline: (mean * 100).rounded() / 100, isBurst: z >= threshold && last >= minCount)
    }

    /// Holt's linear exponential smoothing; forecasts for the next `horizon` buckets (never negative).
    static func holt(_ counts: [Double], alpha: Double = 0.5, beta: Double = 0.3, horizon: Int = 6) -> [Double] {
        guard let first = counts.first else { return [Double](repeating: 0, count: max(0, horizon)) }
        var level = first, trend = counts.count > 1 ? counts[1] - first : 0
        for x in counts.dropFirst() {
            let previous = level
            level = alpha * x + (1 - alpha) * (level + trend)
            trend = beta * (level - previous) + (1 - beta) * trend
        }
        return (1...max(1, min(horizon, 48))).map { h in max(0, ((level + Double(h) * trend) * 10).rounded() / 10) }
    }

    /// Heat index 0–100: log-scaled volume of the last 24 h plus engagement (reposts count double).
    static func heat(volume: Int, reposts: Int, comments: Int, likes: Int) -> Double {
        let v = Double(max(0, volume)) + 2 * Double(max(0, reposts)) + Double(max(0, comments)) + 0.2 * Double(max(0, likes))
        return min(100, (log10(1 + v) * 25 * 10).rounded() / 10)
    }

    /// Words that mark a sensitive category (safety, disaster, corruption, unrest); each adds risk.
    static let sensitiveWords = ["死亡", "遇难", "伤亡", "爆炸", "火灾", "坍塌", "腐败", "贪污", "受贿", "群体", "聚集", "维权", "罢工",
                                 "食品安全", "疫情", "污染", "泄漏", "欠薪", "拆迁", "冲突", "殴打", "学校", "儿童"]

    /// Risk 0–100 = 30·volume + 25·velocity + 30·negative share + 15·sensitive, each part scaled to 0…1:
    /// volume log10(n)/3 (1000 posts = full), velocity = z-score/6, sensitive = hits/3.
    static func risk(volume: Int, zScore: Double, negativeShare: Double, sensitiveHits: Int) -> Double {
        let v = min(1, log10(1 + Double(max(0, volume))) / 3)
        let s = min(1, max(0, zScore) / 6)
        let n = min(1, max(0, negativeShare.isFinite ? negativeShare : 0))
        let k = min(1, Double(max(0, sensitiveHits)) / 3)
        return ((30 * v + 25 * s + 30 * n + 15 * k) * 10).rounded() / 10
    }

    /// Whether a keyword contains one of the sensitive words.
    static func isSensitive(_ word: String) -> Bool {
        sensitiveWords.contains { word.contains($0) }
    }
}
