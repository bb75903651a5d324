import NIOConcurrencyHelpers
import Vapor

/// What the machine first pass gets to check: one submitted round of a story.
struct FirstPassInput: Sendable {
    var storyID: UUID
    var tenantID: UUID
    var round: Int
    /// The story as plain text (headline, lead and body blocks), from `StoryService.plainText`.
    var text: String
    /// (scalar offset in `text`, body block index) of each non-empty body block, ascending; empty when unknown.
    var bodyBlockStarts: [(offset: Int, index: Int)] = []

    /// The body block a finding starting at `offset` belongs to (nil: headline, subtitle or lead, or layout unknown).
    func blockIndex(at offset: Int) -> Int? {
        bodyBlockStarts.last { $0.offset <= offset }?.index
    }

    /// Where each body block starts in `text`, laid out as `StoryService.plainText` does (lines joined by "\n",
    /// empty blocks left out). If that layout ever changes, the rebuilt text differs and no block indices are given
    /// rather than wrong ones.
    static func bodyBlockStarts(_ story: Story, text: String) -> [(offset: Int, index: Int)] {
        var lines = [story.headline]
        if !story.subtitle.isEmpty { lines.append(story.subtitle) }
        if !story.lead.isEmpty { lines.append(story.lead) }
        var offset = lines.reduce(0) { $0 + $1.unicodeScalars.count + 1 }
        var out: [(offset: Int, index: Int)] = []
        for (i, block) in story.body.enumerated() {
            let t = block.plainText
            guard !t.isEmpty else { continue }
            out.append((offset, i))
            lines.append(t)
            offset += t.unicodeScalars.count + 1
        }
        return lines.joined(separator: "\n") == text ? out : []
    }
}

/// What a first pass produced.
enum FirstPassOutcome: Sendable, Equatable {
    /// No engine ran; the reason is shown to reviewers.
    case notRun(zh: String, en: String)
    /// The engine ran; an empty list means nothing was found.
    case completed([FirstPassFinding])
    /// The engine failed; review goes on, the failure is shown.
    case failed(zh: String, en: String)
}

/// The plug-in point for the proofreading engine (issue 5): sensitive content, typos, grammar,
/// punctuation and format, facts. It runs on every submission; an implementation only has to
/// conform and be installed with `app.reviewFirstPass.use(MyChecker())` at start-up.
protocol FirstPassChecker: Sendable {
    /// A short name stored with each result ("none", "zhimei-review" …).
    var name: String { get }
    func check(_ input: FirstPassInput, on app: Application) async throws -> FirstPassOutcome
}

/// The default until the proofreading engine exists: records "not run" (未运行).
struct NotRunFirstPassChecker: FirstPassChecker {
    var name: String { "none" }
    func check(_ input: FirstPassInput, on app: Application) async throws -> FirstPassOutcome {
        .notRun(zh: "未运行：校对引擎尚未启用", en: "Not run: the proofreading engine is not enabled yet")
    }
}

/// Holds the installed first-pass checker.
final class FirstPassRegistry: Sendable {
    private let box = NIOLockedValueBox<any FirstPassChecker>(NotRunFirstPassChecker())

    var checker: any FirstPassChecker { box.withLockedValue { $0 } }

    func use(_ checker: any FirstPassChecker) {
        box.withLockedValue { $0 = checker }
    }
}

extension Application {
    private struct FirstPassKey: StorageKey { typealias Value = FirstPassRegistry }
    private static let firstPassLock = NIOLock()

    /// The machine first pass used on submission.
    var reviewFirstPass: FirstPassRegistry {
        Self.firstPassLock.withLock {
            if let existing = storage[FirstPassKey.self] { return existing }
            let registry = FirstPassRegistry()
            storage[FirstPassKey.self] = registry
            return registry
        }
    }
}
