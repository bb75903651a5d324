import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// Fetching a web page to proofread: http/https only, 5 MB and 10 s limits, no redirects, and hosts that resolve to
/// loopback, private, link-local or otherwise internal addresses are refused unless `ZHIMEI_PROOFREAD_ALLOW_PRIVATE_URLS=1`
/// (or `app.proofreadFetch.allowPrivate`) says otherwise.
enum ProofreadFetch {
    static let maxBytes = 5 * 1024 * 1024
    static let timeout: TimeAmount = .seconds(10)

    static let refusedPrivate = AppError.invalid("url", zh: "不能抓取内网、本机或保留地址", en: "Pages on internal, loopback or reserved addresses cannot be fetched")

    /// The page's bytes and content type.
    static func fetch(_ raw: String, allowPrivate: Bool) async throws -> (Data, String?) {
        guard let valid = OutboundURL.validated(raw), let url = URL(string: valid), let host = url.host else {
            throw AppError.invalid("url", zh: "网址无效（只支持 http 和 https）", en: "Invalid URL (only http and https)")
        }
        if !allowPrivate {
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            let addresses = await Task.detached { resolve(bare) }.value
            guard !addresses.isEmpty else {
                throw AppError.invalid("url", zh: "无法解析网址中的主机名", en: "The URL's host name does not resolve")
            }
            guard !addresses.contains(where: isInternal) else { throw refusedPrivate }
        }
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
        config.decompression = .enabled(limit: .size(maxBytes))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            var request = HTTPClientRequest(url: valid)
            request.headers.add(name: "User-Agent", value: "Zhimei-Proofread/1.0")
            request.headers.add(name: "Accept", value: "text/html, text/plain;q=0.9, */*;q=0.1")
            let response = try await client.execute(request, timeout: timeout)
            guard response.status == .ok else {
                throw AppError.invalid("url", zh: "网页返回 HTTP \(response.status.code)", en: "The page answered HTTP \(response.status.code)")
            }
            if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > maxBytes { throw tooLarge }
            var collected = ByteBuffer()
            for try await var chunk in response.body {
                guard collected.readableBytes + chunk.readableBytes <= maxBytes else { throw tooLarge }
                collected.writeBuffer(&chunk)
            }
            try? await client.shutdown()
            return (Data(buffer: collected), response.headers.first(name: "Content-Type"))
        } catch let e as AppError {
            try? await client.shutdown()
            throw e
        } catch {
            try? await client.shutdown()
            throw AppError.invalid("url", zh: "抓取网页失败：\(String(describing: error).prefix(120))", en: "Could not fetch the page: \(String(describing: error).prefix(120))")
        }
    }

    static let tooLarge = AppError(.payloadTooLarge, "page_too_large", zh: "网页超过 5 MB", en: "The page is larger than 5 MB")

    /// Every address the host resolves to (IPv4 as 4 bytes, IPv6 as 16).
    static func resolve(_ host: String) -> [[UInt8]] {
        #if canImport(Glibc)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var out: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            if ai.pointee.ai_family == AF_INET, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                    var a = p.pointee.sin_addr
                    out.append(withUnsafeBytes(of: &a) { Array($0) })
                }
            } else if ai.pointee.ai_family == AF_INET6, let sa = ai.pointee.ai_addr {
                sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    out.append(withUnsafeBytes(of: &a) { Array($0) })
                }
            }
            cursor = ai.pointee.ai_next
        }
        return out
        #else
        return []
        #endif
    }

    /// Loopback, private, link-local, CGNAT, unspecified, multicast and reserved ranges (IPv4 and IPv6, mapped IPv4 too).
    static func isInternal(_ a: [UInt8]) -> Bool {
        if a.count == 16 {
            if a[0..<10].allSatisfy({ $0 == 0 }) && a[10] == 0xFF && a[11] == 0xFF { return isInternal(Array(a[12..<16])) }
            if a[0..<15].allSatisfy({ $0 == 0 }) { return true }                 // :: and ::1
            if a[0] & 0xFE == 0xFC { return true }                               // fc00::/7
            if a[0] == 0xFE && a[1] & 0xC0 == 0x80 { return true }               // fe80::/10
            if a[0] == 0xFF { return true }                                      // multicast
            return false
        }
        guard a.count == 4 else { return true }
        switch (a[0], a[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true
        case (169, 254): return true
        case (172, 16...31): return true
        case (192, 168): return true
        case (192, 0) where a[2] == 0: return true
        case (198, 18...19): return true
        default: return a[0] >= 224
        }
    }
}

/// Whether page fetches may reach internal addresses (tests and intranet deployments).
final class ProofreadFetchPolicy: Sendable {
    private let box = NIOLockedValueBox<Bool>(Environment.get("ZHIMEI_PROOFREAD_ALLOW_PRIVATE_URLS") == "1")
    var allowPrivate: Bool {
        get { box.withLockedValue { $0 } }
        set { box.withLockedValue { $0 = newValue } }
    }
}

extension Application {
    private struct ProofreadFetchKey: StorageKey { typealias Value = ProofreadFetchPolicy }
    private static let proofreadFetchLock = NIOLock()

    /// The page-fetch policy of the proofreading API.
    var proofreadFetch: ProofreadFetchPolicy {
        Self.proofreadFetchLock.withLock {
            if let existing = storage[ProofreadFetchKey.self] { return existing }
            let policy = ProofreadFetchPolicy()
            storage[ProofreadFetchKey.self] = policy
            return policy
        }
    }
}
