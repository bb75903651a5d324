import Fluent
import NIOConcurrencyHelpers
import Vapor
import ZhimeiText

/// What an outline is drafted from: the topic (and its lead's text), its keywords and the named entities found in it.
struct OutlineInput: Sendable {
    var title: String
    var description: String
    var angle: String
    var sourceText: String
    var keywords: [String]
    var people: [String]
    var places: [String]
    var organisations: [String]
}

/// A text-generation provider that drafts interview outlines. ZhimeiAI's providers plug in here
/// (`app.planningOutline.provider = …`); until one is configured, the built-in template is used.
protocol OutlineProvider: Sendable {
    /// The provider's name ("openai-compatible", "llama.cpp", …) and the model used, recorded with every draft.
    var name: String { get }
    var model: String { get }
    func draftOutline(_ input: OutlineInput) async throws -> String
}

/// The configured outline provider, if any.
final class PlanningOutlineConfig: Sendable {
    private let box = NIOLockedValueBox<(any OutlineProvider)?>(nil)
    var provider: (any OutlineProvider)? {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}

extension Application {
    private struct PlanningOutlineKey: StorageKey { typealias Value = PlanningOutlineConfig }

    /// Where a text-generation provider for interview outlines is configured.
    var planningOutline: PlanningOutlineConfig {
        if let existing = storage[PlanningOutlineKey.self] { return existing }
        let config = PlanningOutlineConfig()
        storage[PlanningOutlineKey.self] = config
        return config
    }
}

/// Interview outlines (采访提纲): drafts from the built-in template filled with keywords and entities, or by a
/// text-generation provider. Each draft records its origin (template or AI) with provider, model and time.
enum OutlineService {
    static let templateProvider = "zhimei-template"
    static let templateModel = "interview-outline-v1"

    /// Keywords and entities of a text: segments with the text engine and keeps tokens the dictionary tags as
    /// people (nr*), places (ns*) or organisations (nt*); common suffixes catch names the dictionary does not know.
    static func analyse(_ text: String, engine: TextEngine) -> (keywords: [String], people: [String], places: [String], organisations: [String]) {
        var people: [String] = [], places: [String] = [], orgs: [String] = []
        func add(_ word: String, to list: inout [String]) { if !list.contains(word), list.count < 10 { list.append(word) } }
        let placeSuffixes = ["省", "市", "县", "区", "镇", "乡", "村", "街道", "社区"]
        let orgSuffixes = ["公司", "集团", "中心", "政府", "委员会", "大学", "学院", "医院", "学校", "协会", "银行", "研究所", "局", "厅", "部"]
        // A place directly followed by an organisation names one body: 浏阳市 + 人民政府 → 浏阳市人民政府.
        var previousPlace: (text: String, end: Int)?
        for token in engine.tokenize(text) {
            let word = token.text
            guard word.count >= 2, word.unicodeScalars.contains(where: { $0.value >= 0x4E00 && $0.value <= 0x9FFF }) else { previousPlace = nil; continue }
            let tag = engine.lexicon.tag(of: word) ?? ""
            var isPlace = false
            if tag.hasPrefix("nr") { add(word, to: &people) }
            else if tag.hasPrefix("ns") { add(word, to: &places); isPlace = true }
            else if tag.hasPrefix("nt") || (word.count >= 3 && orgSuffixes.contains(where: word.hasSuffix)) || (tag == "n" && orgSuffixes.contains(where: word.hasSuffix) && previousPlace?.end == token.start) {
                if let place = previousPlace, place.end == token.start { add(place.text + word, to: &orgs) } else { add(word, to: &orgs) }
            }
            else if word.count >= 3, placeSuffixes.contains(where: word.hasSuffix) { add(word, to: &places); isPlace = true }
            previousPlace = isPlace ? (word, token.end) : nil
        }
        let keywords = engine.keywords(text, top: 8).map(\.word)
        return (keywords, people, places, orgs)
    }

