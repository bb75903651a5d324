import Fluent
import Vapor

/// Web pages: list, new, read view, editor, version diff.
struct StoriesPages {
    func register(_ app: RoutesBuilder) {
        app.page(.GET, "stories", access: .permission(.storiesRead), use: list)
        app.page(.GET, "stories", "new", access: .permission(.storiesWrite), use: new)
        app.page(.GET, "stories", ":storyID", access: .permission(.storiesRead), use: show)
        app.page(.GET, "stories", ":storyID", "edit", access: .permission(.storiesWrite), use: edit)
        app.page(.GET, "stories", ":storyID", "versions", access: .permission(.storiesRead), use: versions)
    }

    struct Row: Encodable {
        var id: String; var headline: String; var status: String; var statusKey: String; var version: Int
        var author: String; var updated: String; var tags: String
    }
    struct StatusOption: Encodable { var value: String; var key: String; var selected: Bool }
    struct ListView: Encodable {
        var rows: [Row]; var statuses: [StatusOption]; var mine: Bool; var tag: String; var q: String; var canWrite: Bool
    }

    static func statusKey(_ s: Story.Status) -> String { "stories.status.\(s.rawValue)" }

    @Sendable func list(_ req: Request) async throws -> View {
        var filter = StoryService.ListFilter()
        let mineRaw = (try? req.query.get(String.self, at: "mine")) ?? ""
        filter.mine = ["1", "true", "on"].contains(mineRaw)
        let statusRaw = (try? req.query.get(String.self, at: "status")) ?? ""
        filter.status = Story.Status(rawValue: statusRaw)
        let tag = StoryValidation.clean((try? req.query.get(String.self, at: "tag")) ?? "")
        let q = StoryValidation.clean((try? req.query.get(String.self, at: "q")) ?? "")
        filter.tag = tag.isEmpty ? nil : tag
        filter.q = q.isEmpty ? nil : String(q.prefix(100))
        let stories = try await StoryService.list(filter, on: req)
        let rows = stories.map { s in
            Row(id: s.id?.uuidString ?? "", headline: s.headline, status: s.status.rawValue, statusKey: Self.statusKey(s.status), version: s.version,
                author: s.authorName, updated: DisplayTime.format(s.updatedAt), tags: s.tags.joined(separator: "、"))
        }
        let view = ListView(rows: rows, statuses: Story.Status.allCases.map { StatusOption(value: $0.rawValue, key: Self.statusKey($0), selected: $0 == filter.status) },
                            mine: filter.mine, tag: tag, q: q, canWrite: try req.requireActor().canAnywhere(.storiesWrite))
        return try await PageContext.render("stories/list", titleKey: "stories.title", section: "stories", body: view, on: req)
    }

    struct NewView: Encodable { var topicID: String; var topicTitle: String }

    @Sendable func new(_ req: Request) async throws -> View {
        var view = NewView(topicID: "", topicTitle: "")
        if let raw = try? req.query.get(String.self, at: "topic_id"), let id = UUID(uuidString: raw),
           let topic = try? await TopicService.find(id, on: req) {
            view = NewView(topicID: id.uuidString, topicTitle: topic.title)
        }
        return try await PageContext.render("stories/new", titleKey: "stories.new", section: "stories", body: view, on: req)
    }

    struct VersionRow: Encodable { var version: Int; var author: String; var time: String; var note: String; var current: Bool; var previous: Int }
    struct ShowView: Encodable {
        var id: String; var headline: String; var subtitle: String; var lead: String; var byline: String; var tags: [String]
        var categories: String; var location: String; var embargo: String; var status: String; var statusKey: String; var version: Int
        var html: String; var characters: Int; var readingMinutes: Int; var editable: Bool; var canWrite: Bool
        /// County stories can be submitted (上报) to the platform pool.
        var canSubmitToPool: Bool
        var versions: [VersionRow]; var aigc: Bool; var author: String; var updated: String; var topicID: String
    }

