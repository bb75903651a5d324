import Crypto
import Fluent
import Foundation
import Vapor

/// Something worth recording: who did what to which object, in which tenant, and what changed.
public struct AuditEvent: Sendable {
    public var actorID: UUID?
    public var actorName: String
    public var tenantID: UUID?
    public var action: String
    public var targetType: String
    public var targetID: String
    public var ip: String
    public var outcome: String
    public var before: [String: String]?
    public var after: [String: String]?
    public var note: String?

    public init(actorID: UUID?, actorName: String, tenantID: UUID?, action: String, targetType: String = "", targetID: String = "",
                ip: String = "-", outcome: String = "ok", before: [String: String]? = nil, after: [String: String]? = nil, note: String? = nil) {
        self.actorID = actorID
        self.actorName = actorName
        self.tenantID = tenantID
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.ip = ip
        self.outcome = outcome
        self.before = before
        self.after = after
        self.note = note
    }
}

/// The append-only, hash-chained audit log.
public enum AuditLog {
    public static let genesis = String(repeating: "0", count: 64)

    /// Appends an entry at the tail of the chain. The unique index on `prev_hash` makes concurrent
    /// writers (several processes) retry instead of forking the chain.
    @discardableResult
    public static func record(_ event: AuditEvent, on db: any Database) async throws -> AuditEntry {
        let summary = Self.summary(event)
        var lastError: Error?
        for attempt in 0..<20 {
            let tail = try await AuditEntry.query(on: db).sort(\.$id, .descending).field(\.$id).field(\.$hash).first()
            let entry = AuditEntry()
            entry.atMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            entry.actorID = event.actorID
            entry.actorName = String(event.actorName.prefix(200))
            entry.tenantID = event.tenantID
            entry.action = event.action
            entry.targetType = event.targetType
            entry.targetID = event.targetID
            entry.ip = event.ip
            entry.outcome = event.outcome
            entry.summary = summary
            entry.prevHash = tail?.hash ?? genesis
            entry.hash = hash(of: entry)
            do {
                try await entry.create(on: db)
                return entry
            } catch {
                guard (error as? any DatabaseError)?.isConstraintFailure == true else { throw error }
                lastError = error
                try await Task.sleep(nanoseconds: UInt64(1_000_000 * (1 + attempt * 3)))
            }
        }
        throw lastError ?? AppError.conflict("audit_busy", zh: "审计日志繁忙", en: "Audit log busy")
    }

    /// The hash of an entry: SHA-256 over the previous hash and every recorded field.
    public static func hash(of e: AuditEntry) -> String {
        let fields: [String] = [
            e.prevHash, String(e.atMilliseconds), e.actorID?.uuidString ?? "", e.actorName, e.tenantID?.uuidString ?? "",
            e.action, e.targetType, e.targetID, e.ip, e.outcome, e.summary,
        ]
        let digest = SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The outcome of checking the chain.
    public struct Verification: Sendable {
        public var checked: Int
        public var problems: [String]
        public var headHash: String
        public var ok: Bool { problems.isEmpty }
    }

    /// Walks the whole chain in order and reports every broken link or altered entry.
    public static func verify(on db: any Database, batchSize: Int = 2000) async throws -> Verification {
        var result = Verification(checked: 0, problems: [], headHash: genesis)
        var expectedPrev = genesis
        var lastID = Int.min
        while true {
            let batch = try await AuditEntry.query(on: db).filter(\.$id > lastID).sort(\.$id).limit(batchSize).all()
            if batch.isEmpty { break }
            for entry in batch {
                let id = entry.id ?? -1
                if entry.prevHash != expectedPrev {
                    result.problems.append("entry \(id): previous-hash link broken (an entry before it was deleted or altered)")
                }
                if hash(of: entry) != entry.hash {
                    result.problems.append("entry \(id): content does not match its hash (the entry was altered)")
                }
                expectedPrev = entry.hash
                lastID = id
                result.checked += 1
            }
        }
        result.headHash = expectedPrev
        return result
    }

    static func summary(_ event: AuditEvent) -> String {
        var object: [String: [String: String]] = [:]
        if let before = event.before { object["before"] = before }
        if let after = event.after { object["after"] = after }
        if let note = event.note { object["note"] = ["text": note] }
        guard !object.isEmpty, let data = try? JSONEncoder.sorted.encode(object) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONEncoder {
    /// Deterministic output, so stored JSON hashes the same way every time.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension Request {
    /// Records an audit entry for the current actor. Audit failures are logged, never shown to the user
    /// as a failure of the action that already happened.
    public func audit(_ action: String, tenant: UUID?, targetType: String = "", targetID: String = "", outcome: String = "ok",
                      before: [String: String]? = nil, after: [String: String]? = nil, note: String? = nil, actorName: String? = nil) async {
        let event = AuditEvent(actorID: actor?.userID, actorName: actorName ?? actor?.username ?? "anonymous", tenantID: tenant,
                               action: action, targetType: targetType, targetID: targetID, ip: clientIP, outcome: outcome,
                               before: before, after: after, note: note)
        do {
            try await AuditLog.record(event, on: db)
        } catch {
            logger.error("audit write failed: \(String(reflecting: error))")
        }
    }
}
