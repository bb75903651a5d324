import Vapor

/// Diff, import/export, media and assist routes.
struct StoriesExtraAPI {
    static var schemas: [(String, Schema)] { [] }
    func register(_ api: RoutesBuilder) {}
}
