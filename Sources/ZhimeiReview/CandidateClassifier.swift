import Foundation

/// A learned decision for typo candidates of the confusion search (round 9): a logistic regression over the evidence
/// the search already computes for a candidate replacement — word-model and language-model gain, character n-gram
/// gain, the kind of confusion, whether writers were seen to make it, and how common both characters are. Trained by
/// `scripts/review/train-confusion.py` on the dev fifth of SIGHAN train14+15 and its gold side (docs/review-engine.md,
/// round 9). It adds corrections below the search's hand-set threshold; it never removes one that threshold accepts.
/// (The same model for the real-word pairs, `train-confusion.py --pass realword`, was tried and not adopted.)
/// Explainable: the log-odds is a sum of named terms.
public struct CandidateClassifier: Sendable, Hashable {
    /// Weights in the order of the pass's features, then the bias.
    public var weights: [Float]
    /// A candidate is a correction when its log-odds exceeds this.
    public var threshold: Float

    static func tuned(_ name: String, _ value: Float) -> Float {
        Float(ProcessInfo.processInfo.environment[name] ?? "") ?? value
    }

    /// The confusion search (l2 1.0, the dev fifth's and its gold side's candidates, with the character model of SIGHAN
    /// and People's Daily text); threshold chosen on dev, train13 and the clean sets. For tuning,
    /// `ZHIMEI_REVIEW_CLF_W` (11 comma-separated numbers) and `ZHIMEI_REVIEW_CLF_T` override them.
    public static let confusion = CandidateClassifier(
        weights: (ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_CLF_W"]?.split(separator: ",").compactMap { Float($0) }).flatMap { $0.count == 11 ? $0 : nil }
            ?? [0.352602, -0.226971, -0.222965, 0.332169, -1.002771, 0.152732, -0.278506, -0.705470, 0.637358, -0.012489, -1.182634],
        threshold: tuned("ZHIMEI_REVIEW_CLF_T", 2.0))

    /// Log-odds of a confusion-search candidate (features as `features` in train-confusion.py): `gain` is word model +
    /// language model − cost, `lm` its language-model part, `generic` the cost of the kind of confusion (0.5 same
    /// tone, 4 other tone or near reading, 2.5 look-alike; `cost` adds 3 for a pair writers were not seen to make).
    @inline(__always)
    func confusionLogit(gain: Float, lm: Float, cost: Float, generic: Float, charGain: Float, vetoed: Bool,
                        writtenFrequency: Int, proposedFrequency: Int) -> Float {
        guard weights.count == 11 else { return -.infinity }
        var z = weights[10]
        z += weights[0] * gain + weights[1] * lm + weights[2] * (gain - lm + cost) + weights[3] * charGain
        z += weights[4] * (cost - generic > 2.9 ? 1 : 0) + weights[5] * lnFrequency(writtenFrequency) + weights[6] * lnFrequency(proposedFrequency)
        z += weights[7] * (vetoed ? 1 : 0) + weights[8] * (generic == 4.0 ? 1 : 0) + weights[9] * (generic == 2.5 ? 1 : 0)
        return z
    }

    @inline(__always) func lnFrequency(_ f: Int) -> Float { Float(log1p(Double(f))) }
}
