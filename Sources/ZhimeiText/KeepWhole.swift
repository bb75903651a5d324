/// Patterns kept whole as one token even though jieba would split them: URLs, e-mail addresses,
/// dates written with - / . (2024-05-01, 2024/5/1), times (12:30, 08:05:59), numbers with
/// thousands separators (1,234,567.89) and IPv4 addresses. Only ASCII is examined.
enum KeepWhole {
    /// Letters of non-ASCII alphabets: Latin-1/Extended letters, Greek, Cyrillic, Armenian, Hebrew, Arabic, Thai, Hangul.
    @inline(__always) static func isOtherLetter(_ c: UInt32) -> Bool {
        switch c {
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x370...0x3FF, 0x400...0x52F, 0x531...0x587,
             0x5D0...0x5EA, 0x620...0x64A, 0x660...0x669, 0x671...0x6D3, 0xE01...0xE3A, 0xE40...0xE4E, 0xAC00...0xD7A3: return true
        default: return false
        }
    }
    @inline(__always) static func isEmoji(_ c: UInt32) -> Bool {
        (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF)
    }
    @inline(__always) static func isEmojiModifier(_ c: UInt32) -> Bool {
        (c >= 0x1F3FB && c <= 0x1F3FF) || c == 0xFE0F || c == 0x200D || (c >= 0xE0020 && c <= 0xE007F)
    }
    @inline(__always) static func isWordChar(_ c: UInt32) -> Bool {
        if CharClass.isAlnum(c) { return true }
        switch c {
        case 0x2E, 0x5F, 0x2D, 0x40, 0x2F, 0x3A, 0x25, 0x2B: return true  // . _ - @ / : % +
        default: return false
        }
    }

    @inline(__always) static func lower(_ c: UInt32) -> UInt32 { (c &- 0x41 < 26) ? c + 32 : c }

    static func hasPrefix(_ s: UnsafeBufferPointer<UInt32>, _ i: Int, _ p: String) -> Bool {
        var k = i
        for u in p.utf8 {
            if k >= s.count || lower(s[k]) != UInt32(u) { return false }
            k += 1
        }
        return true
    }

    @inline(__always) static func digitsRun(_ s: UnsafeBufferPointer<UInt32>, _ i: Int) -> Int {
        var j = i
        while j < s.count && CharClass.isDigit(s[j]) { j += 1 }
        return j - i
    }

    @inline(__always) static func isEmailChar(_ c: UInt32) -> Bool {
        CharClass.isAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D
    }

    /// End of a protected token starting at i, or i when there is none.
    static func match(_ s: UnsafeBufferPointer<UInt32>, _ i: Int) -> Int {
        let n = s.count
        // URL
        let c0 = lower(s[i])
        if c0 == 0x68 || c0 == 0x66 || c0 == 0x77 {  // h f w
            var body = -1
            for p in ["https://", "http://", "ftp://", "www."] where hasPrefix(s, i, p) { body = i + p.utf8.count; break }
            if body > 0 {
                var j = body
                while j < n {
                    let c = s[j]
                    if c <= 0x20 || c >= 0x7F { break }
                    if c == 0x22 || c == 0x27 || c == 0x3C || c == 0x3E || c == 0x60 || c == 0x7B || c == 0x7D || c == 0x7C || c == 0x5E || c == 0x5C { break }
                    j += 1
                }
                while j > body {
                    let c = s[j - 1]
                    if c == 0x2E || c == 0x2C || c == 0x3B || c == 0x3A || c == 0x21 || c == 0x3F || c == 0x29 || c == 0x5D { j -= 1 } else { break }
                }
                if j > body { return j }
            }
        }
        // e-mail: local@domain.tld
        var j = i
        while j < n && isEmailChar(s[j]) { j += 1 }
        if j < n && s[j] == 0x40 && j > i {
            var k = j + 1
            var lastDot = -1
            while k < n && (CharClass.isAlnum(s[k]) || s[k] == 0x2D || s[k] == 0x2E) {
                if s[k] == 0x2E { lastDot = k }
                k += 1
            }
            while k > j + 1 && (s[k - 1] == 0x2E || s[k - 1] == 0x2D) { k -= 1 }
            if lastDot >= k { lastDot = -1; for q in (j + 1)..<k where s[q] == 0x2E { lastDot = q } }
            if lastDot > j + 1 && k - lastDot > 2 {
                var alphaTld = true
                for q in (lastDot + 1)..<k where !CharClass.isAlpha(s[q]) { alphaTld = false }
                if alphaTld { return k }
            }
        }
        guard CharClass.isDigit(s[i]) else { return i }
        let d = digitsRun(s, i)
        let p = i + d
        // date: dddd-dd-dd (same separator - / .), optional Thh:mm[:ss]
        if d == 4 && p + 2 < n, s[p] == 0x2D || s[p] == 0x2F || s[p] == 0x2E {
            let sep = s[p]
            let m = digitsRun(s, p + 1)
            if m >= 1 && m <= 2 && p + 1 + m < n && s[p + 1 + m] == sep {
                let q = p + 2 + m
                let dd = digitsRun(s, q)
                if dd >= 1 && dd <= 2 {
                    var end = q + dd
                    if end + 1 < n && (s[end] == 0x54) {  // 'T' time
                        let t = time(s, end + 1)
                        if t > end + 1 { end = t }
                    }
                    return end
                }
            }
        }
        // time
        if d <= 2 {
            let t = time(s, i)
            if t > i { return t }
        }
        // grouped number 1,234,567(.89)(%)
        if d <= 3 && p + 3 < n && s[p] == 0x2C {
            var q = p
            var groups = 0
            while q + 3 < n + 0 && s[q] == 0x2C && digitsRun(s, q + 1) == 3 { q += 4; groups += 1 }
            if groups > 0 {
                if q + 1 < n && s[q] == 0x2E && CharClass.isDigit(s[q + 1]) { q += 1 + digitsRun(s, q + 1) }
                if q < n && s[q] == 0x25 { q += 1 }
                if q >= n || !CharClass.isAlnum(s[q]) { return q }
            }
        }
        // IPv4
        if d <= 3 && p < n && s[p] == 0x2E {
            var q = p
            var parts = 1
            while parts < 4 && q + 1 < n && s[q] == 0x2E {
                let r = digitsRun(s, q + 1)
                if r < 1 || r > 3 { break }
                q += 1 + r; parts += 1
            }
            if parts == 4 && (q >= n || !(CharClass.isAlnum(s[q]) || (s[q] == 0x2E && q + 1 < n && CharClass.isDigit(s[q + 1])))) { return q }
        }
        return i
    }

    /// hh:mm or hh:mm:ss starting at i; returns the end or i.
    static func time(_ s: UnsafeBufferPointer<UInt32>, _ i: Int) -> Int {
        let n = s.count
        let h = digitsRun(s, i)
        guard h >= 1 && h <= 2, i + h + 2 < n + 0, s[i + h] == 0x3A, digitsRun(s, i + h + 1) == 2 else { return i }
        var end = i + h + 3
        if end + 2 < n + 1, end < n, s[end] == 0x3A, digitsRun(s, end + 1) == 2 { end += 3 }
        if end < n && CharClass.isAlnum(s[end]) { return i }
        var hh = 0
        for k in i..<(i + h) { hh = hh * 10 + Int(s[k] - 0x30) }
        let mm = Int(s[i + h + 1] - 0x30) * 10 + Int(s[i + h + 2] - 0x30)
        return hh <= 24 && mm < 60 ? end : i
    }
}
