import Foundation
import Vapor
import XCTest
@testable import Zhimei

/// The text engine over HTTP. Needs the engine's data (scripts/text/setup-data.sh writes ./data/text).
final class TextAPITests: XCTestCase {
    func withTextApp(_ body: (TestApp) async throws -> Void) async throws {
        guard TestApp.textDataDirectory != nil else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw TestError("text data missing: run scripts/text/setup-data.sh") }
            throw XCTSkip("text data missing: run scripts/text/setup-data.sh")
        }
        try await withTestApp(body)
    }

    struct Input: Encodable { var text: String; var mode: String? = nil; var config: String? = nil; var top: Int? = nil; var method: String? = nil; var chars: Int? = nil }

    func testSegmentKeywordsSummaryAndSimHash() async throws {
        try await withTextApp { t in
            let reporter = try await t.token(for: "liuyang-reporter")
            struct Tokens: Decodable { var tokens: [String] }
            let precise = try await t.send(.POST, "/api/v1/text/segment", json: Input(text: "浏阳市融媒体中心记者今天采访了花炮产业"), as: reporter).json(Tokens.self)
            XCTAssertTrue(precise.tokens.contains("记者"), "\(precise.tokens)")
            XCTAssertEqual(precise.tokens.joined(), "浏阳市融媒体中心记者今天采访了花炮产业")
            let search = try await t.send(.POST, "/api/v1/text/segment", json: Input(text: "中华人民共和国成立了", mode: "search"), as: reporter).json(Tokens.self)
            XCTAssertTrue(search.tokens.contains("中华") && search.tokens.contains("人民") && search.tokens.contains("中华人民共和国"), "\(search.tokens)")
            let bad = try await t.send(.POST, "/api/v1/text/segment", json: Input(text: "x", mode: "fast"), as: reporter)
            XCTAssertEqual(bad.status, .unprocessableEntity)

            struct Keywords: Decodable { var keywords: [K]; struct K: Decodable { var word: String; var weight: Double } }
            let article = "浏阳花炮产业今年出口额再创新高。花炮企业加快转型升级，花炮安全生产形势稳定。浏阳市委市政府高度重视花炮产业发展。"
            let kw = try await t.send(.POST, "/api/v1/text/keywords", json: Input(text: article, top: 3), as: reporter).json(Keywords.self)
            XCTAssertEqual(kw.keywords.first?.word, "花炮")
            XCTAssertLessThanOrEqual(kw.keywords.count, 3)

            struct Summary: Decodable { var summary: String; var sentences: [String] }
            let summary = try await t.send(.POST, "/api/v1/text/summarize", json: Input(text: article, chars: 40), as: reporter).json(Summary.self)
            XCTAssertLessThanOrEqual(summary.summary.count, 40)
            XCTAssertFalse(summary.summary.isEmpty)

            struct Hash: Decodable { var simhash: String }
            let a = try await t.send(.POST, "/api/v1/text/simhash", json: Input(text: article), as: reporter).json(Hash.self).simhash
            let b = try await t.send(.POST, "/api/v1/text/simhash", json: Input(text: article + "记者 张三"), as: reporter).json(Hash.self).simhash
            let c = try await t.send(.POST, "/api/v1/text/simhash", json: Input(text: "省气象台发布暴雨橙色预警，请市民注意出行安全。"), as: reporter).json(Hash.self).simhash
            func distance(_ x: String, _ y: String) -> Int { ((UInt64(x, radix: 16) ?? 0) ^ (UInt64(y, radix: 16) ?? 0)).nonzeroBitCount }
            XCTAssertEqual(a.count, 16)
            XCTAssertLessThan(distance(a, b), distance(a, c), "a near-duplicate is closer than an unrelated text")
        }
    }

    func testConvertTraditionalAndSimplified() async throws {
        try await withTextApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            struct Out: Decodable { var text: String }
            let res = try await t.send(.POST, "/api/v1/text/convert", json: Input(text: "融媒体中心发布新闻", config: "s2t"), as: editor)
            if res.status == .serviceUnavailable, ProcessInfo.processInfo.environment["CI"] != "true" { throw XCTSkip("OpenCC not installed: \(res.text)") }
            XCTAssertEqual(try res.json(Out.self).text, "融媒體中心發佈新聞")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/text/convert", json: Input(text: "x", config: "klingon"), as: editor).status, .unprocessableEntity)
        }
    }

    func testAnonymousCannotUseTheTextAPI() async throws {
        try await withTextApp { t in
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/text/segment", json: Input(text: "你好")).status, .unauthorized)
        }
    }
}
