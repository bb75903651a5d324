import ArgumentParser
import Foundation
import Zhimei

/// `zhimei bench opinion`: pipeline throughput vs a jieba + snownlp Python pipeline in the same run, sentiment accuracy
/// on the test split and clustering purity / NMI on a generated labelled set and on THUCNews headlines.
struct OpinionBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opinion",
        abstract: "Opinion pipeline: posts/s (dedupe, sentiment, clustering) vs Python jieba + snownlp; sentiment accuracy; clustering purity and NMI.")
    @Option(help: "Generated posts for the Swift pipeline.") var posts = 20_000
    @Option(help: "Analysis workers (the target is stated for 2 cores).") var workers = 2
    @Option(help: "Posts for the (slower) Python baseline.") var pythonPosts = 2_000
    @Option(help: "Directory of python-baseline.sh.") var scripts = "scripts/opinion"
    @Option(help: "Cosine threshold of the clusterer.") var threshold = 0.3

    func validate() throws {
        guard (100...5_000_000).contains(posts) else { throw ValidationError("--posts must be 100–5000000") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1–64") }
        guard (100...1_000_000).contains(pythonPosts) else { throw ValidationError("--python-posts must be 100–1000000") }
    }

    func run() async throws {
        let settings = loadSettings()
        var o = OpinionBenchmark.Options()
        o.posts = posts; o.workers = workers; o.pythonPosts = pythonPosts; o.scriptDirectory = scripts; o.threshold = threshold
        let report = try await OpinionBenchmark.run(o, textData: settings.textDataDirectory) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(report)
    }
}
