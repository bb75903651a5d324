import AsyncHTTPClient
import Fluent
import Foundation
import Vapor

/// `zhimei bench publish`: (1) publish latency — a story published through the API to 8 channels with 3 destinations,
/// until its article page answers 200 on the public site; (2) throughput and p99 of the public article page and the
/// content-API item with wrk over loopback on the public edge port (`PublicEdgeServer`) and, for the record, on the main
/// port, against nginx serving the same bytes as static files in the same run.
public enum PublishBenchmark {
    public struct Options: Sendable {
        public var publishes = 20
        public var duration = 10
        public var connections = 64
        public var threads = 2
        public init() {}
    }

    struct WrkResult {
        var rps: Double; var p99ms: Double; var requests: Double = 0; var cpuSeconds: Double = 0
        /// The slowest answer, and the share of the machine's CPU time the hypervisor gave elsewhere during the run
        /// (`steal` in /proc/stat): a tail that comes from the host, not from the server, shows there.
        var maxms: Double = 0; var steal: Double = 0
        var tail: String { "max \(PublishBenchmark.fmt(maxms)) ms, host steal \(String(format: "%.1f", steal * 100))%" }
    }

    public static func run(_ o: Options, textData: String, log: @escaping @Sendable (String) -> Void) async throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zhimei-bench-publish-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = Int.random(in: 30000...39999), nginxPort = port + 1, edgePort = port + 2
        setenv("ZHIMEI_SITE_CACHE_TTL", "3600", 1)
        let settings = Settings.load(environment: ["ZHIMEI_DATA_DIR": dir, "ZHIMEI_BCRYPT_COST": "4", "ZHIMEI_LOG_LEVEL": "error",
                                                   "ZHIMEI_PUBLIC_URL": "http://127.0.0.1:\(port)", "ZHIMEI_TEXT_DATA": textData])
        let app = try await Bootstrap.makeApplication(settings)
        var lines: [String] = ["# zhimei bench publish", ""]
        do {
            try await app.autoMigrate()
            _ = try await DemoData.seed(on: app.db) { try Bcrypt.hash($0, cost: 4) }
            Bootstrap.addWorkers(app)
            try await app.asyncBoot()
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
            let edge = PublicEdgeServer(app: app)
            try await edge.start(host: "127.0.0.1", port: edgePort)
            app.publicEdge = edge
            let base = "http://127.0.0.1:\(port)", edgeBase = "http://127.0.0.1:\(edgePort)"
            let token = try await benchToken(app)
            let tenant = try await Tenant.query(on: app.db).filter(\.$slug == "liuyang").first()!
            for i in 1...3 {
                let d = PublishDestination()
                d.tenantID = try tenant.requireID(); d.name = "bench-\(i)"; d.kind = .directory; d.target = "bench-\(i)"; d.secret = ""
                d.options = [:]; d.enabled = true; d.createdAt = Date()
                try await d.create(on: app.db)
            }
            // 1. Publish latency.
            log("publish latency: \(o.publishes) stories × 8 channels × 3 destinations")
            let channels = #"{"channels":["website","app","rss","atom","ninjs2","ninjs3","wechat","social"]}"#
            var latencies: [Double] = []
            var lastID = UUID()
            for n in 0..<o.publishes {
                let story = try await benchStory(app, tenantID: try tenant.requireID(), n: n)
                lastID = try story.requireID()
                let start = Date()
                let status = try await http("POST", "\(base)/api/v1/publishing/stories/\(lastID)/publish", body: channels, token: token).status
                guard status == 200 else { throw Abort(.internalServerError, reason: "publish answered \(status)") }
                while try await http("GET", "\(base)/site/liuyang/articles/\(lastID.uuidString.lowercased())").status != 200 {
                    try await Task.sleep(nanoseconds: 1_000_000)
                }
                latencies.append(Date().timeIntervalSince(start) * 1000)
            }
            latencies.sort()
            let p50 = latencies[latencies.count / 2], p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
            lines.append("publish → visible on the public site (8 channels, 3 destinations, n=\(o.publishes)): p50 \(fmt(p50)) ms, p99 \(fmt(p99)) ms, max \(fmt(latencies.last ?? 0)) ms (target < 1000 ms)")
            // 2. Throughput against nginx.
            let article = "/site/liuyang/articles/\(lastID.uuidString.lowercased())", item = "/api/v1/public/liuyang/items/\(lastID.uuidString.lowercased())"
            guard let (wrk, nginx) = ensureTools(log: log) else {
                lines.append("wrk/nginx missing and `apt-get install -y wrk nginx-light` failed: install them and run again")
                try await shutdown(app)
                return lines.joined(separator: "\n")
            }
            let root = dir + "/nginx/root"
            try FileManager.default.createDirectory(atPath: root + "/logs", withIntermediateDirectories: true)
            for (path, file) in [(article, "/article.html"), (item, "/item.json")] {
                let body = try await http("GET", base + path).body
                guard try await http("GET", edgeBase + path).body == body else { throw Abort(.internalServerError, reason: "edge and main port differ on \(path)") }
                try Data(body.utf8).write(to: URL(fileURLWithPath: root + file))
            }
            let conf = """
            worker_processes \(o.threads); pid \(dir)/nginx/nginx.pid; error_log \(dir)/nginx/error.log;
            events { worker_connections 1024; }
            http { access_log off; sendfile on; keepalive_requests 1000000; types { text/html html; application/json json; }
              server { listen 127.0.0.1:\(nginxPort); root \(root); } }
            """
            try conf.write(toFile: dir + "/nginx/nginx.conf", atomically: true, encoding: .utf8)
            let nginxProcess = Process()
            nginxProcess.executableURL = URL(fileURLWithPath: nginx)
            nginxProcess.arguments = ["-c", dir + "/nginx/nginx.conf", "-p", dir + "/nginx", "-g", "daemon off;"]
            try nginxProcess.run()
            defer { nginxProcess.terminate() }
            try await Task.sleep(nanoseconds: 500_000_000)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            lines.append("\(buildType) build; wrk -t\(o.threads) -c\(o.connections) -d\(o.duration)s --latency over loopback; \(cores) cores shared by wrk, "
                         + "the server (\(System.coreCount) event loops) and nginx (\(o.threads) workers); load before: \(loadAverage())")
            // Warm-up: the first answer builds and caches; a short wrk run fills every connection's path.
            _ = try runWrk(wrk, url: base + article, o, seconds: 1)
            _ = try runWrk(wrk, url: edgeBase + article, o, seconds: 1)
            let perRequest = { (r: WrkResult) in "\(fmt(r.cpuSeconds / max(r.requests, 1) * 1e6)) µs" }
            for (name, path, file) in [("article page", article, "/article.html"), ("content-API item", item, "/item.json")] {
                log("wrk: \(name)")
                let self_ = { cpuSeconds(pids: [getpid()]) }
                let e = try measured(cpu: self_) { try runWrk(wrk, url: edgeBase + path, o) }
                let z = try measured(cpu: self_) { try runWrk(wrk, url: base + path, o) }
                let nginxPIDs = { [nginxProcess.processIdentifier] + children(of: nginxProcess.processIdentifier) }
                let n = try measured(cpu: { cpuSeconds(pids: nginxPIDs()) }) { try runWrk(wrk, url: "http://127.0.0.1:\(nginxPort)\(file)", o) }
                let ratio = e.rps / max(n.rps, 1)
                let met = ratio >= 0.5 && e.rps >= 10_000 && e.p99ms < 20
                lines.append("\(name): zhimei edge port \(fmt(e.rps)) req/s p99 \(fmt(e.p99ms)) ms (\(e.tail)) · nginx static \(fmt(n.rps)) req/s p99 \(fmt(n.p99ms)) ms (\(n.tail)) · ratio \(String(format: "%.2f", ratio))× "
                             + "(target ≥ 0.5×, ≥ 10000 req/s, p99 < 20 ms: \(met ? "met" : "NOT met"))")
                lines.append("  main port (Vapor, hot path) \(fmt(z.rps)) req/s p99 \(fmt(z.p99ms)) ms · ratio \(String(format: "%.2f", z.rps / max(n.rps, 1)))×")
                lines.append("  server CPU per request: edge \(perRequest(e)) · main port \(perRequest(z)) · nginx \(perRequest(n)) "
                             + "(\(fmt(e.cpuSeconds)) s, \(fmt(z.cpuSeconds)) s and \(fmt(n.cpuSeconds)) s of CPU for \(Int(e.requests)), \(Int(z.requests)) and \(Int(n.requests)) requests; wrk used the rest)")
            }
            lines.append("load after: \(loadAverage()); edge answers from the cache: \(edge.hitCount), handed to the app: \(edge.missCount); "
                         + "main-port hot path (PublicCacheResponder): \(hotPathAnswers(app))")
        } catch {
            try? await shutdown(app)
            throw error
        }
        try await shutdown(app)
        return lines.joined(separator: "\n")
    }

    /// Answers counted under the hot path's route in /metrics.
    static func hotPathAnswers(_ app: Application) -> Int {
        app.zhimei.metrics.render(queueDepth: [:]).split(separator: "\n")
            .filter { $0.hasPrefix("zhimei_http_requests_total{") && $0.contains("route=\"\(PublicCacheResponder.metricsRoute)\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
    }

    static func shutdown(_ app: Application) async throws {
        await app.publicEdge?.shutdown()
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    static func fmt(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : "%.1f", v) }

    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for dir in path + ["/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"] where FileManager.default.fileExists(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        return nil
    }

    #if DEBUG
    static let buildType = "debug"
    #else
    static let buildType = "release"
    #endif

    /// The 1/5/15-minute load averages (other work on the machine skews the numbers).
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "unknown"
    }

    /// wrk and nginx, installed with apt-get when missing (the bench sets up what it needs itself).
    static func ensureTools(log: @Sendable (String) -> Void) -> (String, String)? {
        if let wrk = which("wrk"), let nginx = which("nginx") { return (wrk, nginx) }
        log("installing wrk and nginx-light: apt-get install -y wrk nginx-light")
        for command in ["apt-get install -y --no-install-recommends wrk nginx-light",
                        "apt-get update -qq && apt-get install -y --no-install-recommends wrk nginx-light"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            // RUNLEVEL=1 keeps the package scripts from starting a system nginx.
            p.arguments = ["-c", "DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 " + command.replacingOccurrences(of: "&& apt-get", with: "&& DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get")]
            p.standardOutput = FileHandle.standardError
            guard (try? p.run()) != nil else { return nil }
            p.waitUntilExit()
            if let wrk = which("wrk"), let nginx = which("nginx") { return (wrk, nginx) }
        }
        return nil
    }

    /// Runs `body` and adds the CPU time `cpu` reports for it (user + system seconds of the serving processes).
    static func measured(cpu: () -> Double, _ body: () throws -> WrkResult) rethrows -> WrkResult {
        let before = cpu()
        var result = try body()
        result.cpuSeconds = cpu() - before
        return result
    }

    /// User + system CPU seconds of the given processes, from /proc/<pid>/stat (Linux; 0 elsewhere).
    static func cpuSeconds(pids: [Int32]) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return pids.reduce(0) { total, pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return total }
            let fields = stat[stat.index(after: close)...].split(separator: " ")   // fields from 3 (state) on
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return total }
            return total + (user + system) / ticks
        }
    }

    /// Direct children of a process (nginx's workers).
    static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    static func runWrk(_ wrk: String, url: String, _ o: Options, seconds: Int? = nil) throws -> WrkResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wrk)
        p.arguments = ["-t\(o.threads)", "-c\(o.connections)", "-d\(seconds ?? o.duration)s", "--latency", url]
        let pipe = Pipe()
        p.standardOutput = pipe
        let cpuBefore = machineCPUTicks()
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let cpuAfter = machineCPUTicks()
        let steal = (cpuAfter.steal - cpuBefore.steal) / max(cpuAfter.total - cpuBefore.total, 1)
        var rps = 0.0, p99 = 0.0, requests = 0.0, maxms = 0.0
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.first == "Requests/sec:", parts.count > 1 { rps = Double(parts[1]) ?? 0 }
            if parts.count > 2, parts[1] == "requests", parts[2] == "in" { requests = Double(parts[0]) ?? 0 }
            if parts.first == "99%", parts.count > 1 { p99 = duration(String(parts[1])) }
            if parts.first == "Latency", parts.count > 3 { maxms = duration(String(parts[3])) }
            if parts.first == "Non-2xx" { rps = 0 }   // errors do not count as throughput
        }
        return WrkResult(rps: rps, p99ms: p99, requests: requests, maxms: maxms, steal: steal)
    }

    /// All CPU ticks of the machine and the stolen ones, from the first line of /proc/stat (zeros elsewhere).
    static func machineCPUTicks() -> (total: Double, steal: Double) {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ") else { return (0, 0) }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }   // user nice system idle iowait irq softirq steal …
        guard fields.count >= 8 else { return (0, 0) }
        return (fields.prefix(8).reduce(0, +), fields[7])
    }

    /// wrk prints latencies as 850.00us, 1.20ms or 1.05s.
    static func duration(_ s: String) -> Double {
        if s.hasSuffix("us") { return (Double(s.dropLast(2)) ?? 0) / 1000 }
        if s.hasSuffix("ms") { return Double(s.dropLast(2)) ?? 0 }
        if s.hasSuffix("s") { return (Double(s.dropLast()) ?? 0) * 1000 }
        return 0
    }

    static func benchToken(_ app: Application) async throws -> String {
        guard let user = try await User.query(on: app.db).filter(\.$username == "liuyang-chief").first() else { throw Abort(.internalServerError) }
        let secret = "zm_bench_\(UUID().uuidString)"
        let token = APIToken()
        token.$user.id = try user.requireID()
        token.name = "bench"; token.prefix = "zm_bench"; token.tokenHash = Secrets.sha256(secret); token.scopes = TokenScope.allCases
        try await token.create(on: app.db)
        return secret
    }

    static func benchStory(_ app: Application, tenantID: UUID, n: Int) async throws -> Story {
        let s = Story()
        s.id = UUID(); s.tenantID = tenantID; s.authorID = UUID(); s.authorName = "基准"
        s.headline = "基准测试稿件 \(n)：浏阳花炮产业2024年增长3.5%"; s.subtitle = ""; s.lead = "导语：花炮产业稳步发展。"; s.byline = "本台记者"
        s.tags = ["基准", "花炮"]; s.categories = ["经济"]; s.location = "浏阳"; s.language = "zh"
        s.body = (0..<12).map { i in .paragraph([InlineSpan(String(repeating: "浏阳市花炮产业第\(i)段正文，企业数量与出口额持续增长。", count: 4))]) }
        s.status = .approved; s.version = 1; s.createdAt = Date(); s.updatedAt = Date()
        try await s.create(on: app.db)
        return s
    }

    /// One HTTP request with AsyncHTTPClient.
    static func http(_ method: String, _ url: String, body: String? = nil, token: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), String(buffer: data))
    }
}
