import Foundation

/// Checks and cleans story input: lengths, control characters, link schemes, media keys and embed hosts.
enum StoryValidation {
    static let maxBlocks = 3000
    static let maxTextCharacters = 500_000
    /// Hosts an embed block may point at (video platforms, maps, social posts).
    static let embedHosts: Set<String> = [
        "www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.bilibili.com", "www.bilibili.com",
        "v.qq.com", "player.youku.com", "www.ixigua.com", "weibo.com", "www.weibo.com", "mp.weixin.qq.com",
        "map.baidu.com", "uri.amap.com", "www.amap.com", "player.vimeo.com", "www.douyin.com",
    ]

    /// Removes NUL and other C0 control characters (PostgreSQL rejects NUL), keeping tab and newline when `multiline`.
    static func clean(_ s: String, multiline: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0xD800...0xDFFF).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                if multiline && (scalar == "\n" || scalar == "\t") { out.append(scalar) }
                else if scalar == "\t" || scalar == "\n" || scalar == "\r" { out.append(" ") }
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }

    static func text(_ raw: String, field: String, max: Int, zh: String, multiline: Bool = false) throws -> String {
        let value = clean(raw, multiline: multiline).trimmingCharacters(in: .whitespacesAndNewlines)
        guard value.count <= max else {
            throw AppError.invalid(field, zh: "\(zh)过长（上限 \(max) 字）", en: "\(field) is too long (limit \(max) characters)")
        }
        return value
    }

    static func labels(_ raw: [String], field: String, zh: String, maxCount: Int) throws -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for item in raw {
            let value = try text(item, field: field, max: 40, zh: zh)
            if value.isEmpty || seen.contains(value) { continue }
            seen.insert(value)
            out.append(value)
        }
        guard out.count <= maxCount else {
            throw AppError.invalid(field, zh: "\(zh)最多 \(maxCount) 个", en: "At most \(maxCount) \(field)")
        }
        return out
    }

    static func language(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces)
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")
        guard !value.isEmpty, value.count <= 16, value.unicodeScalars.allSatisfy(allowed.contains) else {
            throw AppError.invalid("language", zh: "语言代码无效（如 zh、zh-Hant、en）", en: "Invalid language code (e.g. zh, zh-Hant, en)")
        }
        return value
    }

    static func label(_ label: AIGCLabel) throws -> AIGCLabel {
        AIGCLabel(provider: try text(label.provider, field: "aigc", max: 100, zh: "AIGC 提供方"),
                  model: try text(label.model, field: "aigc", max: 200, zh: "AIGC 模型"),
                  generatedAt: label.generatedAt)
    }

    /// True for http, https and mailto links with a host (or an address).
    static func isSafeLink(_ raw: String) -> Bool {
        guard raw.count <= 2000, let url = URL(string: raw), let scheme = url.scheme?.lowercased() else { return false }
        switch scheme {
        case "http", "https": return !(url.host ?? "").isEmpty
        case "mailto": return raw.count > 7 && !raw.contains("<") && !raw.contains(">")
        default: return false
        }
    }

    static func isHTTPURL(_ raw: String) -> Bool {
        guard raw.count <= 2000, let url = URL(string: raw), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && !(url.host ?? "").isEmpty
    }

    static func isEmbedURL(_ raw: String) -> Bool {
        guard let url = URL(string: raw), url.scheme?.lowercased() == "https", let host = url.host?.lowercased() else { return false }
        return embedHosts.contains(host)
    }

    /// The blob-key prefix of a tenant's story media.
    static func mediaPrefix(_ tenantID: UUID) -> String { "stories/\(tenantID.uuidString.lowercased())/" }

    static func isMediaKey(_ key: String, tenantID: UUID) -> Bool {
        let prefix = mediaPrefix(tenantID)
        guard key.hasPrefix(prefix) else { return false }
        return UUID(uuidString: String(key.dropFirst(prefix.count))) != nil
    }

    static func spans(_ raw: [InlineSpan], field: String) throws -> [InlineSpan] {
        var out: [InlineSpan] = []
        for span in raw {
            let text = clean(span.text, multiline: true)
            if text.isEmpty { continue }
            var link: String?
            if let l = span.link?.trimmingCharacters(in: .whitespaces), !l.isEmpty {
                guard isSafeLink(l) else {
                    throw AppError.invalid("link", zh: "链接只能是 http、https 或 mailto 地址", en: "Links must be http, https or mailto URLs")
                }
                link = l
            }
            let s = InlineSpan(text, bold: span.isBold, italic: span.isItalic, link: link)
            // Merge neighbours with the same marks so the stored body stays canonical.
            if let last = out.last, last.isBold == s.isBold, last.isItalic == s.isItalic, last.link == s.link {
                out[out.count - 1].text += s.text
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// Validates a body: block count, heading levels, links, media keys (this tenant's story media or http(s) URLs), embed hosts.
    static func blocks(_ raw: [StoryBlock], tenantID: UUID) throws -> [StoryBlock] {
        guard raw.count <= maxBlocks else {
            throw AppError.invalid("body", zh: "正文块过多（上限 \(maxBlocks)）", en: "Too many blocks (limit \(maxBlocks))")
        }
        var out: [StoryBlock] = []
        var total = 0
        for block in raw {
            let aigc = try block.aigc.map(label)
            let cleaned: StoryBlock
            switch block {
            case .paragraph(let s, _):
                cleaned = .paragraph(try spans(s, field: "body"), aigc: aigc)
            case .heading(let level, let s, _):
                guard (1...3).contains(level) else {
                    throw AppError.invalid("body", zh: "标题级别只能是 1–3", en: "Heading level must be 1–3")
                }
                cleaned = .heading(level: level, try spans(s, field: "body"), aigc: aigc)
            case .quote(let s, let a, _):
                cleaned = .quote(try spans(s, field: "body"), attribution: try text(a, field: "body", max: 200, zh: "引文出处"), aigc: aigc)
            case .list(let ordered, let items, _):
                guard items.count <= 1000 else { throw AppError.invalid("body", zh: "列表项过多", en: "Too many list items") }
                cleaned = .list(ordered: ordered, items: try items.map { try spans($0, field: "body") }, aigc: aigc)
            case .image(let key, let caption, let alt, _):
                guard isMediaKey(key, tenantID: tenantID) else {
                    throw AppError.invalid("body", zh: "图片必须是本单位上传的稿件图片", en: "Images must be story media uploaded to this tenant")
                }
                cleaned = .image(key: key, caption: try text(caption, field: "body", max: 500, zh: "图片说明"),
                                 alt: try text(alt, field: "body", max: 500, zh: "替代文字"), aigc: aigc)
            case .video(let src, let caption, _), .audio(let src, let caption, _):
                guard isHTTPURL(src) || isMediaKey(src, tenantID: tenantID) else {
                    throw AppError.invalid("body", zh: "音视频地址必须是 http(s) 地址或本单位上传的文件", en: "Audio and video must be http(s) URLs or media uploaded to this tenant")
                }
                let c = try text(caption, field: "body", max: 500, zh: "说明")
                cleaned = block.kind == .video ? .video(src: src, caption: c, aigc: aigc) : .audio(src: src, caption: c, aigc: aigc)
            case .table(let rows, let header, _):
                guard rows.count <= 500, rows.allSatisfy({ $0.count <= 50 }) else {
                    throw AppError.invalid("body", zh: "表格过大（上限 500 行 × 50 列）", en: "Table too large (limit 500 rows × 50 columns)")
                }
                cleaned = .table(rows: rows.map { $0.map { clean($0, multiline: true) } }, header: header, aigc: aigc)
            case .embed(let url, let caption, _):
                guard isEmbedURL(url) else {
                    throw AppError.invalid("embed", zh: "嵌入地址必须是白名单中的 https 站点", en: "Embeds must be https URLs of a whitelisted site")
                }
                cleaned = .embed(url: url, caption: try text(caption, field: "body", max: 500, zh: "说明"), aigc: aigc)
            }
            total += cleaned.plainText.count
            out.append(cleaned)
        }
        guard total <= maxTextCharacters else {
            throw AppError(.payloadTooLarge, "story_too_long", zh: "正文过长（上限 \(maxTextCharacters) 字）", en: "The body is too long (limit \(maxTextCharacters) characters)")
        }
        return out
    }
}
