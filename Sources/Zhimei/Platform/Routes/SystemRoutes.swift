import Fluent
import SQLKit
import Vapor

/// Health, readiness, metrics and the API description.
struct SystemRoutes {
    func register(_ app: RoutesBuilder) {
        app.page(.GET, "healthz", access: .anonymous) { _ in ["status": "ok"] }
        app.page(.GET, "readyz", access: .anonymous, use: ready)
        app.page(.GET, "metrics", access: .anonymous, use: metrics)
        app.page(.GET, "openapi.json", access: .anonymous, use: openAPI)
    }

    @Sendable func ready(_ req: Request) async throws -> Response {
        do {
            guard let sql = req.db as? any SQLDatabase else { throw AppError.notFound }
            _ = try await sql.raw("SELECT 1 AS ok").all()
            return try await ["status": "ready", "database": sql.dialect.name].encodeResponse(for: req)
        } catch {
            let response = try await ["status": "unavailable", "error": "database unreachable"].encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
    }

    @Sendable func metrics(_ req: Request) async throws -> Response {
        let depth = (try? await JobQueue.depth(on: req.db)) ?? [:]
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: req.application.zhimei.metrics.render(
            queueDepth: depth, publicEdge: req.application.publicEdge.map { ($0.hitCount, $0.missCount) })))
    }

    @Sendable func openAPI(_ req: Request) async throws -> Response {
        let document = req.application.zhimei.api.render(routes: req.application.routes.all)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: "*")
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(document)))
    }
}
