import Fluent
import Vapor

/// The public tip form (群众爆料) of a tenant: `/tips/:tenantSlug`. Anonymous, so it defends itself:
/// a pre-session CSRF cookie (double submit, as on /login) whose token also carries the time the form was
/// shown (a submission faster than `minimumFillSeconds` is a bot), a honeypot field people never see,
/// a limit on links and on spam terms, a per-address rate limit, and photos checked by their magic bytes
/// (JPEG, PNG, GIF, WebP only; at most 4, 5 MB each). A tip becomes a lead of that tenant.
struct TipPages {
    static let minimumFillSeconds: TimeInterval = 3
    static let maxPhotos = 4
    static let maxPhotoBytes = 5 * 1_048_576
    static let maxLinks = 3
    static let spamTerms = ["博彩", "六合彩", "代开发票", "办证", "刷单", "网赚", "裸聊", "赌场", "加微信领", "贷款秒批", "casino", "viagra", "porn"]

    struct TipView: Encodable { var slug: String; var tenantName: String; var token: String; var error: String?; var done: Bool; var text: String; var contact: String; var title: String; var maxPhotos: Int }
    struct TipForm: Content {
        var _csrf: String?
        var title: String?
        var text: String?
        var contact: String?
        var website: String?
        var photos: [File]?
    }

    func register(_ routes: RoutesBuilder) {
        routes.page(.GET, "tips", ":tenantSlug", access: .anonymous, use: page)
        routes.on(.POST, "tips", ":tenantSlug", body: .collect(maxSize: "24mb"), use: submit).access(.anonymous)
    }

    static func tenant(_ req: Request) async throws -> Tenant {
        guard let slug = req.parameters.get("tenantSlug"), slug.count <= 64,
              let tenant = try await Tenant.query(on: req.db).filter(\.$slug == slug).first(), !tenant.disabled else { throw AppError.notFound }
        return tenant
    }

    private func render(_ req: Request, tenant: Tenant, error: String? = nil, done: Bool = false, form: TipForm? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let token = Secrets.random(bytes: 18) + "." + String(Int(Date().timeIntervalSince1970))
        let view = TipView(slug: tenant.slug, tenantName: tenant.name, token: token, error: error, done: done, text: form?.text ?? "",
                           contact: form?.contact ?? "", title: form?.title ?? "", maxPhotos: Self.maxPhotos)
        let rendered = try await PageContext.render("leads/tip", titleKey: "leads.tip.title", section: "tips", body: view, on: req)
        let response = try await rendered.encodeResponse(status: status, for: req)
        response.cookies[CSRF.preSessionCookie] = HTTPCookies.Value(string: token, maxAge: 7200, path: "/tips", isSecure: SessionService.secureCookies(req), isHTTPOnly: true, sameSite: .strict)
        return response
    }

    @Sendable func page(_ req: Request) async throws -> Response {
        try await render(req, tenant: try await Self.tenant(req))
    }

