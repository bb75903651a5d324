import Foundation
import NIOCore
import NIOHTTP1
import Vapor

/// The bytes the public edge writes for one cached answer, encoded once when the answer is cached: the status line
/// and every header (Content-Type, ETag, Cache-Control, CSP and the other security headers, Content-Length) for the
/// full answer and for a 304. The head stops before its blank line: the edge appends `date: …\r\n\r\n` (changes every
/// second) and then the body, so a cache hit is three buffers handed to one writev.
struct PublicEdgeWire: Sendable {
    var head: ByteBuffer
    var notModifiedHead: ByteBuffer

    init(status: HTTPResponseStatus, headers: HTTPHeaders, bodyLength: Int) {
        head = Self.encodeHead(status: status, headers: headers, contentLength: bodyLength)
        // A 304 carries the validators and caching headers but no Content-Length (it has no body).
        notModifiedHead = Self.encodeHead(status: .notModified, headers: headers, contentLength: nil)
    }

    /// Status line and headers, without the closing blank line. Framing headers are the edge's own.
    static func encodeHead(status: HTTPResponseStatus, headers: HTTPHeaders, contentLength: Int?, close: Bool = false) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(1024)
        out.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for (name, value) in headers where !framing.contains(name.lowercased()) {
            // Header values never carry CR/LF here (we built them), but a bridged answer is checked anyway.
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { continue }
            out.writeString(name); out.writeString(": "); out.writeString(value); out.writeString("\r\n")
        }
        if let contentLength { out.writeString("content-length: \(contentLength)\r\n") }
        if close { out.writeString("connection: close\r\n") }
        return out
    }

    /// Headers the edge decides itself (framing, date) or never sends (editorial sessions).
    static let framing: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive", "date", "set-cookie", "x-request-id"]

    /// A bilingual JSON error with the security headers, as a complete answer (head, blank line, body).
    static func error(_ status: HTTPResponseStatus, code: String, zh: String, en: String, date: ByteBuffer, close: Bool) -> [ByteBuffer] {
        let body = ErrorBody(error: .init(code: code, message: zh, message_en: en, request_id: nil))
        let bytes = (try? JSONEncoder.sorted.encode(body)) ?? Data("{}".utf8)
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: "application/json; charset=utf-8")
        headers.add(name: .cacheControl, value: "no-store")
        for (name, value) in PublicCacheResponder.securityHeaders { headers.add(name: name, value: value) }
        return [encodeHead(status: status, headers: headers, contentLength: bytes.count, close: close), date, ByteBuffer(bytes: bytes)]
    }
}

/// `date: <RFC 1123>\r\n\r\n`, formatted at most once per second per connection handler.
struct PublicEdgeClock {
    private var second: Int = -1
    private var buffer = ByteBuffer()

    mutating func dateLine() -> ByteBuffer {
        var now = time(nil)
        guard now != second else { return buffer }
        second = now
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "date: \(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT\r\n\r\n"
        buffer = ByteBuffer(string: text)
        return buffer
    }
}
