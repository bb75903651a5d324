import Fluent
import Vapor

/// CSV import and export of lexicon entries. Columns: kind,term,category,severity,title,items,homophones,note
/// (items separated by "|"). UTF-8 with or without BOM, or GBK; bad rows are reported by line and skipped.
enum LexiconCSV {
    static let header = ["kind", "term", "category", "severity", "title", "items", "homophones", "note"]
    static let maxBytes = 5 * 1024 * 1024
    static let maxRows = 100_000

    struct RowError: Content { var line: Int; var message: String; var messageEn: String }
    /// created, updated (values changed), unchanged (the same values as stored), skipped (bad rows, reported in errors).
    struct ImportResult: Content { var created: Int; var updated: Int; var unchanged: Int; var skipped: Int; var errors: [RowError] }

    /// RFC 4180 rows with their starting line numbers (quoted fields may span lines).
    static func rows(_ text: String) -> [(line: Int, fields: [String])] {
        var out: [(Int, [String])] = []
        var fields: [String] = [], field = "", inQuotes = false, line = 1, rowLine = 1
        var chars = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? { if let p = pending { pending = nil; return p }; return chars.next() }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() { if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n } } else { inQuotes = false }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == "," {
                fields.append(field); field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                fields.append(field); field = ""
                out.append((rowLine, fields)); fields = []
                line += 1; rowLine = line
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); out.append((rowLine, fields)) }
        return out
    }

    /// Entries per INSERT statement of an import (12 values each, well under the databases' bound-parameter limits).
    static let insertBatch = 500

    static func importCSV(_ data: Data, owner: LexiconService.Owner, on req: Request) async throws -> ImportResult {
        guard data.count <= maxBytes else {
            throw AppError(.payloadTooLarge, "csv_too_large", zh: "CSV 文件超过 5 MB", en: "The CSV file is larger than 5 MB")
        }
        guard !data.isEmpty, let (text, _) = TextDecoding.decode(data) else {
            throw AppError.invalid("csv", zh: "CSV 为空或编码无法识别（请用 UTF-8 或 GBK）", en: "The CSV is empty or its encoding is not UTF-8 or GBK")
        }
        var all = rows(text).filter { !($0.fields.count == 1 && $0.fields[0].trimmingCharacters(in: .whitespaces).isEmpty) }
        guard all.count <= maxRows + 1 else {
            throw AppError.invalid("csv", zh: "CSV 超过 \(maxRows) 行", en: "The CSV has more than \(maxRows) rows")
        }
        // The header row is required (column order is free).
        let columns = all.first?.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
        if !all.isEmpty { all.removeFirst() }
        guard columns.contains("kind"), columns.contains("term") else {
            throw AppError.invalid("csv", zh: "CSV 表头须包含 kind 和 term 列", en: "The CSV header needs kind and term columns")
        }
        // Entries already there, by kind and term: a row naming one updates it.
        let existing = try await LexiconRows.load([owner], order: .kindThenTerm, on: req.db)
        let existingByKey = Dictionary(existing.map { ("\($0.kind.rawValue)|\($0.term)", $0) }, uniquingKeysWith: { a, _ in a })
        // the entries this file creates or changes, by key, and the two lists to write
        var written: [String: LexiconEntry] = [:]
        var inserts: [LexiconEntry] = [], changes: [LexiconEntry] = []
        var result = ImportResult(created: 0, updated: 0, unchanged: 0, skipped: 0, errors: [])
        let actorID = try req.requireActor().userID
        for (line, fields) in all {
            func value(_ name: String) -> String? {
                guard let i = columns.firstIndex(of: name), fields.indices.contains(i) else { return nil }
                return unescape(fields[i])
            }
            let input = LexiconService.EntryInput(
                kind: value("kind") ?? "", term: value("term") ?? "", category: value("category"), severity: value("severity"), title: value("title"),
                items: value("items").map { $0.split(separator: "|").map(String.init) },
                homophones: value("homophones").map { ["1", "true", "yes", "是"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) },
                note: value("note"))
            let scratch = LexiconEntry()
            do {
                try LexiconService.apply(input, to: scratch)
            } catch let e as AppError {
                if result.errors.count < 200 { result.errors.append(RowError(line: line, message: e.zh, messageEn: e.en)) }
                result.skipped += 1
                continue
            }
            let key = "\(scratch.kind.rawValue)|\(scratch.term)"
            let target: LexiconEntry
            if let earlier = written[key] {
                // the same entry twice in one file: the later row wins
                try LexiconService.apply(input, to: earlier)
                target = earlier
                result.updated += 1
            } else if let row = existingByKey[key] {
                // An exported file imported again mostly repeats what is there: such rows are not written.
                if row.holds(scratch) {
                    result.unchanged += 1
                    continue
                }
                scratch.id = row.id
                scratch.$id.exists = true
                changes.append(scratch)
                result.updated += 1
                target = scratch
            } else {
                scratch.tenantID = owner.tenantID
                inserts.append(scratch)
                result.created += 1
                target = scratch
            }
            written[key] = target
            target.updatedBy = actorID
        }
        // One transaction: a file is imported whole or not at all, and new entries go in as multi-row inserts (row by
        // row, each its own commit, 50,000 entries took ~55 s).
        let now = Date()
        try await req.db.transaction { [inserts, changes] tx in
            for start in stride(from: 0, to: inserts.count, by: insertBatch) {
                try await LexiconRows.insert(inserts[start..<min(start + insertBatch, inserts.count)], at: now, on: tx)
            }
            for entry in changes { try await entry.update(on: tx) }
        }
        req.application.proofreaders.invalidate(owner.tenantID)
        await req.audit("review.lexicon.import", tenant: owner.tenantID, targetType: "lexicon", targetID: owner.tenantID?.uuidString ?? "platform",
                        after: ["created": String(result.created), "updated": String(result.updated), "unchanged": String(result.unchanged),
                                "skipped": String(result.skipped)])
        return result
    }

    static func export(_ owner: LexiconService.Owner, on db: any Database) async throws -> String {
        let entries = try await LexiconRows.load([owner], order: .kindThenTerm, on: db)
        var out = "\u{FEFF}" + header.joined(separator: ",") + "\r\n"
        for e in entries {
            let fields = [e.kind.rawValue, e.term, e.category, e.severity, e.title, e.items.joined(separator: "|"), e.homophones ? "true" : "false", e.note]
            out += fields.map(quote).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// Quotes when needed; a leading = + - @ gets a "'" so spreadsheets do not run it as a formula.
    static func quote(_ s: String) -> String { SpreadsheetCSV.field(s) }

    static func unescape(_ s: String) -> String {
        if s.hasPrefix("'"), let second = s.dropFirst().first, "=+-@".contains(second) { return String(s.dropFirst()) }
        return s
    }
}
