import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum OpenCCError: Error, CustomStringConvertible, Sendable {
    case libraryMissing(tried: [String])
    case configUnavailable(config: String, message: String)
    case conversionFailed(String)

    public var description: String {
        switch self {
        case .libraryMissing(let tried):
            return "OpenCC library not found (tried \(tried.joined(separator: ", "))). Install it with `apt-get install libopencc1.1 libopencc-data` (scripts/text/setup-data.sh does this) or set ZHIMEI_OPENCC_LIB to the library path."
        case .configUnavailable(let c, let m):
            return "OpenCC configuration '\(c)' unavailable: \(m). Install Debian's libopencc-data (configurations live in /usr/share/opencc)."
        case .conversionFailed(let m): return "OpenCC conversion failed: \(m)"
        }
    }
}

/// Traditional ↔ Simplified conversion through OpenCC's C API, loaded with dlopen at run time
/// (no headers or link-time dependency). Converters are opened once per configuration and shared. Text that t2s would
/// return unchanged (most Simplified text) is returned without calling the library (`OpenCCIdentity`).
public final class OpenCC: @unchecked Sendable {
    // @unchecked is safe: the function pointers are immutable after init, and all access to the
    // converter table and to each OpenCC handle happens under `lock`; `usesIdentityShortcut` is only set before an
    // instance is shared (tests).
    public enum Config: String, Sendable, CaseIterable {
        case s2t, t2s, s2tw, tw2s, s2hk, hk2s, s2twp, tw2sp, t2tw, tw2t, t2hk, hk2t, t2jp, jp2t
    }

    private typealias OpenFn = @convention(c) (UnsafePointer<CChar>) -> UnsafeMutableRawPointer?
    private typealias ConvertFn = @convention(c) (UnsafeMutableRawPointer, UnsafePointer<CChar>, Int) -> UnsafeMutablePointer<CChar>?
    private typealias FreeFn = @convention(c) (UnsafeMutablePointer<CChar>) -> Void
    private typealias CloseFn = @convention(c) (UnsafeMutableRawPointer) -> Int32
    private typealias ErrorFn = @convention(c) () -> UnsafePointer<CChar>?

    private let openFn: OpenFn, convertFn: ConvertFn, freeFn: FreeFn, closeFn: CloseFn, errorFn: ErrorFn?
    private let lock = NSLock()
    private var handles: [String: UnsafeMutableRawPointer] = [:]
    /// Per configuration, the check that a text converts to itself (nil entry: no shortcut for it). Under `lock`.
    private var identities: [String: OpenCCIdentity?] = [:]
    /// Whether `convert` may return a text unchanged without calling the library (tests turn it off to compare).
    var usesIdentityShortcut = true
    /// Conversions answered by the shortcut, not the library (under `lock`; for tests).
    private var conversionsSkipped = 0
    /// Directory holding OpenCC's JSON configurations.
    public let configDirectory: String
    /// The shared library that was loaded.
    public let libraryPath: String

    public static let shared: Result<OpenCC, OpenCCError> = { do { return .success(try OpenCC()) } catch let e as OpenCCError { return .failure(e) } catch { return .failure(.libraryMissing(tried: [])) } }()