    /// The built-in template.
    static func template(_ i: OutlineInput) -> String {
        var lines: [String] = []
        lines.append("采访提纲：\(i.title)")
        lines.append("（草稿，由内置模板根据选题关键词与实体生成，请编辑后使用 / Draft from the built-in template）")
        lines.append("")
        lines.append("一、选题背景")
        lines.append(i.description.isEmpty ? "（待补充）" : i.description)
        lines.append("报道角度：\(i.angle.isEmpty ? "（待定）" : i.angle)")
        lines.append("关键词：\(i.keywords.isEmpty ? "（无）" : i.keywords.joined(separator: "、"))")
        lines.append("")
        lines.append("二、采访对象")
        let focus = i.keywords.first ?? i.title
        for p in i.people { lines.append("- \(p)：请谈谈您在“\(focus)”中的亲身经历、看法与期待。") }
        for o in i.organisations { lines.append("- \(o)：请介绍“\(focus)”相关工作的进展、数据与下一步安排。") }
        if i.people.isEmpty && i.organisations.isEmpty {
            lines.append("- 相关部门负责人：政策与进展")
            lines.append("- 当事人或群众代表：亲身经历与诉求")
            lines.append("- 专家学者：背景解读与建议")
        }
        lines.append("")
        lines.append("三、核心问题")
        var n = 1
        for k in i.keywords.prefix(5) {
            lines.append("\(n). “\(k)”目前的基本情况如何？有哪些最新进展和关键数据？")
            n += 1
        }
        for p in i.places.prefix(3) {
            lines.append("\(n). \(p)在这件事上有哪些具体做法或变化？")
            n += 1
        }
        lines.append("\(n). 群众最关心的问题是什么？目前如何回应？"); n += 1
        lines.append("\(n). 遇到了哪些困难？下一步有什么计划？"); n += 1
        lines.append("\(n). 还有哪些我们没有问到、但读者应该知道的情况？")
        lines.append("")
        lines.append("四、现场与素材")
        lines.append("- 采访/拍摄地点：\(i.places.isEmpty ? "（待定）" : i.places.joined(separator: "、"))")
        lines.append("- 需要核实的数据与文件：（待补充）")
        lines.append("- 图片、视频与直播需求：见报道任务")
        return lines.joined(separator: "\n")
    }

    /// Drafts and stores a new outline for the topic.
    static func generate(_ topic: Topic, on req: Request) async throws -> InterviewOutline {
        let actor = try req.requireActor()
        var sourceText = [topic.title, topic.details, topic.angle].filter { !$0.isEmpty }.joined(separator: "。")
        if let leadID = topic.leadID, let leadText = await TopicLeadLink.text(of: leadID, on: req) {
            sourceText += "。" + leadText
        }
        var input = OutlineInput(title: topic.title, description: topic.details, angle: topic.angle, sourceText: sourceText,
                                 keywords: topic.keywords, people: [], places: [], organisations: [])
        if let engine = try? await req.application.text.engine() {
            let found = analyse(sourceText, engine: engine)
            if input.keywords.isEmpty { input.keywords = found.keywords }
            input.people = found.people
            input.places = found.places
            input.organisations = found.organisations
        }
        let outline = InterviewOutline()
        outline.id = UUID()
        outline.tenantID = topic.tenantID
        outline.topicID = try topic.requireID()
        outline.keywords = input.keywords
        outline.people = input.people
        outline.places = input.places
        outline.organisations = input.organisations
        outline.createdBy = actor.userID
        outline.generatedAt = Date()
        if let provider = req.application.planningOutline.provider {
            do {
                let text = try await provider.draftOutline(input)
                outline.content = String(text.prefix(20000))
                outline.origin = "ai"
                outline.provider = provider.name
                outline.model = provider.model
            } catch {
                req.logger.warning("outline provider \(provider.name) failed, using the template: \(String(reflecting: error))")
            }
        }
        if outline.$content.value == nil {
            outline.content = template(input)
            outline.origin = "template"
            outline.provider = templateProvider
            outline.model = templateModel
        }
        try await outline.create(on: req.db)
        await req.audit("topic.outline.generate", tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        after: ["outline_id": outline.id?.uuidString ?? "", "origin": outline.origin, "provider": outline.provider, "model": outline.model])
        return outline
    }

    static func list(_ topic: Topic, on req: Request) async throws -> [InterviewOutline] {
        try await req.scope(for: .topicsManage).query(InterviewOutline.self, on: req.db)
            .filter(\.$topicID == topic.requireID()).sort(\.$generatedAt, .descending).all()
    }

    /// Edits the latest draft (the origin metadata stays; the edit is recorded).
    static func edit(_ topic: Topic, content raw: String, on req: Request) async throws -> InterviewOutline {
        let content = TopicService.clean(raw)
        guard !content.isEmpty, content.count <= 20000 else {
            throw AppError.invalid("content", zh: "提纲不能为空，且不超过 20000 字", en: "The outline must not be empty and at most 20000 characters")
        }
        guard let latest = try await list(topic, on: req).first else {
            throw AppError.conflict("no_outline", zh: "请先生成采访提纲", en: "Generate an interview outline first")
        }
        latest.content = content
        latest.editedBy = try req.requireActor().userID
        latest.editedAt = Date()
        try await latest.save(on: req.db)
        await req.audit("topic.outline.edit", tenant: topic.tenantID, targetType: "topic", targetID: topic.id?.uuidString ?? "",
                        after: ["outline_id": latest.id?.uuidString ?? ""])
        return latest
    }
}
