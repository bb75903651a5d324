import Vapor

extension Route {
    static let operationKey = "zhimei.operation"

    /// Describes this route in the OpenAPI document.
    @discardableResult
    public func document(_ operation: APIOperation) -> Route {
        userInfo[AnySendableHashable(Self.operationKey)] = operation
        return self
    }

    var operation: APIOperation? {
        userInfo[AnySendableHashable(Self.operationKey)] as? APIOperation
    }
}

extension RoutesBuilder {
    /// Registers an API route with its access rule and its OpenAPI description in one place.
    @discardableResult
    func endpoint<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: PathComponent..., access: Access, doc: APIOperation,
        body: HTTPBodyStreamStrategy = .collect, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(method, path, body: body, use: handler).access(access).document(doc)
    }

    /// Registers a web page (or form post) with its access rule.
    @discardableResult
    func page<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod = .GET, _ path: PathComponent..., access: Access, use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        on(method, path, use: handler).access(access)
    }
}
