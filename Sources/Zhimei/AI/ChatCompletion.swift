import AsyncHTTPClient
import Foundation
import NIOCore

/// One request to an OpenAI-compatible `/v1/chat/completions` service (the text-generation provider configured by
/// ZHIMEI_PROOFREAD_PROVIDER_*): one user message, the first choice's message content back. Shared by the Review
/// module's "AI 建议" and the Opinion module's statement drafts, so the protocol is written once.
enum ChatCompletion {
    /// Why no answer came back; callers decide what to tell the user.
    enum Failure: Error, Equatable {
        /// The request could not be sent or timed out.
        case unreachable
        /// The service answered with another status than 200.
        case status(UInt)
        /// The answer was too large or had no `choices[0].message.content`.
        case unreadable
    }

    static func complete(prompt: String, temperature: Double, config: ProofreadProviderConfig, client: HTTPClient,
                         timeout: TimeAmount, maxAnswerBytes: Int) async throws -> String {
        let body: [String: Any] = ["model": config.model, "temperature": temperature, "messages": [["role": "user", "content": prompt]]]
        var request = HTTPClientRequest(url: config.baseURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = config.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw Failure.unreachable
        }
        guard response.status == .ok else { throw Failure.status(response.status.code) }
        guard let buffer = try? await response.body.collect(upTo: maxAnswerBytes),
              let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any],
              let choices = object["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
              let content = message["content"] as? String else { throw Failure.unreadable }
        return content
    }
}
