import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Stories routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    static let stories = MatrixModule(rows: [:])
}
