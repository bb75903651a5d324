import XCTest
@testable import ZhimeiText

/// Lexicon sentiment: negation flips, degree words scale, sarcasm markers turn praise, held-out accuracy.
final class SentimentTests: XCTestCase {
    func analyzer(seedOnly: Bool = false, model: SentimentModel? = nil) throws -> SentimentAnalyzer {
        let lex = try TestSupport.lex()
        let lexicon = seedOnly ? SentimentLexicon() : SentimentLexicon.load(directory: TestSupport.location.directory)
        return SentimentAnalyzer(lexicon: lexicon, segmenter: Segmenter(lexicon: lex), model: model)
    }

    func testNegationFlipsPolarity() throws {
        let a = try analyzer(seedOnly: true)
        let plain = a.analyze("这家店的服务让人满意")
        let negated = a.analyze("这家店的服务让人不满意")
        XCTAssertEqual(plain.label, .positive)
        XCTAssertEqual(negated.label, .negative)
        XCTAssertLessThan(negated.raw, 0)
        // Double negation turns back.
        XCTAssertGreaterThan(a.analyze("并非不满意").raw, 0)
    }

    func testDegreeWordsScale() throws {
        let a = try analyzer(seedOnly: true)
        let base = a.analyze("满意").raw
        let strong = a.analyze("非常满意").raw
        let weak = a.analyze("有点满意").raw
        XCTAssertGreaterThan(strong, base * 1.5)
        XCTAssertLessThan(weak, base)
        XCTAssertGreaterThan(weak, 0)
        XCTAssertLessThan(a.analyze("处理得非常敷衍").raw, a.analyze("处理得敷衍").raw)
    }

    func testTurnWeightsTheLaterClause() throws {
        let a = try analyzer(seedOnly: true)
        XCTAssertEqual(a.analyze("环境很干净，但是服务太差").label, .negative)
        XCTAssertEqual(a.analyze("服务太差，但是环境很干净，非常满意").label, .positive)
    }

    func testSarcasmMarkerTurnsPraiseNegative() throws {
        let a = try analyzer(seedOnly: true)
        XCTAssertEqual(a.analyze("服务真是太好了").label, .positive)
        let ironic = a.analyze("呵呵，服务真是太好了")
        XCTAssertTrue(ironic.sarcasm)
        XCTAssertEqual(ironic.label, .negative)
    }

    func testNeutralWithoutSentimentWords() throws {
        let a = try analyzer(seedOnly: true)
        let r = a.analyze("今天下午三点召开会议")
        XCTAssertEqual(r.label, .neutral)
        XCTAssertEqual(r.hits, 0)
        XCTAssertEqual(a.analyze("").label, .neutral)
        XCTAssertEqual(a.analyze("\u{0}\u{1}😀").label, .neutral)
    }

    /// Accuracy of the analyzer on a split file (binary by sign of raw), with the shipped model and the given rule weight.
    func accuracy(_ docs: [(positive: Bool, text: String)], model: SentimentModel, ruleWeight: Double) throws -> Double {
        var a = SentimentAnalyzer(lexicon: SentimentLexicon(), segmenter: try analyzer().segmenter, model: model)
        a.ruleWeight = ruleWeight
        return SentimentHeldOut.evaluate(a, on: docs).accuracy
    }

    /// The rule weight beside the model is chosen on the dev split only: the largest weight of the grid within 0.5
    /// points of the best there (the rules carry news vocabulary the review corpus cannot measure). Measured with the
    /// train-only model (`sentiment-model-train.tsv`): the shipped model is refitted on train + dev and has seen dev.
    func testRuleWeightChosenOnDev() throws {
        let dir = TestSupport.location.directory
        guard let dev = SentimentHeldOut.load(directory: dir, file: "sentiment-dev.tsv"),
              let model = SentimentModel.load(directory: dir, file: "sentiment-model-train.tsv") else {
            throw XCTSkip("sentiment-dev.tsv or sentiment-model-train.tsv missing; run scripts/opinion/setup-data.sh")
        }
        XCTAssertGreaterThan(dev.count, 1000)
        var grid: [(weight: Double, accuracy: Double)] = []
        for w in [0, 0.1, 0.25, 0.5, 1] { grid.append((w, try accuracy(dev, model: model, ruleWeight: w))) }
        print("sentiment dev accuracy by rule weight: " + grid.map { "\($0.weight): \($0.accuracy)" }.joined(separator: ", "))
        // The rule: the largest weight within 0.5 points of the dev best (see SentimentAnalyzer.ruleWeightWithModel).
        let best = grid.map(\.accuracy).max()!
        let chosen = grid.filter { $0.accuracy >= best - 0.005 }.map(\.weight).max()!
        XCTAssertEqual(SentimentAnalyzer.ruleWeightWithModel, chosen, "the shipped rule weight is not the one the dev split picks")
        // The trainer chose the model on dev too; it must stay above the target there.
        XCTAssertGreaterThanOrEqual(grid[0].accuracy, 0.85)
    }

