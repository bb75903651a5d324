import Fluent
import NIOConcurrencyHelpers
import Vapor
import ZhimeiReview

/// Compiled proofreaders per tenant (platform + tenant lexicons and fact base). A lexicon change drops the tenant's
/// entry (a platform change drops all), so the next check compiles afresh. Checks that arrive while a tenant's
/// proofreader compiles wait for that one compilation instead of each starting their own, and a compilation that a
/// change overtook is used by the checks that waited for it but not kept.
final class ProofreaderCache: Sendable {
    /// How many changes a compilation has seen: the tenant's and the platform's.
    private struct Version: Equatable { var tenant: Int; var platform: Int }
    private struct State {
        var compiled: [UUID: Proofreader] = [:]
        /// Changes seen per tenant, and platform changes (which concern every tenant).
        var changes: [UUID: Int] = [:]
        var platformChanges = 0
        var compiling: [UUID: (version: Version, task: Task<Proofreader, any Error>)] = [:]
        func version(_ tenantID: UUID) -> Version { Version(tenant: changes[tenantID] ?? 0, platform: platformChanges) }
    }
    private let box = NIOLockedValueBox(State())

    func get(_ tenantID: UUID) -> Proofreader? { box.withLockedValue { $0.compiled[tenantID] } }
    /// nil = every tenant (a platform lexicon change).
    func invalidate(_ tenantID: UUID?) {
        box.withLockedValue { state in
            if let tenantID {
                state.compiled[tenantID] = nil
                state.changes[tenantID, default: 0] &+= 1
            } else {
                state.compiled.removeAll()
                state.platformChanges &+= 1
            }
        }
    }

    /// The tenant's compiled proofreader: the cached one, the one being compiled, or a new compilation by `compile`.
    func proofreader(_ tenantID: UUID, compile: @escaping @Sendable () async throws -> Proofreader) async throws -> Proofreader {
        enum Step { case ready(Proofreader), wait(Version, Task<Proofreader, any Error>) }
        let version: Version, task: Task<Proofreader, any Error>
        switch box.withLockedValue({ state -> Step in
            if let p = state.compiled[tenantID] { return .ready(p) }
            let version = state.version(tenantID)
            if let running = state.compiling[tenantID], running.version == version { return .wait(version, running.task) }
            let task = Task { try await compile() }
            state.compiling[tenantID] = (version, task)
            return .wait(version, task)
        }) {
        case .ready(let p): return p
        case .wait(let v, let t): (version, task) = (v, t)
        }
        let result = await task.result
        box.withLockedValue { state in
            if state.compiling[tenantID]?.version == version { state.compiling[tenantID] = nil }
            if case .success(let p) = result, state.version(tenantID) == version { state.compiled[tenantID] = p }
        }
        return try result.get()
    }
}

extension Application {
    private struct ProofreaderCacheKey: StorageKey { typealias Value = ProofreaderCache }
    private static let proofreaderLock = NIOLock()

    /// Compiled proofreaders per tenant.
    var proofreaders: ProofreaderCache {
        Self.proofreaderLock.withLock {
            if let existing = storage[ProofreaderCacheKey.self] { return existing }
            let cache = ProofreaderCache()
            storage[ProofreaderCacheKey.self] = cache
            return cache
        }
    }
}

/// Runs the proofreading engine for a tenant: builds its configuration from the lexicon tables, checks long texts
/// in chunks (bounded memory, spans mapped back) and converts findings for the workflow.
enum ProofreadService {
    /// Longest text accepted, in Unicode scalars.
    static let maxCharacters = 1_000_000
    /// Texts are checked in chunks of about this many scalars, cut at line ends.
    static let chunkSize = 20_000

