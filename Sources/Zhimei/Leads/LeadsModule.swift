import Fluent
import Vapor

/// The Leads module: its migrations and routes.
enum LeadsModule {
    static let migrations: [any Migration] = [
        M010_CreateLeadSources(),
        M011_CreateLeads(),
    ]

    static func register(_ app: Application) throws {}
}
