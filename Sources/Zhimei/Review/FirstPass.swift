import NIOConcurrencyHelpers
import Vapor

/// What the machine first pass gets to check: one submitted round of a story.
struct FirstPassInput: Sendable {
    var storyID: UUID
    var tenantID: UUID
    var round: Int
    /// The story as plain text (headline, lead and body blocks), from `StoryService.plainText`.
    var text: String
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
