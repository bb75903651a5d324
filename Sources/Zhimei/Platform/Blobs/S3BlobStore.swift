import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW…), path-style URLs, AWS Signature Version 4.
public struct S3BlobStore: BlobStore {
    let client: HTTPClient
    let endpoint: String
    let bucket: String
    let region: String
    let accessKey: String
    let secretKey: String

    public init(client: HTTPClient, endpoint: String, bucket: String, region: String, accessKey: String, secretKey: String) {
        self.client = client
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.bucket = bucket
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    public func put(_ key: String, data: Data, contentType: String) async throws {
        let response = try await send(.PUT, key: key, body: data, contentType: contentType)
        guard (200..<300).contains(response.status) else { throw S3Error(status: response.status, body: response.body) }
    }

    public func get(_ key: String) async throws -> Data? {
        let response = try await send(.GET, key: key)
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw S3Error(status: response.status, body: response.body) }
        return response.body
    }

    public func delete(_ key: String) async throws {
        let response = try await send(.DELETE, key: key)
        guard (200..<300).contains(response.status) || response.status == 404 else { throw S3Error(status: response.status, body: response.body) }
    }

    public func exists(_ key: String) async throws -> Bool {
        let response = try await send(.HEAD, key: key)
        return (200..<300).contains(response.status)
    }

    /// Creates the bucket (used by set-up and tests; production buckets are usually made by operators).
    public func createBucket() async throws {
        let response = try await send(.PUT, key: nil)
        guard (200..<300).contains(response.status) || response.status == 409 else { throw S3Error(status: response.status, body: response.body) }
    }

    /// An S3 request failure.
    public struct S3Error: Error, CustomStringConvertible {
        public let status: Int
        public let body: Data
        public var description: String { "S3 request failed with \(status): \(String(decoding: body.prefix(300), as: UTF8.self))" }
    }

    private func send(_ method: HTTPMethod, key: String?, body: Data = Data(), contentType: String? = nil) async throws -> (status: Int, body: Data) {
        if let key { try BlobKey.validate(key) }
        let path = "/" + bucket + (key.map { "/" + SigV4.encodePath($0) } ?? "")
        guard let url = URL(string: endpoint + path), let host = url.host else { throw S3Error(status: 0, body: Data("bad endpoint".utf8)) }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        var headers: [(String, String)] = [("host", hostHeader)]
        if let contentType { headers.append(("content-type", contentType)) }
        let signed = SigV4.sign(method: method.rawValue, path: path, query: "", headers: headers, payload: body,
                                accessKey: accessKey, secretKey: secretKey, region: region, service: "s3", date: Date())
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = method
        for (name, value) in signed where name != "host" { request.headers.add(name: name, value: value) }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 512 * 1024 * 1024)
        return (Int(response.status.code), Data(buffer: collected))
    }
}

/// AWS Signature Version 4 request signing.
enum SigV4 {
    static func sign(method: String, path: String, query: String, headers: [(String, String)], payload: Data,
                     accessKey: String, secretKey: String, region: String, service: String, date: Date) -> [(String, String)] {
        let amzDate = format(date, "yyyyMMdd'T'HHmmss'Z'")
        let day = String(amzDate.prefix(8))
        let payloadHash = hex(SHA256.hash(data: payload))
        var all = headers.map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
        all.append(("x-amz-date", amzDate))
        all.append(("x-amz-content-sha256", payloadHash))
        all.sort { $0.0 < $1.0 }
        let signedHeaders = all.map(\.0).joined(separator: ";")
        let canonicalHeaders = all.map { "\($0.0):\($0.1)\n" }.joined()
        let canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        all.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return all
    }

    /// URI-encodes each path segment as S3 expects (unreserved characters stay, '/' separates).
    static func encodePath(_ key: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        return key.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? String($0) }.joined(separator: "/")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
