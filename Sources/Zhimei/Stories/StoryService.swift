import Fluent
import Foundation
import Vapor

/// The Stories business logic: create, save (versioned, conflict-checked, lock-aware), restore, status, locks.
/// Other modules (Review, Publishing) call `find`, `plainText` and `setStatus`.
enum StoryService {
    /// How long an edit lock lasts without a heartbeat.
    static let lockTTL: TimeInterval = 60

    // MARK: Contract used by other modules

    /// A story inside the actor's scope for `permission`; 404 when missing or another tenant's.
    static func find(_ id: UUID?, on req: Request, for permission: Permission = .storiesRead) async throws -> Story {
        try await req.scope(for: permission).find(Story.self, id, on: req.db)
    }

    /// Plain text of the whole story (headline + subtitle + lead + blocks, one per line), for proofreading and search.
    static func plainText(_ story: Story) -> String {
        plainText(headline: story.headline, subtitle: story.subtitle, lead: story.lead, body: story.body)
    }

    static func plainText(headline: String, subtitle: String, lead: String, body: [StoryBlock]) -> String {
        var lines: [String] = [headline]
        if !subtitle.isEmpty { lines.append(subtitle) }
        if !lead.isEmpty { lines.append(lead) }
        lines.append(contentsOf: body.map(\.plainText).filter { !$0.isEmpty })
        return lines.joined(separator: "\n")
    }

    /// Sets the workflow status (called by the Review module); audited; bumps nothing else (no version, no body change).
    static func setStatus(_ story: Story, _ status: Story.Status, on req: Request) async throws {
        let before = story.status
        guard before != status else { return }
        story.status = status
        story.updatedAt = Date()   // a status change is a change: the search index syncs by updated_at
        try await story.save(on: req.db)
        await req.audit("story.status", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "",
                        before: ["status": before.rawValue], after: ["status": status.rawValue])
    }

    // MARK: Input

    /// The editable content of a story, as sent by the editor and the API (a full snapshot).
    struct ContentInput: Content {
        var headline: String?
        var subtitle: String?
        var lead: String?
        var byline: String?
        var tags: [String]?
        var categories: [String]?
        var location: String?
        var language: String?
        var embargo: Date?
        var body: [StoryBlock]?
        var aigc: AIGCLabel?
    }

    /// A new story: its content plus where it belongs. The JSON is flat, as for `ContentInput`.
    struct CreateInput: Decodable, Sendable {
        var content: ContentInput
        var tenantId: UUID?
        /// The topic (选题) this story covers; checked with `TopicService.find` (same tenant, in the actor's scope).
        var topicId: UUID?

        init(content: ContentInput, tenantId: UUID? = nil, topicId: UUID? = nil) {
            self.content = content
            self.tenantId = tenantId
            self.topicId = topicId
        }

        private enum Keys: String, CodingKey { case tenantId, topicId }

        init(from decoder: Decoder) throws {
            content = try ContentInput(from: decoder)
            let keys = try decoder.container(keyedBy: Keys.self)
            tenantId = try keys.decodeIfPresent(UUID.self, forKey: .tenantId)
            topicId = try keys.decodeIfPresent(UUID.self, forKey: .topicId)
        }
    }

    /// A save: the full content plus the version it was edited from. The JSON is flat, as for `ContentInput`.
    struct UpdateInput: Decodable, Sendable {
        var content: ContentInput
        var baseVersion: Int?

        private enum Keys: String, CodingKey { case baseVersion }

        init(from decoder: Decoder) throws {
            content = try ContentInput(from: decoder)
            baseVersion = try decoder.container(keyedBy: Keys.self).decodeIfPresent(Int.self, forKey: .baseVersion)
        }
    }

