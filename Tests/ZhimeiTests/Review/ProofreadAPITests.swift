import Fluent
import Vapor
import XCTest
import ZIPFoundation
import XCTVapor
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Zhimei

/// The proofreading API (text, documents, reports) and lexicon management (CRUD, CSV import/export, audit).
final class ProofreadAPITests: XCTestCase {
    typealias P = ProofreadFixture

    func testLexiconCRUDIsAuditedAndCSVRoundTrips() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let tenant = try await t.tenant("liuyang").requireID()
            let created = try await P.addTerm(t, "测试广告词", category: "广告", severity: "warn", as: admin)
            XCTAssertEqual(created.level, "tenant"); XCTAssertEqual(created.tenantId, tenant)
            let dup = try await t.send(.POST, "/api/v1/review/lexicon", json: P.Entry(kind: "sensitive", term: "测试广告词", category: "广告"), as: admin)
            XCTAssertEqual(dup.status, .conflict)
            let person = try await t.send(.POST, "/api/v1/review/lexicon", json: P.Entry(kind: "person", term: "张测试", title: "浏阳市市长", items: ["浏阳市副市长"]), as: admin)
            XCTAssertEqual(person.status, .created, person.text)
            let list = try await t.send(.POST, "/api/v1/review/lexicon", json: P.Entry(kind: "list", term: "核心价值观", items: ["富强", "民主", "文明", "和谐"], note: "=1+1"), as: admin)
            XCTAssertEqual(list.status, .created, list.text)
            // Bad input: unknown kind, missing category, person without title, a one-item list — 422, bilingual.
            for bad in [P.Entry(kind: "nonsense", term: "x"), P.Entry(kind: "sensitive", term: "无类别"), P.Entry(kind: "person", term: "李某"),
                        P.Entry(kind: "list", term: "单项", items: ["一"]), P.Entry(kind: "sensitive", term: "  ", category: "广告")] {
                let r = try await t.send(.POST, "/api/v1/review/lexicon", json: bad, as: admin)
                XCTAssertEqual(r.status, .unprocessableEntity, "\(bad.kind) \(bad.term): \(r.text)")
                _ = try r.error()
            }
            let updated = try await t.send(.PUT, "/api/v1/review/lexicon/\(created.id)", json: P.Entry(kind: "sensitive", term: "测试广告词", category: "广告", severity: "block", note: "改为阻断"), as: admin)
            XCTAssertEqual(try updated.json(P.EntryOut.self).severity, "block")
            let search = try await t.send(.GET, "/api/v1/review/lexicon?kind=sensitive&q=%E5%B9%BF%E5%91%8A", as: admin).json(P.PageOut.self)
            XCTAssertEqual(search.items.map(\.term), ["测试广告词"])
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon?limit=-5&offset=99999999999", as: admin).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon?kind=bogus", as: admin).status, .unprocessableEntity)

            // Export: BOM, header, formula cells neutralised; import of the same file after deleting everything restores it.
            let export = try await t.send(.GET, "/api/v1/review/lexicon/export", as: admin)
            XCTAssertEqual(export.status, .ok)
            XCTAssertTrue(export.headers.contentType?.description.hasPrefix("text/csv") ?? false)
            let csv = P.body(export)
            XCTAssertEqual(Array(csv.prefix(3)), [0xEF, 0xBB, 0xBF])
            let csvText = export.text
            XCTAssertTrue(csvText.contains("kind,term,category,severity,title,items,homophones,note"))
            XCTAssertTrue(csvText.contains("'=1+1"))
            XCTAssertTrue(csvText.contains("富强|民主|文明|和谐"))
            let before = try await t.send(.GET, "/api/v1/review/lexicon", as: admin).json(P.PageOut.self).items
            for e in before { try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(e.id)", as: admin).status, .noContent) }
            let imported = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: csv, type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
            XCTAssertEqual(imported.status, .ok, imported.text)
            let result = try imported.json(P.ImportOut.self)
            XCTAssertEqual(result.created, 3); XCTAssertEqual(result.errors.count, 0)
            let after = try await t.send(.GET, "/api/v1/review/lexicon", as: admin).json(P.PageOut.self).items
            func key(_ e: P.EntryOut) -> String { [e.kind, e.term, e.category, e.severity, e.title, e.items.joined(separator: "|"), e.note].joined(separator: "/") }
            XCTAssertEqual(after.map(key).sorted(), before.map(key).sorted())

            let actions = try await AuditEntry.query(on: t.db).filter(\.$action ~~ ["review.lexicon.create", "review.lexicon.update", "review.lexicon.delete", "review.lexicon.import"]).all().map(\.action)
            XCTAssertEqual(actions.filter { $0 == "review.lexicon.create" }.count, 3)
            XCTAssertEqual(actions.filter { $0 == "review.lexicon.update" }.count, 1)
            XCTAssertEqual(actions.filter { $0 == "review.lexicon.delete" }.count, 3)
            XCTAssertEqual(actions.filter { $0 == "review.lexicon.import" }.count, 1)
        }
    }

    func testBadCSVRowsAreReportedByLineAndGBKIsAccepted() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin")
            let csv = "kind,term,category,severity\nsensitive,好词一,违禁,block\nbogus,坏行,违禁,block\nsensitive,\"带,逗号\",广告,warn\nsensitive,无级别,违禁,fatal\n\nsensitive,好词一,涉黄,warn\n"
            let r = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: Data(csv.utf8), type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
            XCTAssertEqual(r.status, .ok, r.text)
            let out = try r.json(P.ImportOut.self)
            XCTAssertEqual(out.created, 2); XCTAssertEqual(out.updated, 1); XCTAssertEqual(out.skipped, 2)
            XCTAssertEqual(out.errors.map(\.line), [3, 5])
            XCTAssertFalse(out.errors[0].messageEn.isEmpty)
            let terms = try await t.send(.GET, "/api/v1/review/lexicon", as: admin).json(P.PageOut.self).items
            XCTAssertEqual(Set(terms.map(\.term)), ["好词一", "带,逗号"])
            XCTAssertEqual(terms.first { $0.term == "好词一" }?.category, "涉黄", "a later row updates the same term")

            // GBK bytes: "kind,term,category\nsensitive,禁词测试,违禁\n".
            let gbk = Data("kind,term,category\nsensitive,".utf8) + P.hex("bdfbb4cab2e2cad4") + Data(",".utf8) + P.hex("cec9bdfb") + Data("\n".utf8)
            let g = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: gbk, type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
            XCTAssertEqual(g.status, .ok, g.text)
            XCTAssertEqual(try g.json(P.ImportOut.self).created, 1)
            try await XCTAssertTrueAsync(try await t.send(.GET, "/api/v1/review/lexicon?q=%E7%A6%81%E8%AF%8D", as: admin).json(P.PageOut.self).items.contains { $0.term == "禁词测试" })

            // Not CSV at all, empty, and a header without the needed columns: 422.
            for bad in [Data([0x00, 0xFF, 0xFE, 0x00, 0x81]), Data(), Data("a,b\n1,2\n".utf8)] {
                let b = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: bad, type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
                XCTAssertEqual(b.status, .unprocessableEntity, b.text)
            }
        }
    }

    func testDocumentsOfEveryTypeAndBadFiles() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            try await P.addTerm(t, "禁词测试", as: admin)
            func upload(_ data: Data, _ name: String) async throws -> TestingHTTPResponse {
                try await P.raw(t, .POST, "/api/v1/proofread/document?filename=\(name)", data: data, as: editor)
            }
            // UTF-8 text.
            var r = try await upload(Data("第一段。\n禁词测试在这里。".utf8), "a.txt")
            XCTAssertEqual(r.status, .ok, r.text)
            var report = try r.json(P.ReportOut.self)
            XCTAssertEqual(report.format, "txt"); XCTAssertEqual(report.encoding, "utf-8")
            XCTAssertEqual(report.findings.first { $0.category == "sensitive" }?.start, 5)
            // GBK text ("禁词测试：浏阳花炮出口").
            r = try await upload(P.hex("bdfbb4cab2e2cad4a3bae4afd1f4bba8c5dab3f6bfda"), "gbk.txt")
            report = try r.json(P.ReportOut.self)
            XCTAssertEqual(report.encoding, "gb18030")
            XCTAssertEqual(report.text, "禁词测试：浏阳花炮出口")
            XCTAssertTrue(report.blocked)
            // Big5 text ("禁詞測試：瀏陽花炮出口").
            r = try await upload(P.hex("b854b5fcb4fab8d5a147c273b6a7aae1acb6a558a466"), "big5.txt")
            report = try r.json(P.ReportOut.self)
            XCTAssertEqual(report.encoding, "big5")
            XCTAssertEqual(report.text, "禁詞測試：瀏陽花炮出口")
            // HTML: scripts dropped, text checked.
            r = try await upload(Data("<html><body><p>禁词测试</p><script>alert('x')</script></body></html>".utf8), "a.html")
            report = try r.json(P.ReportOut.self)
            XCTAssertEqual(report.format, "html")
            XCTAssertEqual(report.text, "禁词测试")
            XCTAssertTrue(report.blocked)
            // DOCX (the report writer's own output is a valid DOCX).
            let docx = try ProofreadReport.docx(ProofreadReportDTO(tenantID: UUID(), text: "正文里有禁词测试。", headline: "标题", findings: []))
            r = try await upload(docx, "a.docx")
            XCTAssertEqual(r.status, .ok, r.text)
            report = try r.json(P.ReportOut.self)
            XCTAssertEqual(report.format, "docx")
            XCTAssertTrue(report.text.contains("正文里有禁词测试。"))
            XCTAssertTrue(report.blocked)
            // Multipart upload.
            let boundary = "zmboundary"
            var multipart = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.txt\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
            multipart += Data("禁词测试".utf8) + Data("\r\n--\(boundary)--\r\n".utf8)
            r = try await P.raw(t, .POST, "/api/v1/proofread/document", data: multipart, type: HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary]), as: editor)
            XCTAssertEqual(r.status, .ok, r.text)
            XCTAssertTrue(try r.json(P.ReportOut.self).blocked)

            // Corrupted DOCX, binary junk as text, empty and oversize files: clear 4xx.
            r = try await upload(Data([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0x41, count: 200)), "broken.docx")
            XCTAssertEqual(r.status, .unprocessableEntity); XCTAssertEqual(try r.error().code, "docx_corrupt")
            r = try await upload(Data([0x00, 0x01, 0x02, 0xFF, 0x00]), "junk.txt")
            XCTAssertEqual(r.status, .unprocessableEntity); _ = try r.error()
            r = try await upload(Data(), "empty.txt")
            XCTAssertEqual(r.status, .unprocessableEntity)
            r = try await upload(Data(repeating: 0x61, count: ProofreadDocuments.maxBytes + 10), "big.txt")
            XCTAssertEqual(r.status, .payloadTooLarge)
            r = try await P.raw(t, .POST, "/api/v1/proofread/document?format=pdf", data: Data("x".utf8), as: editor)
            XCTAssertEqual(r.status, .unprocessableEntity)
        }
    }

    func testReportsAreValidDocxWithCommentsAndEscapedHTML() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            try await P.addTerm(t, "禁词测试", as: admin)
            let body = P.Text(text: "第一行<script>alert(1)</script>\n这里有禁词测试。", headline: "标题&\"引号\"")
            let docx = try await t.send(.POST, "/api/v1/proofread/report/docx", json: body, as: editor)
            XCTAssertEqual(docx.status, .ok, docx.text)
            let archive = try Archive(data: P.body(docx), accessMode: .read)
            func read(_ path: String) throws -> String {
                guard let entry = archive[path] else { throw TestError("no \(path)") }
                var out = Data()
                _ = try archive.extract(entry) { out.append($0) }
                return String(decoding: out, as: UTF8.self)
            }
            let comments = try read("word/comments.xml")
            XCTAssertTrue(comments.contains("<w:comment w:id=\"0\""), comments)
            XCTAssertTrue(comments.contains("违禁") || comments.contains("敏感"), comments)
            let document = try read("word/document.xml")
            XCTAssertTrue(document.contains("<w:commentRangeStart w:id=\"0\"/>"))
            XCTAssertTrue(document.contains(">禁词测试<"), "the comment is anchored on exactly the flagged text")
            XCTAssertTrue(document.contains("&lt;script&gt;"))
            XCTAssertTrue(try read("[Content_Types].xml").contains("comments+xml"))
            XCTAssertTrue(try read("word/_rels/document.xml.rels").contains("comments.xml"))
            for part in ["word/document.xml", "word/comments.xml"] {
                let parser = XMLParser(data: Data(try read(part).utf8))
                XCTAssertTrue(parser.parse(), "\(part) is well-formed XML")
            }

            let html = try await t.send(.POST, "/api/v1/proofread/report/html", json: body, as: editor)
            XCTAssertEqual(html.status, .ok)
            XCTAssertTrue(html.headers.first(name: .contentDisposition)?.contains("attachment") ?? false)
            XCTAssertFalse(html.text.contains("<script>alert"))
            XCTAssertTrue(html.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            XCTAssertTrue(html.text.contains("标题&amp;&quot;引号&quot;"))
            XCTAssertTrue(html.text.contains("<mark class=\"sensitive block\""))
        }
    }

    func testTextAPIValidatesInputAndChecksLongTextsInChunks() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            try await P.addTerm(t, "禁词测试", as: admin)
            // A long text: the term far past the first chunk is found at its exact offset.
            let filler = String(repeating: "今天天气很好。\n", count: 6000)
            let text = filler + "禁词测试"
            let report = try await P.proofread(t, text, as: editor)
            let hit = report.findings.first { $0.category == "sensitive" }
            XCTAssertEqual(hit?.start, filler.unicodeScalars.count)
            XCTAssertEqual(hit?.text, "禁词测试")
            // NUL, lone controls and 4-byte scalars do not crash.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/proofread", json: P.Text(text: "a\u{0}b\u{1}😀禁词测试"), as: editor).status, .ok)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/proofread", raw: "{\"text\":5}", as: editor).status, .badRequest)
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/proofread", json: P.Text(text: "x", headline: String(repeating: "长", count: 600)), as: editor).status, .unprocessableEntity)
            XCTAssertEqual(ProofreadService.chunks("").count, 0)
            XCTAssertEqual(ProofreadService.chunks(text).map(\.1).joined(), text)
        }
    }
}

