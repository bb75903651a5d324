import Foundation
import NIOConcurrencyHelpers
import Vapor
@testable import Zhimei

/// A local HTTP server for feed tests, on 127.0.0.1 only: serves the files in Fixtures/ (and generated GBK/Big5
/// copies) with ETag / Last-Modified and 304s, a failing path, a slow path and a never-ending huge feed.
final class FeedServer: @unchecked Sendable {
    // @unchecked: mutable state is behind the lock.
    let app: Application
    let port: Int
    private let state = NIOLockedValueBox<[String: Int]>([:])
    private let files: [String: (Data, String)]

    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    static func fixture(_ name: String) throws -> Data { try Data(contentsOf: fixtures.appendingPathComponent(name)) }

    /// GBK and Big5 copies of a Chinese feed, made from UTF-8 text at start.
    static func encodedFeed(title: String, body: String, encoding label: String) -> Data {
        let xml = """
        <?xml version="1.0" encoding="\(label)"?>
        <rss version="2.0"><channel><title>\(title)</title>
        <item><title>\(title)</title><link>https://enc.example.cn/\(label)</link><guid>\(label)-1</guid>
        <pubDate>Sun, 22 Nov 2026 08:00:00 +0800</pubDate><description>\(body)</description></item>
        </channel></rss>
        """
        return xml.data(using: FeedParser.encoding(named: label)!)!
    }

    private init(app: Application, port: Int, files: [String: (Data, String)]) {
        self.app = app
        self.port = port
        self.files = files
    }

    func hits(_ path: String) -> Int { state.withLockedValue { $0[path] ?? 0 } }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    static func start() async throws -> FeedServer {
        var files: [String: (Data, String)] = [:]
        for name in ["rss.xml", "atom.xml", "feed.json", "invalid.xml", "hostile.xml"] {
            files[name] = (try fixture(name), name.hasSuffix(".json") ? "application/feed+json" : "application/rss+xml")
        }
        // Declared only in the XML declaration (no charset in Content-Type).
        files["gbk.xml"] = (encodedFeed(title: "长沙地铁六号线开通运营", body: "市民乘坐地铁出行更加方便，沿线居民纷纷点赞。", encoding: "GBK"), "application/xml")
        // Declared only in Content-Type (the XML declaration claims Big5 as well).
        files["big5.xml"] = (encodedFeed(title: "臺灣同胞來湘參訪經濟發展", body: "參訪團一行參觀了當地的產業園區與醫療機構。", encoding: "Big5"), "application/xml; charset=big5")

        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        let box = NIOLockedValueBox<FeedServer?>(nil)
        app.get("**") { req async throws -> Response in
            let path = req.url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let server = box.withLockedValue { $0 }!
            server.state.withLockedValue { $0[path, default: 0] += 1 }
            switch path {
            case "error": return Response(status: .internalServerError, body: "boom")
            case "huge.xml":
                // 300 MB, streamed in 1 MB chunks and never announced in Content-Length.
                let chunk = ByteBuffer(string: String(repeating: "<item><title>x</title></item>", count: 1_048_576 / 29))
                var headers = HTTPHeaders(); headers.contentType = .xml
                return Response(status: .ok, headers: headers, body: .init(asyncStream: { writer in
                    do {
                        try await writer.write(.buffer(ByteBuffer(string: "<?xml version=\"1.0\"?><rss><channel>")))
                        for _ in 0..<300 { try await writer.write(.buffer(chunk)) }
                        try await writer.write(.end)
                    } catch {
                        try? await writer.write(.error(error))   // the client hung up (as it should, at the cap)
                    }
                }))
            default:
                guard let (data, type) = server.files[path] else { return Response(status: .notFound) }
                let etag = "\"v1-\(path)\"", modified = "Sun, 22 Nov 2026 00:00:00 GMT"
                if req.headers.first(name: "If-None-Match") == etag || req.headers.first(name: "If-Modified-Since") == modified {
                    server.state.withLockedValue { $0[path + "#304", default: 0] += 1 }
                    return Response(status: .notModified)
                }
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .contentType, value: type)
                headers.replaceOrAdd(name: .eTag, value: etag)
                headers.replaceOrAdd(name: .lastModified, value: modified)
                return Response(status: .ok, headers: headers, body: .init(data: data))
            }
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw TestError("feed server has no port") }
        let server = FeedServer(app: app, port: port, files: files)
        box.withLockedValue { $0 = server }
        return server
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

/// Runs `body` with a feed server and a test app; shuts both down.
func withFeedServer(_ body: (FeedServer, TestApp) async throws -> Void) async throws {
    let server = try await FeedServer.start()
    do {
        try await withTestApp { t in try await body(server, t) }
    } catch {
        try? await server.stop()
        throw error
    }
    try await server.stop()
}