    @Sendable func show(_ req: Request) async throws -> View {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        let id = try story.requireID()
        let versions = try await StoryService.versions(of: story, on: req)
        let characters = StoryAssist.countCharacters(StoryService.plainText(story))
        let actor = try req.requireActor()
        let isCounty = try await Tenant.find(story.tenantID, on: req.db)?.kind == .county
        let lang = Localizer.language(of: req)
        let view = ShowView(
            id: id.uuidString, headline: story.headline, subtitle: story.subtitle, lead: story.lead, byline: story.byline, tags: story.tags,
            categories: story.categories.joined(separator: "、"), location: story.location, embargo: story.embargo.map(DisplayTime.format) ?? "",
            status: story.status.rawValue, statusKey: Self.statusKey(story.status), version: story.version,
            html: StoryRenderer.html(story.body, storyID: id), characters: characters, readingMinutes: StoryAssist.readingMinutes(characters),
            editable: story.status.isEditable, canWrite: actor.can(.storiesWrite, in: story.tenantID),
            canSubmitToPool: isCounty && actor.can(.storiesWrite, in: story.tenantID) && story.status != .rejected,
            versions: versions.map { VersionRow(version: $0.version, author: $0.authorName, time: DisplayTime.format($0.createdAt), note: Self.versionNote($0.note, lang),
                                                current: $0.version == story.version, previous: max(1, $0.version - 1)) },
            aigc: story.aigc != nil || story.body.contains { $0.aigc != nil }, author: story.authorName, updated: DisplayTime.format(story.updatedAt),
            topicID: story.topicID?.uuidString ?? "")
        return try await PageContext.render("stories/show", titleKey: "stories.title", section: "stories", body: view, on: req)
    }

    struct EditView: Encodable { var id: String; var headline: String }

    @Sendable func edit(_ req: Request) async throws -> View {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req, for: .storiesWrite)
        return try await PageContext.render("stories/edit", titleKey: "stories.edit", section: "stories",
                                            body: EditView(id: try story.requireID().uuidString, headline: story.headline), on: req)
    }

    struct SegmentView: Encodable { var op: String; var text: String }
    struct FieldView: Encodable { var field: String; var key: String; var segments: [SegmentView] }
    struct BlockView: Encodable { var change: String; var type: String; var segments: [SegmentView] }
    struct Choice: Encodable { var version: Int; var label: String; var fromSelected: Bool; var toSelected: Bool }
    struct VersionsView: Encodable {
        var id: String; var headline: String; var choices: [Choice]; var from: Int; var to: Int
        var fields: [FieldView]; var blocks: [BlockView]; var inserted: Int; var deleted: Int; var single: Bool
    }

    @Sendable func versions(_ req: Request) async throws -> View {
        let story = try await StoryService.find(StoriesAPI.storyID(req), on: req)
        let all = try await StoryService.versions(of: story, on: req)
        let to = ((try? StoriesAPI.intQuery(req, "to")) ?? nil).map { min($0, story.version) } ?? story.version
        let from = ((try? StoriesAPI.intQuery(req, "from")) ?? nil).map { min($0, story.version) } ?? max(1, to - 1)
        let a = try await StoryService.findVersion(story, from, on: req)
        let b = try await StoryService.findVersion(story, to, on: req)
        let diff = StoryDiff.compare(a.snapshot, from: from, b.snapshot, to: to)
        func segs(_ s: [DiffSegment]) -> [SegmentView] { s.map { SegmentView(op: $0.op.rawValue, text: $0.text) } }
        let view = VersionsView(
            id: try story.requireID().uuidString, headline: story.headline,
            choices: all.map { Choice(version: $0.version, label: "v\($0.version) · \($0.authorName) · \(DisplayTime.format($0.createdAt))",
                                      fromSelected: $0.version == from, toSelected: $0.version == to) },
            from: from, to: to,
            fields: diff.fields.filter(\.changed).map { FieldView(field: $0.field, key: "stories.\($0.field)", segments: segs($0.segments)) },
            blocks: diff.blocks.map { BlockView(change: $0.change, type: $0.type, segments: segs($0.segments)) },
            inserted: diff.inserted, deleted: diff.deleted, single: all.count < 2)
        return try await PageContext.render("stories/versions", titleKey: "stories.versions", section: "stories", body: view, on: req)
    }

    /// A version's reason in words ("create" → 新建, "restore:3" → 恢复到 v3); a reason it does not know is shown as it is.
    static func versionNote(_ note: String, _ lang: String) -> String {
        let en = lang == "en"
        let parts = note.split(separator: ":", maxSplits: 1).map(String.init)
        let detail = parts.count > 1 ? parts[1] : ""
        switch parts.first ?? "" {
        case "create": return en ? "Created" : "新建"
        case "save": return en ? "Saved" : "保存"
        case "restore": return en ? "Restored v\(detail)" : "恢复到 v\(detail)"
        case "import": return en ? "Imported (\(detail.uppercased()))" : "导入（\(detail.uppercased())）"
        case "republish": return en ? "Republished from another tenant" : "转发/采用"
        default: return note
        }
    }
}
