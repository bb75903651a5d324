import Foundation

/// The repost/reply graph of an event (传播路径): one node per author, an edge from the author reposted or
/// replied to → the author who reposted or replied. Origin = the earliest posters; key spreaders by reach
/// (people reached downstream) and by betweenness centrality (Brandes, unweighted, directed).
struct SpreadGraph {
    struct Post {
        var id: String
        var author: String
        var at: Date
        /// External ID of the post this one reposts or replies to.
        var parent: String?
    }

    struct Edge: Hashable { var from: Int; var to: Int }

    private(set) var authors: [String] = []
    private(set) var edges: [Edge] = []
    private(set) var firstSeen: [Date] = []
    private(set) var adjacency: [[Int]] = []

    init(posts: [Post]) {
        var index: [String: Int] = [:]
        var byPost: [String: Post] = [:]
        for p in posts { byPost[p.id] = p }
        func node(_ author: String, _ at: Date) -> Int {
            if let i = index[author] {
                if at < firstSeen[i] { firstSeen[i] = at }
                return i
            }
            index[author] = authors.count
            authors.append(author)
            firstSeen.append(at)
            adjacency.append([])
            return authors.count - 1
        }
        var seen = Set<Edge>()
        for p in posts.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            let to = node(p.author, p.at)
            guard let parentID = p.parent, let parent = byPost[parentID], parent.author != p.author else { continue }
            let from = node(parent.author, parent.at)
            let e = Edge(from: from, to: to)
            if seen.insert(e).inserted { edges.append(e); adjacency[from].append(to) }
        }
    }

    /// Authors with no incoming edge, earliest first (the sources of the spread).
    func origins(limit: Int = 5) -> [Int] {
        var hasParent = [Bool](repeating: false, count: authors.count)
        for e in edges { hasParent[e.to] = true }
        return authors.indices.filter { !hasParent[$0] }.sorted { (firstSeen[$0], authors[$0]) < (firstSeen[$1], authors[$1]) }.prefix(limit).map { $0 }
    }

    /// Number of distinct authors reachable downstream of each author.
    func reach() -> [Int] {
        authors.indices.map { start in
            var seen: Set<Int> = [start]
            var stack = [start]
            while let n = stack.popLast() {
                for m in adjacency[n] where seen.insert(m).inserted { stack.append(m) }
            }
            return seen.count - 1
        }
    }

    /// Brandes' betweenness centrality on the directed graph (O(V·E)).
    func betweenness() -> [Double] {
        let n = authors.count
        var cb = [Double](repeating: 0, count: n)
        for s in 0..<n {
            var stack: [Int] = []
            var preds = [[Int]](repeating: [], count: n)
            var sigma = [Double](repeating: 0, count: n); sigma[s] = 1
            var dist = [Int](repeating: -1, count: n); dist[s] = 0
            var queue = [s]; var head = 0
            while head < queue.count {
                let v = queue[head]; head += 1
                stack.append(v)
                for w in adjacency[v] {
                    if dist[w] < 0 { dist[w] = dist[v] + 1; queue.append(w) }
                    if dist[w] == dist[v] + 1 { sigma[w] += sigma[v]; preds[w].append(v) }
                }
            }
            var delta = [Double](repeating: 0, count: n)
            while let w = stack.popLast() {
                for v in preds[w] { delta[v] += sigma[v] / sigma[w] * (1 + delta[w]) }
                if w != s { cb[w] += delta[w] }
            }
        }
        return cb
    }

    /// Longest chains from an origin (spread paths), as author indices; at most `limit` paths.
    func paths(limit: Int = 5) -> [[Int]] {
        var out: [[Int]] = []
        for o in origins(limit: limit) {
            var best: [Int] = [o]
            var stack: [[Int]] = [[o]]
            var steps = 0
            while let path = stack.popLast(), steps < 10_000 {
                steps += 1
                if path.count > best.count { best = path }
                for m in adjacency[path[path.count - 1]] where !path.contains(m) && path.count < 20 { stack.append(path + [m]) }
            }
            out.append(best)
        }
        return out
    }
}
