import Fluent
import Foundation
import Vapor

/// Batch import (批量导入) as a job: streams the uploaded file from its checkpoint in 1 MB reads, 500 rows per
/// batch; after each batch the checkpoint (byte offset past the last row handled) and the counts are saved, so a
/// crashed or interrupted job resumes where it stopped. Malformed rows are skipped and reported (the first 100
/// problems are kept), never abort the import. Memory stays bounded by the batch, not the file.
enum OpinionImportJob {
    static let kind = "opinion.import"
    /// An import's states, in the order it passes through them (paused and failed ones can be resumed).
    static let statuses = ["queued", "running", "paused", "failed", "done"]
    static let batchSize = 500
    static let maxProblems = 100
    /// How often a running import checks the events it touched against the alert rules (seconds). Alerts are due
    /// within 60 s of the posts' arrival; checking after every 500-post batch counted the same events' windows again
    /// and again (an import of 2,000 generated happenings slowed from 300 to 100 posts/s within 90,000 posts, 2026-12-06).
    static let alertInterval: TimeInterval = 10

    /// The wait before the next check after one that took `seconds`: `alertInterval`, longer when checks are slow (an
    /// import's posts all arrive within the rules' windows, so each check counts all of them), so that checking takes
    /// at most about a sixth of the import's time — but never over 50 s, so an alert still comes within 60 s.
    static func alertWait(afterCheckTaking seconds: TimeInterval) -> TimeInterval { min(50, max(alertInterval, 5 * seconds)) }

    struct Payload: Codable { var importId: UUID }

    /// Queues (or, with `fresh`, re-queues) the job that runs an import.
    static func enqueue(_ imp: OpinionImport, createdBy: UUID?, on db: any Database, fresh: Bool = false) async throws -> Job {
        let payload = String(decoding: try JSONEncoder().encode(Payload(importId: imp.id!)), as: UTF8.self)
        let key = "\(kind):\(imp.id!.uuidString)" + (fresh ? ":\(Int(Date().timeIntervalSince1970 * 1000))" : "")
        return try await JobQueue.enqueue(kind: kind, payload: payload, tenantID: imp.tenantID, idempotencyKey: key, maxAttempts: 5, createdBy: createdBy, on: db)
    }

    static func register(_ app: Application) {
        app.zhimei.jobs.register(kind) { ctx in
            let payload = try JSONDecoder().decode(Payload.self, from: Data(ctx.payload.utf8))
            let analyzer = try await ctx.application.opinion.analyzer(ctx.application)
            return try await run(importID: payload.importId, analyzer: analyzer, on: ctx.db, logger: ctx.logger) { stage, percent in
                try? await ctx.progress(stage, percent)
            }
        }
        // Without this the import stayed "queued" or "running" for good once its job gave up, and the dashboard
        // followed it forever. It can be resumed from its checkpoint once the cause is fixed.
        app.zhimei.jobs.onGiveUp(kind) { ctx, reason in
            try await markFailed(try ctx.decode(Payload.self).importId, reason: reason, on: ctx.db)
        }
    }

    /// Marks an import whose job gave up as failed, the reason first among its problems.
    static func markFailed(_ importID: UUID, reason: String, on db: any Database) async throws {
        guard let imp = try await OpinionImport.find(importID, on: db), imp.status != "done" else { return }
        imp.status = "failed"
        imp.problems = Array((["import stopped / 导入中断: " + String(reason.prefix(300))] + imp.problems).prefix(maxProblems))
        imp.updatedAt = Date()
        try await imp.save(on: db)
    }

