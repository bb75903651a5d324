import Foundation

/// Errors raised while locating or compiling the text engine's data.
public enum TextDataError: Error, CustomStringConvertible, Sendable {
    case missingFile(path: String)
    case invalidData(file: String, line: Int, message: String)
    case cacheUnreadable(String)
    case cacheCorrupt

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "ZhimeiText data file missing: \(path). Run scripts/text/setup-data.sh (it installs jieba with `pip install jieba` or Debian's python3-jieba and exports its dictionary, HMM and IDF data), or point ZHIMEI_TEXT_DATA at a directory holding dict.txt, hmm.txt and idf.txt."
        case .invalidData(let file, let line, let message):
            return "ZhimeiText data file \(file), line \(line): \(message)"
        case .cacheUnreadable(let p): return "ZhimeiText cache unreadable: \(p)"
        case .cacheCorrupt: return "ZhimeiText cache is corrupt"
        }
    }
}

/// Where the engine's data lives.
public struct TextDataLocation: Sendable, Equatable {
    /// Directory holding dict.txt, hmm.txt and idf.txt (exported by scripts/text/setup-data.sh).
    public var directory: String
    /// Compiled binary cache. Defaults to `<directory>/zhimei-text.cache`.
    public var cachePath: String

    public init(directory: String, cachePath: String? = nil) {
        self.directory = directory
        self.cachePath = cachePath ?? (directory as NSString).appendingPathComponent("zhimei-text.cache")
    }

    /// `$ZHIMEI_TEXT_DATA`, else `$ZHIMEI_DATA_DIR/text`, else `./data/text`.
    /// The cache path can be overridden with `$ZHIMEI_TEXT_CACHE`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> TextDataLocation {
        let dir: String
        if let d = env["ZHIMEI_TEXT_DATA"], !d.isEmpty { dir = d }
        else if let d = env["ZHIMEI_DATA_DIR"], !d.isEmpty { dir = (d as NSString).appendingPathComponent("text") }
        else { dir = "data/text" }
        return TextDataLocation(directory: dir, cachePath: env["ZHIMEI_TEXT_CACHE"].flatMap { $0.isEmpty ? nil : $0 })
    }

    var dictPath: String { (directory as NSString).appendingPathComponent("dict.txt") }
    var hmmPath: String { (directory as NSString).appendingPathComponent("hmm.txt") }
    var idfPath: String { (directory as NSString).appendingPathComponent("idf.txt") }
}

/// 64-bit hash of a scalar string (FNV-1a over scalars, then a murmur3 finaliser).
@inline(__always) @usableFromInline
func hashScalars(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    var i = start
    while i < end { h = (h ^ UInt64(s[i])) &* 0x100_0000_01B3; i += 1 }
    h ^= h >> 33; h = h &* 0xFF51_AFD7_ED55_8CCD; h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53; h ^= h >> 33
    return h
}

func hashScalars(_ s: [UInt32]) -> UInt64 { s.withUnsafeBufferPointer { hashScalars($0, 0, $0.count) } }

/// Splits a file's bytes into lines (without \n / \r\n).
func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>, Int) throws -> Void) rethrows {
    var start = 0
    var lineNo = 0
    let n = bytes.count
    while start < n {
        var end = start
        while end < n && bytes[end] != 10 { end += 1 }
        lineNo += 1
        var e = end
        if e > start && bytes[e - 1] == 13 { e -= 1 }
        try body(bytes[start..<e], lineNo)
        start = end + 1
    }
}

func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else { throw TextDataError.missingFile(path: path) }
    return [UInt8](d)
}

func parseDouble(_ s: ArraySlice<UInt8>) -> Double? { Double(String(decoding: s, as: UTF8.self)) }
