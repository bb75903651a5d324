import Foundation

/// The one check every URL Zhimei fetches or posts to goes through (feeds, webhooks, delivery destinations,
/// pages to proofread): http(s), a host, no credentials, no control characters, and a port that fits in 16 bits.
/// The port check matters beyond tidiness: the HTTP client traps (kills the process) on an IP address with a
/// port above 65535, so such a URL must never reach it — not when saved, and not when a stored one is fetched.
enum OutboundURL {
    static let maxLength = 2000

    /// The trimmed URL when it is safe to hand to the HTTP client, else nil.
    static func validated(_ raw: String?, maxLength: Int = OutboundURL.maxLength) -> String? {
        guard let raw = raw?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty, raw.count <= maxLength,
              !raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else { return nil }
        if let port = url.port, !(1...65_535).contains(port) { return nil }
        return raw
    }
}
