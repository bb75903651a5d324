import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Planning routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    static let planning = MatrixModule(rows: [:])
}