    /// Runs (or resumes) one import. `stopAfterBatches` lets tests interrupt it to check resuming.
    static func run(importID: UUID, analyzer: PostAnalyzer, on db: any Database, logger: Logger?, stopAfterBatches: Int? = nil,
                    progress: @Sendable (String, Int) async -> Void = { _, _ in }) async throws -> String {
        guard let imp = try await OpinionImport.find(importID, on: db) else { return "import deleted" }
        guard imp.status != "done" else { return "already done" }
        guard let format = RecordSplitter.Format(rawValue: imp.format), let handle = FileHandle(forReadingAtPath: imp.path) else {
            imp.status = "failed"
            imp.problems = ["file missing / 文件丢失"]
            try await imp.save(on: db)
            return "file missing"
        }
        defer { try? handle.close() }
        var platform = "import"
        if let sid = imp.sourceID, let source = try await OpinionSource.find(sid, on: db) { platform = source.platform }
        var header: [String]?
        if format == .csv {
            let first = try handle.read(upToCount: 64 * 1024) ?? Data()
            var splitter = RecordSplitter(format: .csv)
            if case .record(let bytes, let end)? = splitter.feed(first).first {
                header = PostRecord.csvFields(Substring(String(decoding: bytes, as: UTF8.self))).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                if imp.checkpoint == 0 { imp.checkpoint = end }
            }
        }
        try handle.seek(toOffset: UInt64(max(0, imp.checkpoint)))
        var splitter = RecordSplitter(format: format, offset: imp.checkpoint)
        imp.status = "running"
        try await imp.save(on: db)
        var batch: [IncomingPost] = []
        var batches = 0
        var eof = false
        var lastEnd = imp.checkpoint
        var pending: [RecordSplitter.Piece] = []
        var next = 0   // the next piece of `pending` (an index: removeFirst moved the rest of a 1 MB read each row)

        var touched = Set<UUID>()
        var nextAlertCheck = Date.distantPast
        // The touched events; the first batch is checked at once.
        func checkAlerts() async throws {
            let started = Date()
            try await OpinionAlerts.evaluate(eventIDs: touched, tenantID: imp.tenantID, on: db, logger: logger)
            touched.removeAll(keepingCapacity: true)
            nextAlertCheck = Date().addingTimeInterval(alertWait(afterCheckTaking: Date().timeIntervalSince(started)))
        }

        func flush(_ end: Int64) async throws {
            let result = try await OpinionIngest.ingest(batch, tenantID: imp.tenantID, sourceID: imp.sourceID, analyzer: analyzer, on: db)
            imp.imported &+= result.imported
            imp.duplicates &+= result.duplicates
            imp.futureTimes &+= result.futureTimes
            imp.checkpoint = end
            imp.updatedAt = Date()
            try await imp.save(on: db)
            touched.formUnion(result.eventIDs)
            if Date() >= nextAlertCheck { try await checkAlerts() }
            batch.removeAll(keepingCapacity: true)
            batches += 1
            let percent = imp.totalBytes > 0 ? Int(min(99, end * 100 / max(1, imp.totalBytes))) : 0
            await progress("importing", percent)
        }

        while true {
            if next == pending.count {
                if eof { break }
                if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    pending = splitter.feed(chunk)
                } else {
                    eof = true
                    pending = splitter.finish()
                }
                next = 0
                continue
            }
            let piece = pending[next]
            next += 1
            imp.rowsRead &+= 1
            switch piece {
            case .tooLong(let end):
                problem(imp, "row \(imp.rowsRead): longer than 256 KB / 行过长")
                lastEnd = end
            case .record(let bytes, let end):
                lastEnd = end
                do {
                    batch.append(try decode(bytes, format: format, header: header, platform: platform))
                } catch let p as PostRecord.Problem {
                    problem(imp, "row \(imp.rowsRead): \(p.reason)")
                }
            }
            if batch.count >= batchSize {
                try await flush(lastEnd)
                if let stop = stopAfterBatches, batches >= stop {
                    try await checkAlerts()
                    imp.status = "paused"
                    try await imp.save(on: db)
                    return "paused"
                }
            }
        }
        if !batch.isEmpty { try await flush(lastEnd) } else { imp.checkpoint = lastEnd }
        try await checkAlerts()
        imp.status = "done"
        imp.updatedAt = Date()
        try await imp.save(on: db)
        await progress("done", 100)
        return "imported \(imp.imported), duplicates \(imp.duplicates), skipped \(imp.skipped), future times \(imp.futureTimes)"
    }

    static func problem(_ imp: OpinionImport, _ text: String) {
        imp.skipped &+= 1
        if imp.problems.count < maxProblems { imp.problems.append(String(text.prefix(300))) }
    }

    static func decode(_ bytes: [UInt8], format: RecordSplitter.Format, header: [String]?, platform: String) throws -> IncomingPost {
        switch format {
        case .jsonl, .json:
            guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any] else {
                throw PostRecord.Problem(reason: "not a JSON object / 不是 JSON 对象")
            }
            return try PostRecord.parse(object, defaultPlatform: platform)
        case .csv:
            guard let header else { throw PostRecord.Problem(reason: "missing CSV header / 缺少 CSV 表头") }
            let fields = PostRecord.csvFields(Substring(String(decoding: bytes, as: UTF8.self)))
            guard fields.count == header.count else {
                throw PostRecord.Problem(reason: "expected \(header.count) columns, got \(fields.count) / 列数不符")
            }
            var object: [String: Any] = [:]
            for (k, v) in zip(header, fields) where !v.isEmpty { object[k] = v }
            return try PostRecord.parse(object, defaultPlatform: platform)
        }
    }
}
