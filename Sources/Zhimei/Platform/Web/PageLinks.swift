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

    /// The page to show for a requested one: as `requested`, and no further than the last page of `total` rows
    /// (a page past the end shows the last).
    static func shown(_ page: Int?, size: Int, total: Int, largestOffset: Int = 100_000) -> Int {
        min(requested(page, size: size, largestOffset: largestOffset), count(total: total, size: size))
    }

    /// Pages needed for `total` rows (at least one, the empty page).
    static func count(total: Int, size: Int) -> Int { max(1, (total + size - 1) / size) }

    /// Links for page `number` of `total` rows, `shown` of them on this page; `keep` are the list's other parameters.
    init(number: Int, size: Int, total: Int, shown: Int, path: String, keep: [URLQueryItem]) {
        self.init(start: (number - 1) * size, size: size, total: total, shown: shown, path: path, keep: keep) { start in
            URLQueryItem(name: "page", value: String(start / size + 1))
        }
    }

    /// Links for a list addressed by row offset (the `offset` parameter, as the leads inbox and its API are).
    init(offset: Int, size: Int, total: Int, shown: Int, path: String, keep: [URLQueryItem]) {
        self.init(start: offset, size: size, total: total, shown: shown, path: path, keep: keep) { start in
            URLQueryItem(name: "offset", value: String(start))
        }
    }

    private init(start: Int, size: Int, total: Int, shown: Int, path: String, keep: [URLQueryItem], parameter: (Int) -> URLQueryItem) {
        let lastStart = (Self.count(total: total, size: size) - 1) * size
        func url(_ target: Int) -> String { Self.url(path, [parameter(target)] + keep) }
        from = shown == 0 ? 0 : start + 1
        to = start + shown
        hasPages = total > size || start > 0
        firstURL = start > 0 ? url(0) : ""
        previousURL = start > 0 ? url(max(0, start - size)) : ""
        nextURL = start + size < total ? url(start + size) : ""
        lastURL = start < lastStart ? url(lastStart) : ""
    }

    /// `path` with the items that have a value as its query (the filters a link keeps).
    static func url(_ path: String, _ items: [URLQueryItem]) -> String {
        var c = URLComponents()
        c.path = path
        let given = items.filter { !($0.value ?? "").isEmpty }
        c.queryItems = given.isEmpty ? nil : given
        return c.string ?? path
    }
}
