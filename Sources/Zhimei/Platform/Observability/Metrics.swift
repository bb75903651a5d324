import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Request and job metrics in Prometheus text format, served at `/metrics`.
public final class Metrics: Sendable {
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var total = 0
    }

    private struct State {
        var requests: [String: Int] = [:]          // "method route status" → count
        var latency: [String: Histogram] = [:]     // "method route" → histogram
        var jobOutcomes: [String: Int] = [:]       // "kind outcome" → count
    }

    private let state = NIOLockedValueBox(State())

    func observeRequest(method: String, route: String, status: Int, seconds: Double) {
        state.withLockedValue { s in
            s.requests["\(method)\t\(route)\t\(status)", default: 0] += 1
            var h = s.latency["\(method)\t\(route)", default: Histogram()]
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { h.counts[i] += 1 }
            h.sum += seconds
            h.total += 1
            s.latency["\(method)\t\(route)"] = h
        }
    }

    public func observeJob(kind: String, outcome: String) {
        state.withLockedValue { $0.jobOutcomes["\(kind)\t\(outcome)", default: 0] += 1 }
    }

    /// Renders the exposition text; queue depth comes from the database at scrape time, the public edge port's
    /// counts (when it runs) from its own counters (its hits are too cheap to time one by one).
    func render(queueDepth: [String: Int], publicEdge: (hits: Int, misses: Int)? = nil) -> String {
        let s = state.withLockedValue { $0 }
        var out = "# HELP zhimei_http_requests_total HTTP requests by route and status.\n# TYPE zhimei_http_requests_total counter\n"
        for (key, count) in s.requests.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "\t", omittingEmptySubsequences: false)
            out += "zhimei_http_requests_total{method=\"\(p[0])\",route=\"\(escape(p[1]))\",status=\"\(p[2])\"} \(count)\n"
        }
        out += "# HELP zhimei_http_request_duration_seconds Request latency by route.\n# TYPE zhimei_http_request_duration_seconds histogram\n"
        for (key, h) in s.latency.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "\t", omittingEmptySubsequences: false)
            let labels = "method=\"\(p[0])\",route=\"\(escape(p[1]))\""
            for (i, bound) in Self.buckets.enumerated() {
                out += "zhimei_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(h.counts[i])\n"
            }
            out += "zhimei_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(h.total)\n"
            out += "zhimei_http_request_duration_seconds_sum{\(labels)} \(h.sum)\n"
            out += "zhimei_http_request_duration_seconds_count{\(labels)} \(h.total)\n"
        }
        out += "# HELP zhimei_jobs_queue_depth Jobs by state.\n# TYPE zhimei_jobs_queue_depth gauge\n"
        for (state, count) in queueDepth.sorted(by: { $0.key < $1.key }) {
            out += "zhimei_jobs_queue_depth{state=\"\(state)\"} \(count)\n"
        }
        out += "# HELP zhimei_jobs_finished_total Job attempts by kind and outcome (this process).\n# TYPE zhimei_jobs_finished_total counter\n"
        for (key, count) in s.jobOutcomes.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "\t", omittingEmptySubsequences: false)
            out += "zhimei_jobs_finished_total{kind=\"\(escape(p[0]))\",outcome=\"\(p[1])\"} \(count)\n"
        }
        if let edge = publicEdge {
            out += "# HELP zhimei_public_edge_answers_total Answers of the public edge port (ZHIMEI_PUBLIC_PORT): from the cache, or handed to the application.\n"
            out += "# TYPE zhimei_public_edge_answers_total counter\n"
            out += "zhimei_public_edge_answers_total{source=\"cache\"} \(edge.hits)\n"
            out += "zhimei_public_edge_answers_total{source=\"application\"} \(edge.misses)\n"
        }
        return out
    }

    private func escape(_ s: Substring) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Times every request and counts it by its route pattern (not the raw path, to bound cardinality).
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var status = 500
        defer {
            let route = request.route.map { "/" + $0.path.map { "\($0)" }.joined(separator: "/") } ?? "unmatched"
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            request.application.zhimei.metrics.observeRequest(method: request.method.rawValue, route: route, status: status, seconds: seconds)
        }
        let response = try await next.respond(to: request)
        status = Int(response.status.code)
        return response
    }
}
