import Fluent
import Foundation
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// A minimal plain-SMTP client (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, QUIT) for the alert e-mail outbox.
/// No TLS and no authentication: it hands mail to a relay on the newsroom's own network (`ZHIMEI_SMTP_HOST`,
/// `ZHIMEI_SMTP_PORT`, default 25, `ZHIMEI_SMTP_FROM`). The message is UTF-8, the subject RFC 2047 encoded and the body
/// base64, so no line of Chinese text or a lone "." can break the protocol. Blocking socket I/O, run off the event loop.
struct SMTPClient: Sendable {
    var host: String
    var port: Int
    var from: String
    var timeout: TimeInterval = 10

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The client from the environment, nil when `ZHIMEI_SMTP_HOST` is not set.
    static func fromEnvironment() -> SMTPClient? {
        guard let host = Environment.get("ZHIMEI_SMTP_HOST"), !host.isEmpty else { return nil }
        let port = Environment.get("ZHIMEI_SMTP_PORT").flatMap(Int.init) ?? 25
        return SMTPClient(host: host, port: port, from: Environment.get("ZHIMEI_SMTP_FROM") ?? "zhimei@localhost")
    }

    /// An address safe to put in an SMTP command: one @, no spaces, brackets or control characters.
    static func validAddress(_ a: String) -> Bool {
        let parts = a.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && a.count <= 254
            && !a.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F || "<>()[],;:\\\"".unicodeScalars.contains($0) }
    }

    /// The RFC 5322 message: headers, blank line, base64 body in 76-character lines.
    static func message(from: String, to: String, subject: String, text: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let encodedSubject = "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        let body = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return ["From: <\(from)>", "To: <\(to)>", "Subject: \(encodedSubject)", "Date: \(formatter.string(from: date))",
                "Message-ID: <\(UUID().uuidString)@zhimei>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
                "Content-Transfer-Encoding: base64", "", body].joined(separator: "\r\n")
    }

    func send(to: String, subject: String, text: String) async throws {
        guard Self.validAddress(to), Self.validAddress(from) else { throw Failure(description: "invalid address") }
        let client = self
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async {
                do { try client.sendBlocking(to: to, subject: subject, text: text); c.resume() } catch { c.resume(throwing: error) }
            }
        }
    }

    private func sendBlocking(to: String, subject: String, text: String) throws {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        defer { connection.close() }
        try connection.expect(220)
        try connection.write("EHLO zhimei\r\n")
        if (try? connection.expect(250)) == nil {
            try connection.write("HELO zhimei\r\n")
            try connection.expect(250)
        }
        try connection.write("MAIL FROM:<\(from)>\r\n")
        try connection.expect(250)
        try connection.write("RCPT TO:<\(to)>\r\n")
        try connection.expect(250, 251)
        try connection.write("DATA\r\n")
        try connection.expect(354)
        try connection.write(Self.message(from: from, to: to, subject: subject, text: text) + "\r\n.\r\n")
        try connection.expect(250)
        try? connection.write("QUIT\r\n")
    }

    /// One TCP connection with a receive timeout; replies are read line by line (multi-line replies end at "NNN ").
    private final class Connection {
        let fd: Int32
        var buffer: [UInt8] = []

        init(host: String, port: Int, timeout: TimeInterval) throws {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { throw Failure(description: "cannot resolve \(host)") }
            defer { freeaddrinfo(result) }
            var chosen: Int32 = -1
            var info: UnsafeMutablePointer<addrinfo>? = first
            while let ai = info {
                let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
                if s >= 0 {
                    var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
                    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    if connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { chosen = s; break }
                    Glibc.close(s)
                }
                info = ai.pointee.ai_next
            }
            guard chosen >= 0 else { throw Failure(description: "cannot connect to \(host):\(port)") }
            fd = chosen
        }

        func close() { Glibc.close(fd) }

        func write(_ text: String) throws {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw Failure(description: "connection lost while sending") }
                sent += n
            }
        }

        func readLine() throws -> String {
            while true {
                if let i = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...i)
                    return line
                }
                guard buffer.count < 65_536 else { throw Failure(description: "reply line too long") }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw Failure(description: "no reply from the mail server") }
                buffer += chunk[..<n]
            }
        }

        /// Reads one (possibly multi-line) reply and checks its code.
        func expect(_ codes: Int...) throws {
            var line = try readLine()
            while line.count >= 4, line[line.index(line.startIndex, offsetBy: 3)] == "-" { line = try readLine() }
            guard let code = Int(line.prefix(3)), codes.contains(code) else { throw Failure(description: "mail server said: \(line.prefix(200))") }
        }
    }
}

/// Sends the alert e-mails that are ready (`email_status` "ready" → "sent", or "failed" with the reason in the log).
/// Run by the Opinion scheduler every minute when an SMTP relay is configured (`ZHIMEI_SMTP_HOST`).
enum OpinionMailer {
    struct Mail: Codable { var to: String; var subject: String; var text: String }

    @discardableResult
    static func sendReady(client: SMTPClient, on db: any Database, logger: Logger?) async throws -> (sent: Int, failed: Int) {
        var sent = 0, failed = 0
        let ready = try await OpinionAlert.query(on: db).filter(\.$emailStatus == "ready").sort(\.$createdAt).limit(50).all()
        for alert in ready {
            guard let mail = try? JSONDecoder().decode(Mail.self, from: Data(alert.emailPayload.utf8)) else {
                alert.emailStatus = "failed"; try await alert.save(on: db); failed += 1; continue
            }
            do {
                try await client.send(to: mail.to, subject: mail.subject, text: mail.text)
                alert.emailStatus = "sent"
                sent += 1
            } catch {
                logger?.warning("opinion alert e-mail to \(mail.to) failed: \(error)")
                alert.emailStatus = "failed"
                failed += 1
            }
            try await alert.save(on: db)
        }
        return (sent, failed)
    }
}
