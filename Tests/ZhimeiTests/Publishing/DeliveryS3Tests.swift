import AsyncHTTPClient
import Fluent
import Foundation
import Vapor
import XCTest
@testable import Zhimei

/// Delivery to an S3 bucket, against a local S3-compatible server (moto, started by scripts/test.sh).
final class DeliveryS3Tests: XCTestCase {
    func testS3DestinationKeepsOneObjectPerIdempotencyKey() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["ZHIMEI_TEST_S3_ENDPOINT"] else {
            if env["CI"] == "true" { throw TestError("ZHIMEI_TEST_S3_ENDPOINT is not set in CI") }
            throw XCTSkip("set ZHIMEI_TEST_S3_ENDPOINT to a local S3-compatible server (scripts/test.sh starts moto)")
        }
        let accessKey = env["ZHIMEI_TEST_S3_ACCESS_KEY"] ?? "test", secretKey = env["ZHIMEI_TEST_S3_SECRET_KEY"] ?? "test"
        let region = env["ZHIMEI_TEST_S3_REGION"] ?? "us-east-1"
        let bucket = "zhimei-publish-\(UUID().uuidString.prefix(6).lowercased())"
        try await withTestApp { t in
            // What the receiving side sees: the bucket, read with our own SigV4 client.
            let store = S3BlobStore(client: t.app.http.client.shared, endpoint: endpoint, bucket: bucket, region: region, accessKey: accessKey, secretKey: secretKey)
            try await store.createBucket()
            let admin = try await t.session(for: "liuyang-admin")
            let tenantID = try await t.tenant("liuyang").requireID()
            let missing = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations",
                                           raw: #"{"name":"对象存储","kind":"s3","target":"\#(endpoint)","bucket":"\#(bucket)"}"#, as: admin)
            XCTAssertEqual(missing.status, .unprocessableEntity, "an S3 destination needs its credentials")
            let created = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations", raw: """
                {"name":"对象存储","kind":"s3","target":"\(endpoint)","bucket":"\(bucket)","region":"\(region)","access_key":"\(accessKey)","secret":"\(secretKey)","prefix":"zhimei/"}
                """, as: admin)
            XCTAssertEqual(created.status, .created, created.text)
            let destination = try JSONDecoder.publishing.decode(DestinationDTO.self, from: Data(buffer: created.body))

            let story = try await PublishingFixtures.approvedStory(t)
            let chief = try await t.session(for: "liuyang-chief")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/publish", raw: "{}", as: chief).status, .ok)
            try await PublishingFixtures.drainJobs(t)
            let deliveries = try await PublishDelivery.query(on: t.db).filter(\.$destinationID == destination.id).all()
            let delivery = try XCTUnwrap(deliveries.first)
            XCTAssertEqual(delivery.status, .delivered, delivery.lastError ?? "")
            let stored = try await store.get("zhimei/\(delivery.idempotencyKey).json")
            let object = try XCTUnwrap(stored, "the object is named by the idempotency key")
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: object) as? [String: Any])
            XCTAssertEqual(json["idempotency_key"] as? String, delivery.idempotencyKey)
            XCTAssertEqual(json["story_id"] as? String, story.id!.uuidString.lowercased())
            XCTAssertNotNil(json["ninjs"] as? [String: Any])
            if let dir = PublishingFixtures.ninjsDirectory, let ninjs = json["ninjs"] {
                let schema = JSONSchemaValidator(schema: try JSONNode.parse(Data(contentsOf: dir.appendingPathComponent("ninjs-schema_3.1.json"))))
                XCTAssertEqual(schema.validate(try JSONNode.parse(try JSONSerialization.data(withJSONObject: ninjs))), [])
            }

            // A resend writes the same object again (same key): the bucket still holds one object for this delivery.
            try await store.delete("zhimei/\(delivery.idempotencyKey).json")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/deliveries/\(delivery.id!)/resend", as: admin).status, .ok)
            try await PublishingFixtures.drainJobs(t)
            try await XCTAssertEqualAsync(try await store.get("zhimei/\(delivery.idempotencyKey).json"), object)

            // A kill is delivered as its own object.
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(story.id!)/kill", raw: "{}", as: chief).status, .ok)
            try await PublishingFixtures.drainJobs(t)
            let all = try await PublishDelivery.query(on: t.db).filter(\.$destinationID == destination.id).all()
            let kill = try XCTUnwrap(all.first { $0.event == "kill" })
            XCTAssertEqual(kill.status, .delivered, kill.lastError ?? "")
            let killedObject = try await store.get("zhimei/\(kill.idempotencyKey).json")
            let killed = try XCTUnwrap(killedObject)
            XCTAssertTrue(String(decoding: killed, as: UTF8.self).contains("canceled"), "the kill carries ninjs pubstatus canceled")

            // A bucket that does not exist fails the delivery with the S3 error in the log (retried later by the job system).
            let wrong = try await t.send(.POST, "/api/v1/publishing/tenants/\(tenantID)/destinations", raw: """
                {"name":"坏桶","kind":"s3","target":"\(endpoint)","bucket":"no-such-bucket-\(UUID().uuidString.prefix(6).lowercased())","access_key":"\(accessKey)","secret":"\(secretKey)"}
                """, as: admin)
            XCTAssertEqual(wrong.status, .created)
            let other = try await PublishingFixtures.approvedStory(t, headline: "第二篇")
            try await XCTAssertEqualAsync(try await t.send(.POST, "/api/v1/publishing/stories/\(other.id!)/publish", raw: "{}", as: chief).status, .ok)
            try await PublishingFixtures.drainJobs(t)
            let wrongID = try JSONDecoder.publishing.decode(DestinationDTO.self, from: Data(buffer: wrong.body)).id
            let failedRows = try await PublishDelivery.query(on: t.db).filter(\.$destinationID == wrongID).all()
            let failed = try XCTUnwrap(failedRows.first)
            XCTAssertNotEqual(failed.status, .delivered)
            XCTAssertNotNil(failed.lastError)
        }
    }
}
