import Fluent
import Vapor

/// Query-parameter validation with bilingual 400s (never a crash on odd input).
enum OpinionParams {
    static func raw(_ req: Request, _ key: String) -> String? { QueryParams.raw(req, key) }

    static func uuid(_ req: Request, _ key: String) throws -> UUID? {
        guard let r = raw(req, key) else { return nil }
        guard let id = UUID(uuidString: r) else { throw AppError.invalid(key, zh: "\(key) 不是有效的 ID", en: "\(key) is not a valid ID") }
        return id
    }

    static func int(_ req: Request, _ key: String, _ range: ClosedRange<Int>) throws -> Int? { try QueryParams.int(req, key, range) }

    static func choice(_ req: Request, _ key: String, _ allowed: [String]) throws -> String? {
        guard let r = raw(req, key) else { return nil }
        guard allowed.contains(r) else { throw AppError.invalid(key, zh: "\(key) 只能是 \(allowed.joined(separator: "/"))", en: "\(key) must be one of \(allowed.joined(separator: ", "))") }
        return r
    }

    static func text(_ req: Request, _ key: String, max: Int) throws -> String? {
        guard let r = raw(req, key) else { return nil }
        guard r.count <= max else { throw AppError.invalid(key, zh: "\(key) 过长", en: "\(key) too long") }
        return r.replacingOccurrences(of: "\u{0}", with: "")
    }
}

/// Streams a request body to a file with a byte limit (the body is never held in memory).
enum OpinionUpload {
    static func save(_ req: Request, to path: String, limit: Int) async throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw AppError(.internalServerError, "storage_failed", zh: "无法保存上传文件", en: "Could not store the upload")
        }
        var written = 0
        do {
            defer { try? handle.close() }
            for try await buffer in req.body {
                written += buffer.readableBytes
                guard written <= limit else {
                    throw AppError(.payloadTooLarge, "import_too_large", zh: "文件过大（上限 \(limit / 1_048_576) MB）", en: "File too large (limit \(limit / 1_048_576) MB)")
                }
                try handle.write(contentsOf: Data(buffer: buffer))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        guard written > 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw AppError.badRequest(zh: "上传内容为空", en: "The upload is empty")
        }
        return written
    }
}
