import Foundation

/// CPU-bound work spread over every core in small chunks, yielding between them.
///
/// Swift's cooperative pool has one thread per core. A task that analyses a thousand articles in one go holds its
/// thread for half a second, and every other continuation — the bulk writer's next SQL statement, an HTTP request —
/// waits for it. Measured on the 2-core machine before this: the bulk writer of `zhimei bench search` was on a CPU for
/// 10 s of its 19 s and sat most of the rest waiting for a free pool thread. Chunks of a few dozen items keep each
/// wait to milliseconds.
enum SearchParallel {
    /// Items per chunk: ~20–30 ms of analysis for 1,500-character articles.
    static let chunk = 32

    /// Workers for the analysis beside a bulk load: one core is left to the SQLite writer. With every core analysing,
    /// the writer shared its core with an analysis thread and the whole load ran slower (bench search, 40,000
    /// articles on 2 cores: 1,380–1,500/s with two workers, 1,670–1,830/s with one).
    static var bulkWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }

    /// `transform` over `items` on up to `workers` tasks, in the items' order. Each worker makes its own scratch state
    /// with `state(workerIndex)` and passes it to every call, so the state needs no lock and never crosses tasks.
    static func map<T: Sendable, S, R: Sendable>(_ items: [T], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                                 state: @escaping @Sendable (Int) -> S,
                                                 _ transform: @escaping @Sendable (S, T) -> R) async -> [R] {
        let workers = max(1, min(workers, 16, (items.count + chunk - 1) / chunk))
        guard workers > 1 else {
            let s = state(0)
            var out: [R] = []
            out.reserveCapacity(items.count)
            for start in stride(from: 0, to: items.count, by: chunk) {
                if start > 0 { await Task.yield() }
                for item in items[start..<min(start + chunk, items.count)] { out.append(transform(s, item)) }
            }
            return out
        }
        let chunks = Array(stride(from: 0, to: items.count, by: chunk))
        return await withTaskGroup(of: [(Int, [R])].self) { group in
            for w in 0..<workers {
                group.addTask {
                    let s = state(w)
                    var done: [(Int, [R])] = []
                    // Worker w takes chunks w, w + workers, …; a yield after each lets waiting continuations run.
                    for c in stride(from: w, to: chunks.count, by: workers) {
                        let start = chunks[c]
                        done.append((c, items[start..<min(start + chunk, items.count)].map { transform(s, $0) }))
                        await Task.yield()
                    }
                    return done
                }
            }
            var parts: [(Int, [R])] = []
            for await part in group { parts += part }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
