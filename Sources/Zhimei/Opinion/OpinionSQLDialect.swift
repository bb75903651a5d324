import SQLKit

/// The expressions the Opinion queries spell differently on SQLite and PostgreSQL (SQLite stores times as Unix seconds
/// and string arrays as JSON text; PostgreSQL as timestamptz and text[]).
struct OpinionSQLDialect {
    var postgres: Bool

    init(_ sql: any SQLDatabase) { postgres = sql.dialect.name == "postgresql" }

    func epoch(_ column: String) -> String { postgres ? "EXTRACT(EPOCH FROM \(column))::float8" : column }
    func greatest(_ a: String, _ b: String) -> String { postgres ? "GREATEST(\(a), \(b))" : "MAX(\(a), \(b))" }
    func least(_ a: String, _ b: String) -> String { postgres ? "LEAST(\(a), \(b))" : "MIN(\(a), \(b))" }
    func trunc(_ x: String) -> String { postgres ? "TRUNC(\(x))::float8" : "CAST(\(x) AS INTEGER) * 1.0" }
    func real(_ x: String) -> String { postgres ? "(\(x))::float8" : "(\(x)) * 1.0" }
    /// The start of the clock hour of a time column, in Unix seconds (as `OpinionHourlyCounts.hour` computes it).
    func hour(_ column: String) -> String {
        postgres ? "(FLOOR(EXTRACT(EPOCH FROM \(column)) / 3600) * 3600)::bigint" : "CAST(\(column) / 3600 AS INTEGER) * 3600"
    }
    func nonEmpty(_ column: String) -> String { postgres ? "cardinality(\(column)) > 0" : "\(column) <> '[]'" }
    /// A string array column's elements as a table named `alias` (to join beside the row).
    func elements(_ column: String, as alias: String) -> String {
        postgres ? "unnest(\(column)) WITH ORDINALITY AS \(alias)(value, ord)" : "json_each(\(column)) AS \(alias)"
    }
    /// One element of `elements(_:as:)`.
    func element(_ alias: String) -> String { "\(alias).value" }
    /// The place of an element of `elements(_:as:)` in its array, from 0.
    func place(_ alias: String) -> String { postgres ? "(\(alias).ord - 1)" : "\(alias).key" }
    /// Whether a string array column holds `value`.
    func holds(_ column: String, _ value: String) -> SQLQueryString {
        postgres ? "\(bind: value) = ANY(\(unsafeRaw: column))" : "instr(\(unsafeRaw: column), \(bind: "\"" + value + "\"")) > 0"
    }
    /// A string array column with `value` added at its end.
    func appending(_ column: String, _ value: String) -> SQLQueryString {
        postgres ? "array_append(\(unsafeRaw: column), \(bind: value))" : "json_insert(\(unsafeRaw: column), '$[#]', \(bind: value))"
    }
    /// A string array column without `value`.
    func removing(_ column: String, _ value: String) -> SQLQueryString {
        postgres ? "array_remove(\(unsafeRaw: column), \(bind: value))"
            : "(SELECT json_group_array(e.value) FROM json_each(\(unsafeRaw: column)) AS e WHERE e.value <> \(bind: value))"
    }
    /// Whether a text contains `word` (a constant without quotes).
    func contains(_ text: String, _ word: String) -> String { postgres ? "strpos(\(text), '\(word)') > 0" : "instr(\(text), '\(word)') > 0" }
    /// Whether any element of a string array column contains one of `words`: a quick test on the whole list before
    /// its elements are taken out (SQLite stores it as JSON text; no word spans two elements in either form).
    func holdsAny(_ column: String, _ words: [String]) -> String {
        postgres ? "array_to_string(\(column), ' ') ~ '\(words.joined(separator: "|"))'" : words.map { contains(column, $0) }.joined(separator: " OR ")
    }
}
