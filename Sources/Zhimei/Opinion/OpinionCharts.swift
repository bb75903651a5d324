import Foundation

/// Server-side SVG charts (no scripts, no external fonts): volume line, stacked sentiment bars, horizontal bars and a
/// word cloud. Every label is XML-escaped; sizes are fixed so reports and PDFs look the same everywhere.
enum OpinionCharts {
    static func esc(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: if ch.value >= 0x20 || ch == "\n" { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    static func frame(_ w: Int, _ h: Int, _ title: String, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\" aria-label=\"\(esc(title))\" class=\"opinion-chart\">"
            + "<title>\(esc(title))</title><rect width=\"\(w)\" height=\"\(h)\" fill=\"#fff\"/>\(body)</svg>"
    }

    /// Line of values (oldest first), with the max labelled.
    static func line(_ values: [Double], title: String, forecast: [Double] = [], width: Int = 560, height: Int = 180) -> String {
        let all = values + forecast
        guard !values.isEmpty else { return frame(width, height, title, "<text x=\"10\" y=\"20\" font-size=\"12\">无数据 No data</text>") }
        let maxV = max(1, all.max() ?? 1)
        let n = max(2, all.count)
        func pt(_ i: Int, _ v: Double) -> String {
            String(format: "%.1f,%.1f", 30 + Double(i) * Double(width - 40) / Double(n - 1), Double(height - 20) - v / maxV * Double(height - 40))
        }
        let main = values.enumerated().map { pt($0.offset, $0.element) }.joined(separator: " ")
        var body = "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"\(main)\"/>"
        if !forecast.isEmpty {
            let f = ([values.count - 1] + forecast.indices.map { values.count + $0 }).enumerated().map { i, idx in
                pt(idx, i == 0 ? values[values.count - 1] : forecast[i - 1])
            }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"#888\" stroke-dasharray=\"4 3\" stroke-width=\"2\" points=\"\(f)\"/>"
        }
        body += "<text x=\"4\" y=\"16\" font-size=\"11\">\(Int(maxV))</text><text x=\"4\" y=\"\(height - 8)\" font-size=\"11\">0</text>"
        body += "<text x=\"\(width / 2)\" y=\"14\" font-size=\"12\" text-anchor=\"middle\">\(esc(title))</text>"
        return frame(width, height, title, body)
    }

    /// Stacked positive / neutral / negative bars per bucket.
    static func sentiment(_ buckets: [OpinionAnalysis.Bucket], title: String, width: Int = 560, height: Int = 160) -> String {
        guard !buckets.isEmpty else { return frame(width, height, title, "") }
        let maxT = Double(max(1, buckets.map(\.total).max() ?? 1))
        let bw = Double(width - 40) / Double(buckets.count)
        var body = ""
        for (i, b) in buckets.enumerated() {
            var y = Double(height - 20)
            for (count, color) in [(b.negative, "#c0392b"), (b.neutral, "#95a5a6"), (b.positive, "#27ae60")] where count > 0 {
                let h = Double(count) / maxT * Double(height - 40)
                y -= h
                body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ", 30 + Double(i) * bw, y, max(1, bw - 1), h) + "fill=\"\(color)\"/>"
            }
        }
        body += "<text x=\"\(width / 2)\" y=\"14\" font-size=\"12\" text-anchor=\"middle\">\(esc(title))</text>"
        return frame(width, height, title, body)
    }

    static func bars(_ counts: [OpinionAnalysis.Count], title: String, width: Int = 560) -> String {
        let height = 30 + 22 * max(1, counts.count)
        let maxC = Double(max(1, counts.map(\.count).max() ?? 1))
        var body = "<text x=\"\(width / 2)\" y=\"14\" font-size=\"12\" text-anchor=\"middle\">\(esc(title))</text>"
        for (i, c) in counts.enumerated() {
            let y = 24 + i * 22
            let w = Double(width - 200) * Double(c.count) / maxC
            body += "<text x=\"4\" y=\"\(y + 14)\" font-size=\"12\">\(esc(String(c.name.prefix(14))))</text>"
            body += String(format: "<rect x=\"140\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#2980b9\"/>", y + 2, max(1, w))
            body += String(format: "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%d</text>", 146 + w, y + 14, c.count)
        }
        return frame(width, height, title, body)
    }

    /// Word cloud: words in rows, font size 12–36 px by weight, strongest first.
    static func wordCloud(_ terms: [OpinionAnalysis.Term], title: String, width: Int = 560, height: Int = 220) -> String {
        let maxW = terms.map(\.weight).max() ?? 1, minW = terms.map(\.weight).min() ?? 0
        var x = 10.0, y = 40.0, rowHeight = 0.0
        var body = ""
        let colors = ["#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085"]
        for (i, t) in terms.prefix(40).enumerated() {
            let size = 12 + 24 * (maxW > minW ? (t.weight - minW) / (maxW - minW) : 0.5)
            let w = Double(t.word.count) * size + 10
            if x + w > Double(width) { x = 10; y += rowHeight + 6; rowHeight = 0 }
            if y > Double(height) { break }
            body += String(format: "<text x=\"%.0f\" y=\"%.0f\" font-size=\"%.0f\" ", x, y, size) + "fill=\"\(colors[i % colors.count])\">\(esc(t.word))</text>"
            x += w; rowHeight = max(rowHeight, size)
        }
        return frame(width, height, title, body)
    }
}

extension OpinionCharts {
    /// The spread graph (传播图): columns by hops from an origin, node size by reach, origins in red.
    static func spreadGraph(_ s: OpinionAnalysis.Spread, title: String, width: Int = 720) -> String {
        let nodes = Array(s.nodes.prefix(60))
        guard !nodes.isEmpty else { return frame(width, 60, title, "<text x=\"10\" y=\"30\" font-size=\"12\">无转发/回复关系 No reposts or replies</text>") }
        let names = Set(nodes.map(\.author))
        let edges = s.edges.filter { names.contains($0.from) && names.contains($0.to) }
        var depth: [String: Int] = [:]
        var queue = nodes.filter(\.origin).map(\.author)
        for o in queue { depth[o] = 0 }
        var head = 0
        while head < queue.count {
            let n = queue[head]; head += 1
            for e in edges where e.from == n && depth[e.to] == nil { depth[e.to] = (depth[n] ?? 0) + 1; queue.append(e.to) }
        }
        var columns: [Int: [String]] = [:]
        for n in nodes { columns[min(6, depth[n.author] ?? 0), default: []].append(n.author) }
        let rows = max(1, columns.values.map(\.count).max() ?? 1)
        let height = 40 + rows * 34
        let colCount = max(1, (columns.keys.max() ?? 0) + 1)
        var pos: [String: (Double, Double)] = [:]
        for (c, list) in columns {
            for (i, name) in list.enumerated() { pos[name] = (60 + Double(c) * Double(width - 120) / Double(max(1, colCount - 1)), 30 + Double(i) * 34) }
        }
        let maxReach = Double(max(1, nodes.map(\.reach).max() ?? 1))
        var body = ""
        for e in edges {
            guard let a = pos[e.from], let b = pos[e.to] else { continue }
            body += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#aab\" stroke-width=\"1\"/>", a.0, a.1, b.0, b.1)
        }
        for n in nodes {
            guard let p = pos[n.author] else { continue }
            let r = 4 + 10 * Double(n.reach) / maxReach
            body += String(format: "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"%.1f\" ", p.0, p.1, r) + "fill=\"\(n.origin ? "#c0392b" : "#2980b9")\"><title>\(esc(n.author)) reach \(n.reach) betweenness \(n.betweenness)</title></circle>"
            body += String(format: "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">", p.0 + r + 2, p.1 + 4) + esc(String(n.author.prefix(10))) + "</text>"
        }
        return frame(width, height, title, body)
    }
}
