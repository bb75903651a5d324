import Atomics
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Vapor

/// The public delivery tier: a second listener in the serving process (`ZHIMEI_PUBLIC_PORT`) built directly on
/// SwiftNIO. It serves only the public site (/site/…) and the content API (/api/v1/public/…): a cached answer is
/// written from bytes encoded when it was cached (no Vapor Request/Response, no middleware, no futures), a miss is
/// rendered by the same Vapor application in-process, so both ports give the same answers and share one cache and its
/// invalidation (publish, correction, kill, and the cross-process generation poll).
final class PublicEdgeServer: Sendable {
    let app: Application
    let cache: PublicSiteCache
    private let hits = ManagedAtomic<Int>(0)
    private let misses = ManagedAtomic<Int>(0)
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Request limits: every header line and the whole header block (the URL is limited to `PublicSiteCache.maxKeyLength`).
    static let maxHeaderFieldSize = 8 * 1024
    static let maxHeaderListSize = 16 * 1024
    static let maxHeaderFieldCount = 64
    /// Keep-alive connections with no traffic for this long are closed.
    static let idleTimeout = TimeAmount.seconds(60)

    static var limits: NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderFieldSize
        limits.maxHeaderListSize = maxHeaderListSize
        limits.maxHeaderFieldCount = maxHeaderFieldCount
        return limits
    }

    init(app: Application) {
        self.app = app
        self.cache = app.publicSiteCache
    }

    /// Answers written from the cache / handed to the application, since start (bench, diagnostics).
    var hitCount: Int { hits.load(ordering: .relaxed) }
    var missCount: Int { misses.load(ordering: .relaxed) }
    func countHit() { hits.wrappingIncrement(ordering: .relaxed) }
    func countMiss() { misses.wrappingIncrement(ordering: .relaxed) }

    /// Binds the listener on the application's event loops; returns the bound port (0 asks for a free one).
    @discardableResult
    func start(host: String, port: Int) async throws -> Int {
        let limits = Self.limits
        let bootstrap = ServerBootstrap(group: app.eventLoopGroup)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(allTimeout: Self.idleTimeout),
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .drop,
                                                                limitConfiguration: limits)),
                        PublicEdgeHandler(edge: self))
                }
            }
        let bound = try await bootstrap.bind(host: host, port: port).get()
        channel.withLockedValue { $0 = bound }
        return bound.localAddress?.port ?? port
    }

    /// The bound port while listening.
    var port: Int? { channel.withLockedValue { $0?.localAddress?.port } }

    func shutdown() async {
        let bound = channel.withLockedValue { c -> (any Channel)? in defer { c = nil }; return c }
        try? await bound?.close()
    }
}

/// Starts the public edge listener when the application boots and closes it on shutdown (`zhimei serve` only).
struct PublicEdgeLifecycle: LifecycleHandler {
    let host: String
    let port: Int

    /// A busy or forbidden port is not fatal: the newsroom keeps running and the public site stays on the main port.
    func didBootAsync(_ application: Application) async throws {
        let edge = PublicEdgeServer(app: application)
        do {
            let bound = try await edge.start(host: host, port: port)
            application.publicEdge = edge
            application.logger.notice("智媒 public site (edge) listening on http://\(host):\(bound) — /site/ and /api/v1/public/ only")
        } catch {
            application.logger.warning("公开站点端口 \(port) 无法监听，公开站点仍由主端口提供 / the public edge port \(port) could not be opened (\(error)); the public site is still served on the main port")
        }
    }

    func shutdownAsync(_ application: Application) async {
        await application.publicEdge?.shutdown()
    }
}

extension Application {
    private struct PublicEdgeKey: StorageKey { typealias Value = PublicEdgeServer }

    /// The public edge listener, when one was started.
    var publicEdge: PublicEdgeServer? {
        get { storage[PublicEdgeKey.self] }
        set { storage[PublicEdgeKey.self] = newValue }
    }
}