/// Proofreading a web page by URL: internal addresses refused by default, limits, no redirects.
final class ProofreadURLTests: XCTestCase {
    typealias P = ProofreadFixture
    struct URLBody: Encodable { var url: String }

    func testPagesAreFetchedOnlyWhenAllowedAndWithinLimits() async throws {
        let server = try await PageServer.start()
        do {
            try await withTestApp { t in
                let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
                try await P.addTerm(t, "禁词测试", as: admin)
                func fetch(_ url: String) async throws -> TestingHTTPResponse {
                    try await t.send(.POST, "/api/v1/proofread/url", json: URLBody(url: url), as: editor)
                }
                // Loopback is refused by default; so are other schemes and junk.
                var r = try await fetch(server.url("page.html"))
                XCTAssertEqual(r.status, .unprocessableEntity, r.text)
                XCTAssertTrue(try r.error().message.contains("内网"))
                for bad in ["file:///etc/passwd", "ftp://127.0.0.1/x", "http://", "not a url", "http://10.1.2.3/", "http://[::1]/", "http://169.254.169.254/latest"] {
                    r = try await fetch(bad)
                    XCTAssertEqual(r.status, .unprocessableEntity, "\(bad): \(r.text)")
                }
                // An intranet deployment allows it.
                t.app.proofreadFetch.allowPrivate = true
                r = try await fetch(server.url("page.html"))
                XCTAssertEqual(r.status, .ok, r.text)
                var report = try r.json(P.ReportOut.self)
                XCTAssertEqual(report.format, "html")
                XCTAssertEqual(report.text, "网页里有禁词测试。")
                XCTAssertTrue(report.blocked)
                r = try await fetch(server.url("plain.txt"))
                report = try r.json(P.ReportOut.self)
                XCTAssertEqual(report.format, "txt"); XCTAssertTrue(report.blocked)
                // Redirects are not followed (they could lead anywhere); big pages are refused.
                r = try await fetch(server.url("redirect"))
                XCTAssertEqual(r.status, .unprocessableEntity, r.text)
                r = try await fetch(server.url("big"))
                XCTAssertEqual(r.status, .payloadTooLarge, r.text)
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }

    func testInternalAddressRanges() {
        XCTAssertTrue(ProofreadFetch.isInternal([127, 0, 0, 1]))
        XCTAssertTrue(ProofreadFetch.isInternal([10, 0, 0, 1]))
        XCTAssertTrue(ProofreadFetch.isInternal([172, 20, 1, 1]))
        XCTAssertTrue(ProofreadFetch.isInternal([192, 168, 1, 1]))
        XCTAssertTrue(ProofreadFetch.isInternal([169, 254, 169, 254]))
        XCTAssertTrue(ProofreadFetch.isInternal([100, 100, 1, 1]))
        XCTAssertFalse(ProofreadFetch.isInternal([8, 8, 8, 8]))
        XCTAssertFalse(ProofreadFetch.isInternal([172, 32, 0, 1]))
        XCTAssertTrue(ProofreadFetch.isInternal(Array(repeating: 0, count: 15) + [1]))
        XCTAssertTrue(ProofreadFetch.isInternal([0xFE, 0x80] + Array(repeating: 0, count: 14)))
        XCTAssertTrue(ProofreadFetch.isInternal(Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1]))
        XCTAssertFalse(ProofreadFetch.isInternal([0x24, 0x08] + Array(repeating: 1, count: 14)))
    }
}

/// Batch proofreading as a job: files stored, checked one by one with progress, per-file results, tenant-scoped status.
final class ProofreadBatchTests: XCTestCase {
    typealias P = ProofreadFixture
    struct FileOut: Decodable { var name: String; var status: String; var format: String?; var block: Int; var messageEn: String?; var report: Bool? }
    struct BatchOut: Decodable { var id: UUID; var state: String; var percent: Int; var stage: String; var files: [FileOut] }

