import Foundation

/// The AI assist panel, built in (no provider): summary, headline candidates, keywords and tags, related stories, counts.
enum StoryAssist {
    /// Characters that count as words for Chinese copy: letters, digits and ideographs (not spaces or punctuation);
    /// a run of Latin letters/digits counts as one word.
    static func countCharacters(_ text: String) -> Int {
        var count = 0
        var inLatinWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isCJK = (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2FFFF).contains(v) || (0xF900...0xFAFF).contains(v)
            if isCJK {
                count += 1
                inLatinWord = false
            } else if CharacterSet.alphanumerics.contains(scalar) {
                if !inLatinWord { count += 1; inLatinWord = true }
            } else {
                inLatinWord = false
            }
        }
        return count
    }
}