    /// Validates and cleans input into a snapshot for a story of `tenantID`.
    static func snapshot(_ input: ContentInput, tenantID: UUID) throws -> StorySnapshot {
        let story = Story()
        story.headline = try StoryValidation.text(input.headline ?? "", field: "headline", max: 300, zh: "标题")
        story.subtitle = try StoryValidation.text(input.subtitle ?? "", field: "subtitle", max: 300, zh: "副标题")
        story.lead = try StoryValidation.text(input.lead ?? "", field: "lead", max: 5000, zh: "导语", multiline: true)
        story.byline = try StoryValidation.text(input.byline ?? "", field: "byline", max: 200, zh: "署名")
        story.tags = try StoryValidation.labels(input.tags ?? [], field: "tags", zh: "标签", maxCount: 30)
        story.categories = try StoryValidation.labels(input.categories ?? [], field: "categories", zh: "栏目分类", maxCount: 20)
        story.location = try StoryValidation.text(input.location ?? "", field: "location", max: 200, zh: "地点")
        story.language = try StoryValidation.language(input.language ?? "zh")
        story.embargo = input.embargo
        story.body = try StoryValidation.blocks(input.body ?? [], tenantID: tenantID)
        story.aigc = try input.aigc.map(StoryValidation.label)
        return StorySnapshot(story)
    }

    // MARK: Create, save, restore

    static func create(_ input: CreateInput, note: String = "create", on req: Request) async throws -> Story {
        let actor = try req.requireActor()
        var tenantID = input.tenantId ?? actor.activeTenantID
        let scope = try req.scope(for: .storiesWrite)
        var content = input.content
        if let topicID = input.topicId {
            let topic = try await TopicService.find(topicID, on: req)
            if input.tenantId == nil { tenantID = topic.tenantID }
            guard topic.tenantID == tenantID else {
                throw AppError.invalid("topic_id", zh: "选题与稿件不属于同一单位", en: "The topic belongs to another tenant than the story")
            }
            if (content.headline ?? "").trimmingCharacters(in: .whitespaces).isEmpty { content.headline = String(topic.title.prefix(300)) }
        }
        try await scope.checkPayload(tenantID, on: req.db)  // 422 for a tenant that does not exist
        let snap = try snapshot(content, tenantID: tenantID)
        guard !snap.headline.isEmpty else {
            throw AppError.invalid("headline", zh: "标题不能为空", en: "The headline is required")
        }
        let story = Story()
        story.id = UUID()
        story.tenantID = tenantID
        story.authorID = actor.userID
        story.authorName = actor.displayName
        snap.apply(to: story)
        story.status = .draft
        story.version = 1
        story.topicID = input.topicId
        story.createdAt = Date()
        story.updatedAt = story.createdAt
        story.fingerprint = await fingerprint(of: story, on: req)
        let version = makeVersion(story, note: note, actor: actor)
        try await req.db.transaction { db in
            try await story.create(on: db)
            try await version.create(on: db)
        }
        var after = ["headline": story.headline, "version": "1", "note": note]
        if let topic = input.topicId { after["topic_id"] = topic.uuidString }
        await req.audit("story.create", tenant: tenantID, targetType: "story", targetID: story.id!.uuidString, after: after)
        return story
    }

    /// Thrown when a save's base version is not the current version: carries both sides for the client.
    struct VersionConflict: Error {
        let current: Story
        let submitted: StorySnapshot
        let baseVersion: Int
    }

    /// Saves a new version. Checks: editable status (409 稿件审核中), nobody else holds the lock (409), the base
    /// version is current (VersionConflict → 409 with both versions).
    static func save(_ story: Story, _ input: ContentInput, baseVersion: Int?, note: String = "save", on req: Request) async throws -> Story {
        let actor = try req.requireActor()
        guard let baseVersion else {
            throw AppError.invalid("base_version", zh: "缺少 base_version（编辑所基于的版本号）", en: "base_version (the version you edited) is required")
        }
        try checkEditable(story, actor: actor)
        let snap = try snapshot(input, tenantID: story.tenantID)
        guard !snap.headline.isEmpty else {
            throw AppError.invalid("headline", zh: "标题不能为空", en: "The headline is required")
        }
        guard baseVersion == story.version else {
            // A retried save whose content already is the current version (the first attempt got through
            // before the connection dropped) is not a conflict.
            if baseVersion < story.version, snap == StorySnapshot(story) { return story }
            throw VersionConflict(current: story, submitted: snap, baseVersion: baseVersion)
        }
        return try await commit(story, snap, note: note, actor: actor, on: req)
    }

