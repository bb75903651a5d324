import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import NIOHTTP1
import Vapor

/// Delivery to external destinations: one row and one job per (story version, event, destination). The row's
/// idempotency key is sent as `Idempotency-Key` and names the file/object, so a retried delivery never duplicates.
enum DeliveryService {
    static let deliverJob = "publishing.deliver"
    static let maxAttempts = 8

    struct JobPayload: Codable { var deliveryID: UUID }

    static func key(storyID: UUID, version: Int, event: String, destinationID: UUID) -> String {
        "\(storyID.uuidString.lowercased())-v\(version)-\(event)-\(destinationID.uuidString.lowercased())"
    }

    /// Queues a delivery for every enabled destination of the tenant (existing keys are kept, not duplicated).
    static func enqueue(storyID: UUID, version: Int, event: String, tenantID: UUID, on db: any Database) async throws {
        let destinations = try await PublishDestination.query(on: db).filter(\.$tenantID == tenantID).filter(\.$enabled == true).all()
        for destination in destinations {
            let destinationID = try destination.requireID()
            let k = key(storyID: storyID, version: version, event: event, destinationID: destinationID)
            var delivery = try await PublishDelivery.query(on: db).filter(\.$idempotencyKey == k).first()
            if delivery == nil {
                let d = PublishDelivery()
                d.id = UUID(); d.tenantID = tenantID; d.destinationID = destinationID; d.storyID = storyID; d.storyVersion = version
                d.event = event; d.idempotencyKey = k; d.status = .queued; d.attempts = 0; d.createdAt = Date(); d.updatedAt = Date()
                do {
                    try await d.create(on: db)
                    delivery = d
                } catch let error as any DatabaseError where error.isConstraintFailure {
                    delivery = try await PublishDelivery.query(on: db).filter(\.$idempotencyKey == k).first()
                }
            }
            guard let delivery else { continue }
            try await schedule(delivery, attempt: "first", on: db)
        }
    }

    /// Queues the job that sends a delivery; `attempt` distinguishes resends (the receiver still sees the same key).
    static func schedule(_ delivery: PublishDelivery, attempt: String, on db: any Database) async throws {
        let payload = ChannelRenderer.json(JobPayload(deliveryID: try delivery.requireID()))
        try await JobQueue.enqueue(kind: deliverJob, payload: payload, tenantID: delivery.tenantID,
                                   idempotencyKey: "\(deliverJob):\(delivery.idempotencyKey):\(attempt)", maxAttempts: maxAttempts, on: db)
    }

    /// Resends a delivery (button and API): a new job, the same idempotency key.
    static func resend(_ delivery: PublishDelivery, on db: any Database) async throws {
        delivery.status = .queued
        delivery.updatedAt = Date()
        try await delivery.save(on: db)
        try await schedule(delivery, attempt: "resend-\(Int(Date().timeIntervalSince1970 * 1000))", on: db)
    }

    struct DeliveryError: Error, CustomStringConvertible { let description: String }

    /// The job: builds the document and sends it; throwing makes the job system retry with exponential backoff.
    static func deliver(_ ctx: JobContext) async throws -> String? {
        let payload = try ctx.decode(JobPayload.self)
        guard let d = try await PublishDelivery.find(payload.deliveryID, on: ctx.db) else { return "delivery deleted" }
        guard let destination = try await PublishDestination.find(d.destinationID, on: ctx.db) else { return "destination deleted" }
        d.attempts += 1
        d.updatedAt = Date()
        do {
            let document = try await self.document(for: d, destination: destination, app: ctx.application, on: ctx.db)
            try await send(document, contentType: "application/json", delivery: d, destination: destination, app: ctx.application)
            d.status = .delivered
            d.deliveredAt = Date()
            d.lastError = nil
            try await d.save(on: ctx.db)
            return "delivered \(d.idempotencyKey)"
        } catch {
            d.status = ctx.isLastAttempt ? .failed : .queued
            d.lastError = String(String(describing: error).prefix(500))
            try await d.save(on: ctx.db)
            throw error
        }
    }

