import Foundation

/// Decides, without calling OpenCC, that a conversion would return a text unchanged.
///
/// Why: bulk search indexing converts every field with t2s, and most news text is already Simplified, so the C call
/// (≈ 0.12 ms per 1,500 characters) and the copy back are wasted on it.
///
/// Why it is exact: OpenCC replaces each longest dictionary match by its first value and keeps unmatched scalars, so
/// every match is a substring of the text. The text comes back unchanged when (1) none of its scalars converts, alone,
/// to anything else — probed once through the converter itself — and (2) it contains none of the dictionaries'
/// multi-scalar keys whose scalars each pass (1) but whose value differs (深沈 → 深沉, 回覆 → 回复: `phrases`). Keys
/// come from text dumps of the dictionaries (`X.txt` beside `X.ocd2`, written by scripts/text/setup-data.sh); without
/// them, or for a configuration of more than one conversion step, there is no shortcut.
final class OpenCCIdentity: Sendable {
    /// Per BMP scalar: 0 converts to itself and is in no changing phrase's trigger, 1 converts to something else,
    /// 2 converts to itself but a changing phrase may start around it (see `phrases`).
    private let table: [UInt8]
    /// Changing phrases by one of their scalars (the trigger): the phrase's scalars and the trigger's offset in it.
    private let phrases: [UInt32: [(scalars: [UInt32], offset: Int)]]

    /// Number of changing phrases the check looks for (for tests and logs).
    var phraseCount: Int { phrases.values.reduce(0) { $0 + $1.count } }

    private init(table: [UInt8], phrases: [UInt32: [(scalars: [UInt32], offset: Int)]]) {
        self.table = table
        self.phrases = phrases
    }

    /// True when converting `text` would return it unchanged (false also when it cannot tell).
    func unchanged(_ text: String) -> Bool {
        var triggered = false
        for s in text.unicodeScalars {
            let v = Int(s.value)
            guard v < 0x10000 else { return false }
            switch table[v] {
            case 0: continue
            case 1: return false
            default: triggered = true
            }
        }
        guard triggered else { return true }
        let scalars = text.unicodeScalars.map(\.value)
        for (i, v) in scalars.enumerated() where table[Int(v)] == 2 {
            for (p, offset) in phrases[v] ?? [] {
                let start = i - offset
                guard start >= 0, start + p.count <= scalars.count else { continue }
                if scalars[start..<(start + p.count)].elementsEqual(p) { return false }
            }
        }
        return true
    }

    /// Builds the check for configuration `config` in `directory`; `convert` runs the real conversion (no shortcut).
    static func build(config: String, directory: String, convert: (String) throws -> String) -> OpenCCIdentity? {
        let dir = directory as NSString
        guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(config + ".json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let chain = json["conversion_chain"] as? [[String: Any]], chain.count == 1,
              let step = chain[0]["dict"] as? [String: Any] else { return nil }
        guard let stepEntries = entries(of: step, in: dir) else { return nil }
        var normalEntries: [([UInt32], [UInt32])] = []
        for item in json["normalization"] as? [[String: Any]] ?? [] {
            guard let dict = item["dict"] as? [String: Any], let e = entries(of: dict, in: dir) else { return nil }
            normalEntries += e
        }

        // (1) Every BMP scalar but NUL (C strings) and the separator, converted alone in one call.
        let probed = (1..<0x10000).filter { !(0xD800...0xDFFF).contains($0) && $0 != 0x0A }
        var input = String.UnicodeScalarView()
        for c in probed { input.append(Unicode.Scalar(UInt32(c))!); input.append("\n") }
        guard let out = try? convert(String(input)), (try? convert("\n")) == "\n" else { return nil }
        // Split by scalar, not by Character: "\r\n" is one Character.
        let lines = out.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == probed.count + 1 else { return nil }
        var table = [UInt8](repeating: 1, count: 0x10000)
        table[0x0A] = 0
        for (i, c) in probed.enumerated() where lines[i].count == 1 && lines[i].first!.value == UInt32(c) { table[c] = 0 }
        // Normalization runs before the conversion step: any key it changes must take the full path.
        for (key, value) in normalEntries where key != value {
            for v in key where v < 0x10000 { table[Int(v)] = 1 }
        }
        // (2) Changing phrases made of scalars that pass (1). A key with a non-BMP scalar never matches a text that
        // passes (1), and a one-scalar key was probed.
        var phrases: [UInt32: [(scalars: [UInt32], offset: Int)]] = [:]
        for (key, value) in stepEntries where key.count > 1 && key != value {
            guard key.allSatisfy({ $0 < 0x10000 && table[Int($0)] != 1 }) else { continue }
            // The trigger: the first scalar that differs (a rare one such as 沈 in 深沈), else the first scalar.
            let offset = key.count == value.count ? (0..<key.count).first { key[$0] != value[$0] } ?? 0 : 0
            table[Int(key[offset])] = 2
            phrases[key[offset], default: []].append((key, offset))
        }
        return OpenCCIdentity(table: table, phrases: phrases)
    }

    /// Every (key, first value) of a dictionary entry of a configuration (groups opened), as scalars; nil when a
    /// dictionary's text dump is missing.
    private static func entries(of dict: [String: Any], in dir: NSString) -> [([UInt32], [UInt32])]? {
        if dict["type"] as? String == "group" {
            guard let dicts = dict["dicts"] as? [[String: Any]] else { return nil }
            var all: [([UInt32], [UInt32])] = []
            for d in dicts {
                guard let e = entries(of: d, in: dir) else { return nil }
                all += e
            }
            return all
        }
        guard let file = dict["file"] as? String else { return nil }
        let dump = dir.appendingPathComponent(((file as NSString).deletingPathExtension) + ".txt")
        guard let text = try? String(contentsOfFile: dump, encoding: .utf8) else { return nil }
        var out: [([UInt32], [UInt32])] = []
        for line in text.unicodeScalars.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let first = parts[1].split(separator: " ").first ?? parts[1]
            out.append((parts[0].map(\.value), first.map(\.value)))
        }
        return out
    }
}
