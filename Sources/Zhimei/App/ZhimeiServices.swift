import Vapor

/// The application's shared services, created once in `configure` and reached through `app.zhimei`.
public final class ZhimeiServices: Sendable {
    public let settings: Settings
    let loginThrottle: LoginThrottle
    public let blobs: any BlobStore
    public let jobs: JobRegistry
    public let metrics: Metrics
    public let api: APIDocument
    let searchConnections: SearchConnections

    init(settings: Settings, blobs: any BlobStore, loops: [any EventLoop]) {
        self.settings = settings
        self.loginThrottle = LoginThrottle()
        self.blobs = blobs
        self.jobs = JobRegistry()
        self.metrics = Metrics()
        self.api = APIDocument()
        self.searchConnections = SearchConnections(loops: loops)
    }
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = ZhimeiServices }

    /// Zhimei's services; set by `configure`.
    public var zhimei: ZhimeiServices {
        get {
            guard let services = storage[ServicesKey.self] else { fatalError("configure(_:settings:) has not run") }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }

    /// Honour X-Forwarded-For only when an operator says a trusted proxy sets it.
    var trustForwardedFor: Bool { Environment.get("ZHIMEI_TRUST_PROXY") == "1" }
}
