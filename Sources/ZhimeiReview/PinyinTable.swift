/// The pypinyin character table (`<text data>/review/pinyin.txt`, "字<TAB>reading,reading", most common reading first),
/// parsed the same way for the proofreader's sound confusions and for search's name initials.
public enum PinyinTable {
    /// Character → toneless readings, most common first. Lines that are not one character, a tab and readings are skipped.
    public static func parse(_ text: String) -> [UInt32: [String]] {
        var table: [UInt32: [String]] = [:]
        for line in text.split(separator: "\n") {
            let cols = line.split(separator: "\t")
            guard cols.count == 2, cols[0].unicodeScalars.count == 1, let c = cols[0].unicodeScalars.first?.value else { continue }
            let readings = cols[1].split(separator: ",").map(String.init)
            if !readings.isEmpty { table[c] = readings }
        }
        return table
    }
}
