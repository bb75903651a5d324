import Fluent
import Logging
import Vapor

/// Builds a configured application for the CLI commands.
public enum Bootstrap {
    /// Sets up logging once per process: human-readable by default, JSON with `ZHIMEI_LOG_FORMAT=json`.
    public static func logging(_ settings: Settings) {
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = settings.jsonLogs ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Makes and configures an application. `arguments` are what Vapor's own command parser sees.
    public static func makeApplication(_ settings: Settings, arguments: [String] = ["zhimei"]) async throws -> Application {
        let name = Environment.get("ZHIMEI_ENV") ?? "production"
        let app = try await Application.make(Environment(name: name, arguments: arguments))
        do {
            try await configure(app, settings: settings)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return app
    }

    /// Runs `body` with a configured application and shuts it down afterwards.
    public static func withApplication<T>(_ settings: Settings, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await makeApplication(settings)
        do {
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Starts in-process job workers when the application boots.
    public static func addWorkers(_ app: Application) {
        let settings = app.zhimei.settings
        app.lifecycle.use(JobWorkerLifecycle(pool: JobWorkerPool(application: app, concurrency: settings.workerConcurrency, lease: settings.jobLease)))
    }

    /// Runs only the job workers until the process is told to stop.
    public static func runWorkers(_ app: Application, concurrency: Int) async throws {
        let pool = JobWorkerPool(application: app, concurrency: concurrency, lease: app.zhimei.settings.jobLease)
        pool.start()
        let (signals, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.finish() }
            source.resume()
            return source
        }
        for await _ in signals {}
        sources.forEach { $0.cancel() }
        app.logger.info("stopping workers")
        await pool.stop()
    }
}

/// One JSON object per log line, for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        var object: [String: String] = ["ts": ISO8601DateFormatter().string(from: Date()), "level": level.rawValue, "label": label, "msg": message.description]
        for (k, v) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }) { object[k] = v.description }
        if let data = try? JSONEncoder.sorted.encode(object) {
            FileHandle.standardError.write(data + Data("\n".utf8))
        }
    }
}
