import Fluent

extension QueryBuilder {
    /// The number of matching rows as `COUNT(*)`. Fluent's `count()` counts the `id` column, which makes SQLite read every
    /// matching row for its id (the UUID primary key is not the rowid); `COUNT(*)` is answered from the narrowest index
    /// that serves the filters. (Opinion post list at 1,000,000 posts: 0.45 s before.)
    func countRows() async throws -> Int {
        try await aggregate(.sql(unsafeRaw: #"COUNT(*) AS "aggregate""#), as: Int.self).get()
    }
}
