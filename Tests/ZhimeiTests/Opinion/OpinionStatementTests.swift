import NIOConcurrencyHelpers
import Vapor
import XCTest
@testable import Zhimei

/// The response card's statement draft from the configured text-generation provider (OpenAI-compatible chat
/// protocol, served by a small local server): labelled AI-generated in JSON and on the page, and the template with
/// the reason when the provider fails or is unreachable. SQLite and PostgreSQL.
final class OpinionStatementTests: XCTestCase {
    struct Card: Decodable {
        var statement: String; var aiGenerated: Bool; var aiLabel: String?; var provider: String; var model: String; var fallbackReason: String?
    }
    struct Result: Decodable { var imported: Int; var eventIds: [UUID] }

    /// A local chat-completions server: `/ok` answers a draft, `/fail` a 500, `/garbled` a body without choices.
    final class ChatServer: @unchecked Sendable {
        // @unchecked: `app` and `port` are immutable after start; `seen` is behind a lock.
        let app: Application
        let port: Int
        let seen: NIOLockedValueBox<[(auth: String?, model: String, prompt: String)]>
        static let draft = "关于浏阳仓库火灾的情况说明（AI 草稿）：消防部门已完成扑救，无人员伤亡，原因正在核实。"

        init(app: Application, port: Int, seen: NIOLockedValueBox<[(auth: String?, model: String, prompt: String)]>) {
            self.app = app; self.port = port; self.seen = seen
        }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

        static func start() async throws -> ChatServer {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .error
            let seen = NIOLockedValueBox<[(auth: String?, model: String, prompt: String)]>([])
            app.post("ok", "v1", "chat", "completions") { req -> Response in
                struct Message: Decodable { var role: String; var content: String }
                struct Chat: Decodable { var model: String; var messages: [Message] }
                let chat = try req.content.decode(Chat.self)
                seen.withLockedValue { $0.append((req.headers.first(name: .authorization), chat.model, chat.messages.last?.content ?? "")) }
                let object: [String: Any] = ["id": "c1", "object": "chat.completion", "model": chat.model,
                                             "choices": [["index": 0, "message": ["role": "assistant", "content": "\n\(draft)\n"], "finish_reason": "stop"]]]
                var h = HTTPHeaders(); h.contentType = .json
                return Response(status: .ok, headers: h, body: .init(data: try JSONSerialization.data(withJSONObject: object)))
            }
            app.post("fail", "v1", "chat", "completions") { _ -> Response in Response(status: .internalServerError, body: "overloaded") }
            app.post("garbled", "v1", "chat", "completions") { _ -> Response in
                var h = HTTPHeaders(); h.contentType = .json
                return Response(status: .ok, headers: h, body: .init(string: #"{"error":"no choices"}"#))
            }
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            guard let port = app.http.server.shared.localAddress?.port else { throw TestError("chat server has no port") }
            return ChatServer(app: app, port: port, seen: seen)
        }

        func stop() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }

    func testProviderDraftIsLabelledAndFailuresFallBackToTheTemplate() async throws {
        if TestApp.textDataDirectory == nil { throw XCTSkip("text data missing; run scripts/text/setup-data.sh") }
        let server = try await ChatServer.start()
        do {
            try await withTestApp { t in
                let chief = try await t.token(for: "liuyang-chief")
                let body = #"{"posts":[{"id":"f1","author":"目击者","text":"浏阳集里街道一处仓库凌晨发生火灾，消防车赶到扑救，无人员伤亡。"}]}"#
                let r = try await t.send(.POST, "/api/v1/opinion/posts", raw: body, as: chief).json(Result.self)
                let event = try XCTUnwrap(r.eventIds.first)
                let path = "/api/v1/opinion/events/\(event)/response"

                // No provider: the template, not labelled, no fallback reason.
                var card = try await t.send(.GET, path, as: chief).json(Card.self)
                XCTAssertFalse(card.aiGenerated)
                XCTAssertNil(card.aiLabel)
                XCTAssertNil(card.fallbackReason)
                XCTAssertEqual(card.provider, "zhimei-template")
                XCTAssertTrue(card.statement.contains("草稿"))

                // The configured provider (the same settings the Review module's AI suggestions use) drafts it.
                t.app.proofreadProvider.config = ProofreadProviderConfig(baseURL: server.url("ok/"), model: "tiny-chat", apiKey: "sk-test")
                card = try await t.send(.GET, path, as: chief).json(Card.self)
                XCTAssertTrue(card.aiGenerated)
                XCTAssertEqual(card.aiLabel, "AI生成 / AI-generated")
                XCTAssertEqual(card.statement, ChatServer.draft, "trimmed provider text")
                XCTAssertEqual(card.provider, "openai-compatible")
                XCTAssertEqual(card.model, "tiny-chat")
                XCTAssertNil(card.fallbackReason)
                let request = try XCTUnwrap(server.seen.withLockedValue { $0.last })
                XCTAssertEqual(request.auth, "Bearer sk-test")
                XCTAssertEqual(request.model, "tiny-chat")
                XCTAssertTrue(request.prompt.contains("仓库凌晨发生火灾"), "the facts are sent: \(request.prompt)")
                // The event page shows the AIGC label with provider and model.
                let page = try await t.send(.GET, "/opinion/events/\(event)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-chief"))
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("data-aigc=\"1\""), "AIGC label on the page")
                XCTAssertTrue(page.text.contains("tiny-chat"))
                XCTAssertTrue(page.text.contains("消防部门已完成扑救"))

                // Provider failures: the template, with the reason, never an error.
                for (base, reason) in [("http://127.0.0.1:9", "无法连接"), (server.url("fail"), "HTTP 500"), (server.url("garbled"), "无法解析")] {
                    t.app.proofreadProvider.config = ProofreadProviderConfig(baseURL: base, model: "tiny-chat", apiKey: nil)
                    let res = try await t.send(.GET, path, as: chief)
                    XCTAssertEqual(res.status, .ok, base)
                    card = try res.json(Card.self)
                    XCTAssertFalse(card.aiGenerated, base)
                    XCTAssertNil(card.aiLabel, base)
                    XCTAssertEqual(card.provider, "zhimei-template", base)
                    XCTAssertTrue(card.statement.contains("草稿"), base)
                    XCTAssertTrue(card.fallbackReason?.contains(reason) ?? false, "\(base): \(card.fallbackReason ?? "nil")")
                    XCTAssertTrue(card.fallbackReason?.contains("template used instead") ?? false)
                }
                let failedPage = try await t.send(.GET, "/opinion/events/\(event)", headers: ["Accept": "text/html"], as: try await t.session(for: "liuyang-chief"))
                XCTAssertFalse(failedPage.text.contains("data-aigc=\"1\""))
                XCTAssertTrue(failedPage.text.contains("已改用模板"))
                XCTAssertEqual(server.seen.withLockedValue { $0.count }, 2, "the ok endpoint was called for the JSON card and the page")
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
