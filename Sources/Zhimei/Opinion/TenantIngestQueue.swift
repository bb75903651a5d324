import Foundation

/// Runs one tenant's ingest batches one after another within this process.
///
/// Ingest reads the tenant's existing post IDs and open events, then writes posts and events: two batches of one
/// tenant at once — a webhook sender's retry beside its first delivery, an import beside a feed poll — would both
/// miss each other's posts (stored twice) and both open the same new event. Other tenants are not held up.
actor TenantIngestQueue {
    static let shared = TenantIngestQueue()
    private var tails: [UUID: Task<Void, Never>] = [:]

    /// Runs `body` after every earlier batch of `tenantID` has finished (successfully or not).
    func run<T: Sendable>(_ tenantID: UUID, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tails[tenantID]
        let task = Task { () async throws -> T in
            await previous?.value
            return try await body()
        }
        let tail = Task { _ = try? await task.value }
        tails[tenantID] = tail
        defer { if tails[tenantID] == tail { tails[tenantID] = nil } }
        return try await task.value
    }
}
