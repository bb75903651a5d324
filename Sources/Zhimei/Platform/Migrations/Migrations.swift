import Fluent

/// The numbered migrations, in order. Each module keeps its own list in its folder and owns a
/// number range: platform 001–009, leads 010–019, planning 020–029, stories 030–039, review 040–049, search 060–069,
/// publishing 070–079, opinion 090–099; a module that fills its range continues at its number plus 100 (search 160–169),
/// and those second ranges run after all the first ones, in number order.
enum ZhimeiMigrations {
    static var all: [any Migration] {
        platform + LeadsModule.migrations + PlanningModule.migrations + StoriesModule.migrations + ReviewModule.migrations + SearchModule.migrations + PublishingModule.migrations + OpinionModule.migrations
            + SearchModule.laterMigrations
    }

    static let platform: [any Migration] = [
        M001_CreateTenants(),
        M002_CreatePeople(),
        M003_CreateCredentials(),
        M004_CreateAuditLog(),
        M005_CreateJobs(),
    ]
}
