/// UI strings of the Planning module: key → (中文, English). Keys start with "planning."
enum PlanningStrings {
    static let table: [String: (String, String)] = [:]
}
