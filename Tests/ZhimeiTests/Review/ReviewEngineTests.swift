import Fluent
import Vapor
import XCTest
@testable import Zhimei

/// The workflow engine as plain Swift, and the database guard that gives concurrent sign-offs exactly one winner.
final class ReviewEngineTests: XCTestCase {
    let author = UUID(), first = UUID(), second = UUID(), chief = UUID()
    let plan = StagePlan.make(names: ["初审", "复审", "终审"], overrides: [])

    func facts(_ state: ReviewState, stage: Int = 0, round: Int = 1, approvals: [Int: UUID] = [:]) -> ReviewFacts {
        ReviewFacts(state: state, round: round, stageIndex: stage, plan: plan, authorID: author, submitterID: author, approvals: approvals)
    }

    func actor(_ id: UUID, _ permissions: Set<Permission>) -> ReviewActorFacts { ReviewActorFacts(userID: id, permissions: permissions) }

    func testEachApprovalMovesExactlyOneStage() throws {
        let everything: Set<Permission> = [.reviewFirst, .reviewSecond, .reviewFinal]
        var f = facts(.none, round: 0)
        let submitted = try ReviewWorkflow.decide(.submit, facts: f, actor: actor(author, [.storiesWrite]), distinctSigners: true)
        XCTAssertEqual(submitted, ReviewDecision(state: .pending, round: 1, stageIndex: 0, actedStage: nil, storyStatus: .inReview, notifyStage: 0, notifyAuthor: false))
        f = facts(.pending)
        let one = try ReviewWorkflow.decide(.approve, facts: f, actor: actor(first, everything), distinctSigners: true, requestedStage: 0)
        XCTAssertEqual(one.stageIndex, 1); XCTAssertEqual(one.state, .pending); XCTAssertEqual(one.notifyStage, 1)
        f = facts(.pending, stage: 2, approvals: [0: first, 1: second])
        let last = try ReviewWorkflow.decide(.approve, facts: f, actor: actor(chief, everything), distinctSigners: true, requestedStage: 2)
        XCTAssertEqual(last.state, .approved); XCTAssertEqual(last.storyStatus, .approved); XCTAssertTrue(last.notifyAuthor)
    }

    func testRulesInOrder() {
        let f = facts(.pending, stage: 1, approvals: [0: first])
        func refused(_ action: ReviewAction, _ a: ReviewActorFacts, stage: Int? = 1, round: Int? = nil, distinct: Bool = true) -> ReviewRuleError? {
            do { _ = try ReviewWorkflow.decide(action, facts: f, actor: a, distinctSigners: distinct, requestedRound: round, requestedStage: stage); return nil }
            catch { return error as? ReviewRuleError }
        }
        XCTAssertEqual(refused(.approve, actor(second, [.reviewSecond]), stage: 2), .stageMismatch(currentRound: 1, currentStage: 1))
        XCTAssertEqual(refused(.approve, actor(second, [.reviewSecond]), round: 2), .stageMismatch(currentRound: 1, currentStage: 1))
        XCTAssertEqual(refused(.approve, actor(second, [.reviewFirst])), .lacksPermission(.reviewSecond))
        XCTAssertEqual(refused(.approve, actor(author, [.reviewSecond])), .ownWork)
        XCTAssertEqual(refused(.approve, actor(first, [.reviewSecond])), .alreadySigned(stage: 0))
        XCTAssertNil(refused(.approve, actor(first, [.reviewSecond]), distinct: false))
        XCTAssertNil(refused(.return, actor(first, [.reviewSecond])), "returning is not signing")
        XCTAssertEqual(refused(.recall, actor(second, [.storiesWrite]), stage: nil), .notAuthor)
        XCTAssertNil(refused(.recall, actor(author, [.storiesWrite]), stage: nil))
        XCTAssertEqual(refused(.submit, actor(author, [.storiesWrite]), stage: nil), .cannotSubmit(.pending))
        for ended in [ReviewState.approved, .rejected] {
            XCTAssertThrowsError(try ReviewWorkflow.decide(.submit, facts: facts(ended), actor: actor(author, []), distinctSigners: true))
            XCTAssertThrowsError(try ReviewWorkflow.decide(.approve, facts: facts(ended), actor: actor(chief, [.reviewFirst]), distinctSigners: true))
        }
        for reopen in [ReviewState.returned, .recalled] {
            XCTAssertEqual(try ReviewWorkflow.decide(.submit, facts: facts(reopen, round: 3), actor: actor(author, []), distinctSigners: true).round, 4)
        }
    }

    func testAvailableActions() {
        let f = facts(.pending, stage: 1, approvals: [0: first])
        XCTAssertEqual(ReviewWorkflow.availableActions(facts: f, actor: actor(second, [.reviewSecond]), canWrite: false, distinctSigners: true), [.approve, .return, .reject])
        XCTAssertEqual(ReviewWorkflow.availableActions(facts: f, actor: actor(first, [.reviewSecond]), canWrite: true, distinctSigners: true), [.return, .reject])
        XCTAssertEqual(ReviewWorkflow.availableActions(facts: f, actor: actor(author, [.reviewSecond, .storiesWrite]), canWrite: true, distinctSigners: true), [.recall])
    }

    /// Two sign-offs of the same stage that both passed the checks: the unique decision key lets one in, the other gets 409.
    func testTheDecisionKeyAdmitsOneSignOff() async throws {
        try await withTestApp { t in
            let storyID = try await ReviewFixture.story(t, by: "liuyang-reporter")
            guard let story = try await Story.find(storyID, on: t.db) else { return XCTFail("no story") }
            let plan = self.plan
            @Sendable func event(_ comment: String) -> ReviewEvent {
                ReviewService.makeEvent(story: story, round: 1, stage: 0, plan: plan, action: .approve, actor: nil, comment: comment,
                                        key: "\(storyID)|1|0", at: Date())
            }
            let results = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<2 {
                    group.addTask {
                        do { try await ReviewService.commit(event: event("\(n)"), on: t.db) { _ in }; return true }
                        catch let e as AppError { return e.status == .conflict ? false : true }
                        catch { return true }
                    }
                }
                var out: [Bool] = []
                for await r in group { out.append(r) }
                return out
            }
            XCTAssertEqual(results.filter { $0 }.count, 1, "\(results)"); XCTAssertEqual(results.count, 2)
            try await XCTAssertEqualAsync(try await ReviewEvent.query(on: t.db).filter(\.$storyID == storyID).count(), 1)
        }
    }
}
