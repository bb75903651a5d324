import ArgumentParser
import Foundation
import Zhimei

/// `zhimei bench publish`: publish latency to 8 channels + 3 destinations, and public article / content-API item
/// throughput and p99 with wrk on the public edge port (and the main port) against nginx serving the same bytes in the same run.
struct PublishBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publishing: publish → visible latency; article page and content-API item req/s and p99 on the public edge port and the main port vs nginx static (wrk).")
    @Option(help: "Stories published for the latency measurement.") var publishes = 20
    @Option(help: "Seconds per wrk run.") var duration = 10
    @Option(help: "wrk connections.") var connections = 64
    @Option(help: "wrk threads and nginx workers.") var threads = 2

    func validate() throws {
        guard (1...1000).contains(publishes), (1...600).contains(duration), (1...10_000).contains(connections), (1...64).contains(threads) else {
            throw ValidationError("--publishes 1–1000, --duration 1–600, --connections 1–10000, --threads 1–64")
        }
    }

    func run() async throws {
        let settings = loadSettings()
        var o = PublishBenchmark.Options()
        o.publishes = publishes; o.duration = duration; o.connections = connections; o.threads = threads
        let report = try await PublishBenchmark.run(o, textData: settings.textDataDirectory) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(report)
    }
}
