import Foundation

/// Stores files (uploads, renders, exports) by key. Keys are relative paths such as `tenant/2026/abc.jpg`.
public protocol BlobStore: Sendable {
    func put(_ key: String, data: Data, contentType: String) async throws
    func get(_ key: String) async throws -> Data?
    func delete(_ key: String) async throws
    func exists(_ key: String) async throws -> Bool
}

/// Checks a blob key: relative, no `..`, no empty segments, a safe character set.
enum BlobKey {
    static func validate(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !key.isEmpty, key.utf8.count <= 512, !key.hasPrefix("/"),
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.unicodeScalars.allSatisfy(allowed.contains) }) else {
            throw AppError.badRequest(zh: "文件键名无效", en: "Invalid blob key")
        }
    }
}

/// Blobs as files under a local directory, written atomically.
public struct LocalBlobStore: BlobStore {
    public let root: String

    public init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    private func path(_ key: String) throws -> String {
        try BlobKey.validate(key)
        return root + "/" + key
    }

    public func put(_ key: String, data: Data, contentType: String) async throws {
        let target = try path(key)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: target), options: .atomic)
    }

    public func get(_ key: String) async throws -> Data? {
        FileManager.default.contents(atPath: try path(key))
    }

    public func delete(_ key: String) async throws {
        let target = try path(key)
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
    }

    public func exists(_ key: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: try path(key))
    }
}
