import Foundation
import Vapor
import ZhimeiText

/// The shared Chinese text engine. Loaded once, on first use, on a background thread
/// (the first load may compile the dictionary cache); every request then shares it.
actor TextService {
    private let location: TextDataLocation
    private var loading: Task<TextEngine, Error>?

    init(directory: String) {
        location = TextDataLocation(directory: directory, cachePath: nil)
    }

    func engine() async throws -> TextEngine {
        if let loading { return try await Self.unwrap(loading) }
        let location = self.location
        let task = Task.detached(priority: .userInitiated) { try TextEngine(location: location) }
        loading = task
        do {
            return try await Self.unwrap(task)
        } catch {
            loading = nil   // allow a retry once an operator installs the data
            throw error
        }
    }

    private static func unwrap(_ task: Task<TextEngine, Error>) async throws -> TextEngine {
        do {
            return try await task.value
        } catch {
            throw AppError(.serviceUnavailable, "text_data_missing",
                           zh: "中文文本引擎数据未安装：\(error)。请运行 scripts/text/setup-data.sh",
                           en: "The Chinese text engine's data is not installed: \(error). Run scripts/text/setup-data.sh")
        }
    }
}

extension Application {
    private struct TextServiceKey: StorageKey { typealias Value = TextService }

    /// The text service; created in `configure`.
    var text: TextService {
        get { storage[TextServiceKey.self]! }
        set { storage[TextServiceKey.self] = newValue }
    }
}
