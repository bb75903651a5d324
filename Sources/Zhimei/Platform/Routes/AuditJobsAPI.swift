import Fluent
import Vapor

/// The audit log and the job queue.
struct AuditJobsAPI {
    func register(_ api: RoutesBuilder) {
        api.endpoint(.GET, "audit", access: .permission(.auditRead),
                     doc: .init("Read the audit log, newest first / 审计日志", tag: "audit", response: .array(.ref("AuditEntry")),
                                query: [("actor", .string(maxLength: 64), "Actor name contains"), ("action", .string(maxLength: 64), "Action prefix, e.g. user."),
                                        ("tenant_id", .uuid, "Tenant"), ("from", .string(maxLength: 40), "From (date or ISO time)"), ("to", .string(maxLength: 40), "To (date or ISO time)"),
                                        ("before_id", .integer(minimum: 1), "Page: entries older than this ID"), ("limit", .integer(minimum: 1, maximum: 500), "Page size")]),
                     use: audit)
        api.endpoint(.POST, "audit", "verify", access: .permission(.auditRead),
                     doc: .init("Verify the audit chain as a background job (platform admin) / 校验审计链", tag: "audit", response: .ref("Job"), status: 202), use: verifyAudit)
        api.endpoint(.GET, "jobs", access: .permission(.jobsManage),
                     doc: .init("List jobs / 任务列表", tag: "jobs", response: .array(.ref("Job")),
                                query: [("state", .enumeration(Job.State.allCases.map(\.rawValue)), "State"), ("kind", .string(maxLength: 100), "Kind"),
                                        ("limit", .integer(minimum: 1, maximum: 200), "Page size (default 200)"),
                                        ("offset", .integer(minimum: 0, maximum: 100_000), "Skip this many (newest first)")]), use: listJobs)
        api.endpoint(.GET, "jobs", ":jobID", access: .permission(.jobsManage), doc: .init("One job / 任务详情", tag: "jobs", response: .ref("Job")), use: getJob)
        api.endpoint(.GET, "jobs", ":jobID", "events", access: .permission(.jobsManage),
                     doc: .init("Live progress as Server-Sent Events / 任务进度流", tag: "jobs",
                                // OpenAPI 3.1: a text/event-stream schema describes one event; `data` of
                                // "progress" is a Job as JSON, "end" closes the stream.
                                response: .object([("event", .enumeration(["progress", "end"])), ("data", .string),
                                                   ("id", .string), ("retry", .integer(minimum: 0))], required: ["data"]),
                                mediaType: "text/event-stream"), use: events)
        api.endpoint(.POST, "jobs", ":jobID", "retry", access: .permission(.jobsManage), doc: .init("Retry a dead job / 重试任务", tag: "jobs", response: .ref("Job")), use: retry)
        api.endpoint(.POST, "jobs", ":jobID", "discard", access: .permission(.jobsManage), doc: .init("Discard a dead job / 丢弃任务", tag: "jobs", response: .ref("Job")), use: discard)
    }

    @Sendable func audit(_ req: Request) async throws -> [AuditEntryDTO] {
        try await AuditQuery.entries(try AuditFilter.parse(req), on: req).map(AuditEntryDTO.init)
    }

    @Sendable func verifyAudit(_ req: Request) async throws -> Response {
        guard try req.scope(for: .auditRead) == .all else { throw AppError.forbidden }
        let job = try await JobQueue.enqueue(kind: "platform.verify_audit", tenantID: nil, maxAttempts: 2, createdBy: req.actor?.userID, on: req.db)
        await req.audit("audit.verify_requested", tenant: nil, targetType: "job", targetID: job.id?.uuidString ?? "")
        return try await JobDTO(job).encodeResponse(status: .accepted, for: req)
    }

    static func findJob(_ req: Request) async throws -> Job {
        try await req.scope(for: .jobsManage).find(Job.self, req.parameters.get("jobID", as: UUID.self), on: req.db)
    }

    @Sendable func listJobs(_ req: Request) async throws -> [JobDTO] {
        var q = try req.scope(for: .jobsManage).query(Job.self, on: req.db)
        if let state: Job.State = try Validate.choice(try req.query.get(String?.self, at: "state"), field: "state") {
            q = q.filter(\.$state == state)
        }
        if let kind = try req.query.get(String?.self, at: "kind"), !kind.isEmpty { q = q.filter(\.$kind == String(kind.prefix(100))) }
        let page = try ListPage(req, standard: 200, largest: 200)
        return try await q.sort(\.$createdAt, .descending).sort(\.$id).range(page.rows).all().map(JobDTO.init)
    }

    @Sendable func getJob(_ req: Request) async throws -> JobDTO {
        JobDTO(try await Self.findJob(req))
    }

    /// Streams the job's progress every half second until it finishes (or ten minutes pass).
    @Sendable func events(_ req: Request) async throws -> Response {
        let job = try await Self.findJob(req)
        let id = try job.requireID()
        let db = req.db
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/event-stream; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        // Managed: Vapor ends the stream when the closure returns and fails it when it throws (a client that goes away
        // mid-stream makes the next write throw). An unmanaged stream left open that way trips Vapor's assertion and
        // kills a debug server — the e2e browser run hit exactly that.
        let body = Response.Body(managedAsyncStream: { writer in
            var last = ""
            for _ in 0..<1200 {
                guard let current = try await Job.find(id, on: db) else { break }
                let data = String(decoding: try encoder.encode(JobDTO(current)), as: UTF8.self)
                if data != last {
                    try await writer.write(.buffer(ByteBuffer(string: "event: progress\ndata: \(data)\n\n")))
                    last = data
                }
                if [.succeeded, .dead, .discarded].contains(current.state) { break }
                try await Task.sleep(nanoseconds: 500_000_000)
            }
            try await writer.write(.buffer(ByteBuffer(string: "event: end\ndata: {}\n\n")))
        })
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func retry(_ req: Request) async throws -> JobDTO {
        let job = try await Self.findJob(req)
        guard [.dead, .discarded].contains(job.state) else {
            throw AppError.conflict("job_not_dead", zh: "只有失败或已丢弃的任务可以重试", en: "Only dead or discarded jobs can be retried")
        }
        try await JobQueue.retry(job, on: req.db)
        await req.audit("job.retry", tenant: job.tenantID, targetType: "job", targetID: job.id?.uuidString ?? "", after: ["kind": job.kind])
        return JobDTO(job)
    }

    @Sendable func discard(_ req: Request) async throws -> JobDTO {
        let job = try await Self.findJob(req)
        guard job.state == .dead else {
            throw AppError.conflict("job_not_dead", zh: "只有失败的任务可以丢弃", en: "Only dead jobs can be discarded")
        }
        try await JobQueue.discard(job, on: req.db)
        await req.audit("job.discard", tenant: job.tenantID, targetType: "job", targetID: job.id?.uuidString ?? "", after: ["kind": job.kind])
        return JobDTO(job)
    }
}