    func testBatchRunsAsAJobWithPerFileResults() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            try await P.addTerm(t, "禁词测试", as: admin)
            let boundary = "zmbatch"
            func part(_ name: String, _ data: Data) -> Data {
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n".utf8)
            }
            let body = part("a.txt", Data("第一篇禁词测试".utf8)) + part("clean.txt", Data("第二篇没有问题。".utf8))
                + part("broken.docx", Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3] + Array(repeating: 0x41, count: 40))) + Data("--\(boundary)--\r\n".utf8)
            let type = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
            let started = try await P.raw(t, .POST, "/api/v1/proofread/batch", data: body, type: type, as: editor)
            XCTAssertEqual(started.status, .accepted, started.text)
            let queued = try started.json(BatchOut.self)
            XCTAssertEqual(queued.state, "queued")

            try await XCTAssertTrueAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "test"))
            let done = try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)", as: editor).json(BatchOut.self)
            XCTAssertEqual(done.percent, 100)
            XCTAssertEqual(done.files.map(\.name), ["a.txt", "clean.txt", "broken.docx"])
            XCTAssertEqual(done.files.map(\.status), ["ok", "ok", "error"])
            XCTAssertEqual(done.files[0].block, 1)
            XCTAssertEqual(done.files[1].block, 0)
            XCTAssertNotNil(done.files[2].messageEn)
            XCTAssertEqual(done.files.map(\.report), [true, true, nil])
            // Each checked file's whole report opens like a single document's: its text and findings with their spans.
            let first = try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)/files/0", as: editor)
            XCTAssertEqual(first.status, .ok, first.text)
            let report = try first.json(P.ReportOut.self)
            XCTAssertEqual(report.text, "第一篇禁词测试")
            XCTAssertEqual(report.format, "txt")
            let hit = try XCTUnwrap(report.findings.first { $0.category == "sensitive" })
            XCTAssertEqual(hit.text, "禁词测试")
            XCTAssertEqual(hit.start, 3)
            XCTAssertTrue(report.blocked)
            let second = try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)/files/1", as: editor).json(P.ReportOut.self)
            XCTAssertEqual(second.text, "第二篇没有问题。")
            XCTAssertFalse(second.blocked)
            for missing in ["2", "3", "-1", "x"] {
                let res = try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)/files/\(missing)", as: editor)
                XCTAssertTrue([.notFound, .badRequest, .unprocessableEntity].contains(res.status), "file \(missing): \(res.status)")
            }
            // The person's own batches are listed, newest first, with their file names; nobody else's.
            struct Listed: Decodable { var id: UUID; var state: String; var fileNames: [String]; var createdAt: Date }
            let listed = try await t.send(.GET, "/api/v1/proofread/batch", as: editor).json([Listed].self)
            XCTAssertEqual(listed.map(\.id), [queued.id])
            XCTAssertEqual(listed.first?.fileNames, ["a.txt", "clean.txt", "broken.docx"])
            XCTAssertEqual(listed.first?.state, "succeeded")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/proofread/batch", as: admin).json([Listed].self).count, 0,
                                          "another person's batch is not in their list")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/proofread/batch?limit=0", as: editor).status, .unprocessableEntity)
            // Another tenant cannot see it or its files; a non-batch job is not a batch.
            let ningxiang = try await t.token(for: "ningxiang-editor")
            let other = try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)", as: ningxiang)
            XCTAssertEqual(other.status, .notFound)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/proofread/batch/\(queued.id)/files/0", as: ningxiang).status, .notFound)
            // Bad requests: JSON instead of files, no files.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/proofread/batch", json: P.Text(text: "x"), as: editor).status, .unsupportedMediaType)
            let empty = try await P.raw(t, .POST, "/api/v1/proofread/batch", data: Data("--\(boundary)--\r\n".utf8), type: type, as: editor)
            XCTAssertTrue([.badRequest, .unprocessableEntity].contains(empty.status), empty.text)
        }
    }

    /// A batch's files never outlive it: a batch refused for one oversized file stores none, and a batch whose job is
    /// given up (here its worker died during the last attempt) has its files deleted.
    func testBatchFilesAreNotLeftBehind() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let root = t.settings.blobDirectory + "/proofread"
            func stored() -> Int {
                (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { path in
                    var dir: ObjCBool = false
                    return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &dir) && !dir.boolValue
                }.count
            }
            let boundary = "zmbatch"
            func part(_ name: String, _ data: Data) -> Data {
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n".utf8)
            }
            let type = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
            let tooBig = part("a.txt", Data("第一篇。".utf8)) + part("big.txt", Data(repeating: 0x41, count: ProofreadDocuments.maxBytes + 1)) + Data("--\(boundary)--\r\n".utf8)
            let refused = try await P.raw(t, .POST, "/api/v1/proofread/batch", data: tooBig, type: type, as: editor)
            XCTAssertEqual(refused.status, .payloadTooLarge, refused.text)
            XCTAssertEqual(stored(), 0, "the first file of a refused batch is not kept")

            let body = part("a.txt", Data("第一篇。".utf8)) + part("b.txt", Data("第二篇。".utf8)) + Data("--\(boundary)--\r\n".utf8)
            let started = try await P.raw(t, .POST, "/api/v1/proofread/batch", data: body, type: type, as: editor)
            XCTAssertEqual(started.status, .accepted, started.text)
            XCTAssertEqual(stored(), 2)
            // Both attempts' workers die (their leases run out); the next claim dead-letters the job.
            for owner in ["dying-1", "dying-2"] {
                _ = try await JobQueue.claim(owner: owner, lease: 0.2, kinds: [ProofreadBatch.kind], on: t.db)
                try await Task.sleep(nanoseconds: 400_000_000)
            }
            try await XCTAssertFalseAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "test"))
            let job = try await t.send(.GET, "/api/v1/proofread/batch/\(try started.json(BatchOut.self).id)", as: editor).json(BatchOut.self)
            XCTAssertEqual(job.state, "dead")
            XCTAssertEqual(stored(), 0, "the given-up batch's files are deleted")
        }
    }
}

