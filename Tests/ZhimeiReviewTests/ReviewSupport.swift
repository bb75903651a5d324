import Foundation
import XCTest
import ZhimeiText
@testable import ZhimeiReview

/// Locates the text data like Tests/ZhimeiTextTests (running the set-up scripts once if needed).
/// Missing data FAILS the tests (CI must have it), it never skips them.
enum ReviewSupport {
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

    /// The sunpinyin language model is part of the set-up; ZHIMEI_REVIEW_LM=0 declares it deliberately absent.
    static let languageModelExpected = ProcessInfo.processInfo.environment["ZHIMEI_REVIEW_LM"] != "0"
        && ProcessInfo.processInfo.environment["ZHIMEI_SKIP_APT"] != "1"

    struct Loaded: Sendable { let engine: TextEngine; let resources: ReviewResources }

    static let loaded: Result<Loaded, Error> = {
        let fm = FileManager.default
        // the language model is expected too, unless explicitly opted out with ZHIMEI_REVIEW_LM=0
        if !fm.fileExists(atPath: location.directory + "/dict.txt") || !fm.fileExists(atPath: location.directory + "/review/same_pinyin.txt")
            || (languageModelExpected && !fm.fileExists(atPath: location.directory + "/review/lm_bigram.bin")) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [repoRoot + "/scripts/text/setup-data.sh"]
            var env = ProcessInfo.processInfo.environment
            env["ZHIMEI_TEXT_DATA"] = location.directory
            p.environment = env
            try? p.run(); p.waitUntilExit()
        }
        return Result {
            Loaded(engine: TextEngine(lexicon: try Lexicon.load(from: location)), resources: try ReviewResources.load(from: location))
        }
    }()

    static func data() throws -> Loaded {
        switch loaded {
        case .success(let l): return l
        case .failure(let e): XCTFail("proofreading data missing (run scripts/text/setup-data.sh): \(e)"); throw e
        }
    }

    static func proofreader(_ config: ReviewConfiguration = ReviewConfiguration()) throws -> Proofreader {
        let d = try data()
        return Proofreader(engine: d.engine, configuration: config, resources: d.resources)
    }

    /// The slice start..<end of `text` in Unicode scalars.
    static func slice(_ text: String, _ f: ReviewFinding) -> String {
        String(String.UnicodeScalarView(Array(text.unicodeScalars)[f.start..<f.end]))
    }
}