    /// Restores an earlier version as a new version.
    static func restore(_ story: Story, version number: Int, on req: Request) async throws -> Story {
        let actor = try req.requireActor()
        try checkEditable(story, actor: actor)
        let version = try await findVersion(story, number, on: req)
        return try await commit(story, version.snapshot, note: "restore:\(number)", actor: actor, on: req)
    }

    static func checkEditable(_ story: Story, actor: Actor) throws {
        switch story.status {
        case .inReview:
            throw AppError.conflict("story_in_review", zh: "稿件审核中，不能修改（退回或撤回后可编辑）", en: "The story is in review and cannot be edited until it is returned or recalled")
        case .approved, .published:
            throw AppError.conflict("story_approved", zh: "稿件已通过审核或已发布，不能修改", en: "The story is approved or published and cannot be edited")
        case .rejected:
            throw AppError.conflict("story_rejected", zh: "稿件已被退稿，不能修改", en: "The story was rejected and cannot be edited")
        case .draft, .returned, .recalled:
            break
        }
        if let lock = story.activeLock(), lock.id != actor.userID {
            throw AppError.conflict("story_locked", zh: "\(lock.name) 正在编辑此稿件，请先接管编辑锁", en: "\(lock.name) is editing this story; take over the lock first")
        }
    }

    /// Writes the snapshot as version `story.version + 1`. The unique (story_id, version) index makes a concurrent
    /// save with the same base fail instead of overwriting.
    private static func commit(_ story: Story, _ snap: StorySnapshot, note: String, actor: Actor, on req: Request) async throws -> Story {
        let before = story.version
        snap.apply(to: story)
        story.version = before + 1
        story.updatedAt = Date()
        story.fingerprint = await fingerprint(of: story, on: req)
        let version = makeVersion(story, note: note, actor: actor)
        do {
            try await req.db.transaction { db in
                try await version.create(on: db)
                try await story.save(on: db)
            }
        } catch {
            // A unique violation on (story_id, version): someone saved the same base at the same moment.
            guard let current = try await Story.find(story.requireID(), on: req.db), current.version != before else { throw error }
            throw VersionConflict(current: current, submitted: snap, baseVersion: before)
        }
        await req.audit("story.save", tenant: story.tenantID, targetType: "story", targetID: story.id!.uuidString,
                        before: ["version": String(before)], after: ["version": String(story.version), "note": note])
        return story
    }

    private static func makeVersion(_ story: Story, note: String, actor: Actor) -> StoryVersion {
        let version = StoryVersion()
        version.id = UUID()
        version.storyID = story.id!
        version.tenantID = story.tenantID
        version.version = story.version
        version.snapshot = StorySnapshot(story)
        version.authorID = actor.userID
        version.authorName = actor.displayName
        version.note = note
        version.createdAt = Date()
        return version
    }

    static func fingerprint(of story: Story, on req: Request) async -> String? {
        guard let engine = try? await req.application.text.engine() else { return nil }
        return String(format: "%016llx", engine.simhash(plainText(story)))
    }

    static func versions(of story: Story, on req: Request) async throws -> [StoryVersion] {
        try await req.scope(for: .storiesRead).query(StoryVersion.self, on: req.db)
            .filter(\.$storyID == story.requireID()).sort(\.$version, .descending).all()
    }

    static func findVersion(_ story: Story, _ number: Int, on req: Request) async throws -> StoryVersion {
        guard let version = try await req.scope(for: .storiesRead).query(StoryVersion.self, on: req.db)
            .filter(\.$storyID == story.requireID()).filter(\.$version == number).first() else {
            throw AppError(.notFound, "version_not_found", zh: "找不到版本 \(number)", en: "Version \(number) not found")
        }
        return version
    }

    // MARK: Listing

    struct ListFilter {
        var mine = false
        var status: Story.Status?
        var tag: String?
        var q: String?
        var limit = 100
    }

