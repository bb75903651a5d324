import ArgumentParser
import ZhimeiText
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "bench", subcommands: [])
    public init() {}
}
