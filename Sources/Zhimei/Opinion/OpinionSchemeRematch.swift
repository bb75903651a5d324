import Fluent
import Foundation
import SQLKit
import Vapor

/// Re-matching a scheme (重新匹配): ingest stores on each post the schemes it matched when it arrived, so a new scheme, a
/// changed rule (or regions, platforms, exclusions) or a scheme switched back on would see only posts arriving after
/// the change — its post list and reports stayed empty or wrong for what was already there. This job matches the
/// tenant's stored posts again, a page at a time, and adds or removes the scheme on each post whose answer changed.
/// Each change is one statement that adds or removes just this scheme's id, so jobs for different schemes never undo
/// each other; a job whose scheme changed again since it was queued stops and leaves the posts to the newer job.
enum OpinionSchemeRematch {
    static let kind = "opinion.rematch_scheme"
    static let batchSize = 1_000

    struct Payload: Codable { var schemeId: UUID; var version: Double }

    /// What one run did.
    struct Outcome: Equatable { var checked = 0; var added = 0; var removed = 0; var superseded = false }

    /// Whether a change leaves an enabled scheme matching differently (renaming does not; switching on does).
    static func changesMatching(before: OpinionScheme.MatchingFields, after s: OpinionScheme) -> Bool {
        s.enabled && !s.archived && before != s.matchingFields
    }

    /// Queues the job for the scheme as it is now (a later change queues another).
    static func enqueue(_ s: OpinionScheme, createdBy: UUID?, on db: any Database) async throws -> Job {
        let id = try s.requireID()
        let version = s.updatedAt.timeIntervalSince1970
        let payload = String(decoding: try JSONEncoder().encode(Payload(schemeId: id, version: version)), as: UTF8.self)
        return try await JobQueue.enqueue(kind: kind, payload: payload, tenantID: s.tenantID, idempotencyKey: "\(kind):\(id.uuidString):\(Int(version * 1000))",
                                          maxAttempts: 3, createdBy: createdBy, on: db)
    }

    /// The latest queued or running job of each of these schemes.
    static func pending(schemes: [UUID], on db: any Database) async throws -> [UUID: UUID] {
        guard !schemes.isEmpty else { return [:] }
        let wanted = Set(schemes)
        var out: [UUID: UUID] = [:]
        for job in try await Job.query(on: db).filter(\.$kind == kind).filter(\.$state ~~ [.queued, .running]).sort(\.$createdAt).all() {
            guard let p = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)), wanted.contains(p.schemeId), let id = job.id else { continue }
            out[p.schemeId] = id
        }
        return out
    }

    static func register(_ app: Application) {
        app.zhimei.jobs.register(kind) { ctx in
            let payload = try ctx.decode(Payload.self)
            let outcome = try await run(schemeID: payload.schemeId, version: payload.version, on: ctx.db) { done, total in
                try? await ctx.progress("matching", total == 0 ? 100 : min(99, done * 100 / total))
            }
            if outcome.superseded { return "superseded by a later change after \(outcome.checked) posts" }
            return "checked \(outcome.checked) posts: \(outcome.added) added, \(outcome.removed) removed"
        }
    }

    /// Matches every stored post of the scheme's tenant again. `version` is the scheme's `updatedAt` when the job was
    /// queued: once the scheme has changed since (or was switched off or deleted), the run stops.
    static func run(schemeID: UUID, version: Double?, on db: any Database, batchSize: Int = batchSize,
                    progress: @Sendable (Int, Int) async -> Void = { _, _ in }) async throws -> Outcome {
        var outcome = Outcome()
        func current() async throws -> OpinionScheme? {
            guard let s = try await OpinionScheme.find(schemeID, on: db), s.enabled, !s.archived else { return nil }
            if let version, abs(s.updatedAt.timeIntervalSince1970 - version) > 0.001 { return nil }
            return s
        }
        guard let scheme = try await current(), let matcher = OpinionSchemes.matcher(scheme) else {
            outcome.superseded = true
            return outcome
        }
        let idString = schemeID.uuidString
        let sql = try OpinionIngest.sqlDatabase(db)
        let dialect = OpinionSQLDialect(sql)
        let total = try await OpinionPost.query(on: db).filter(\.$tenantID == scheme.tenantID).count()
        var last: UUID?
        while true {
            let q = OpinionPost.query(on: db).filter(\.$tenantID == scheme.tenantID)
            if let last { q.filter(\.$id > last) }
            let page = try await q.sort(\.$id).limit(batchSize)
                .field(\.$id).field(\.$textSimplified).field(\.$region).field(\.$platform).field(\.$sourceID).field(\.$schemeIDs).all()
            guard let end = page.last?.id else { break }
            var add: [UUID] = [], remove: [UUID] = []
            for p in page {
                guard let id = p.id else { continue }
                let matches = matcher.matches(text: p.textSimplified.lowercased(), region: p.region, platform: p.platform, source: p.sourceID)
                let held = p.schemeIDs.contains(idString)
                if matches, !held { add.append(id) } else if !matches, held { remove.append(id) }
            }
            // Checked again right before writing: a scheme changed meanwhile is the newer job's work.
            guard try await current() != nil else {
                outcome.superseded = true
                return outcome
            }
            if !add.isEmpty {
                try await sql.raw("UPDATE opinion_posts SET scheme_ids = " + dialect.appending("scheme_ids", idString)
                                  + " WHERE id IN (\(binds: add)) AND NOT (" + dialect.holds("scheme_ids", idString) + ")").run()
            }
            if !remove.isEmpty {
                try await sql.raw("UPDATE opinion_posts SET scheme_ids = " + dialect.removing("scheme_ids", idString)
                                  + " WHERE id IN (\(binds: remove))").run()
            }
            outcome.checked += page.count
            outcome.added += add.count
            outcome.removed += remove.count
            last = end
            await progress(outcome.checked, total)
            if page.count < batchSize { break }
        }
        return outcome
    }
}

extension OpinionScheme {
    /// The fields that decide which posts a scheme matches.
    struct MatchingFields: Equatable {
        var rule: String; var regions: [String]; var platforms: [String]; var exclusions: [String]; var sources: Set<UUID>; var enabled: Bool
    }

    var matchingFields: MatchingFields {
        MatchingFields(rule: rule, regions: regions, platforms: platforms, exclusions: exclusions, sources: Set(sourceIDs ?? []), enabled: enabled)
    }
}
