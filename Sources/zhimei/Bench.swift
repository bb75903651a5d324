import ArgumentParser
import ZhimeiTextCLI

/// `zhimei bench …`: every benchmark, each reporting ratios against a baseline measured in the same run.
/// A module adds its benchmark's subcommand here (its own file beside this one).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks with same-run baselines.",
        subcommands: [BenchCommand.TextBench.self, ReviewBench.self, SearchBench.self, PublishBench.self, OpinionBench.self]
    )
}
