import XCTest

// XCTest's assertions take synchronous autoclosures; these take async ones, so a test can
// assert directly on an awaited value.

func XCTAssertEqualAsync<T: Equatable>(_ a: @autoclosure () async throws -> T, _ b: @autoclosure () async throws -> T, _ message: String = "",
                                       file: StaticString = #filePath, line: UInt = #line) async throws {
    let (x, y) = (try await a(), try await b())
    XCTAssertEqual(x, y, message, file: file, line: line)
}

func XCTAssertTrueAsync(_ a: @autoclosure () async throws -> Bool, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertTrue(x, message, file: file, line: line)
}

func XCTAssertFalseAsync(_ a: @autoclosure () async throws -> Bool, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertFalse(x, message, file: file, line: line)
}

func XCTAssertNilAsync<T>(_ a: @autoclosure () async throws -> T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertNil(x, message, file: file, line: line)
}

func XCTAssertNotNilAsync<T>(_ a: @autoclosure () async throws -> T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws {
    let x = try await a()
    XCTAssertNotNil(x, message, file: file, line: line)
}

func XCTUnwrapAsync<T>(_ a: @autoclosure () async throws -> T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    let x = try await a()
    return try XCTUnwrap(x, message, file: file, line: line)
}
