import Foundation

/// Paging of a server-rendered list: the page shown, the range of rows on it, and links to the first, previous, next
/// and last pages that keep the list's other parameters ("" where there is no such page). Rendered by `pager.leaf`.
struct PageLinks: Encodable {
    var from: Int
    var to: Int
    var hasPages: Bool
    var firstURL: String
    var previousURL: String
    var nextURL: String
    var lastURL: String

    /// The page number to read for a requested one: at least 1, and no further than `largestOffset` reaches.
    static func requested(_ page: Int?, size: Int, largestOffset: Int) -> Int {
        max(1, min(page ?? 1, largestOffset / size + 1))
    }

    /// Pages needed for `total` rows (at least one, the empty page).
    static func count(total: Int, size: Int) -> Int { max(1, (total + size - 1) / size) }

    /// Links for page `number` of `total` rows, `shown` of them on this page; `keep` are the list's other parameters.
    init(number: Int, size: Int, total: Int, shown: Int, path: String, keep: [URLQueryItem]) {
        let pages = Self.count(total: total, size: size)
        func url(_ n: Int) -> String {
            guard n != number, (1...pages).contains(n) else { return "" }
            var c = URLComponents()
            c.path = path
            c.queryItems = [URLQueryItem(name: "page", value: String(n))] + keep.filter { !($0.value ?? "").isEmpty }
            return c.string ?? ""
        }
        from = shown == 0 ? 0 : (number - 1) * size + 1
        to = (number - 1) * size + shown
        hasPages = pages > 1
        firstURL = url(1)
        previousURL = url(number - 1)
        nextURL = url(number + 1)
        lastURL = url(pages)
    }
}