extension ProofreadBatchTests {
    /// A batch's reports go with its job: when housekeeping prunes the finished job (a week later), the reports are
    /// deleted from the blob store; until then they stay.
    func testBatchReportsArePrunedWithTheirJob() async throws {
        try await withTestApp { t in
            let editor = try await t.token(for: "liuyang-editor")
            let root = t.settings.blobDirectory + "/proofread-reports"
            func stored() -> Int {
                (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.count
            }
            let boundary = "zmbatch"
            func part(_ name: String, _ data: Data) -> Data {
                Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n".utf8)
            }
            let type = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": boundary])
            let body = part("a.txt", Data("第一篇。".utf8)) + part("b.txt", Data("第二篇。".utf8)) + Data("--\(boundary)--\r\n".utf8)
            let started = try await P.raw(t, .POST, "/api/v1/proofread/batch", data: body, type: type, as: editor)
            let id = try started.json(BatchOut.self).id
            try await XCTAssertTrueAsync(try await JobWorkerPool(application: t.app, concurrency: 1, lease: 30).runOne(owner: "test"))
            XCTAssertEqual(stored(), 2)
            try await Housekeeping.run(on: t.db, application: t.app)
            XCTAssertEqual(stored(), 2, "a job finished today keeps its reports")
            try await Housekeeping.run(on: t.db, now: Date().addingTimeInterval(Housekeeping.finishedJobRetention + 60), application: t.app)
            XCTAssertEqual(stored(), 0)
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/proofread/batch/\(id)/files/0", as: editor).status, .notFound)
        }
    }
}

/// Optional provider suggestions: advisory, category provider, severity info, never blocking; failures are silent.
final class ProofreadProviderTests: XCTestCase {
    struct Body: Encodable { var text: String; var provider: Bool? }

