import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// Drafts response statements with the configured text-generation provider — the same OpenAI-compatible
/// `/v1/chat/completions` service, settings (`app.proofreadProvider.config`, ZHIMEI_PROOFREAD_PROVIDER_*) and shared
/// HTTP client the Review module uses for its "AI 建议", so a newsroom configures one provider for both.
struct ChatStatementProvider: StatementProvider {
    let config: ProofreadProviderConfig
    let client: HTTPClient
    var name: String { "openai-compatible" }
    var model: String { config.model }

    /// Longest draft kept (a statement is a few paragraphs; anything longer is cut).
    static let maxCharacters = 4000
    static let timeout: TimeAmount = .seconds(15)

    /// Why a provider draft was not used; the card shows it beside the template.
    struct Failure: Error, CustomStringConvertible {
        var zh: String, en: String
        var description: String { "\(zh) / \(en)" }
    }

    static func prompt(title: String, facts: [String], negativeShare: Double) -> String {
        let known = facts.prefix(6).map { "- \($0)" }.joined(separator: "\n")
        return """
        你是新闻单位的舆情应对助手。请根据下列事件标题和已知信息，起草一份简短的情况说明（回应声明）草稿：\
        语气诚恳、客观，只使用给出的信息，不编造数字、人名和结论；未核实的内容写“正在核实”；不超过 300 字；只输出正文。
        事件：\(title)
        负面声量占比：\(Int((negativeShare * 100).rounded()))%
        已知信息：
        \(known)
        """
    }

    func draftStatement(title: String, facts: [String], negativeShare: Double) async throws -> String {
        let content: String
        do {
            content = try await ChatCompletion.complete(prompt: Self.prompt(title: title, facts: facts, negativeShare: negativeShare), temperature: 0.3,
                                                        config: config, client: client, timeout: Self.timeout, maxAnswerBytes: 1024 * 1024)
        } catch ChatCompletion.Failure.unreachable {
            throw Failure(zh: "生成服务无法连接", en: "the text-generation provider could not be reached")
        } catch ChatCompletion.Failure.status(let code) {
            throw Failure(zh: "生成服务返回 HTTP \(code)", en: "the text-generation provider answered HTTP \(code)")
        } catch ChatCompletion.Failure.unreadable {
            throw Failure(zh: "生成服务的回答无法解析", en: "the text-generation provider's answer could not be read")
        }
        let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Failure(zh: "生成服务返回空文本", en: "the text-generation provider returned no text") }
        return String(text.prefix(Self.maxCharacters))
    }
}
