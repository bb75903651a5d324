import Fluent
import Foundation
import Vapor

/// The job kinds the platform itself provides.
func registerJobHandlers(_ app: Application) {
    let jobs = app.zhimei.jobs

    // Verifies the audit chain in the background, with progress, from the audit page.
    jobs.register("platform.verify_audit") { ctx in
        try await ctx.progress("verifying", 10)
        let result = try await AuditLog.verify(on: ctx.db)
        try await ctx.progress("verified", 100)
        return result.ok ? "ok: \(result.checked) entries, head \(result.headHash.prefix(16))"
                         : "BROKEN: \(result.problems.count) problems; first: \(result.problems.first ?? "")"
    }

    // Deletes sessions that ended or expired more than a day ago.
    jobs.register("platform.cleanup_sessions") { ctx in
        try await Housekeeping.pruneSessions(on: ctx.db)
        return "cleaned"
    }

    if app.zhimei.settings.diagnosticJobs {
        registerDiagnosticJobs(jobs, dataDirectory: app.zhimei.settings.dataDirectory)
    }
}

/// Payload of the diagnostic probe job used by the crash, retry and concurrency tests.
struct ProbePayload: Codable {
    var sleepMilliseconds: Int?
    /// Fail this many attempts before succeeding.
    var failAttempts: Int?
}

/// Diagnostic kinds, enabled by `ZHIMEI_DIAGNOSTIC_JOBS=1` only: they append to `$DATA/probe.log`
/// one line per completed run, which the tests count.
func registerDiagnosticJobs(_ jobs: JobRegistry, dataDirectory: String) {
    let logPath = dataDirectory + "/probe.log"
    jobs.register("diagnostics.probe") { ctx in
        let payload = (try? ctx.decode(ProbePayload.self)) ?? ProbePayload()
        if let fail = payload.failAttempts, ctx.attempt <= fail {
            throw AppError(.conflict, "probe_failure", zh: "诊断任务按要求失败（第 \(ctx.attempt) 次）", en: "Diagnostic job failed on purpose (attempt \(ctx.attempt))")
        }
        let sleep = payload.sleepMilliseconds ?? 0
        if sleep > 0 {
            try await ctx.progress("sleeping", 50)
            try await Task.sleep(nanoseconds: UInt64(sleep) * 1_000_000)
        }
        let line = "\(ctx.jobID.uuidString) \(ctx.attempt) \(ctx.owner)\n"
        try appendLine(line, to: logPath)
        return "probe ok"
    }
}

/// Appends with O_APPEND so lines from several processes never interleave.
func appendLine(_ line: String, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { throw AppError(.internalServerError, "io", zh: "无法写入文件", en: "Cannot write file") }
    defer { close(fd) }
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
