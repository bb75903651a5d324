import Foundation
import XCTest
@testable import ZhimeiTextCLI

final class StreamTests: XCTestCase {
    /// A 50 MB line is handed to the segmenter in pieces of at most 1 MB cut at safe boundaries.
    func testFiftyMegabyteLineIsChunked() throws {
        let path = NSTemporaryDirectory() + "zhimei-50mb-\(getpid()).txt"
        var line = [UInt8]()
        let unit = Array("新华社北京电，国家统计局今天发布数据。".utf8) + [0xFF]  // includes an invalid byte
        while line.count < 50_000_000 { line.append(contentsOf: unit) }
        line.append(10)
        line.append(contentsOf: Array("第二行".utf8))
        FileManager.default.createFile(atPath: path, contents: Data(line))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var total = 0, pieces = 0, maxPiece = 0, lineEnds = 0
        LineStream(fd: fd).forEachPiece { p, ends in
            total += p.count; pieces += 1; maxPiece = max(maxPiece, p.count)
            if ends { lineEnds += 1 }
            // every piece but the last of a line ends after punctuation (safe boundary), never mid-character
            if !ends, let last = p.last { XCTAssertFalse(last & 0xC0 == 0x80 && last != 0x82 && last != 0x8C) }
        }
        XCTAssertEqual(total, line.count - 1)  // all bytes but the newline
        XCTAssertEqual(lineEnds, 2)
        XCTAssertLessThanOrEqual(maxPiece, 1 << 20)
        XCTAssertGreaterThan(pieces, 45)
    }

    func testEmptyInput() {
        var pieces = 0
        LineStream(fd: open("/dev/null", O_RDONLY)).forEachPiece { _, _ in pieces += 1 }
        XCTAssertEqual(pieces, 0)
    }
}
