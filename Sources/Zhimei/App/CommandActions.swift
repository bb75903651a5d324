import Fluent
import Vapor

/// What each `zhimei` subcommand does; the executable only parses arguments and calls these.
public enum CommandActions {
    public static func serve(_ settings: Settings, workers: Bool, migrate: Bool) async throws {
        let app = try await Bootstrap.makeApplication(settings, arguments: ["zhimei", "serve", "--hostname", settings.hostname, "--port", String(settings.port)])
        do {
            if migrate { try await app.autoMigrate() }
            if workers { Bootstrap.addWorkers(app) }
            if let port = settings.publicPort { app.lifecycle.use(PublicEdgeLifecycle(host: settings.hostname, port: port)) }
            app.logger.notice("智媒 Zhimei listening on http://\(settings.hostname):\(settings.port)")
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    public static func worker(_ settings: Settings, concurrency: Int?) async throws {
        try await Bootstrap.withApplication(settings) { app in
            try await Bootstrap.runWorkers(app, concurrency: concurrency ?? settings.workerConcurrency)
        }
    }

    public static func migrate(_ settings: Settings, revert: Bool) async throws -> String {
        try await Bootstrap.withApplication(settings) { app in
            if revert { try await app.autoRevert() } else { try await app.autoMigrate() }
            return revert ? "migrations reverted" : "migrations up to date"
        }
    }

    public static func demo(_ settings: Settings, sampleContent: Bool = false) async throws -> String {
        try await Bootstrap.withApplication(settings) { app in
            try await app.autoMigrate()
            let cost = settings.bcryptCost
            let created = try await DemoData.seed(on: app.db) { try Bcrypt.hash($0, cost: cost) }
            var out = created == 0 ? "demo data already present" : "demo data created (\(created) records); password for every demo account: \(DemoData.password)"
            if sampleContent {
                out += "\n" + (try await DemoContent.seed(app: app) { try Bcrypt.hash($0, cost: cost) }).description
            }
            return out
        }
    }

    public static func createUser(_ settings: Settings, username: String, name: String, tenant: String, roles: [String], password: String) async throws -> String {
        let parsed = try roles.map { raw -> Role in
            guard let role = Role(rawValue: raw) else {
                throw AppError.invalid("role", zh: "未知角色 \(raw)", en: "Unknown role \(raw); use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return role
        }
        return try await Bootstrap.withApplication(settings) { app in
            try await app.autoMigrate()
            let id = try await AccountAdministration.createUser(username: username, displayName: name, tenantSlug: tenant, roles: parsed, password: password, on: app)
            return "created \(username) (\(id))"
        }
    }

    public static func resetPassword(_ settings: Settings, username: String, password: String, mustChange: Bool) async throws -> String {
        try await Bootstrap.withApplication(settings) { app in
            try await AccountAdministration.resetPassword(username: username, password: password, mustChange: mustChange, on: app)
            return "password reset for \(username)"
        }
    }

    /// Prints the problems found and returns whether the chain is intact.
    public static func verifyAudit(_ settings: Settings) async throws -> (ok: Bool, report: String) {
        try await Bootstrap.withApplication(settings) { app in
            let result = try await AuditLog.verify(on: app.db)
            var lines = result.problems.prefix(50).map { "BROKEN: \($0)" }
            lines.append(result.ok ? "audit chain OK: \(result.checked) entries, head \(result.headHash)"
                                   : "audit chain BROKEN: \(result.problems.count) problems in \(result.checked) entries")
            return (result.ok, lines.joined(separator: "\n"))
        }
    }
}

extension AppError: CustomStringConvertible {
    public var description: String { "\(zh)\n\(en)" }
}