    func testProviderSuggestionsAreMarkedAndNeverBlock() async throws {
        let server = try await PageServer.start()
        do {
            try await withTestApp { t in
                let editor = try await t.token(for: "liuyang-editor")
                let text = "这次培训大大提高了水平。"
                // No provider configured: the flag changes nothing.
                var r = try await t.send(.POST, "/api/v1/proofread", json: Body(text: text, provider: true), as: editor).json(ProofreadFixture.ReportOut.self)
                XCTAssertFalse(r.findings.contains { $0.category == "provider" })
                t.app.proofreadProvider.config = ProofreadProviderConfig(baseURL: server.url(""), model: "tiny", apiKey: "k")
                r = try await t.send(.POST, "/api/v1/proofread", json: Body(text: text, provider: true), as: editor).json(ProofreadFixture.ReportOut.self)
                let ai = r.findings.filter { $0.category == "provider" }
                XCTAssertEqual(ai.count, 1, "fragments not in the text are dropped")
                XCTAssertEqual(ai.first?.severity, "info")
                XCTAssertEqual(ai.first?.ruleId, "provider.fluency")
                XCTAssertEqual(ai.first?.text, "提高了水平")
                XCTAssertEqual(ai.first?.start, 6)
                XCTAssertTrue(ai.first?.message.contains("仅供参考") ?? false)
                XCTAssertFalse(r.blocked)
                // Without the flag, or with the provider down, there are no provider findings and no error.
                r = try await t.send(.POST, "/api/v1/proofread", json: Body(text: text), as: editor).json(ProofreadFixture.ReportOut.self)
                XCTAssertFalse(r.findings.contains { $0.category == "provider" })
                t.app.proofreadProvider.config = ProofreadProviderConfig(baseURL: "http://127.0.0.1:9", model: "tiny", apiKey: nil)
                let down = try await t.send(.POST, "/api/v1/proofread", json: Body(text: text, provider: true), as: editor)
                XCTAssertEqual(down.status, .ok)
                XCTAssertFalse(try down.json(ProofreadFixture.ReportOut.self).findings.contains { $0.category == "provider" })
            }
        } catch {
            try await server.stop()
            throw error
        }
        try await server.stop()
    }
}