    /// The engine configuration of a tenant: the platform's and the tenant's entries, by term.
    static func configuration(tenantID: UUID, on db: any Database) async throws -> ReviewConfiguration {
        let entries = try await LexiconRows.load([.platform, .tenant(tenantID)], order: .term, on: db)
        var config = ReviewConfiguration()
        var facts = FactBase()
        for e in entries {
            switch e.kind {
            case .sensitive:
                config.sensitiveTerms.append(SensitiveTerm(term: e.term, category: e.category, severity: FindingSeverity(rawValue: e.severity) ?? .block,
                                                           context: e.items, matchHomophones: e.homophones, note: e.note.isEmpty ? nil : e.note))
            case .whitelist: config.whitelist.append(e.term)
            case .protected: config.protectedTerms.append(e.term)
            case .person:
                facts.people.append(FactPerson(name: e.term, title: e.title, formerTitles: e.items))
                config.protectedTerms.append(e.term)
            case .organisation: facts.organisations.append(e.term); config.protectedTerms.append(e.term)
            case .place: facts.places.append(e.term); config.protectedTerms.append(e.term)
            case .expression: facts.fixedExpressions.append(e.term); config.protectedTerms.append(e.term)
            case .list: if e.items.count > 1 { facts.fixedLists.append(FixedList(items: e.items)) }
            }
        }
        config.factBase = facts
        return config
    }

    /// The tenant's compiled proofreader (cached).
    static func proofreader(tenantID: UUID, app: Application, db: any Database) async throws -> Proofreader {
        try await app.proofreaders.proofreader(tenantID) {
            let engine = try await app.text.engine()
            return Proofreader(engine: engine, configuration: try await configuration(tenantID: tenantID, on: db))
        }
    }

    /// Checks a text (and headline) for a tenant. Long texts go in chunks cut at line ends; spans stay relative to `text`
    /// (headline findings, ruleID "headline.…", relative to the headline).
    static func check(_ text: String, headline: String?, tenantID: UUID, app: Application, db: any Database) async throws -> [ReviewFinding] {
        let p = try await proofreader(tenantID: tenantID, app: app, db: db)
        var out: [ReviewFinding] = []
        var first = true
        for (offset, chunk) in chunks(text) {
            var found = p.check(chunk, headline: first ? headline : nil)
            for i in found.indices where !(first && found[i].ruleID.hasPrefix("headline.")) {
                found[i].start &+= offset
                found[i].end &+= offset
            }
            out += found
            first = false
            await Task.yield()
        }
        if first, let headline { out = p.check("", headline: headline) }
        return out
    }

    /// (scalar offset, chunk) pieces of at most about `chunkSize` scalars, cut after a newline when one is near.
    static func chunks(_ text: String) -> [(Int, String)] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count > chunkSize else { return text.isEmpty ? [] : [(0, text)] }
        var out: [(Int, String)] = []
        var start = 0
        while start < scalars.count {
            var end = min(start + chunkSize, scalars.count)
            if end < scalars.count {
                var cut = end
                while cut > start + chunkSize / 2, scalars[cut - 1] != "\n" { cut -= 1 }
                if cut > start + chunkSize / 2 { end = cut }
            }
            var piece = String.UnicodeScalarView()
            piece.append(contentsOf: scalars[start..<end])
            out.append((start, String(piece)))
            start = end
        }
        return out
    }

    /// Validates user text: not too long, no NUL.
    static func validate(_ text: String, field: String = "text") throws {
        guard text.unicodeScalars.count <= maxCharacters else {
            throw AppError(.payloadTooLarge, "text_too_long", zh: "文本超过 \(maxCharacters) 字，请分段校对", en: "The text is longer than \(maxCharacters) characters; check it in parts")
        }
    }
}

extension FirstPassFinding {
    /// The stored shape of an engine finding; `offset`/`length` are scalar offsets in the checked text.
    init(_ f: ReviewFinding) {
        self.init(category: f.category.rawValue, severity: f.severity.rawValue, message: f.messageZh, excerpt: f.text,
                  suggestion: f.suggestions.first, blockIndex: nil, offset: f.start, length: max(0, f.end - f.start))
        subcategory = f.subcategory
        ruleId = f.ruleID
        messageEn = f.messageEn
        suggestions = f.suggestions
    }

    var isBlocking: Bool { severity == FindingSeverity.block.rawValue }
}

/// The machine first pass with the ZhimeiReview engine and the tenant's lexicons and fact base.
struct ProofreadFirstPassChecker: FirstPassChecker {
    var name: String { "zhimei-review" }

    func check(_ input: FirstPassInput, on app: Application) async throws -> FirstPassOutcome {
        let findings = try await ProofreadService.check(input.text, headline: nil, tenantID: input.tenantID, app: app, db: app.db)
        return .completed(findings.map { f in
            var out = FirstPassFinding(f)
            out.blockIndex = input.blockIndex(at: f.start)
            return out
        })
    }
}
