import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor
import ZhimeiReview

/// Optional fluency and common-sense suggestions from a text-generation provider speaking the OpenAI-compatible
/// `/v1/chat/completions` protocol. Its findings are category `provider`, severity `info`, rule `provider.fluency`:
/// clearly marked, never blocking, never part of the workflow gate. Configure with ZHIMEI_PROOFREAD_PROVIDER_URL
/// (base URL), ZHIMEI_PROOFREAD_PROVIDER_MODEL and ZHIMEI_PROOFREAD_PROVIDER_KEY, or set `app.proofreadProvider.config`.
struct ProofreadProviderConfig: Sendable {
    var baseURL: String
    var model: String
    var apiKey: String?

    static func fromEnvironment() -> ProofreadProviderConfig? {
        guard let url = Environment.get("ZHIMEI_PROOFREAD_PROVIDER_URL"), !url.isEmpty else { return nil }
        return ProofreadProviderConfig(baseURL: url, model: Environment.get("ZHIMEI_PROOFREAD_PROVIDER_MODEL") ?? "default",
                                       apiKey: Environment.get("ZHIMEI_PROOFREAD_PROVIDER_KEY"))
    }
}

/// Holds the provider configuration (nil = no provider; the built-in engine alone).
final class ProofreadProviderSlot: Sendable {
    private let box = NIOLockedValueBox<ProofreadProviderConfig?>(ProofreadProviderConfig.fromEnvironment())
    var config: ProofreadProviderConfig? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}

extension Application {
    private struct ProofreadProviderKey: StorageKey { typealias Value = ProofreadProviderSlot }
    private static let proofreadProviderLock = NIOLock()

    /// The optional proofreading provider.
    var proofreadProvider: ProofreadProviderSlot {
        Self.proofreadProviderLock.withLock {
            if let existing = storage[ProofreadProviderKey.self] { return existing }
            let slot = ProofreadProviderSlot()
            storage[ProofreadProviderKey.self] = slot
            return slot
        }
    }
}

enum ProofreadProvider {
    /// Texts longer than this are not sent (the provider is a suggestion service, not the engine).
    static let maxCharacters = 6000
    static let timeout: TimeAmount = .seconds(20)

    struct Suggestion: Decodable { var text: String; var suggestion: String?; var reason: String? }

    /// Suggestions for `text`; any provider failure yields none (the engine's findings stand on their own).
    static func suggestions(_ text: String, config: ProofreadProviderConfig, client: HTTPClient, logger: Logger) async -> [ReviewFinding] {
        guard !text.isEmpty, text.unicodeScalars.count <= maxCharacters else { return [] }
        let prompt = "你是新闻校对助手。找出下文中不通顺、搭配不当或不合常识的句子片段，只输出 JSON 数组，每项为 {\"text\": 原文片段（必须逐字出现在原文中）, \"suggestion\": 改写建议, \"reason\": 理由}；没有问题输出 []。\n\n" + text
        do {
            let content = try await ChatCompletion.complete(prompt: prompt, temperature: 0, config: config, client: client,
                                                            timeout: timeout, maxAnswerBytes: 2 * 1024 * 1024)
            return findings(content, in: text)
        } catch {
            logger.warning("proofreading provider failed: \(String(describing: error).prefix(200))")
            return []
        }
    }

    /// The provider's JSON array (possibly inside a ```json fence) as findings anchored on the first occurrence of each fragment.
    static func findings(_ content: String, in text: String) -> [ReviewFinding] {
        guard let open = content.firstIndex(of: "["), let close = content.lastIndex(of: "]"), open < close,
              let items = try? JSONDecoder().decode([Suggestion].self, from: Data(content[open...close].utf8)) else { return [] }
        let scalars = Array(text.unicodeScalars)
        var out: [ReviewFinding] = []
        for item in items.prefix(50) {
            let needle = Array(item.text.unicodeScalars)
            guard !needle.isEmpty, needle.count <= scalars.count else { continue }
            guard let start = (0...(scalars.count - needle.count)).first(where: { i in scalars[i..<(i + needle.count)].elementsEqual(needle) }) else { continue }
            let reason = item.reason ?? ""
            out.append(ReviewFinding(category: .provider, subcategory: "AI", severity: .info, start: start, end: start + needle.count, text: item.text,
                                     messageZh: "AI 建议（仅供参考）：\(reason)", messageEn: "AI suggestion (advisory): \(reason)",
                                     suggestions: item.suggestion.map { [$0] } ?? [], ruleID: "provider.fluency", confidence: 0.3))
        }
        return out
    }
}
