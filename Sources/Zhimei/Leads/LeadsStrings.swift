/// UI strings of the Leads module: key → (中文, English). Keys start with "leads."
enum LeadsStrings {
    static let table: [String: (String, String)] = [:]
}
