import Foundation
import ZhimeiText

/// The proofreading engine (智能审校). Build one per configuration (cheap once `ReviewResources` are loaded) and share it:
/// it is immutable and thread-safe. `check` is deterministic: the same text and configuration give the same findings.
public final class Proofreader: Sendable {
    public let configuration: ReviewConfiguration
    let engine: TextEngine

    public init(engine: TextEngine, configuration: ReviewConfiguration = ReviewConfiguration()) {
        self.engine = engine
        self.configuration = configuration
    }

    /// All findings for a text (and optionally its headline, checked for length and as text), sorted by start.
    /// Headline findings come first with spans relative to the headline; `headline` findings have ruleID prefix "headline.".
    public func check(_ text: String, headline: String? = nil) -> [ReviewFinding] {
        []   // filled in by the engine (issue 5)
    }

    /// Scoring mode: the line with the top suggestion of every typo finding applied.
    public func correct(_ line: String) -> String {
        line
    }
}
