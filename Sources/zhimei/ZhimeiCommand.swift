import ArgumentParser
import Foundation
import Zhimei
import ZhimeiTextCLI

/// `zhimei`: the server, the workers and the operator's tools.
@main
struct ZhimeiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhimei",
        abstract: "智媒 Zhimei — converged-media AI hub for newsrooms.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Admin.self, Demo.self, TextCommand.self, ReviewCommand.self, SearchCommand.self, Bench.self]
    )
}

/// Settings with logging set up once for the process.
func loadSettings() -> Settings {
    let settings = Settings.load()
    Bootstrap.logging(settings)
    return settings
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server with in-process job workers.")
    @Option(help: "Address to listen on (default 127.0.0.1, or ZHIMEI_HOSTNAME).") var hostname: String?
    @Option(help: "Port to listen on (default 8080, or ZHIMEI_PORT).") var port: Int?
    @Flag(help: "Do not run job workers in this process.") var noWorkers = false
    @Flag(help: "Do not run migrations at start-up.") var noMigrate = false

    func run() async throws {
        var settings = loadSettings()
        if let hostname { settings.hostname = hostname }
        if let port { settings.port = port }
        try await CommandActions.serve(settings, workers: !noWorkers, migrate: !noMigrate)
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run job workers only.")
    @Option(help: "Concurrent jobs in this process.") var concurrency: Int?

    func run() async throws {
        try await CommandActions.worker(loadSettings(), concurrency: concurrency)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run database migrations (or revert them all).")
    @Flag(help: "Revert every migration (deletes all data).") var revert = false

    func run() async throws {
        print(try await CommandActions.migrate(loadSettings(), revert: revert))
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Seed the demo platform, county centres and staff (idempotent).")

    @Flag(help: "Also add sample leads, topics, stories in every state (some published) and monitored posts, once per county centre.")
    var sampleContent = false

    func run() async throws {
        print(try await CommandActions.demo(loadSettings(), sampleContent: sampleContent))
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage accounts and check the audit chain.",
                                                    subcommands: [CreateUser.self, ResetPassword.self, VerifyAudit.self])

    static func password(_ given: String?) throws -> String {
        guard let secret = given ?? ProcessInfo.processInfo.environment["ZHIMEI_NEW_PASSWORD"] else {
            throw ValidationError("give --password or set ZHIMEI_NEW_PASSWORD")
        }
        return secret
    }

    struct CreateUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-user", abstract: "Create a person with roles in a tenant.")
        @Option var username: String
        @Option(help: "Display name.") var name: String
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Role, repeatable: platform_admin, tenant_admin, chief_editor, editor, reporter, reviewer, analyst, service_agent.") var role: [String] = []
        @Option(help: "Password (else read from ZHIMEI_NEW_PASSWORD).") var password: String?

        func run() async throws {
            print(try await CommandActions.createUser(loadSettings(), username: username, name: name, tenant: tenant, roles: role, password: try Admin.password(password)))
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password and unlock the account.")
        @Option var username: String
        @Option(help: "New password (else read from ZHIMEI_NEW_PASSWORD).") var password: String?
        @Flag(help: "Make the person choose a new password at next sign-in.") var mustChange = false

        func run() async throws {
            print(try await CommandActions.resetPassword(loadSettings(), username: username, password: try Admin.password(password), mustChange: mustChange))
        }
    }

    struct VerifyAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify-audit", abstract: "Check the audit log's hash chain; exit 1 if broken.")

        func run() async throws {
            let (ok, report) = try await CommandActions.verifyAudit(loadSettings())
            print(report)
            if !ok { throw ExitCode(1) }
        }
    }
}
