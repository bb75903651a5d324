import Foundation
@testable import Zhimei

extension MatrixModule {
    /// Leads routes (the newsroom chain). Rows for pages that replace a placeholder override the platform row.
    static let leads = MatrixModule(rows: [:])
}
