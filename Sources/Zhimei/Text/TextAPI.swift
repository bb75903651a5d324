import Vapor
import ZhimeiText

/// Segmentation, Traditional/Simplified conversion, keywords, summaries and SimHash over HTTP.
struct TextAPI {
    static let maxCharacters = 500_000

    struct TextInput: Content {
        var text: String
        var mode: String?
        var hmm: Bool?
        var config: String?
        var top: Int?
        var method: String?
        var chars: Int?
    }

    struct Tokens: Content { var tokens: [String] }
    struct Converted: Content { var text: String; var config: String }
    struct KeywordOut: Content { var word: String; var weight: Double }
    struct Keywords: Content { var keywords: [KeywordOut]; var method: String }
    struct Summary: Content { var summary: String; var sentences: [String] }
    struct Fingerprint: Content { var simhash: String }

    func register(_ api: RoutesBuilder) {
        let text = api.grouped("text")
        let input: (String, Schema) = ("text", .string(maxLength: Self.maxCharacters))
        text.endpoint(.POST, "segment", access: .permission(.textUse),
                      doc: .init("Segment Chinese text (jieba-compatible) / 中文分词", tag: "text",
                                 request: .object([input, ("mode", .enumeration(SegmentMode.allCases.map(\.rawValue))), ("hmm", .boolean)], required: ["text"]),
                                 response: .object([("tokens", .array(.string))], required: ["tokens"])), use: segment)
        text.endpoint(.POST, "convert", access: .permission(.textUse),
                      doc: .init("Traditional ↔ Simplified conversion (OpenCC) / 繁简转换", tag: "text",
                                 request: .object([input, ("config", .enumeration(OpenCC.Config.allCases.map(\.rawValue)))], required: ["text", "config"]),
                                 response: .object([("text", .string), ("config", .string)], required: ["text", "config"])), use: convert)
        text.endpoint(.POST, "keywords", access: .permission(.textUse),
                      doc: .init("Keywords by TF-IDF or TextRank / 关键词", tag: "text",
                                 request: .object([input, ("top", .integer(minimum: 1, maximum: 200)), ("method", .enumeration(KeywordMethod.allCases.map(\.rawValue)))], required: ["text"]),
                                 response: .object([("keywords", .array(.object([("word", .string), ("weight", .number)], required: ["word", "weight"]))), ("method", .string)], required: ["keywords", "method"])),
                      use: keywords)
        text.endpoint(.POST, "summarize", access: .permission(.textUse),
                      doc: .init("Extractive summary (TextRank) / 自动摘要", tag: "text",
                                 request: .object([input, ("chars", .integer(minimum: 10, maximum: 5000))], required: ["text"]),
                                 response: .object([("summary", .string), ("sentences", .array(.string))], required: ["summary", "sentences"])), use: summarize)
        text.endpoint(.POST, "simhash", access: .permission(.textUse),
                      doc: .init("64-bit SimHash fingerprint (hex) / 文本指纹", tag: "text",
                                 request: .object([input], required: ["text"]),
                                 response: .object([("simhash", .string)], required: ["simhash"])), use: simhash)
    }

    static func input(_ req: Request) throws -> TextInput {
        let input = try req.content.decode(TextInput.self)
        guard input.text.unicodeScalars.count <= maxCharacters else {
            throw AppError(.payloadTooLarge, "text_too_long", zh: "文本过长（上限 \(maxCharacters) 字）", en: "Text too long (limit \(maxCharacters) characters)")
        }
        return input
    }

    @Sendable func segment(_ req: Request) async throws -> Tokens {
        let input = try Self.input(req)
        let mode: SegmentMode = try Validate.choice(input.mode, field: "mode") ?? .precise
        let engine = try await req.application.text.engine()
        return Tokens(tokens: engine.segment(input.text, mode: mode, hmm: input.hmm ?? true))
    }

    @Sendable func convert(_ req: Request) async throws -> Converted {
        let input = try Self.input(req)
        guard let config: OpenCC.Config = try Validate.choice(input.config, field: "config") else {
            throw AppError.invalid("config", zh: "缺少转换配置 config", en: "config is required")
        }
        let engine = try await req.application.text.engine()
        do {
            return Converted(text: try engine.convert(input.text, config: config), config: config.rawValue)
        } catch {
            throw AppError(.serviceUnavailable, "opencc_unavailable", zh: "繁简转换不可用：\(error)", en: "Conversion unavailable: \(error)")
        }
    }

    @Sendable func keywords(_ req: Request) async throws -> Keywords {
        let input = try Self.input(req)
        let method: KeywordMethod = try Validate.choice(input.method, field: "method") ?? .tfidf
        let top = input.top ?? 10
        guard (1...200).contains(top) else { throw AppError.invalid("top", zh: "top 须在 1–200 之间", en: "top must be 1–200") }
        let engine = try await req.application.text.engine()
        return Keywords(keywords: engine.keywords(input.text, top: top, method: method).map { KeywordOut(word: $0.word, weight: $0.weight) }, method: method.rawValue)
    }

    @Sendable func summarize(_ req: Request) async throws -> Summary {
        let input = try Self.input(req)
        let chars = input.chars ?? 200
        guard (10...5000).contains(chars) else { throw AppError.invalid("chars", zh: "摘要长度须在 10–5000 字之间", en: "chars must be 10–5000") }
        let engine = try await req.application.text.engine()
        let result = engine.summarize(input.text, maxCharacters: chars)
        return Summary(summary: result.summary, sentences: result.sentences.map(\.text))
    }

    @Sendable func simhash(_ req: Request) async throws -> Fingerprint {
        let input = try Self.input(req)
        let engine = try await req.application.text.engine()
        let value = engine.simhash(input.text)
        return Fingerprint(simhash: String(format: "%016llx", value))
    }
}
