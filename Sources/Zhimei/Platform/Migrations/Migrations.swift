import Fluent

/// The numbered migrations, in order. Later modules append theirs here.
enum ZhimeiMigrations {
    static let all: [any Migration] = [
        M001_CreateTenants(),
        M002_CreatePeople(),
        M003_CreateCredentials(),
        M004_CreateAuditLog(),
        M005_CreateJobs(),
    ]
}