    /// JPEG, PNG, GIF or WebP by magic bytes.
    static func imageType(_ data: Data) -> (ext: String, mime: String)? {
        let b = [UInt8](data.prefix(12))
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return ("jpg", "image/jpeg") }
        if b.count >= 8, b[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return ("png", "image/png") }
        if b.count >= 6, b[0..<6] == Array("GIF87a".utf8)[0..<6] || b[0..<6] == Array("GIF89a".utf8)[0..<6] { return ("gif", "image/gif") }
        if b.count >= 12, b[0..<4] == Array("RIFF".utf8)[0..<4], b[8..<12] == Array("WEBP".utf8)[0..<4] { return ("webp", "image/webp") }
        return nil
    }

    /// Why a tip looks like spam, or nil.
    static func spamReason(_ text: String) -> String? {
        let lower = text.lowercased()
        let links = lower.components(separatedBy: "http://").count + lower.components(separatedBy: "https://").count - 2
            + lower.components(separatedBy: "www.").count - 1
        if links > maxLinks { return "links" }
        if spamTerms.contains(where: { lower.contains($0) }) { return "terms" }
        return nil
    }

    @Sendable func submit(_ req: Request) async throws -> Response {
        let lang = Localizer.language(of: req)
        let tenant = try await Self.tenant(req)
        func fail(_ zh: String, _ en: String, _ status: HTTPStatus, _ form: TipForm?) async throws -> Response {
            try await render(req, tenant: tenant, error: lang == "en" ? en : zh, form: form, status: status)
        }
        guard await req.application.leadsServices.tipThrottle.allow(req.clientIP) else {
            return try await fail("提交过于频繁，请稍后再试", "Too many tips from your address; please try again later", .tooManyRequests, nil)
        }
        guard let form = try? req.content.decode(TipForm.self) else {
            return try await fail("表单内容无效", "The form could not be read", .badRequest, nil)
        }
        do { try CSRF.verifyPreSession(req) } catch {
            return try await fail(AppError.csrf.zh, AppError.csrf.en, .forbidden, form)
        }
        // The token carries the time the form was shown.
        let started = (req.cookies[CSRF.preSessionCookie]?.string.split(separator: ".").last).flatMap { TimeInterval(String($0)) } ?? 0
        let elapsed = Date().timeIntervalSince1970 - started
        let honeypot = !(form.website ?? "").isEmpty
        if honeypot || elapsed < Self.minimumFillSeconds || elapsed > 86_400 {
            // Pretend success so bots learn nothing; nothing is stored.
            req.logger.info("tip rejected as automated", metadata: ["tenant": .string(tenant.slug), "honeypot": .string(String(honeypot))])
            return try await render(req, tenant: tenant, done: true)
        }
        let text = (form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let contact = (form.contact ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 10, text.count <= 5000 else {
            return try await fail("请填写 10–5000 字的爆料内容", "Describe your tip in 10–5000 characters", .unprocessableEntity, form)
        }
        guard title.count <= 200, contact.count <= 200 else {
            return try await fail("标题和联系方式不能超过 200 字", "Title and contact must be at most 200 characters", .unprocessableEntity, form)
        }
        if Self.spamReason(title + "\n" + text) != nil {
            return try await fail("内容疑似广告或含过多链接，未能提交", "This looks like advertising or has too many links; it was not accepted", .unprocessableEntity, form)
        }
        let files = (form.photos ?? []).filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }
        guard files.count <= Self.maxPhotos else {
            return try await fail("最多上传 \(Self.maxPhotos) 张照片", "At most \(Self.maxPhotos) photos", .unprocessableEntity, form)
        }
        var photos: [(Data, String, String)] = []
        for file in files {
            let data = Data(buffer: file.data)
            guard data.count <= Self.maxPhotoBytes else {
                return try await fail("每张照片不能超过 5 MB", "Each photo must be at most 5 MB", .payloadTooLarge, form)
            }
            guard let type = Self.imageType(data) else {
                return try await fail("只接受 JPEG、PNG、GIF 或 WebP 图片", "Only JPEG, PNG, GIF or WebP images are accepted", .unsupportedMediaType, form)
            }
            photos.append((data, type.ext, type.mime))
        }
        let tenantID = try tenant.requireID()
        var keys: [String] = []
        let month = String(Int(Date().timeIntervalSince1970 / 2_592_000))
        for (data, ext, mime) in photos {
            let key = "leads/\(tenantID.uuidString.lowercased())/tips/\(month)/\(UUID().uuidString.lowercased()).\(ext)"
            try await req.application.zhimei.blobs.put(key, data: data, contentType: mime)
            keys.append(key)
        }
        let item = IncomingLead(title: title, text: text, isHTML: false, link: nil, publishedAt: nil, guid: UUID().uuidString, origin: .tip,
                                sourceID: nil, sourceName: "群众爆料 / Citizen tip", contact: contact.isEmpty ? nil : contact, attachments: keys)
        let engine = try? await req.application.text.engine()
        let created = try await LeadIngest.ingest([item], tenantID: tenantID, engine: engine, on: req.db)
        await req.audit("lead.tip", tenant: tenantID, targetType: "lead", targetID: created.first?.id?.uuidString ?? "",
                        after: ["photos": String(keys.count)], actorName: "citizen")
        let response = try await render(req, tenant: tenant, done: true)
        response.status = .created
        return response
    }
}
