import Foundation
import XCTest

/// Runs the built `zhimei` executable as a separate process, for multi-process job tests.
struct WorkerProcess {
    let process: Process

    /// `$ZHIMEI_BIN`, else `.build/debug/zhimei` in the package.
    static var binary: String? {
        if let bin = ProcessInfo.processInfo.environment["ZHIMEI_BIN"], FileManager.default.isExecutableFile(atPath: bin) { return bin }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/debug/zhimei").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func requireBinary() throws -> String {
        if let binary { return binary }
        if ProcessInfo.processInfo.environment["CI"] == "true" { throw TestError("zhimei binary not found: build it or set ZHIMEI_BIN") }
        throw XCTSkip("zhimei binary not built; set ZHIMEI_BIN")
    }

    static func start(_ arguments: [String], environment: [String: String]) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try requireBinary())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return WorkerProcess(process: process)
    }

    /// Runs a command to completion; returns its exit status and standard output.
    static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try requireBinary())
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    var pid: Int32 { process.processIdentifier }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
