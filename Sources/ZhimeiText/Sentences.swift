/// A sentence with its position in Unicode scalars of the input.
public struct Sentence: Sendable, Hashable {
    public var text: String
    public var start: Int
    public var end: Int
}

/// Splits Chinese (and mixed) text into sentences.
///
/// Rules: a sentence ends after 。！？!?；; or …/…… (a run of enders is kept together), after "."
/// when followed by whitespace or the end and not between digits (3.5 is not a split), and at line
/// breaks. Closing quotes and brackets (”’」』）)】》〉]}" ') that follow an ender stay with the sentence.
/// Enders inside quotes or brackets do not split unless the quotation closes right after them.
/// Unbalanced quotes are forgiven after 300 scalars. Leading/trailing whitespace is trimmed and
/// empty sentences are dropped.
public enum SentenceSplitter {

    @inline(__always) static func isEnder(_ c: UInt32, semicolon: Bool) -> Bool {
        switch c {
        case 0x3002, 0xFF01, 0xFF1F, 0x21, 0x3F, 0x2026, 0xFF61: return true  // 。！？!?…｡
        case 0xFF1B, 0x3B: return semicolon
        default: return false
        }
    }
    @inline(__always) static func isOpen(_ c: UInt32) -> Bool {
        switch c {
        case 0x201C, 0x2018, 0x300C, 0x300E, 0xFF08, 0x28, 0x3010, 0x300A, 0x3008, 0x5B, 0x7B, 0x3014, 0x3016: return true
        default: return false
        }
    }
    @inline(__always) static func isClose(_ c: UInt32) -> Bool {
        switch c {
        case 0x201D, 0x2019, 0x300D, 0x300F, 0xFF09, 0x29, 0x3011, 0x300B, 0x3009, 0x5D, 0x7D, 0x3015, 0x3017: return true
        default: return false
        }
    }

    public static func split(_ text: String, semicolon: Bool = false) -> [Sentence] {
        let s = UTF8Scalars.scalars(of: text)
        return s.withUnsafeBufferPointer { ranges($0, semicolon: semicolon) }.map {
            Sentence(text: UTF8Scalars.string(s, $0.0, $0.1), start: $0.0, end: $0.1)
        }
    }

    public static func ranges(_ s: UnsafeBufferPointer<UInt32>, semicolon: Bool = false) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        let n = s.count
        var start = 0
        var depth = 0
        var depthSince = 0
        var asciiQuoteOpen = false
        func emit(_ a: Int, _ b: Int) {
            var a = a, b = b
            while a < b && (CharClass.isSpace(s[a]) || CharClass.isControl(s[a])) { a += 1 }
            while b > a && (CharClass.isSpace(s[b - 1]) || CharClass.isControl(s[b - 1])) { b -= 1 }
            if b > a { out.append((a, b)) }
        }
        var i = 0
        while i < n {
            let c = s[i]
            if c == 10 || c == 13 || c == 0x2029 || c == 0x2028 {
                emit(start, i); start = i + 1; depth = 0; asciiQuoteOpen = false; i += 1; continue
            }
            if c == 0x22 {  // ASCII double quote toggles
                if asciiQuoteOpen { depth = max(0, depth - 1) } else { depth += 1; depthSince = i }
                asciiQuoteOpen.toggle(); i += 1; continue
            }
            if isOpen(c) { if depth == 0 { depthSince = i }; depth += 1; i += 1; continue }
            if isClose(c) { depth = max(0, depth - 1); i += 1; continue }
            if depth > 0 && i - depthSince > 300 { depth = 0; asciiQuoteOpen = false }
            var ender = isEnder(c, semicolon: semicolon)
            if !ender && c == 0x2E {  // '.'
                let prevDigit = i > 0 && CharClass.isDigit(s[i - 1])
                let nextDigit = i + 1 < n && CharClass.isDigit(s[i + 1])
                let nextBreak = i + 1 >= n || CharClass.isSpace(s[i + 1]) || s[i + 1] >= 0x2E80 || isClose(s[i + 1]) || s[i + 1] == 0x22
                ender = !(prevDigit && nextDigit) && nextBreak && !(i + 1 < n && s[i + 1] == 0x2E)
                if i + 1 < n && s[i + 1] == 0x2E { i += 1; continue }  // "..." handled at its last dot
            }
            if ender {
                var j = i + 1
                while j < n && (isEnder(s[j], semicolon: semicolon) || s[j] == 0x2E) { j += 1 }
                // closing quotes/brackets right after the ender belong to this sentence
                var d = depth
                while j < n && (isClose(s[j]) || (s[j] == 0x22 && asciiQuoteOpen)) {
                    if s[j] == 0x22 { asciiQuoteOpen = false }
                    d = max(0, d - 1); j += 1
                }
                if d == 0 {
                    emit(start, j); start = j; depth = 0
                    i = j; continue
                }
                depth = d
                i = j; continue
            }
            i += 1
        }
        emit(start, n)
        return out
    }
}
