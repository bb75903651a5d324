/// UI strings of the Stories module: key → (中文, English). Keys start with "stories."
enum StoriesStrings {
    static let table: [String: (String, String)] = [:]
}
