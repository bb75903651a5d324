import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import SQLKit
import Vapor

/// Configures the application: database, services, middleware, views and routes.
public func configure(_ app: Application, settings: Settings) async throws {
    try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
    try DatabaseSetup.configure(app, settings: settings)
    if settings.databaseURL == nil, let sql = app.db as? any SQLDatabase {
        // WAL lets `serve` and separate `worker` processes share the file without blocking readers.
        _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
    }

    let blobs: any BlobStore
    if let endpoint = settings.blobStore.s3Endpoint, let bucket = settings.blobStore.s3Bucket {
        blobs = S3BlobStore(client: app.http.client.shared, endpoint: endpoint, bucket: bucket, region: settings.blobStore.s3Region,
                            accessKey: settings.blobStore.s3AccessKey ?? "", secretKey: settings.blobStore.s3SecretKey ?? "")
    } else {
        blobs = try LocalBlobStore(root: settings.blobDirectory)
    }
    app.zhimei = ZhimeiServices(settings: settings, blobs: blobs, loops: Array(app.eventLoopGroup.makeIterator()))
    app.text = TextService(directory: settings.textDataDirectory)
    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    app.migrations.add(ZhimeiMigrations.all)

    // API JSON is snake_case with ISO 8601 times.
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.dateEncodingStrategy = .iso8601
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.dateDecodingStrategy = .iso8601
    ContentConfiguration.global.use(encoder: encoder, for: .json)
    ContentConfiguration.global.use(decoder: decoder, for: .json)

    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: settings.maxBodySize)
    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port

    // Views and static files resolve against the working directory, or $ZHIMEI_RESOURCES.
    if let root = Environment.get("ZHIMEI_RESOURCES") {
        app.directory = DirectoryConfiguration(workingDirectory: root.hasSuffix("/") ? root : root + "/")
    }
    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()

    app.middleware = .init()
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(BilingualErrorMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))
    app.middleware.use(ActorMiddleware())

    registerJobHandlers(app)
    try routes(app)
}

extension DatabaseID {
    /// The SQLite file again, through a pool of its own for read-only search queries (see `SearchConnections`).
    static let sqliteSearch = DatabaseID(string: "sqlite-search")
}

/// Chooses the database backend.
enum DatabaseSetup {
    /// Pooled connections per event loop: SQLite has one writer anyway; PostgreSQL serves several queries at once.
    static func connectionsPerEventLoop(postgres: Bool) -> Int { postgres ? 4 : 1 }

    /// Threads of the blocking pool on SQLite: one per connection (the main and the search pool, one each per event loop)
    /// and two for file I/O and password hashing. SQLite runs every statement on this pool, and a statement waiting for
    /// another connection's lock (SQLiteBusyWait) keeps its thread while it waits. With NIO's default of one thread per
    /// core, two waits could take every thread from the connection they waited for — a checkpoint waiting for a search's
    /// read transaction, a write waiting for the checkpoint, the search unable to run its next statement — and all
    /// database work stopped until the lock wait ran out (then 10 minutes; a CI hang, 2026-12-06). A thread per connection means the
    /// connection holding what others wait for always finds one.
    static func sqliteThreads(loops: Int) -> Int { 2 * loops + 2 }

    /// SQLite under the data directory by default; PostgreSQL when `DATABASE_URL` is set. Call before anything touches
    /// `app.databases`: the databases take the thread pool they are created with.
    static func configure(_ app: Application, settings: Settings) throws {
        let wait = TimeAmount.milliseconds(Int64(settings.databaseWait * 1000))
        if let url = settings.databaseURL {
            var config = try SQLPostgresConfiguration(url: url)
            config.searchPath = settings.postgresSchema.map { [$0, "public"] }
            app.databases.use(.postgres(configuration: config, maxConnectionsPerEventLoop: Self.connectionsPerEventLoop(postgres: true), connectionPoolTimeout: wait, encodingContext: .default, decodingContext: .default), as: .psql)
        } else {
            // the search index's FTS5 tokenizer, on every SQLite connection opened from now on (066)
            try SearchFTSTokenizer.register()
            // a connection waiting for another's write sleeps instead of spinning (SQLiteBusyWait)
            try SQLiteBusyWait.register()
            app.threadPool = NIOThreadPool(numberOfThreads: Self.sqliteThreads(loops: Array(app.eventLoopGroup.makeIterator()).count))
            app.databases.use(.sqlite(.file(settings.sqlitePath), maxConnectionsPerEventLoop: Self.connectionsPerEventLoop(postgres: false), connectionPoolTimeout: wait), as: .sqlite)
            app.databases.use(.sqlite(.file(settings.sqlitePath), connectionPoolTimeout: wait), as: .sqliteSearch, isDefault: false)
        }
    }
}
