/// CSV for spreadsheets (Excel, WPS): UTF-8 with a byte-order mark, CRLF rows, fields quoted when needed, and a
/// leading = + - @ defused with "'" so a cell from outside is never run as a formula.
enum SpreadsheetCSV {
    static let byteOrderMark = "\u{FEFF}"

    static func field(_ s: String) -> String {
        var v = s
        if let f = v.first, "=+-@".contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }

    static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }
}
