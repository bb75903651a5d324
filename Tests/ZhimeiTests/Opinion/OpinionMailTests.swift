import Fluent
import Foundation
import Vapor
import XCTest
@testable import Zhimei

/// The alert e-mail outbox over real SMTP: a local sink (scripts/opinion/smtp_sink.py, Python standard library) receives
/// the mail; the subject and body come back intact (UTF-8, RFC 2047 / base64); a refused recipient marks the alert failed.
final class OpinionMailTests: XCTestCase {
    /// Starts the sink; skips when python3 is missing.
    func startSink(_ dir: URL) throws -> (Process, Int) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("python3 missing") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/opinion/smtp_sink.py").standardized
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [script.path, dir.path, "0"]
        let out = Pipe()
        p.standardOutput = out
        p.standardInput = Pipe()   // the sink stops when this closes, even if the test dies
        try p.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            p.terminate(); throw XCTSkip("smtp sink did not start: \(text)")
        }
        return (p, port)
    }

    func decodedBody(_ eml: String) -> (subject: String, body: String) {
        let parts = eml.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        let headers = parts[0].split(separator: "\n")
        let rawSubject = headers.first { $0.hasPrefix("Subject: ") }.map { String($0.dropFirst(9)) } ?? ""
        let b64 = rawSubject.replacingOccurrences(of: "=?UTF-8?B?", with: "").replacingOccurrences(of: "?=", with: "")
        let subject = Data(base64Encoded: b64).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let body = Data(base64Encoded: parts.dropFirst().joined(separator: "\n").replacingOccurrences(of: "\n", with: "")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (subject, body)
    }

    func testClientDeliversUTF8MailToALocalServer() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        let (sink, port) = try startSink(dir)
        defer { sink.terminate(); try? FileManager.default.removeItem(at: dir) }
        let client = SMTPClient(host: "127.0.0.1", port: port, from: "alerts@zhimei.test")
        let text = "浏阳某小区停水三天\n.\n一行只有点号也不会打断协议"
        try await client.send(to: "editor@newsroom.test", subject: "舆情预警 Alert：停水", text: text)
        let eml = try String(contentsOf: dir.appendingPathComponent("1.eml"), encoding: .utf8)
        let envelope = try String(contentsOf: dir.appendingPathComponent("1.env"), encoding: .utf8)
        XCTAssertEqual(envelope, "<alerts@zhimei.test>\t<editor@newsroom.test>\n")
        let decoded = decodedBody(eml)
        XCTAssertEqual(decoded.subject, "舆情预警 Alert：停水")
        XCTAssertEqual(decoded.body, text)
        // Refused recipient, bad address, nothing listening: errors, not crashes.
        do { try await client.send(to: "reject@newsroom.test", subject: "x", text: "y"); XCTFail("refused recipient must throw") } catch {}
        do { try await client.send(to: "a@b>\r\nRCPT TO:<c@d", subject: "x", text: "y"); XCTFail("injection must throw") } catch {}
        do { try await SMTPClient(host: "127.0.0.1", port: 1, from: "a@b").send(to: "c@d", subject: "x", text: "y"); XCTFail("no server must throw") } catch {}
        XCTAssertFalse(SMTPClient.validAddress("no at sign"))
        XCTAssertTrue(SMTPClient.validAddress("chief@liuyang.gov.cn"))
    }

    func testOutboxSendsReadyAlertsOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        let (sink, port) = try startSink(dir)
        defer { sink.terminate(); try? FileManager.default.removeItem(at: dir) }
        try await withTestApp { t in
            let found = try await Tenant.query(on: t.db).filter(\.$slug == "liuyang").first()
            let tenant = try XCTUnwrap(found?.id)
            func alert(_ to: String?, payload: String? = nil) async throws -> OpinionAlert {
                let a = OpinionAlert()
                a.id = UUID(); a.tenantID = tenant; a.ruleID = UUID(); a.eventID = UUID(); a.title = "舆情预警 Alert：测试"; a.detail = "d"
                a.risk = 50; a.windowPosts = 10; a.notified = 0; a.createdAt = Date()
                if let to {
                    a.emailStatus = "ready"
                    let json = try JSONEncoder().encode(["to": to, "subject": "预警：\(to)", "text": "正文 body"])
                    a.emailPayload = payload ?? String(decoding: json, as: UTF8.self)
                } else {
                    a.emailStatus = "none"; a.emailPayload = ""
                }
                try await a.create(on: t.db)
                return a
            }
            let good = try await alert("chief@liuyang.test")
            let refused = try await alert("reject@liuyang.test")
            let broken = try await alert("x@y.test", payload: "not json")
            let none = try await alert(nil)
            let client = SMTPClient(host: "127.0.0.1", port: port, from: "alerts@zhimei.test")
            let tick = try await OpinionSchedule.tick(on: t.db, logger: nil, mail: client)
            XCTAssertEqual(tick.emailsSent, 1)
            func status(_ a: OpinionAlert) async throws -> String? { try await OpinionAlert.find(a.id, on: t.db)?.emailStatus }
            try await XCTAssertEqualAsync(try await status(good), "sent")
            try await XCTAssertEqualAsync(try await status(refused), "failed")
            try await XCTAssertEqualAsync(try await status(broken), "failed")
            try await XCTAssertEqualAsync(try await status(none), "none")
            // Nothing is sent twice.
            let again = try await OpinionMailer.sendReady(client: client, on: t.db, logger: nil)
            XCTAssertEqual(again.sent, 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".eml") }
            XCTAssertEqual(files.count, 1)
            XCTAssertEqual(decodedBody(try String(contentsOf: dir.appendingPathComponent("1.eml"), encoding: .utf8)).subject, "预警：chief@liuyang.test")
        }
    }
}
