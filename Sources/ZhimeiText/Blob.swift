#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An immutable block of memory holding the compiled binary cache: a header and 16-byte aligned
/// sections. Typed views point straight into it, so loading is a single read(2).
///
/// The memory is a 2 MB-aligned anonymous mapping advised for transparent huge pages: the segmenter
/// and SimHash probe the trie's edge table (16 MB) at random, and with 4 KB pages nearly every probe
/// also missed the TLB. Where huge pages are unavailable the advice is simply ignored.
final class Blob: @unchecked Sendable {
    // Safe to share: the memory is written once during init and never mutated afterwards.
    static let magic: [UInt8] = Array("ZMTXCACH".utf8)
    let base: UnsafeMutableRawPointer
    let size: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int
    private(set) var sections: [(offset: Int, length: Int)] = []

    static let hugePage = 2 << 20

    /// A zero-filled, huge-page-advised region of at least `size` bytes; returns (aligned base, mapping, mapping size).
    static func allocate(_ size: Int) -> (UnsafeMutableRawPointer, UnsafeMutableRawPointer, Int)? {
        let len = max(size, 16)
        let rounded = (len + hugePage - 1) / hugePage * hugePage
        let total = rounded + hugePage
        guard let m = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else { return nil }
        let addr = UInt(bitPattern: m)
        let aligned = (addr + UInt(hugePage) - 1) / UInt(hugePage) * UInt(hugePage)
        let p = UnsafeMutableRawPointer(bitPattern: aligned)!
        #if os(Linux)
        _ = madvise(p, rounded, 14)  // MADV_HUGEPAGE
        #endif
        return (p, m, total)
    }

    init(bytes: [UInt8]) throws {
        size = bytes.count
        guard let (p, m, t) = Blob.allocate(size) else { throw TextDataError.cacheCorrupt }
        base = p; mapping = m; mappingSize = t
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: size) }
        try parse()
    }

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw TextDataError.cacheUnreadable(path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TextDataError.cacheUnreadable(path) }
        size = Int(st.st_size)
        guard let (p, m, t) = Blob.allocate(size) else { throw TextDataError.cacheUnreadable(path) }
        base = p; mapping = m; mappingSize = t
        var done = 0
        while done < size {
            let r = read(fd, base + done, size - done)
            if r <= 0 { munmap(mapping, mappingSize); throw TextDataError.cacheUnreadable(path) }
            done += r
        }
        do { try parse() } catch { munmap(mapping, mappingSize); throw error }
    }

    deinit { munmap(mapping, mappingSize) }

    private func parse() throws {
        guard size >= 16 else { throw TextDataError.cacheCorrupt }
        for i in 0..<8 where base.load(fromByteOffset: i, as: UInt8.self) != Blob.magic[i] { throw TextDataError.cacheCorrupt }
        let count = Int(base.load(fromByteOffset: 8, as: UInt64.self))
        guard count < 1000, 16 + count * 16 <= size else { throw TextDataError.cacheCorrupt }
        for i in 0..<count {
            let off = Int(base.load(fromByteOffset: 16 + i * 16, as: UInt64.self))
            let len = Int(base.load(fromByteOffset: 24 + i * 16, as: UInt64.self))
            guard off >= 0, len >= 0, off + len <= size, off % 16 == 0 else { throw TextDataError.cacheCorrupt }
            sections.append((off, len))
        }
    }

    func pointer<T>(_ i: Int, as: T.Type) -> UnsafePointer<T> {
        UnsafePointer((base + sections[i].offset).assumingMemoryBound(to: T.self))
    }
    func buffer<T>(_ i: Int, as: T.Type) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: pointer(i, as: T.self), count: sections[i].length / MemoryLayout<T>.stride)
    }
}

struct BlobWriter {
    private var parts: [[UInt8]] = []

    @discardableResult
    mutating func add<T>(_ a: [T]) -> Int {
        let bytes = a.withUnsafeBytes { Array($0) }
        parts.append(bytes)
        return parts.count - 1
    }

    func finish() -> [UInt8] {
        var out = Blob.magic
        var n = UInt64(parts.count)
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        var offset = 16 + parts.count * 16
        offset = (offset + 15) & ~15
        var table: [UInt8] = []
        var offsets: [Int] = []
        for p in parts {
            offsets.append(offset)
            var o = UInt64(offset), l = UInt64(p.count)
            withUnsafeBytes(of: &o) { table.append(contentsOf: $0) }
            withUnsafeBytes(of: &l) { table.append(contentsOf: $0) }
            offset = (offset + p.count + 15) & ~15
        }
        out.append(contentsOf: table)
        for (i, p) in parts.enumerated() {
            while out.count < offsets[i] { out.append(0) }
            out.append(contentsOf: p)
        }
        while out.count % 16 != 0 { out.append(0) }
        return out
    }
}
