import Fluent
import Vapor

/// What Planning needs from a lead, read through the Leads module's service (never its tables).
struct TopicLeadLink {
    var tenantID: UUID
    var title: String
    var body: String
    var summary: String
    var keywords: [String]
    var sourceURL: String?
    let convert: @Sendable (UUID, Request) async throws -> Void

    /// Loads a lead the actor may read; a lead already converted into a topic is a 409.
    static func load(_ id: UUID, on req: Request) async throws -> TopicLeadLink {
        let lead = try await LeadService.find(id, on: req)
        if lead.status == .converted {
            throw AppError.conflict("lead_already_converted", zh: "该线索已转为选题", en: "This lead was already converted into a topic")
        }
        return TopicLeadLink(tenantID: lead.tenantID, title: lead.title, body: lead.body, summary: lead.summary, keywords: lead.keywords,
                             sourceURL: lead.sourceURL) { topicID, req in
            try await LeadService.markConverted(lead, topicID: topicID, on: req)
        }
    }

    /// The lead's title and body (for outlines), or nil when it is gone or out of reach.
    static func text(of id: UUID, on req: Request) async -> String? {
        guard let lead = try? await LeadService.find(id, on: req) else { return nil }
        return lead.title + "。" + String(lead.body.prefix(5000))
    }

    func markConverted(topicID: UUID, on req: Request) async throws {
        try await convert(topicID, req)
    }
}
