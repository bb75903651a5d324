import Crypto
import Fluent
import FluentSQL
import Vapor

/// The Opinion REST API, part 1: posts, synchronous ingest, batch imports, streaming webhooks and sources.
struct OpinionAPI {
    static let maxSyncPosts = 1000
    /// Largest batch-import upload; `ZHIMEI_OPINION_IMPORT_MAX_BYTES` overrides.
    static var maxImportBytes: Int { Environment.get("ZHIMEI_OPINION_IMPORT_MAX_BYTES").flatMap(Int.init) ?? 2 * 1024 * 1024 * 1024 }

    static let postQuery: [(name: String, schema: Schema, description: String)] = OpinionPostFilter.parameters + [
        ("limit", .integer(minimum: 1, maximum: 200), "Page size"), ("offset", .integer(minimum: 0, maximum: 100_000), "Offset"),
    ]
    static let postInput: Schema = .object([
        ("id", .string(maxLength: 500)), ("author", .string(maxLength: 200)), ("time", .string(maxLength: 40)), ("text", .string(maxLength: 20_000)),
        ("repost_of", .string(maxLength: 500)), ("reply_to", .string(maxLength: 500)), ("likes", .integer(minimum: 0)), ("reposts", .integer(minimum: 0)),
        ("comments", .integer(minimum: 0)), ("url", .string(maxLength: 2000)), ("platform", .string(maxLength: 40)), ("region", .string(maxLength: 100)),
    ], required: ["text"])

    func register(_ api: RoutesBuilder) {
        let o = api.grouped("opinion")
        o.endpoint(.GET, "posts", access: .permission(.opinionRead),
                   doc: .init("Monitored posts / 舆情信息列表", tag: "opinion", response: .ref("OpinionPostPage"), query: Self.postQuery), use: listPosts)
        o.endpoint(.GET, "posts", "export", access: .permission(.opinionRead),
                   doc: .init("The filtered posts as a CSV for spreadsheets (UTF-8 with BOM; at most 50,000 — more is a 422 asking to narrow the filters) / 导出信息列表",
                              tag: "opinion", response: .string(format: "binary"), query: OpinionPostFilter.parameters, mediaType: "text/csv"),
                   use: exportPosts)
        o.endpoint(.POST, "posts", access: .permission(.opinionManage),
                   doc: .init("Ingest up to 1000 posts now (processed, clustered, alerts checked) / 即时导入信息", tag: "opinion",
                              request: .object([("posts", .array(Self.postInput, maxItems: Self.maxSyncPosts)), ("source_id", .uuid), ("tenant_id", .uuid)],
                                               required: ["posts"]),
                              response: .ref("OpinionIngestResult"), status: 201),
                   body: .collect(maxSize: "32mb"), use: ingest)
        o.endpoint(.POST, "imports", access: .permission(.opinionManage),
                   doc: .init("Upload a JSON Lines, JSON array or CSV export as a resumable import job (raw body) / 批量导入", tag: "opinion",
                              response: .ref("OpinionImport"), status: 202,
                              query: [("format", .enumeration(RecordSplitter.Format.allCases.map(\.rawValue)), "File format"), ("source_id", .uuid, "Source"),
                                      ("tenant_id", .uuid, "Tenant")]),
                   body: .stream, use: upload)
        o.endpoint(.GET, "imports", access: .permission(.opinionRead),
                   doc: .init("Imports with progress, newest first / 导入任务", tag: "opinion", response: .array(.ref("OpinionImport")),
                              query: [("status", .enumeration(OpinionImportJob.statuses), "Only imports in this state"),
                                      ("limit", .integer(minimum: 1, maximum: Self.largestImportPage), "Page size (default 100)"),
                                      ("offset", .integer(minimum: 0, maximum: OpinionEventsAPI.largestOffset), "Offset")]), use: listImports)
        o.endpoint(.GET, "imports", ":importID", access: .permission(.opinionRead),
                   doc: .init("One import / 导入任务详情", tag: "opinion", response: .ref("OpinionImport")), use: getImport)
        o.endpoint(.POST, "imports", ":importID", "resume", access: .permission(.opinionManage),
                   doc: .init("Resume a paused or failed import from its checkpoint (no second job while its job is queued or running) / 断点续导", tag: "opinion", response: .ref("OpinionImport"), status: 202),
                   use: resume)
        o.endpoint(.GET, "sources", access: .permission(.opinionRead),
                   doc: .init("Sources / 信息来源", tag: "opinion", response: .array(.ref("OpinionSource"))), use: listSources)
        o.endpoint(.POST, "sources", access: .permission(.opinionManage),
                   doc: .init("Add a source (import, webhook, feed) / 新增来源", tag: "opinion",
                              request: .object([("name", .string(maxLength: 200)), ("kind", .enumeration(OpinionSchemas.sourceKinds)),
                                                ("platform", .string(maxLength: 40)), ("url", .string(maxLength: 2000)),
                                                ("interval_minutes", .integer(minimum: 1, maximum: 1440)), ("tenant_id", .uuid)], required: ["name"]),
                              response: .ref("OpinionSource"), status: 201), use: createSource)
        o.endpoint(.PATCH, "sources", ":opinionSourceID", access: .permission(.opinionManage),
                   doc: .init("Change a source, or switch it off and on (enabled: a feed is not polled, a webhook refuses posts) / 修改、停用或启用来源",
                              tag: "opinion",
                              request: .object([("name", .string(maxLength: 200)), ("platform", .string(maxLength: 40)), ("url", .string(maxLength: 2000)),
                                                ("interval_minutes", .integer(minimum: 1, maximum: 1440)), ("enabled", .boolean)], required: []),
                              response: .ref("OpinionSource")), use: updateSource)
        o.endpoint(.DELETE, "sources", ":opinionSourceID", access: .permission(.opinionManage),
                   doc: .init("Delete a source (its posts stay) / 删除来源", tag: "opinion", status: 204), use: deleteSource)
        o.endpoint(.POST, "sources", ":opinionSourceID", "rotate-secret", access: .permission(.opinionManage),
                   doc: .init("Issue a new webhook secret (the old one stops working) / 更换网络钩子密钥", tag: "opinion", response: .ref("OpinionSource")),
                   use: rotateSecret)
        o.endpoint(.POST, "sources", ":opinionSourceID", "poll", access: .permission(.opinionManage),
                   doc: .init("Poll a feed source now (background job) / 立即抓取订阅源", tag: "opinion", response: .ref("Job"), status: 202), use: pollFeed)
        o.endpoint(.POST, "webhook", ":opinionSourceID", access: .anonymous,
                   doc: .init("Streaming webhook (header X-Zhimei-Secret or X-Zhimei-Signature: sha256=HMAC) / 实时推送", tag: "opinion",
                              request: .object([("posts", .array(Self.postInput, maxItems: 500))], required: ["posts"]),
                              response: .ref("OpinionIngestResult"), status: 202),
                   body: .collect(maxSize: "16mb"), use: webhook)
    }