    /// The test split (`sentiment-heldout.tsv`), never used for a choice: reported, and guarded against regressions.
    func testHeldOutAccuracy() throws {
        let dir = TestSupport.location.directory
        guard let docs = SentimentHeldOut.load(directory: dir) else {
            throw XCTSkip("sentiment-heldout.tsv missing; run scripts/opinion/setup-data.sh")
        }
        let rules = SentimentHeldOut.evaluate(try analyzer(), on: docs)
        print("sentiment test accuracy, lexicon rules only: \(rules.accuracy) on \(rules.documents)")
        XCTAssertGreaterThan(rules.documents, 3000)
        XCTAssertGreaterThanOrEqual(rules.accuracy, 0.70)
        guard let model = SentimentModel.load(directory: dir) else {
            throw XCTSkip("sentiment-model.tsv missing; run scripts/opinion/setup-data.sh")
        }
        let seg = try analyzer().segmenter
        let alone = Double(docs.filter { (model.logit(words: seg.cut($0.text), text: $0.text) >= 0) == $0.positive }.count) / Double(docs.count)
        let product = SentimentHeldOut.evaluate(SentimentAnalyzer.load(directory: dir, segmenter: seg), on: docs)
        print("sentiment test accuracy, model alone: \(alone); product analyzer (model + \(SentimentAnalyzer.ruleWeightWithModel) × seed rules): \(product.accuracy)")
        // Regression guards (measured figures are in docs/opinion.md: 84.10 % / 84.22 %, 3 and 7 documents above 0.84,
        // so the floor leaves room for a retrain with other BLAS rounding); the model must beat the rules clearly.
        XCTAssertGreaterThanOrEqual(alone, 0.835)
        XCTAssertGreaterThanOrEqual(product.accuracy, 0.835)
        XCTAssertGreaterThan(product.accuracy, rules.accuracy + 0.05)
    }

    /// The Swift feature extraction must produce the trainer's feature strings (scripts/opinion/train_sentiment.py):
    /// a hand-written model file with one weight per feature kind shows which ones fire.
    func testModelFeaturesMatchTheTrainerFormat() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sentiment-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = """
        # test model
        @bias\t0.5
        @negators\t不 没有
        @turns\t但是
        w:满意\t0.01
        p:不 满意\t0.02
        n:满意\t0.04
        t:服务\t0.08
        c:满意\t0.16
        c:不满意\t0.32
        c:意但\t0.64
        """
        try file.write(to: dir.appendingPathComponent("sentiment-model.tsv"), atomically: true, encoding: .utf8)
        let model = try XCTUnwrap(SentimentModel.load(directory: dir.path))
        XCTAssertEqual(model.count, 7)
        XCTAssertEqual(model.bias, 0.5)
        // Weights are powers of two (×0.01), so each sum says exactly which features fired.
        XCTAssertEqual(model.logit(words: ["满意"], text: "满意"), 0.5 + 0.01 + 0.16, accuracy: 1e-6)
        // negator scope, adjacent pair, char bigram and trigram; features count once however often they occur
        XCTAssertEqual(model.logit(words: ["不", "满意"], text: "不 满意"), 0.5 + 0.01 + 0.02 + 0.04 + 0.16 + 0.32, accuracy: 1e-6)
        XCTAssertEqual(model.logit(words: ["满意", "满意"], text: "满意满意"), 0.5 + 0.01 + 0.16, accuracy: 1e-6)
        // a clause break ends the negation scope; words after a turning word get t:
        XCTAssertEqual(model.logit(words: ["不", "，", "满意", "但是", "服务"], text: "不，满意但是服务"), 0.5 + 0.01 + 0.16 + 0.08 + 0.64, accuracy: 1e-6)
        XCTAssertNil(SentimentModel.load(directory: dir.appendingPathComponent("absent").path))
        // With `@chars 1 2 3` character unigrams are features too (c:满, c:意), without it they are not.
        try (file + "\n@chars\t1 2 3\nc:满\t1.28\nc:意\t2.56\n").write(to: dir.appendingPathComponent("sentiment-model.tsv"), atomically: true, encoding: .utf8)
        let withUnigrams = try XCTUnwrap(SentimentModel.load(directory: dir.path))
        XCTAssertEqual(withUnigrams.logit(words: ["满意"], text: "满意"), 0.5 + 0.01 + 0.16 + 1.28 + 2.56, accuracy: 1e-6)
    }
}
