import Foundation

/// Spelling-check scoring in the SIGHAN tradition: character-level detection and correction P/R/F1,
/// sentence-level correction F1 (a sentence counts only when the output equals the gold sentence) and the
/// false-positive rate on error-free sentences.
public struct SpellingScore: Sendable, Equatable {
    public var sentences = 0, errorSentences = 0, cleanSentences = 0, falsePositiveSentences = 0
    public var goldEdits = 0, predictedEdits = 0, detectedTP = 0, correctedTP = 0
    public var modifiedSentences = 0, correctModified = 0, correctErrorSentences = 0

    public init() {}

    static func f1(_ p: Double, _ r: Double) -> Double { p + r > 0 ? 2 * p * r / (p + r) : 0 }
    static func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : 0 }

    public var detectionPrecision: Double { SpellingScore.ratio(detectedTP, predictedEdits) }
    public var detectionRecall: Double { SpellingScore.ratio(detectedTP, goldEdits) }
    public var detectionF1: Double { SpellingScore.f1(detectionPrecision, detectionRecall) }
    public var correctionPrecision: Double { SpellingScore.ratio(correctedTP, predictedEdits) }
    public var correctionRecall: Double { SpellingScore.ratio(correctedTP, goldEdits) }
    public var correctionF1: Double { SpellingScore.f1(correctionPrecision, correctionRecall) }
    public var sentencePrecision: Double { SpellingScore.ratio(correctModified, modifiedSentences) }
    public var sentenceRecall: Double { SpellingScore.ratio(correctErrorSentences, errorSentences) }
    public var sentenceF1: Double { SpellingScore.f1(sentencePrecision, sentenceRecall) }
    public var falsePositiveRate: Double { SpellingScore.ratio(falsePositiveSentences, cleanSentences) }

    /// Adds one (source, gold, output) triple. Character edits are compared position by position when the
    /// three have the same length; otherwise a changed output counts as one wrong edit.
    public mutating func add(source: String, gold: String, output: String) {
        let s = Array(source.unicodeScalars), g = Array(gold.unicodeScalars), o = Array(output.unicodeScalars)
        sentences += 1
        let hasError = s != g
        if hasError { errorSentences += 1 } else { cleanSentences += 1 }
        let modified = o != s
        if modified { modifiedSentences += 1 }
        if !hasError && modified { falsePositiveSentences += 1 }
        if modified && o == g { correctModified += 1 }
        if hasError && o == g { correctErrorSentences += 1 }
        if s.count == g.count {
            let goldPos = (0..<s.count).filter { s[$0] != g[$0] }
            goldEdits += goldPos.count
            if o.count == s.count {
                let pred = (0..<s.count).filter { s[$0] != o[$0] }
                predictedEdits += pred.count
                let gp = Set(goldPos)
                for i in pred where gp.contains(i) { detectedTP += 1; if o[i] == g[i] { correctedTP += 1 } }
            } else if modified {
                predictedEdits += 1
            }
        } else {
            goldEdits += 1
            if modified { predictedEdits += 1; if o == g { detectedTP += 1; correctedTP += 1 } }
        }
    }

    public var summary: String {
        String(format: "detection P/R/F1 %.3f/%.3f/%.3f · correction P/R/F1 %.3f/%.3f/%.3f · sentence-level correction P/R/F1 %.3f/%.3f/%.3f · FP rate %.3f (%d/%d clean sentences)",
               detectionPrecision, detectionRecall, detectionF1, correctionPrecision, correctionRecall, correctionF1,
               sentencePrecision, sentenceRecall, sentenceF1, falsePositiveRate, falsePositiveSentences, cleanSentences)
    }
}
