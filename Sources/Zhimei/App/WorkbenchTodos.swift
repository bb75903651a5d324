import Fluent
import Vapor

/// The workbench's "我的待办": what waits for this person across the chain, each count linking to the page that
/// lists the same items. Only items the person may act on are shown; counts use the same scopes as those pages.
enum WorkbenchTodos {
    /// One to-do: a count, its label key and the page that lists the items.
    struct Item: Encodable, Equatable { var key: String; var count: Int; var href: String }

    static func collect(on req: Request) async throws -> [Item] {
        let actor = try req.requireActor()
        let db = req.db
        var items: [Item] = []
        if [.reviewFirst, .reviewSecond, .reviewFinal].contains(where: { actor.canAnywhere($0) }) {
            items.append(Item(key: "home.todo.review", count: try await ReviewService.queue(on: req).waiting.count, href: "/review"))
        }
        if actor.canAnywhere(.storiesWrite) {
            let mine = actor.scope(for: .storiesRead).query(Story.self, on: db).filter(\.$authorID == actor.userID)
            items.append(Item(key: "home.todo.returned", count: try await mine.copy().filter(\.$status == .returned).count(),
                              href: "/stories?mine=1&status=returned"))
            items.append(Item(key: "home.todo.drafts", count: try await mine.copy().filter(\.$status == .draft).count(),
                              href: "/stories?mine=1&status=draft"))
        }
        if actor.canAnywhere(.topicsManage) {
            // Assignees are a JSON list: the active topics are few, so they are filtered here.
            let me = actor.userID.uuidString
            let active = try await actor.scope(for: .topicsManage).query(Topic.self, on: db)
                .filter(\.$status ~~ [.approved, .inProgress]).field(\.$id).field(\.$assigneeIDs).limit(2_000).all()
            items.append(Item(key: "home.todo.topics", count: active.filter { $0.assigneeIDs.contains(me) }.count, href: "/planning"))
        }
        if actor.canAnywhere(.topicsApprove) {
            items.append(Item(key: "home.todo.proposed",
                              count: try await actor.scope(for: .topicsApprove).query(Topic.self, on: db).filter(\.$status == .proposed).count(),
                              href: "/planning?view=list&status=proposed"))
        }
        if actor.canAnywhere(.leadsManage) {
            items.append(Item(key: "home.todo.leads",
                              count: try await actor.scope(for: .leadsRead).query(Lead.self, on: db).filter(\.$status == .new).count(),
                              href: "/leads?status=new"))
        }
        if actor.canAnywhere(.publish) {
            items.append(Item(key: "home.todo.publish",
                              count: try await actor.scope(for: .publish).query(Story.self, on: db).filter(\.$status == .approved).count(),
                              href: "/publishing"))
        }
        if actor.canAnywhere(.opinionRead) {
            let since = Date().addingTimeInterval(-24 * 3600)
            items.append(Item(key: "home.todo.alerts",
                              count: try await actor.scope(for: .opinionRead).query(OpinionAlert.self, on: db).filter(\.$createdAt >= since).count(),
                              href: "/opinion"))
        }
        return items
    }
}