    // MARK: Posts

    @Sendable func listPosts(_ req: Request) async throws -> OpinionPostPageDTO {
        let filter = try OpinionPostFilter(req)
        let page = try ListPage(req, standard: 50, largest: 200)
        let total = try await filter.query(req).countRows()
        let rows = try await filter.query(req).sort(\.$postedAt, .descending).range(page.rows).all()
        return OpinionPostPageDTO(items: rows.map(OpinionPostDTO.init), total: total)
    }

    /// The most posts one export holds.
    static let exportLimit = 50_000

    @Sendable func exportPosts(_ req: Request) async throws -> Response {
        try await Self.exportPosts(req, limit: Self.exportLimit)
    }

    /// The CSV of the request's filtered posts, newest first; more than `limit` is a 422.
    static func exportPosts(_ req: Request, limit: Int) async throws -> Response {
        let filter = try OpinionPostFilter(req)
        let total = try await filter.query(req).countRows()
        guard total <= limit else {
            throw AppError.invalid("filters", zh: "所选信息共 \(total) 条，超过单次导出上限 \(limit) 条，请缩小时间范围或增加筛选条件",
                                   en: "\(total) posts match, more than one export holds (\(limit)); narrow the dates or add filters")
        }
        var csv = SpreadsheetCSV.byteOrderMark + SpreadsheetCSV.row(["时间 Time", "平台 Platform", "作者 Author", "内容 Text", "情感 Sentiment", "情感得分 Score",
                                                                    "地区 Region", "点赞 Likes", "转发 Reposts", "评论 Comments", "链接 URL", "事件 Event",
                                                                    "关键词 Keywords", "信息ID Post ID"])
        let pageSize = 2_000
        for start in stride(from: 0, to: total, by: pageSize) {
            let posts = try await filter.query(req).sort(\.$postedAt, .descending).sort(\.$id).range(start..<(start + pageSize)).all()
            let titles = try await OpinionPostFilter.eventTitles(of: posts, on: req.db)
            for p in posts {
                csv += SpreadsheetCSV.row([DisplayTime.format(p.postedAt), OpinionLabels.platform(p.platform, "zh"), p.author, p.text,
                                           OpinionLabels.sentiment(p.sentiment, "zh"), String(format: "%.3f", p.sentimentScore), p.region ?? "",
                                           String(p.likes), String(p.reposts), String(p.comments), p.url ?? "", p.eventID.flatMap { titles[$0] } ?? "",
                                           p.keywords.joined(separator: " "), p.externalID])
            }
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"opinion-posts.csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }

    /// Parses JSON post objects, collecting problems instead of failing the whole request.
    static func parsePosts(_ raw: [Any], platform: String) -> ([IncomingPost], [String]) {
        var posts: [IncomingPost] = [], problems: [String] = []
        for (i, item) in raw.enumerated() {
            guard let object = item as? [String: Any] else { problems.append("row \(i + 1): not a JSON object / 不是 JSON 对象"); continue }
            do { posts.append(try PostRecord.parse(object, defaultPlatform: platform)) } catch let p as PostRecord.Problem {
                if problems.count < 100 { problems.append("row \(i + 1): \(p.reason)") }
            } catch { problems.append("row \(i + 1): invalid") }
        }
        return (posts, problems)
    }

    static func bodyObject(_ req: Request) throws -> [String: Any] {
        guard let buffer = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw AppError.badRequest(zh: "请求体须为 JSON 对象，含 posts 数组", en: "The body must be a JSON object with a posts array")
        }
        return object
    }

    static func run(_ posts: [IncomingPost], problems: [String], tenantID: UUID, sourceID: UUID?, on req: Request) async throws -> OpinionIngestResultDTO {
        let analyzer = try await req.application.opinion.analyzer(req.application)
        let result = try await OpinionIngest.ingest(posts, tenantID: tenantID, sourceID: sourceID, analyzer: analyzer, on: req.db)
        let alerts = try await OpinionAlerts.evaluate(eventIDs: result.eventIDs, tenantID: tenantID, on: req.db, logger: req.logger)
        return OpinionIngestResultDTO(imported: result.imported, duplicates: result.duplicates, skipped: problems.count, futureTimes: result.futureTimes,
                                      ids: result.ids, eventIds: Array(result.eventIDs), problems: problems, alerts: alerts.count)
    }

    @Sendable func ingest(_ req: Request) async throws -> Response {
        let object = try Self.bodyObject(req)
        guard let raw = object["posts"] as? [Any] else { throw AppError.invalid("posts", zh: "缺少 posts 数组", en: "posts must be an array") }
        guard raw.count <= Self.maxSyncPosts else {
            throw AppError.invalid("posts", zh: "一次最多 1000 条，更多请用批量导入", en: "At most 1000 posts; use a batch import for more")
        }
        let actor = try req.requireActor()
        let scope = try req.scope(for: .opinionManage)
        var tenantID = actor.activeTenantID
        if let t = object["tenant_id"] { guard let s = t as? String, let id = UUID(uuidString: s) else { throw AppError.invalid("tenant_id", zh: "单位 ID 无效", en: "Invalid tenant_id") }; tenantID = id }
        try await scope.checkPayload(tenantID, on: req.db)
        var source: OpinionSource?
        if let s = object["source_id"] {
            guard let str = s as? String, let id = UUID(uuidString: str) else { throw AppError.invalid("source_id", zh: "来源 ID 无效", en: "Invalid source_id") }
            source = try await scope.find(OpinionSource.self, id, on: req.db)
            guard source?.tenantID == tenantID else { throw AppError.invalid("source_id", zh: "来源不属于该单位", en: "The source belongs to another tenant") }
        }
        let (posts, problems) = Self.parsePosts(raw, platform: source?.platform ?? "api")
        let dto = try await Self.run(posts, problems: problems, tenantID: tenantID, sourceID: source?.id, on: req)
        await req.audit("opinion.ingest", tenant: tenantID, targetType: "opinion_posts", after: ["imported": String(dto.imported), "skipped": String(dto.skipped)])
        return try await dto.encodeResponse(status: .created, for: req)
    }

    // MARK: Imports

    @Sendable func upload(_ req: Request) async throws -> Response {
        guard let format = RecordSplitter.Format(rawValue: try OpinionParams.choice(req, "format", RecordSplitter.Format.allCases.map(\.rawValue)) ?? "jsonl") else {
            throw AppError.invalid("format", zh: "格式无效", en: "Invalid format")
        }
        let actor = try req.requireActor()
        let scope = try req.scope(for: .opinionManage)
        let tenantID = try OpinionParams.uuid(req, "tenant_id") ?? actor.activeTenantID
        try await scope.checkPayload(tenantID, on: req.db)
        var sourceID: UUID?
        if let id = try OpinionParams.uuid(req, "source_id") {
            let source = try await scope.find(OpinionSource.self, id, on: req.db)
            guard source.tenantID == tenantID else { throw AppError.invalid("source_id", zh: "来源不属于该单位", en: "The source belongs to another tenant") }
            sourceID = id
        }
        let dir = req.application.zhimei.settings.dataDirectory + "/opinion-imports"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let id = UUID()
        let path = "\(dir)/\(id.uuidString).\(format.rawValue)"
        let written = try await OpinionUpload.save(req, to: path, limit: Self.maxImportBytes)
        let imp = OpinionImport()
        imp.id = id; imp.tenantID = tenantID; imp.sourceID = sourceID; imp.format = format.rawValue; imp.path = path
        imp.totalBytes = Int64(written); imp.checkpoint = 0; imp.rowsRead = 0; imp.imported = 0; imp.duplicates = 0; imp.skipped = 0
        imp.futureTimes = 0; imp.problems = []; imp.status = "queued"; imp.createdAt = Date(); imp.updatedAt = Date()
        try await imp.create(on: req.db)
        let job = try await OpinionImportJob.enqueue(imp, createdBy: actor.userID, on: req.db)
        imp.jobID = job.id
        try await imp.save(on: req.db)
        await req.audit("opinion.import", tenant: tenantID, targetType: "opinion_import", targetID: id.uuidString, after: ["bytes": String(written), "format": format.rawValue])
        return try await OpinionImportDTO(imp).encodeResponse(status: .accepted, for: req)
    }

    /// Imports a page of the API holds at most.
    static let largestImportPage = 200

    @Sendable func listImports(_ req: Request) async throws -> [OpinionImportDTO] {
        // Every import, a page at a time (before: the newest 100, and no way to reach older ones).
        let page = try ListPage(req, standard: 100, largest: Self.largestImportPage, largestOffset: OpinionEventsAPI.largestOffset)
        return try await Self.imports(req, status: try OpinionParams.choice(req, "status", OpinionImportJob.statuses))
            .range(page.rows).all().map(OpinionImportDTO.init)
    }

    /// The imports the person may read, newest first, optionally in one state (the API and the imports page share it).
    static func imports(_ req: Request, status: String? = nil) throws -> QueryBuilder<OpinionImport> {
        let q = try req.scope(for: .opinionRead).query(OpinionImport.self, on: req.db)
        if let status { q.filter(\.$status == status) }
        return q.sort(\.$createdAt, .descending).sort(\.$id)
    }

    @Sendable func getImport(_ req: Request) async throws -> OpinionImportDTO {
        OpinionImportDTO(try await req.scope(for: .opinionRead).find(OpinionImport.self, req.parameters.get("importID", as: UUID.self), on: req.db))
    }

    @Sendable func resume(_ req: Request) async throws -> Response {
        let imp = try await req.scope(for: .opinionManage).find(OpinionImport.self, req.parameters.get("importID", as: UUID.self), on: req.db)
        guard imp.status != "done" else { throw AppError.conflict("import_done", zh: "该导入已完成", en: "This import is already done") }
        // Resuming is idempotent: while the import's job is queued or running it continues from the checkpoint on its
        // own (a job whose worker died is taken up again once its lease runs out). A second job beside it would read
        // the same rows again and overwrite its counts.
        var live = false
        if let jobID = imp.jobID, let job = try await Job.find(jobID, on: req.db) { live = [.queued, .running].contains(job.state) }
        if !live {
            let job = try await OpinionImportJob.enqueue(imp, createdBy: req.actor?.userID, on: req.db, fresh: true)
            imp.jobID = job.id
            imp.status = "queued"
            try await imp.save(on: req.db)
        }
        await req.audit("opinion.import_resume", tenant: imp.tenantID, targetType: "opinion_import", targetID: imp.id?.uuidString ?? "")
        return try await OpinionImportDTO(imp).encodeResponse(status: .accepted, for: req)
    }

    // MARK: Sources and webhook

    @Sendable func listSources(_ req: Request) async throws -> [OpinionSourceDTO] {
        try await Self.sources(req).all().map { OpinionSourceDTO($0, showSecret: req.actor?.can(.opinionManage, in: $0.tenantID) ?? false) }
    }

    /// The sources the person may read, not deleted, by name (the API and the sources page list the same).
    static func sources(_ req: Request) throws -> QueryBuilder<OpinionSource> {
        try req.scope(for: .opinionRead).query(OpinionSource.self, on: req.db).filter(\.$archived == false).sort(\.$name).sort(\.$id)
    }

    struct SourceInput: Content {
        var name: String?; var kind: String?; var platform: String?; var url: String?; var tenantId: UUID?; var intervalMinutes: Int?; var enabled: Bool?
    }

    @Sendable func createSource(_ req: Request) async throws -> Response {
        let input = try req.content.decode(SourceInput.self)
        let actor = try req.requireActor()
        let tenantID = input.tenantId ?? actor.activeTenantID
        try await req.scope(for: .opinionManage).checkPayload(tenantID, on: req.db)
        guard input.name != nil else { throw AppError.invalid("name", zh: "请填写名称", en: "Enter a name") }
        let kind = input.kind ?? "webhook"
        guard OpinionSchemas.sourceKinds.contains(kind) else { throw AppError.invalid("kind", zh: "类型只能是 import、webhook 或 feed", en: "kind must be import, webhook or feed") }
        if kind == "feed", input.url == nil { _ = try LeadsAPI.validURL(nil) }   // a feed needs its address: the same 422
        let s = OpinionSource()
        s.tenantID = tenantID; s.kind = kind; s.platform = kind; s.enabled = true; s.archived = false
        s.webhookSecret = Secrets.random(bytes: 24); s.postsReceived = 0; s.createdAt = Date()
        try Self.apply(input, to: s)
        let name = s.name
        try await s.create(on: req.db)
        if kind == "feed" { try await OpinionSchedule.ensureScheduler(on: req.db) }
        await req.audit("opinion_source.create", tenant: tenantID, targetType: "opinion_source", targetID: s.id?.uuidString ?? "", after: ["name": name, "kind": kind])
        return try await OpinionSourceDTO(s, showSecret: true).encodeResponse(status: .created, for: req)
    }

    /// Validates and applies the given fields (the URL and interval are a feed's).
    static func apply(_ input: SourceInput, to s: OpinionSource) throws {
        if let v = input.name {
            let name = PostRecord.clean(v, 200)
            guard !name.isEmpty else { throw AppError.invalid("name", zh: "请填写名称", en: "Enter a name") }
            s.name = name
        }
        if let v = input.platform {
            let platform = PostRecord.clean(v, 40).lowercased()
            s.platform = platform.isEmpty ? s.kind : platform
        }
        if s.kind == "feed", let v = input.url { s.url = try LeadsAPI.validURL(v) }
        if let m = input.intervalMinutes {
            guard (1...1440).contains(m) else { throw AppError.invalid("interval_minutes", zh: "抓取间隔须为 1–1440 分钟", en: "interval_minutes must be 1–1440") }
            s.intervalSeconds = m * 60
        }
        if let v = input.enabled { s.enabled = v }
    }

    /// A source of the tenants the person manages (a deleted one too: it stays off, as deleted schemes and rules do).
    static func source(_ req: Request) async throws -> OpinionSource {
        try await req.scope(for: .opinionManage).find(OpinionSource.self, req.parameters.get("opinionSourceID", as: UUID.self), on: req.db)
    }

    @Sendable func updateSource(_ req: Request) async throws -> OpinionSourceDTO {
        let s = try await Self.source(req)
        let input = try req.content.decode(SourceInput.self)
        if let t = input.tenantId, t != s.tenantID { throw AppError.invalid("tenant_id", zh: "来源不能移到其他单位", en: "A source cannot move to another tenant") }
        if input.kind.map({ $0 != s.kind }) ?? false { throw AppError.invalid("kind", zh: "来源类型不能修改", en: "A source's kind cannot change") }
        let before = Self.auditFields(s), wasEnabled = s.enabled, oldURL = s.url
        try Self.apply(input, to: s)
        if s.archived { s.enabled = false }
        // A feed switched back on, or given a new address, is due at once.
        if s.kind == "feed", s.enabled, !wasEnabled || s.url != oldURL { s.nextPollAt = nil }
        try await s.save(on: req.db)
        if s.kind == "feed", s.enabled { try await OpinionSchedule.ensureScheduler(on: req.db) }
        await req.audit("opinion_source.update", tenant: s.tenantID, targetType: "opinion_source", targetID: s.id?.uuidString ?? "",
                        before: before, after: Self.auditFields(s))
        return OpinionSourceDTO(s, showSecret: true)
    }

    @Sendable func deleteSource(_ req: Request) async throws -> HTTPStatus {
        let s = try await Self.source(req)
        s.archived = true
        s.enabled = false
        try await s.save(on: req.db)
        await req.audit("opinion_source.delete", tenant: s.tenantID, targetType: "opinion_source", targetID: s.id?.uuidString ?? "", before: ["name": s.name])
        return .noContent
    }

    @Sendable func rotateSecret(_ req: Request) async throws -> OpinionSourceDTO {
        let s = try await Self.source(req)
        guard s.kind == "webhook" else { throw AppError.conflict("not_a_webhook", zh: "只有网络钩子来源有密钥", en: "Only webhook sources have a secret") }
        s.webhookSecret = Secrets.random(bytes: 24)
        try await s.save(on: req.db)
        await req.audit("opinion_source.rotate_secret", tenant: s.tenantID, targetType: "opinion_source", targetID: s.id?.uuidString ?? "")
        return OpinionSourceDTO(s, showSecret: true)
    }

    static func auditFields(_ s: OpinionSource) -> [String: String] {
        ["name": s.name, "platform": s.platform, "url": s.url ?? "", "interval_seconds": s.intervalSeconds.map(String.init) ?? "", "enabled": String(s.enabled)]
    }

    @Sendable func pollFeed(_ req: Request) async throws -> Response {
        let source = try await Self.source(req)
        guard source.kind == "feed" else { throw AppError.conflict("not_a_feed", zh: "只有订阅源需要抓取", en: "Only feed sources are polled") }
        guard source.isLive else { throw AppError.conflict("source_off", zh: "该来源已停用，请先启用", en: "This source is switched off; switch it on first") }
        let job = try await OpinionFeeds.enqueue(source, createdBy: req.actor?.userID, on: req.db)
        await req.audit("opinion_source.poll", tenant: source.tenantID, targetType: "opinion_source", targetID: source.id?.uuidString ?? "")
        return try await JobDTO(job).encodeResponse(status: .accepted, for: req)
    }

    @Sendable func webhook(_ req: Request) async throws -> Response {
        guard await req.application.opinion.webhookThrottle.allow("\(req.parameters.get("opinionSourceID") ?? "")|\(req.clientIP)") else {
            throw AppError(.tooManyRequests, "rate_limited", zh: "推送过于频繁，请稍后再试", en: "Too many requests; try again later")
        }
        let invalid = AppError(.forbidden, "webhook_secret_invalid", zh: "网络钩子密钥或签名无效", en: "Invalid webhook secret or signature")
        guard let id = req.parameters.get("opinionSourceID", as: UUID.self), let source = try await OpinionSource.find(id, on: req.db),
              source.kind == "webhook" else { throw invalid }
        let raw = req.body.data.map { Data(buffer: $0) } ?? Data()
        var authorized = false
        if let presented = req.headers.first(name: "X-Zhimei-Secret") {
            authorized = CSRF.constantTimeEqual(presented, source.webhookSecret)
        } else if let signature = req.headers.first(name: "X-Zhimei-Signature") {
            let mac = HMAC<SHA256>.authenticationCode(for: raw, using: SymmetricKey(data: Data(source.webhookSecret.utf8)))
            authorized = CSRF.constantTimeEqual(signature.lowercased(), "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
        }
        guard authorized else { throw invalid }
        guard source.isLive else {
            throw AppError(.forbidden, "source_off", zh: "该来源已停用或删除，不再接收推送", en: "This source is switched off or deleted and takes no posts")
        }
        guard let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any] else {
            throw AppError.badRequest(zh: "请求体须为 JSON 对象（posts 数组或单条信息）", en: "The body must be a JSON object (a posts array or one post)")
        }
        let items = (object["posts"] as? [Any]) ?? [object]
        guard items.count <= 500 else { throw AppError.invalid("posts", zh: "一次最多 500 条", en: "At most 500 posts per request") }
        let (posts, problems) = Self.parsePosts(items, platform: source.platform)
        let dto = try await Self.run(posts, problems: problems, tenantID: source.tenantID, sourceID: id, on: req)
        return try await dto.encodeResponse(status: .accepted, for: req)
    }
}

struct OpinionPostPageDTO: Content { var items: [OpinionPostDTO]; var total: Int }