    /// The body sent: ninjs 3.1 for ninjs push, otherwise an envelope with the event, the content item and ninjs.
    static func document(for d: PublishDelivery, destination: PublishDestination, app: Application, on db: any Database) async throws -> Data {
        let pubs = try await Publication.query(on: db).filter(\.$storyID == d.storyID).filter(\.$storyVersion == d.storyVersion).all()
        guard let p = pubs.first(where: { $0.channel == .ninjs3 }) ?? pubs.first(where: { $0.channel == .website }) ?? pubs.first else {
            throw DeliveryError(description: "no publication for \(d.storyID) v\(d.storyVersion)")
        }
        let context = try await RenderContext.make(tenantID: d.tenantID, app: app, on: db)
        let input = context.input(p, firstPublishedAt: try await PublishingService.firstPublished(storyID: d.storyID, channel: p.channel, on: db))
        let ninjs = NinjsRenderer.ninjs31(input)
        if destination.kind == .ninjsPush { return Data(ChannelRenderer.json(ninjs).utf8) }
        let envelope: JSONValue = .object([
            ("event", .string(d.event.hasPrefix("correction") ? "correction" : d.event)),
            ("idempotency_key", .string(d.idempotencyKey)),
            ("story_id", .string(d.storyID.uuidString.lowercased())), ("version", .int(d.storyVersion)),
            ("url", .string(input.articleURL)), ("state", .string(p.state.rawValue)),
            ("ninjs", ninjs),
        ])
        return Data(ChannelRenderer.json(envelope).utf8)
    }

    static func send(_ body: Data, contentType: String, delivery d: PublishDelivery, destination: PublishDestination, app: Application) async throws {
        if [.webhook, .ninjsPush, .s3].contains(destination.kind), OutboundURL.validated(destination.target) == nil {
            throw DeliveryError(description: "invalid destination URL / 目标地址无效")   // never hand it to the HTTP client
        }
        switch destination.kind {
        case .webhook, .ninjsPush:
            var request = HTTPClientRequest(url: destination.target)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: contentType)
            request.headers.add(name: "Idempotency-Key", value: d.idempotencyKey)
            request.headers.add(name: "User-Agent", value: "Zhimei-Publishing/1")
            if !destination.secret.isEmpty {
                let timestamp = String(Int(Date().timeIntervalSince1970))
                request.headers.add(name: "X-Zhimei-Timestamp", value: timestamp)
                request.headers.add(name: "X-Zhimei-Signature", value: NotificationService.signature(secret: destination.secret, timestamp: timestamp, body: body))
            }
            request.body = .bytes(ByteBuffer(data: body))
            let response = try await app.http.client.shared.execute(request, timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(Int(response.status.code)) else {
                throw DeliveryError(description: "HTTP \(response.status.code) from \(destination.target)")
            }
        case .directory:
            let dir = try outboxDirectory(destination, app: app)
            let partial = try partialDirectory(destination, app: app)
            for folder in [dir, partial] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            let path = dir + "/" + d.idempotencyKey + ".json"
            if !FileManager.default.fileExists(atPath: path) {
                // Written beside the outbox (same file system), then renamed in: a reader never sees half a file.
                let temp = partial + "/" + d.idempotencyKey + ".tmp-" + UUID().uuidString
                try body.write(to: URL(fileURLWithPath: temp))
                if rename(temp, path) != 0 {
                    try? FileManager.default.removeItem(atPath: temp)
                    throw DeliveryError(description: "rename failed in \(dir)")
                }
            }
            // A process killed between the write and the rename left its file behind; the retry that delivered clears it.
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: partial)) ?? []
            for name in leftovers where name.hasPrefix(d.idempotencyKey + ".tmp-") {
                try? FileManager.default.removeItem(atPath: partial + "/" + name)
            }
        case .s3:
            let store = S3BlobStore(client: app.http.client.shared, endpoint: destination.target, bucket: destination.options["bucket"] ?? "",
                                    region: destination.options["region"] ?? "us-east-1", accessKey: destination.options["access_key"] ?? "",
                                    secretKey: destination.secret)
            try await store.put((destination.options["prefix"] ?? "") + d.idempotencyKey + ".json", data: body, contentType: contentType)
        }
    }

    /// Files being written for a directory destination: `<data>/publishing/partial/<tenant>/<name>`, outside the outbox
    /// that receivers read, on the same file system so that the final rename is atomic.
    static func partialDirectory(_ destination: PublishDestination, app: Application) throws -> String {
        let outbox = try outboxDirectory(destination, app: app)
        return app.zhimei.settings.dataDirectory + "/publishing/partial/" + outbox.split(separator: "/").suffix(2).joined(separator: "/")
    }

    /// Directory destinations live under `<data>/publishing/outbox/<tenant>/<name>`: a tenant can never write elsewhere.
    static func outboxDirectory(_ destination: PublishDestination, app: Application) throws -> String {
        let name = destination.target
        guard isSafeName(name) else { throw DeliveryError(description: "bad directory name") }
        return app.zhimei.settings.dataDirectory + "/publishing/outbox/" + destination.tenantID.uuidString.lowercased() + "/" + name
    }

    static func isSafeName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
            && !s.hasPrefix("-")
    }
}
