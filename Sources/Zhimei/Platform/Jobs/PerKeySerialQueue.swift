import Foundation

/// Runs work one piece after another per key (a tenant), within this process; different keys run side by side.
///
/// Ingest reads what a tenant already has (post or item IDs, open events, clusters) and then writes: two batches of
/// one tenant at once — a webhook sender's retry beside its first delivery, a manual feed poll beside a scheduled
/// one — would both miss each other's items, store them twice and open the same event twice.
actor PerKeySerialQueue {
    private var tails: [UUID: Task<Void, Never>] = [:]

    /// Runs `body` after every earlier piece of work under `key` has finished (successfully or not).
    func run<T: Sendable>(_ key: UUID, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tails[key]
        let task = Task { () async throws -> T in
            await previous?.value
            return try await body()
        }
        let tail = Task { _ = try? await task.value }
        tails[key] = tail
        defer { if tails[key] == tail { tails[key] = nil } }
        return try await task.value
    }
}