    public init(libraryPath requestedLibrary: String? = nil, configDirectory: String? = nil) throws(OpenCCError) {
        let libraryPath = requestedLibrary
        let env = ProcessInfo.processInfo.environment
        var candidates = ["libopencc.so.1.1", "libopencc.so.1.2", "libopencc.so.2", "libopencc.so.1", "libopencc.so", "libopencc.dylib"]
        // Preferred: the OpenCC that scripts/text/setup-data.sh links from PyPI's current release into
        // <text data>/opencc (newer dictionaries than Debian's 1.1.6); then Debian's libopencc.
        let bundled = (TextDataLocation.fromEnvironment(env).directory as NSString).appendingPathComponent("opencc")
        let bundledLib = (bundled as NSString).appendingPathComponent("libopencc.so")
        let bundledShare = (bundled as NSString).appendingPathComponent("share")
        var useBundled = false
        if libraryPath == nil && env["ZHIMEI_OPENCC_LIB"] == nil && FileManager.default.fileExists(atPath: bundledLib)
            && FileManager.default.fileExists(atPath: (bundledShare as NSString).appendingPathComponent("s2t.json")) {
            candidates.insert(bundledLib, at: 0)
            useBundled = true
        }
        if let p = libraryPath ?? env["ZHIMEI_OPENCC_LIB"] { candidates.insert(p, at: 0) }
        var handle: UnsafeMutableRawPointer?
        var loaded: String?
        for c in candidates where handle == nil { handle = dlopen(c, RTLD_NOW | RTLD_LOCAL); if handle != nil { loaded = c } }
        guard let handle,
              let o = dlsym(handle, "opencc_open"), let cv = dlsym(handle, "opencc_convert_utf8"),
              let f = dlsym(handle, "opencc_convert_utf8_free"), let cl = dlsym(handle, "opencc_close")
        else { throw OpenCCError.libraryMissing(tried: candidates) }
        openFn = unsafeBitCast(o, to: OpenFn.self)
        convertFn = unsafeBitCast(cv, to: ConvertFn.self)
        freeFn = unsafeBitCast(f, to: FreeFn.self)
        closeFn = unsafeBitCast(cl, to: CloseFn.self)
        errorFn = dlsym(handle, "opencc_error").map { unsafeBitCast($0, to: ErrorFn.self) }
        self.libraryPath = loaded ?? "?"
        let dirs = [configDirectory, env["ZHIMEI_OPENCC_DATA"], (useBundled && loaded == bundledLib) ? bundledShare : nil, "/usr/share/opencc", "/usr/local/share/opencc", "/opt/homebrew/share/opencc"]
        self.configDirectory = dirs.compactMap { $0 }.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("s2t.json")) } ?? "/usr/share/opencc"
    }

    deinit { for (_, h) in handles { _ = closeFn(h) } }

    private func handle(_ config: String) throws -> UnsafeMutableRawPointer {
        if let h = handles[config] { return h }
        guard config.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw OpenCCError.configUnavailable(config: config, message: "invalid name")
        }
        let path = (configDirectory as NSString).appendingPathComponent(config + ".json")
        guard FileManager.default.fileExists(atPath: path) else {
            throw OpenCCError.configUnavailable(config: config, message: "\(path) not found")
        }
        let h = path.withCString { openFn($0) }
        guard let h, Int(bitPattern: h) != -1 else {
            let msg = errorFn?().map { String(cString: $0) } ?? "opencc_open failed"
            throw OpenCCError.configUnavailable(config: config, message: msg)
        }
        handles[config] = h
        return h
    }

    /// Converts UTF-8 text with the named configuration (e.g. "s2t", "tw2sp").
    public func convert(_ text: String, config: String) throws -> String {
        if usesIdentityShortcut, let identity = identity(config), identity.unchanged(text) {
            lock.lock(); conversionsSkipped += 1; lock.unlock()
            return text
        }
        return try convertWithLibrary(text, config: config)
    }

    /// The conversion by the library itself (no shortcut).
    func convertWithLibrary(_ text: String, config: String) throws -> String {
        if text.utf8.contains(0) {  // C strings end at NUL: convert the pieces around it
            return try text.split(separator: "\0", omittingEmptySubsequences: false)
                .map { try convertWithLibrary(String($0), config: config) }.joined(separator: "\0")
        }
        lock.lock(); defer { lock.unlock() }
        let h = try handle(config)
        var t = text
        return try t.withUTF8 { buf -> String in
            // opencc_convert_utf8 takes (pointer, length); an empty buffer still needs a valid pointer.
            let r: UnsafeMutablePointer<CChar>? = buf.count == 0
                ? "".withCString { convertFn(h, $0, 0) }
                : buf.withMemoryRebound(to: CChar.self) { convertFn(h, $0.baseAddress!, buf.count) }
            guard let r, Int(bitPattern: r) != -1 else {
                throw OpenCCError.conversionFailed(errorFn?().map { String(cString: $0) } ?? "unknown error")
            }
            defer { freeFn(r) }
            return String(cString: r)
        }
    }

    public func convert(_ text: String, _ config: Config) throws -> String { try convert(text, config: config.rawValue) }

    /// Configurations with the shortcut: those into Simplified, whose input is often Simplified already (into Traditional,
    /// almost every Chinese text changes, so building the check would not pay). Only single-step ones get one (t2s).
    static let shortcutConfigs: Set<String> = ["t2s", "tw2s", "hk2s"]

    /// The identity check of a configuration, built on first use and shared by every instance over the same files.
    func identity(_ config: String) -> OpenCCIdentity? {
        guard Self.shortcutConfigs.contains(config) else { return nil }
        lock.lock()
        if let known = identities[config] { lock.unlock(); return known }
        lock.unlock()
        let built = Self.sharedIdentity(libraryPath + "|" + configDirectory + "|" + config) {
            OpenCCIdentity.build(config: config, directory: configDirectory) { try convertWithLibrary($0, config: config) }
        }
        lock.lock(); identities[config] = .some(built); lock.unlock()
        return built
    }

    // nonisolated(unsafe) is safe: only read and written while holding identityLock.
    nonisolated(unsafe) private static var identityCache: [String: OpenCCIdentity?] = [:]
    private static let identityLock = NSLock()

    /// One identity check per library, directory and configuration in the process (building one converts 65,000 scalars).
    private static func sharedIdentity(_ key: String, _ build: () -> OpenCCIdentity?) -> OpenCCIdentity? {
        identityLock.lock(); defer { identityLock.unlock() }
        if let known = identityCache[key] { return known }
        let built = build()
        identityCache[key] = .some(built)
        return built
    }

    /// Reads `conversionsSkipped` under the lock.
    var skippedConversions: Int { lock.lock(); defer { lock.unlock() }; return conversionsSkipped }

    /// Whether a configuration file is installed.
    public func hasConfig(_ config: String) -> Bool {
        FileManager.default.fileExists(atPath: (configDirectory as NSString).appendingPathComponent(config + ".json"))
    }
}
