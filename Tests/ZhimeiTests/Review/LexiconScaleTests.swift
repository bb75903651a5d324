import Fluent
import NIOConcurrencyHelpers
import Vapor
import XCTest
import XCTVapor
import ZhimeiReview
@testable import Zhimei

/// A big lexicon (tens of thousands of terms) through import, export and the compiled proofreader, and the proofreader
/// cache under concurrent checks and changes.
final class LexiconScaleTests: XCTestCase {
    typealias P = ProofreadFixture

    /// 20,000 generated two-to-four-character terms, each distinct.
    static func terms(_ n: Int) -> [String] {
        var rng = SystemRandomNumberGenerator()
        var seen = Set<String>(), out: [String] = []
        while out.count < n {
            let length = Int.random(in: 2...4, using: &rng)
            let t = String(String.UnicodeScalarView((0..<length).map { _ in Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FA5, using: &rng))! }))
            if seen.insert(t).inserted { out.append(t) }
        }
        return out
    }

    func testTwentyThousandTermsImportExportAndProofread() async throws {
        try await withTestApp { t in
            let admin = try await t.token(for: "liuyang-admin"), editor = try await t.token(for: "liuyang-editor")
            let existing = try await P.addTerm(t, "已有词条", category: "广告", severity: "warn", as: admin)
            let terms = Self.terms(20_000).filter { $0 != "已有词条" }
            var csv = "kind,term,category,severity,title,items,homophones,note\n"
            for (i, term) in terms.enumerated() {
                // every 1,000th term has context words (it counts only near them)
                csv += "sensitive,\(term),违禁,\(i % 2 == 0 ? "block" : "warn"),,\(i % 1000 == 7 ? "附近|旁边" : ""),false,第\(i)条\n"
            }
            csv += "sensitive,已有词条,涉黄,block,,,false,由导入更新\n"   // updates the entry added above
            csv += "sensitive,\(terms[0]),违禁,info,,,false,同一文件再次出现\n" // the same new term again: the later row wins
            csv += "person,周测试,,warn,局长,副局长,false,\n"
            csv += "bogus,坏行,违禁,block,,,false,\n"
            let r = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: Data(csv.utf8), type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
            XCTAssertEqual(r.status, .ok, r.text)
            let out = try r.json(P.ImportOut.self)
            XCTAssertEqual(out.created, terms.count + 1)
            XCTAssertEqual(out.updated, 2)
            XCTAssertEqual(out.skipped, 1)
            XCTAssertEqual(out.errors.map(\.line), [terms.count + 5])

            // Rows written by the multi-row insert read back as models, with their owner, author and time.
            let liuyang = try await t.tenant("liuyang").requireID()
            let adminID = try await User.query(on: t.db).filter(\.$username == "liuyang-admin").first()?.requireID()
            let model = try await LexiconEntry.query(on: t.db).filter(\.$term == terms[7]).first()
            XCTAssertEqual(model?.tenantID, liuyang)
            XCTAssertEqual(model?.updatedBy, adminID)
            XCTAssertEqual(model?.items, ["附近", "旁边"])
            XCTAssertLessThan(abs(model?.updatedAt?.timeIntervalSinceNow ?? 1e9), 600)
            let page = try await t.send(.GET, "/api/v1/review/lexicon?limit=500&offset=0", as: admin).json(P.PageOut.self)
            XCTAssertEqual(page.total, terms.count + 2)
            let updated = try await t.send(.GET, "/api/v1/review/lexicon?q=%E5%B7%B2%E6%9C%89", as: admin).json(P.PageOut.self).items
            XCTAssertEqual(updated.map(\.id), [existing.id], "the existing entry was updated in place")
            XCTAssertEqual(updated.first?.category, "涉黄")
            XCTAssertEqual(updated.first?.note, "由导入更新")

            // The management page pages through all of them, 200 at a time, keeping the search and the kind.
            let html: HTTPHeaders = ["Accept": "text/html"]
            let session = try await t.session(for: "liuyang-admin")
            let first = try await t.send(.GET, "/review/lexicon", headers: html, as: session).text
            XCTAssertTrue(first.contains("共 \(terms.count + 2)") && first.contains("第 1–200"), "first page")
            XCTAssertTrue(first.contains("href=\"/review/lexicon?page=2\" rel=\"next\""))
            XCTAssertFalse(first.contains("rel=\"prev\""))
            let lastNumber = (terms.count + 2 + 199) / 200
            let lastPage = try await t.send(.GET, "/review/lexicon?page=\(lastNumber)", headers: html, as: session).text
            XCTAssertTrue(lastPage.contains("第 \((lastNumber - 1) * 200 + 1)–\(terms.count + 2)"), "last page")
            XCTAssertFalse(lastPage.contains("rel=\"next\""))
            let beyond = try await t.send(.GET, "/review/lexicon?page=999999999", headers: html, as: session)
            XCTAssertEqual(beyond.status, .ok)
            XCTAssertTrue(beyond.text.contains("第 \((lastNumber - 1) * 200 + 1)–"), "a page past the end shows the last")
            let searched = try await t.send(.GET, "/review/lexicon?kind=sensitive&q=%E7%AC%AC1", headers: html, as: session).text
            XCTAssertTrue(searched.contains("href=\"/review/lexicon?page=2&amp;kind=sensitive&amp;q=%E7%AC%AC1\" rel=\"next\""), "search and kind kept")
            let pageTwo = try await t.send(.GET, "/review/lexicon?page=2", headers: html, as: session).text
            let rowsOne = first.components(separatedBy: "data-lexicon-edit").count - 1, rowsTwo = pageTwo.components(separatedBy: "data-lexicon-edit").count - 1
            XCTAssertEqual([rowsOne, rowsTwo], [200, 200])

            // Export: every entry once, items joined by "|", the later duplicate row's values.
            let export = try await t.send(.GET, "/api/v1/review/lexicon/export", as: admin)
            let lines = export.text.split(separator: "\r\n").dropFirst()
            XCTAssertEqual(lines.count, terms.count + 2)
            XCTAssertTrue(lines.contains { $0.hasPrefix("sensitive,\(terms[7]),违禁,warn,,附近|旁边,false,") })
            XCTAssertTrue(lines.contains { $0 == "sensitive,\(terms[0]),违禁,info,,,false,同一文件再次出现" })
            XCTAssertTrue(lines.contains { $0 == "person,周测试,,warn,局长,副局长,false," })

            // The compiled proofreader holds them: a term from the end of the file, and the context rule.
            let last = terms[terms.count - 2]
            let found = try await P.proofread(t, "今天的稿件里出现了\(last)。", as: editor)
            XCTAssertTrue(found.findings.contains { $0.category == "sensitive" && $0.text == last }, "\(last): \(found.findings.map(\.text))")
            let alone = try await P.proofread(t, "稿件里出现了\(terms[7])。", as: editor)
            XCTAssertFalse(alone.findings.contains { $0.text == terms[7] }, "a context term alone is not flagged")
            let near = try await P.proofread(t, "附近出现了\(terms[7])。", as: editor)
            XCTAssertTrue(near.findings.contains { $0.text == terms[7] }, "a context term near its context word is flagged")

            // The export imported again, with two rows edited: those two are updated, the rest found unchanged.
            let edited = export.text.replacingOccurrences(of: "sensitive,\(terms[0]),违禁,info,,,false,同一文件再次出现", with: "sensitive,\(terms[0]),违禁,info,,,false,再改一次")
                .replacingOccurrences(of: "person,周测试,,warn,局长,副局长,false,", with: "person,周测试,,warn,副市长,局长|副局长,false,")
            let again = try await P.raw(t, .POST, "/api/v1/review/lexicon/import", data: Data(edited.utf8), type: HTTPMediaType(type: "text", subType: "csv"), as: admin)
            let second = try again.json(P.ImportOut.self)
            XCTAssertEqual(second.created, 0)
            XCTAssertEqual(second.updated, 2)
            XCTAssertEqual(second.unchanged, terms.count)
            XCTAssertEqual(second.skipped, 0)
            let zhou = try await t.send(.GET, "/api/v1/review/lexicon?kind=person&q=%E5%91%A8%E6%B5%8B%E8%AF%95", as: admin).json(P.PageOut.self).items
            XCTAssertEqual(zhou.map(\.title), ["副市长"])
            XCTAssertEqual(zhou.map(\.items), [["局长", "副局长"]])
            // The proofreader was compiled again: the new title is what the fact check expects now.
            let title = try await P.proofread(t, "周测试局长出席了会议。", as: editor)
            XCTAssertTrue(title.findings.contains { $0.category == "fact" }, "\(title.findings.map(\.ruleId))")
            try await XCTAssertEqualAsync(try await t.send(.GET, "/api/v1/review/lexicon?limit=1", as: admin).json(P.PageOut.self).total, terms.count + 2)
            let export2 = try await t.send(.GET, "/api/v1/review/lexicon/export", as: admin)
            XCTAssertEqual(export2.text, edited)
        }
    }

    /// The configuration a tenant's proofreader is compiled from: its own and the platform's live entries, no other
    /// tenant's, no deleted ones, items as stored.
    func testConfigurationHoldsLiveEntriesOfTheTenantAndThePlatformOnly() async throws {
        try await withTestApp { t in
            let liuyang = try await t.tenant("liuyang").requireID()
            let admin = try await t.token(for: "liuyang-admin"), platform = try await t.token(for: "admin")
            let ningxiangAdmin = try await t.token(for: "ningxiang-admin")
            _ = try await P.addTerm(t, "本地敏感词", as: admin)
            let gone = try await P.addTerm(t, "已删除词", as: admin)
            try await XCTAssertEqualAsync(try await t.send(.DELETE, "/api/v1/review/lexicon/\(gone.id)", as: admin).status, .noContent)
            _ = try await P.addTerm(t, "平台敏感词", as: platform, level: "platform")
            _ = try await P.addTerm(t, "宁乡的词", as: ningxiangAdmin)
            for entry in [P.Entry(kind: "sensitive", term: "语境词", category: "广告", severity: "warn", items: ["广告", "推广"]),
                          P.Entry(kind: "person", term: "周测试", title: "局长", items: ["副局长"]),
                          P.Entry(kind: "list", term: "三项", items: ["甲", "乙", "丙"]),
                          P.Entry(kind: "whitelist", term: "白名单词"), P.Entry(kind: "protected", term: "用户词")] {
                let r = try await t.send(.POST, "/api/v1/review/lexicon", json: entry, as: admin)
                XCTAssertEqual(r.status, .created, r.text)
            }
            let config = try await ProofreadService.configuration(tenantID: liuyang, on: t.db)
            XCTAssertEqual(Set(config.sensitiveTerms.map(\.term)), ["本地敏感词", "平台敏感词", "语境词"])
            XCTAssertEqual(config.sensitiveTerms.first { $0.term == "语境词" }?.context, ["广告", "推广"])
            XCTAssertEqual(config.sensitiveTerms.first { $0.term == "语境词" }?.severity, .warn)
            XCTAssertEqual(config.sensitiveTerms.first { $0.term == "本地敏感词" }?.context, [])
            XCTAssertEqual(config.whitelist, ["白名单词"])
            XCTAssertEqual(Set(config.protectedTerms), ["用户词", "周测试"])
            XCTAssertEqual(config.factBase.people.map(\.formerTitles), [["副局长"]])
            XCTAssertEqual(config.factBase.people.map(\.title), ["局长"])
            XCTAssertEqual(config.factBase.fixedLists.map(\.items), [["甲", "乙", "丙"]])
            let names = try await FactBaseNames.load(tenantID: liuyang, on: t.db)
            XCTAssertTrue(names.contains { $0.word == "周测试" && $0.tag == "nr" })
        }
    }

    func testConcurrentChecksCompileOnceAndAnOvertakenCompilationIsNotKept() async throws {
        try await withTestApp { t in
            let engine = try await t.app.text.engine()
            let cache = ProofreaderCache()
            let tenant = UUID()
            let compilations = NIOLockedValueBox(0)
            let gate = Gate()
            @Sendable func compile() async throws -> Proofreader {
                compilations.withLockedValue { $0 += 1 }
                await gate.wait()
                return Proofreader(engine: engine, configuration: ReviewConfiguration())
            }
            // Five checks while one compilation runs: one compilation, one proofreader.
            let first = try await withThrowingTaskGroup(of: ObjectIdentifier.self) { group in
                for _ in 0..<5 { group.addTask { ObjectIdentifier(try await cache.proofreader(tenant, compile: compile)) } }
                try await Self.until { compilations.withLockedValue { $0 } == 1 }
                try await Task.sleep(nanoseconds: 50_000_000)
                await gate.open()
                var ids = Set<ObjectIdentifier>()
                for try await id in group { ids.insert(id) }
                return ids
            }
            XCTAssertEqual(first.count, 1)
            XCTAssertEqual(compilations.withLockedValue { $0 }, 1)
            XCTAssertNotNil(cache.get(tenant))
            _ = try await cache.proofreader(tenant, compile: compile)
            XCTAssertEqual(compilations.withLockedValue { $0 }, 1, "kept")

            // A change while compiling (the tenant's, then the platform's): the waiting check gets the result, the cache
            // does not keep it, and the next check compiles again.
            for change in [tenant, nil] as [UUID?] {
                cache.invalidate(tenant)
                await gate.close()
                let before = compilations.withLockedValue { $0 }
                let check = Task { try await cache.proofreader(tenant, compile: compile) }
                try await Self.until { compilations.withLockedValue { $0 } == before + 1 }
                cache.invalidate(change)
                await gate.open()
                _ = try await check.value
                XCTAssertNil(cache.get(tenant), "overtaken by a change of \(change.map { "\($0)" } ?? "the platform")")
                _ = try await cache.proofreader(tenant, compile: compile)
                XCTAssertEqual(compilations.withLockedValue { $0 }, before + 2)
                XCTAssertNotNil(cache.get(tenant))
            }

            // A failed compilation is not kept either; the next check tries again.
            cache.invalidate(tenant)
            struct Broken: Error {}
            do {
                _ = try await cache.proofreader(tenant) { throw Broken() }
                XCTFail("expected the compilation's error")
            } catch is Broken {}
            XCTAssertNil(cache.get(tenant))
            _ = try await cache.proofreader(tenant, compile: compile)
            XCTAssertNotNil(cache.get(tenant))
        }
    }

    static func until(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
        XCTAssertTrue(condition())
    }
}

/// Holds compilations until opened.
private actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func open() {
        isOpen = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
    func close() { isOpen = false }
}
