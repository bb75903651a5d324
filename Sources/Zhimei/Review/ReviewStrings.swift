/// UI strings of the Review module: key → (中文, English). Keys start with "review."
enum ReviewStrings {
    static let table: [String: (String, String)] = [:]
}
