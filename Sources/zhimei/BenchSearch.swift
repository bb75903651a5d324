import ArgumentParser
import Foundation
import Zhimei

/// `zhimei bench search`: indexing and query speed of the search index vs the database's own LIKE / pg_trgm search.
struct SearchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search index: bulk indexing articles/s, query p50/p99 from concurrent clients, index size; LIKE / pg_trgm baseline in the same run.")
    @Option(help: "Generated articles (the issue's full target is 1000000).") var articles = 5_000
    @Option(help: "Average characters per article.") var characters = 1_500
    @Option(help: "Queries (two words and one filter each).") var queries = 400
    @Option(help: "Concurrent clients.") var clients = 8
    @Option(help: "Also measure the full-text queries with these numbers of clients on the same index, e.g. 1,2,4.", transform: SearchBench.clientCounts)
    var alsoClients: [Int] = []
    @Option(help: "Queries of the LIKE / pg_trgm baseline (default: all; each scans the whole table).") var baselineQueries: Int?
    @Option(help: "Also run on this PostgreSQL URL (in a fresh schema, dropped at the end, unless --postgres-schema names one).") var postgres: String?
    @Flag(help: "Skip SQLite (with --postgres).") var skipSqlite = false
    @Flag(help: "After the load, merge the FTS5 segments (timed) and run the queries again.") var optimize = false
    @Option(help: "Random seed of the corpus.") var seed: UInt64 = 20_260_101
    @Option(help: "SQLite: keep the database in this directory; an index already there with --articles rows is reused (no indexing).") var databaseDir: String?
    @Option(help: "PostgreSQL: use and keep this schema; an index already there with --articles rows is reused (no indexing).") var postgresSchema: String?
    @Option(help: "Tasks generating and analysing the next batches while one is written (default: cores − 1, at least 1).") var analysisWorkers: Int?
    @Flag(help: "Also run the queries with facet counts (as the search page does): one pass, and with a second pass for the counts.") var facets = false

    func validate() throws {
        guard (100...5_000_000).contains(articles) else { throw ValidationError("--articles must be 100–5000000") }
        guard (100...20_000).contains(characters) else { throw ValidationError("--characters must be 100–20000") }
        guard (10...100_000).contains(queries), (1...256).contains(clients) else { throw ValidationError("--queries 10–100000, --clients 1–256") }
        if let w = analysisWorkers, !(1...64).contains(w) { throw ValidationError("--analysis-workers must be 1–64") }
        if let s = postgresSchema, s.isEmpty || s.count > 63 || !s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw ValidationError("--postgres-schema: 1–63 letters, digits or _")
        }
    }

    /// `--also-clients`: numbers of clients separated by commas.
    static func clientCounts(_ text: String) throws -> [Int] {
        let counts = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { (1...256).contains($0) }
        guard !counts.isEmpty, counts.count == text.split(separator: ",").count else {
            throw ValidationError("--also-clients: numbers 1–256 separated by commas")
        }
        return counts
    }

    func run() async throws {
        let settings = loadSettings()
        var o = SearchBenchmark.Options()
        o.articles = articles; o.characters = characters; o.queries = queries; o.clients = clients
        o.postgres = postgres; o.skipSQLite = skipSqlite; o.seed = seed; o.baselineQueries = baselineQueries; o.optimize = optimize
        o.databaseDirectory = databaseDir; o.analysisWorkers = analysisWorkers; o.facets = facets
        o.alsoClients = alsoClients
        o.postgresSchema = postgresSchema
        let report = try await SearchBenchmark.run(o, textData: settings.textDataDirectory) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(report)
    }
}

