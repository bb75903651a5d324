import ArgumentParser
import Foundation
import Zhimei

/// `zhimei search reindex|check`: rebuild the search index, or compare it with the content (and repair).
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search index upkeep.",
                                                    subcommands: [Reindex.self, Check.self])

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rebuild the search index from stories, leads, topics (all tenants, or one).")
        @Option(help: "Tenant slug (default: every tenant).") var tenant: String?

        func run() async throws {
            print(try await SearchActions.reindex(loadSettings(), tenantSlug: tenant))
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare the index with the content: missing, stale, orphaned; exit 1 when inconsistent.")
        @Option(help: "Tenant slug (default: every tenant).") var tenant: String?
        @Flag(help: "Fix what the check finds.") var repair = false

        func run() async throws {
            let (ok, report) = try await SearchActions.check(loadSettings(), tenantSlug: tenant, repair: repair)
            print(report)
            if !ok && !repair { throw ExitCode(1) }
        }
    }
}
