import Fluent
import Foundation

/// The names of a tenant's fact base (people, organisations, places — its own and the platform's), with the dictionary
/// tag of each kind: what lead and post analysis cut as whole words and opinion ingest finds as entities.
enum FactBaseNames {
    static let kinds: [LexiconKind] = [.person, .organisation, .place]
    /// Entries read per owner, at most (a fact base is hundreds to a few thousand rows).
    static let maxTerms = 20_000

    static func tag(of kind: LexiconKind) -> String {
        switch kind {
        case .person: return "nr"
        case .organisation: return "nt"
        case .place: return "ns"
        default: return "nz"
        }
    }

    /// The tenant's names first, then the platform's; each term once, at least two characters.
    static func load(tenantID: UUID, on db: any Database) async throws -> [(word: String, tag: String)] {
        var seen = Set<String>()
        var out: [(word: String, tag: String)] = []
        for owner in [LexiconService.Owner.tenant(tenantID), .platform] {
            let rows = try await LexiconRows.load([owner], kinds: kinds, order: .kindThenTerm, limit: maxTerms, on: db)
            for e in rows where e.term.unicodeScalars.count >= 2 && seen.insert(e.term).inserted { out.append((e.term, tag(of: e.kind))) }
        }
        return out
    }
}
