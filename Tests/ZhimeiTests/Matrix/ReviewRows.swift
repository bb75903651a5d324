import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Review routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    static let review = MatrixModule(rows: [:])
}