    static func list(_ filter: ListFilter, on req: Request) async throws -> [Story] {
        let actor = try req.requireActor()
        var query = try req.scope(for: .storiesRead).query(Story.self, on: req.db)
        if filter.mine { query = query.filter(\.$authorID == actor.userID) }
        if let status = filter.status { query = query.filter(\.$status == status) }
        if let q = filter.q, !q.isEmpty { query = query.filter(\.$headline ~~ q) }
        let limit = filter.tag == nil ? filter.limit : 2000
        var stories = try await query.sort(\.$updatedAt, .descending).limit(limit).all()
        if let tag = filter.tag, !tag.isEmpty {
            stories = Array(stories.filter { $0.tags.contains(tag) }.prefix(filter.limit))
        }
        return stories
    }

    // MARK: Locks

    enum LockOutcome { case acquired, renewed, takenOver(from: String) }

    /// Takes the edit lock. Another person's valid lock → 409 unless `takeOver`, which records the take-over.
    static func lock(_ story: Story, takeOver: Bool, on req: Request) async throws -> LockOutcome {
        let actor = try req.requireActor()
        try checkStatusForLock(story)
        var outcome = LockOutcome.acquired
        if let current = story.activeLock() {
            if current.id == actor.userID {
                outcome = .renewed
            } else if takeOver {
                outcome = .takenOver(from: current.name)
                await req.audit("story.lock_takeover", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "",
                                before: ["holder": current.name, "holder_id": current.id.uuidString], after: ["holder": actor.displayName])
                // Tell the previous holder (bell and webhook); their editor also learns it from its next heartbeat.
                do {
                    try await NotificationService.notify([current.id], tenantID: story.tenantID, kind: "story.lock_takeover",
                                                         title: "\(actor.displayName) 接管了稿件《\(story.headline)》的编辑",
                                                         link: "/stories/\(story.id?.uuidString ?? "")", on: req)
                } catch {
                    req.logger.warning("take-over notification failed: \(error)")
                }
            } else {
                throw AppError.conflict("story_locked", zh: "\(current.name) 正在编辑，可以接管", en: "\(current.name) is editing; you can take over")
            }
        }
        story.lockHolderID = actor.userID
        story.lockHolderName = actor.displayName
        story.lockExpiresAt = Date().addingTimeInterval(lockTTL)
        try await story.save(on: req.db)
        if case .acquired = outcome {
            await req.audit("story.lock", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "")
        }
        return outcome
    }

    /// Renews the actor's lock; 409 `lock_lost` (naming the new holder) when someone took it over.
    static func heartbeat(_ story: Story, on req: Request) async throws {
        let actor = try req.requireActor()
        if let current = story.activeLock(), current.id != actor.userID {
            throw AppError.conflict("lock_lost", zh: "\(current.name) 已接管编辑，你的修改已保存在本机草稿中", en: "\(current.name) took over editing; your changes are kept as a local draft")
        }
        try checkStatusForLock(story)
        story.lockHolderID = actor.userID
        story.lockHolderName = actor.displayName
        story.lockExpiresAt = Date().addingTimeInterval(lockTTL)
        try await story.save(on: req.db)
    }

    static func unlock(_ story: Story, on req: Request) async throws {
        let actor = try req.requireActor()
        guard story.lockHolderID == actor.userID else { return }
        story.lockHolderID = nil
        story.lockHolderName = nil
        story.lockExpiresAt = nil
        try await story.save(on: req.db)
        await req.audit("story.unlock", tenant: story.tenantID, targetType: "story", targetID: story.id?.uuidString ?? "")
    }

    private static func checkStatusForLock(_ story: Story) throws {
        if story.status == .inReview {
            throw AppError.conflict("story_in_review", zh: "稿件审核中，不能编辑", en: "The story is in review and cannot be edited")
        }
        if !story.status.isEditable {
            throw AppError.conflict("story_not_editable", zh: "稿件当前状态不可编辑", en: "The story cannot be edited in its current status")
        }
    }
}
