import Foundation
import Vapor
import XCTVapor
@testable import Zhimei

/// Shapes and helpers for the proofreading and lexicon tests.
enum ProofreadFixture {
    struct FindingOut: Decodable { var category: String; var subcategory: String?; var severity: String; var start: Int; var end: Int; var text: String; var ruleId: String; var message: String; var messageEn: String }
    struct ReportOut: Decodable { var tenantId: UUID; var characters: Int; var blocked: Bool; var findings: [FindingOut]; var text: String; var format: String?; var encoding: String? }
    struct EntryOut: Decodable { var id: UUID; var level: String; var tenantId: UUID?; var kind: String; var term: String; var category: String; var severity: String; var title: String; var items: [String]; var note: String }
    struct PageOut: Decodable { var items: [EntryOut]; var total: Int }
    struct RowError: Decodable { var line: Int; var message: String; var messageEn: String }
    struct ImportOut: Decodable { var created: Int; var updated: Int; var unchanged: Int; var skipped: Int; var errors: [RowError] }
    struct Entry: Encodable {
        var level: String? = nil; var tenantId: UUID? = nil; var kind: String; var term: String; var category: String? = nil
        var severity: String? = nil; var title: String? = nil; var items: [String]? = nil; var note: String? = nil
    }
    struct Text: Encodable { var text: String; var headline: String? = nil; var tenantId: UUID? = nil }

    @discardableResult
    static func addTerm(_ t: TestApp, _ term: String, category: String = "违禁", severity: String = "block", as actor: TestActor,
                        level: String? = nil, tenant: UUID? = nil) async throws -> EntryOut {
        let r = try await t.send(.POST, "/api/v1/review/lexicon", json: Entry(level: level, tenantId: tenant, kind: "sensitive", term: term, category: category, severity: severity), as: actor)
        guard r.status == .created else { throw TestError("add term: \(r.status) \(r.text)") }
        return try r.json(EntryOut.self)
    }

    static func proofread(_ t: TestApp, _ text: String, headline: String? = nil, as actor: TestActor) async throws -> ReportOut {
        let r = try await t.send(.POST, "/api/v1/proofread", json: Text(text: text, headline: headline), as: actor)
        guard r.status == .ok else { throw TestError("proofread: \(r.status) \(r.text)") }
        return try r.json(ReportOut.self)
    }

    /// A raw (non-JSON) body through the whole middleware stack.
    static func raw(_ t: TestApp, _ method: HTTPMethod, _ path: String, data: Data, type: HTTPMediaType = .binary, as actor: TestActor) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .accept, value: "application/json")
        actor.authorize(&headers, csrf: true)
        return try await t.app.testable().performTest(request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: ByteBuffer(data: data)))
    }

    static func hex(_ s: String) -> Data {
        var out = Data()
        var i = s.startIndex
        while i < s.endIndex, let j = s.index(i, offsetBy: 2, limitedBy: s.endIndex) {
            out.append(UInt8(s[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out
    }

    static func body(_ r: TestingHTTPResponse) -> Data { Data(buffer: r.body) }
}

/// A tiny local web server for the URL-fetch tests: /page.html, /plain.txt, /redirect (→ /page.html) and /big (6 MB).
final class PageServer: @unchecked Sendable {
    // @unchecked: immutable after start.
    let app: Application
    let port: Int

    private init(app: Application, port: Int) { self.app = app; self.port = port }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    static func start() async throws -> PageServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        app.get("page.html") { _ -> Response in
            var h = HTTPHeaders(); h.contentType = .html
            return Response(status: .ok, headers: h, body: .init(string: "<html><body><p>网页里有禁词测试。</p><script>var x = 1;</script></body></html>"))
        }
        app.get("plain.txt") { _ -> Response in
            var h = HTTPHeaders(); h.contentType = .plainText
            return Response(status: .ok, headers: h, body: .init(string: "纯文本禁词测试"))
        }
        app.get("redirect") { req -> Response in req.redirect(to: "/page.html") }
        app.get("big") { _ -> Response in
            var h = HTTPHeaders(); h.contentType = .plainText
            return Response(status: .ok, headers: h, body: .init(string: String(repeating: "字", count: 2_100_000)))
        }
        // An OpenAI-compatible chat endpoint that flags one fragment of the user's text.
        app.post("v1", "chat", "completions") { req -> Response in
            struct Message: Decodable { var content: String }
            struct Chat: Decodable { var model: String; var messages: [Message] }
            let chat = try req.content.decode(Chat.self)
            let flagged = chat.messages.last?.content.contains("提高了水平") == true
            let content = flagged ? "好的：\n```json\n[{\"text\":\"提高了水平\",\"suggestion\":\"提升了水平\",\"reason\":\"搭配更自然\"},{\"text\":\"原文里没有\"}]\n```" : "[]"
            let object: [String: Any] = ["id": "x", "object": "chat.completion", "model": chat.model,
                                         "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]]]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            var h = HTTPHeaders(); h.contentType = .json
            return Response(status: .ok, headers: h, body: .init(string: body))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestError("page server has no port") }
        return PageServer(app: app, port: port)
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
