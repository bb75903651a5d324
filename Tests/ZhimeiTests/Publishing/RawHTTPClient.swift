import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over one real TCP connection: sends raw bytes (so tests can pipeline, send malformed or
/// oversized requests) and splits what comes back into answers, framing by Content-Length as the server sent it.
/// Blocking socket calls run on a Dispatch queue, never on the test's cooperative threads.
struct RawHTTPClient {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let port: Int

    /// Sends `raw` in one write and reads until `methods.count` answers arrived (a HEAD or 304 answer has no body)
    /// or the server closed the connection. `closed` tells whether the server closed it.
    func exchange(_ raw: String, methods: [String], timeout: TimeInterval = 10) async throws -> (answers: [Answer], closed: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.blockingExchange(port: port, raw: Data(raw.utf8), methods: methods, timeout: timeout) })
            }
        }
    }

    static func blockingExchange(port: Int, raw: Data, methods: [String], timeout: TimeInterval) throws -> ([Answer], Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestError("connect to \(port) failed") }
        var tv = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let sent = raw.withUnsafeBytes { send(fd, $0.baseAddress, raw.count, 0) }
        guard sent == raw.count else { throw TestError("short send") }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        var closed = false
        while Date() < deadline {
            if let answers = try? parse(received, methods: methods), answers.count == methods.count {
                // Everything arrived: one more read (1 s timeout) tells whether the server closed the connection.
                let n = recv(fd, &buffer, buffer.count, 0)
                return (answers, n == 0 || (n < 0 && errno == ECONNRESET))   // a reset: closed with our bytes unread
            }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { received.append(contentsOf: buffer[0..<n]); continue }
            if n == 0 { closed = true; break }
            if errno != EAGAIN && errno != EWOULDBLOCK { closed = true; break }
        }
        return (try parse(received, methods: methods), closed)
    }

    /// Splits a byte stream into answers; stops at the first incomplete one.
    static func parse(_ data: Data, methods: [String]) throws -> [Answer] {
        var answers: [Answer] = []
        var rest = data[...]
        let separator = Data("\r\n\r\n".utf8)
        while answers.count < methods.count, let end = rest.range(of: separator) {
            let head = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestError("bad status line in \(head)") }
            let headers = lines.compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
            let hasBody = methods[answers.count] != "HEAD" && status != 304
            let bodyStart = end.upperBound
            let bodyLength = hasBody ? length : 0
            guard rest.distance(from: bodyStart, to: rest.endIndex) >= bodyLength else { break }
            let bodyEnd = rest.index(bodyStart, offsetBy: bodyLength)
            answers.append(Answer(status: status, headers: headers, body: Data(rest[bodyStart..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return answers
    }

    /// One GET (or HEAD) with extra header lines, on its own connection.
    func get(_ path: String, method: String = "GET", headers: [String] = []) async throws -> Answer {
        let raw = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n"
        let (answers, _) = try await exchange(raw, methods: [method])
        guard let answer = answers.first else { throw TestError("no answer for \(method) \(path)") }
        return answer
    }
}
