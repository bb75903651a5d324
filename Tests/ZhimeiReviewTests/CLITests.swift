import ArgumentParser
import XCTest
@testable import ZhimeiReview
@testable import ZhimeiTextCLI

final class CLITests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "zhimei-review-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try ReviewSupport.data()
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = dir + "/" + name
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    func run(_ args: [String]) throws -> Int32 {
        var cmd = try ReviewCommand.parseAsRoot(args + ["--data-dir", ReviewSupport.location.directory]) as! ReviewCommand
        do { try cmd.run(); return 0 } catch let e as ExitCode { return e.rawValue }
    }

    /// Exit code 1 when a block finding exists, 0 otherwise (warn findings do not fail).
    func testExitCodes() throws {
        let bad = write("bad.txt", Array("这里有演示敏感词。\n".utf8))
        let warnOnly = write("warn.txt", Array("请先按装软件。\n".utf8))
        XCTAssertEqual(try run(["--demo-lexicon", bad]), 1)
        XCTAssertEqual(try run([bad]), 0, "without the lexicon nothing blocks")
        XCTAssertEqual(try run(["--demo-lexicon", warnOnly]), 0)
        let csv = write("lex.csv", Array("term,category,severity\n按装,custom,block\n".utf8))
        XCTAssertEqual(try run(["--lexicon", csv, warnOnly]), 1)
        XCTAssertThrowsError(try ReviewCommand.parseAsRoot(["--format", "xml"]))
    }

    /// JSON output: findings with absolute scalar offsets across chunks, encoding reported.
    func testJSONOutputAndEncodings() throws {
        let pr = try ReviewCommand.parseAsRoot(["--demo-lexicon", "--data-dir", ReviewSupport.location.directory]) as! ReviewCommand
        let proof = try pr.proofreader()
        let text = "第一段。\n这里有演示敏感词。\n"
        for (name, enc) in [("utf8.txt", "UTF-8"), ("gbk.txt", "GB18030"), ("big5.txt", "BIG5")] {
            let source = enc == "BIG5" ? "第一段。\n這裡有演示敏感詞。\n" : text
            let bytes = enc == "UTF-8" ? Array(source.utf8) : try XCTUnwrap(ReviewInput.convert(Array(source.utf8), from: "UTF-8", to: enc))
            let path = write(name, bytes)
            var out = ""
            let blocking = try ReviewCommand.review(proof, files: [path], format: "json") { out += $0 }
            XCTAssertTrue(blocking, name)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]], out)
            XCTAssertEqual(json.first?["encoding"] as? String, enc, name)
            let findings = try XCTUnwrap(json.first?["findings"] as? [[String: Any]])
            let hit = try XCTUnwrap(findings.first { $0["ruleID"] as? String == "sensitive.lexicon" }, name)
            XCTAssertEqual(hit["start"] as? Int, 8, name)
            XCTAssertEqual(hit["end"] as? Int, 13, name)
        }
    }

    /// Scoring mode: one corrected line per input line, order kept, empty lines kept.
    func testCorrectLines() throws {
        let pr = try ReviewSupport.proofreader()
        let input = write("in.txt", Array("问提就在于此。\n\n今天天气很好。\r\n请先按装软件".utf8))
        let fd = open(input, O_RDONLY)
        defer { close(fd) }
        var out = ""
        ReviewCommand.correctLines(pr, input: fd) { out += $0 }
        XCTAssertEqual(out, "问题就在于此。\n\n今天天气很好。\n请先安装软件\n")
    }

    /// A long input is checked in chunks: offsets stay absolute past the first megabyte.
    func testChunkedInput() throws {
        let pr = try ReviewCommand.parseAsRoot(["--demo-lexicon", "--data-dir", ReviewSupport.location.directory]) as! ReviewCommand
        let proof = try pr.proofreader()
        let line = String(repeating: "今天天气很好我们去公园散步", count: 10) + "。\n"
        var text = ""
        while text.utf8.count < ReviewInput.blockSize + 1000 { text += line }
        let offset = text.unicodeScalars.count
        text += "演示敏感词\n"
        var out = ""
        _ = try ReviewCommand.review(proof, files: [write("big.txt", Array(text.utf8))], format: "json") { out += $0 }
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        let f = try XCTUnwrap((json.first?["findings"] as? [[String: Any]])?.first { $0["ruleID"] as? String == "sensitive.lexicon" })
        XCTAssertEqual(f["start"] as? Int, offset)
    }
}
