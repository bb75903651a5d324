import Foundation
import XCTest
@testable import ZhimeiText

/// Locates the repository root and the text data (running scripts/text/setup-data.sh once if needed).
enum TestSupport {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let location: TextDataLocation = {
        let env = ProcessInfo.processInfo.environment
        if env["ZHIMEI_TEXT_DATA"] != nil || env["ZHIMEI_DATA_DIR"] != nil { return .fromEnvironment() }
        return TextDataLocation(directory: repoRoot + "/data/text")
    }()

    static let lexicon: Lexicon? = {
        if !FileManager.default.fileExists(atPath: location.directory + "/dict.txt") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [repoRoot + "/scripts/text/setup-data.sh"]
            var env = ProcessInfo.processInfo.environment
            env["ZHIMEI_TEXT_DATA"] = location.directory
            p.environment = env
            try? p.run(); p.waitUntilExit()
        }
        return try? Lexicon.load(from: location)
    }()

    static func lex() throws -> Lexicon {
        guard let l = lexicon else { throw XCTSkip("jieba data missing; run scripts/text/setup-data.sh") }
        return l
    }

    static func evalFile(_ rel: String) -> String? {
        let p = repoRoot + "/../shared/eval/" + rel
        return FileManager.default.fileExists(atPath: p) ? p : nil
    }
}
