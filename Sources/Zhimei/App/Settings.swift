import Foundation

/// Runtime settings, read from environment variables and an optional JSON config file.
///
/// Precedence: environment variable > config file > default. The config file is
/// `$ZHIMEI_CONFIG`, else `$ZHIMEI_DATA_DIR/zhimei.json` if present; its keys are the
/// environment names without the `ZHIMEI_` prefix, lower-cased (`{"port": 8080}`).
public struct Settings: Sendable {
    public var dataDirectory: String
    /// PostgreSQL URL; SQLite under `dataDirectory` when nil.
    public var databaseURL: String?
    /// PostgreSQL schema to use instead of `public` (tests give each run its own).
    public var postgresSchema: String?
    public var hostname: String
    public var port: Int
    /// Where users reach the site; decides cookie `Secure` and absolute links.
    public var publicURL: String
    public var bcryptCost: Int
    public var jsonLogs: Bool
    public var logLevel: String
    public var sessionLifetime: TimeInterval
    public var maxBodySize: String
    public var workerConcurrency: Int
    public var jobLease: TimeInterval
    /// Registers the diagnostic job kinds used by the crash and concurrency tests.
    public var diagnosticJobs: Bool
    public var blobStore: BlobStoreSettings
    /// Where the text engine's data (jieba dictionary, HMM, IDF, OpenCC) lives: `$ZHIMEI_TEXT_DATA` or `<data>/text`.
    public var textDataDirectory: String
    /// Port of the public edge listener (`ZHIMEI_PUBLIC_PORT`): /site/ and /api/v1/public/ only; off when nil.
    public var publicPort: Int?
    /// How long a request waits for a free database connection before it is answered 503 "busy" (`ZHIMEI_DB_WAIT_SECONDS`).
    public var databaseWait: TimeInterval = 30

    /// Blob store choice: a local directory, or an S3-compatible bucket.
    public struct BlobStoreSettings: Sendable {
        public var s3Endpoint: String?
        public var s3Bucket: String?
        public var s3Region: String
        public var s3AccessKey: String?
        public var s3SecretKey: String?
    }


    public var sqlitePath: String { dataDirectory + "/zhimei.sqlite" }
    public var blobDirectory: String { dataDirectory + "/blobs" }

    public static func load(environment env: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
        let dataDir = env["ZHIMEI_DATA_DIR"] ?? "./data"
        let file = loadFile(env["ZHIMEI_CONFIG"] ?? dataDir + "/zhimei.json")
        func value(_ key: String) -> String? {
            if let v = env["ZHIMEI_" + key], !v.isEmpty { return v }
            if let v = file[key.lowercased()] { return v }
            return nil
        }
        let databaseURL = env["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? file["database_url"]
        return Settings(
            dataDirectory: dataDir,
            databaseURL: databaseURL,
            postgresSchema: value("PG_SCHEMA"),
            hostname: value("HOSTNAME") ?? "127.0.0.1",
            port: value("PORT").flatMap(Int.init) ?? 8080,
            publicURL: value("PUBLIC_URL") ?? "http://localhost:8080",
            bcryptCost: value("BCRYPT_COST").flatMap(Int.init) ?? 12,
            jsonLogs: value("LOG_FORMAT") == "json",
            logLevel: value("LOG_LEVEL") ?? "info",
            sessionLifetime: value("SESSION_HOURS").flatMap(Double.init).map { $0 * 3600 } ?? 12 * 3600,
            maxBodySize: value("MAX_BODY") ?? "2mb",
            workerConcurrency: value("WORKERS").flatMap(Int.init) ?? 2,
            jobLease: value("JOB_LEASE_SECONDS").flatMap(Double.init) ?? 60,
            diagnosticJobs: value("DIAGNOSTIC_JOBS") == "1",
            blobStore: .init(
                s3Endpoint: value("S3_ENDPOINT"), s3Bucket: value("S3_BUCKET"),
                s3Region: value("S3_REGION") ?? "us-east-1",
                s3AccessKey: value("S3_ACCESS_KEY"), s3SecretKey: value("S3_SECRET_KEY")),
            textDataDirectory: value("TEXT_DATA") ?? dataDir + "/text",
            publicPort: value("PUBLIC_PORT").flatMap(Int.init),
            databaseWait: value("DB_WAIT_SECONDS").flatMap(Double.init).map { min(max($0, 0.1), 600) } ?? 30
        )
    }

    private static func loadFile(_ path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object.mapValues { "\($0)" }
    }
}
