import Vapor
import ZhimeiReview

/// API shapes of proofreading and the lexicon (snake_case on the wire); schemas in `ProofreadAPI.schemas`.

struct LexiconEntryDTO: Content {
    var id: UUID
    /// "platform" or "tenant".
    var level: String
    var tenantId: UUID?
    var kind: String
    var term: String
    var category: String
    var severity: String
    var title: String
    var items: [String]
    var homophones: Bool
    var note: String
    var updatedAt: Date?

    init(_ e: LexiconEntry) {
        id = e.id ?? UUID(); level = e.tenantID == nil ? "platform" : "tenant"; tenantId = e.tenantID
        kind = e.kind.rawValue; term = e.term; category = e.category; severity = e.severity; title = e.title
        items = e.items; homophones = e.homophones; note = e.note; updatedAt = e.updatedAt
    }
}

struct LexiconPageDTO: Content {
    var items: [LexiconEntryDTO]
    var total: Int
    var limit: Int
    var offset: Int
}

/// One engine finding as JSON. Spans are Unicode scalar offsets into `text` (or into the headline when `in_headline`).
struct ProofreadFindingDTO: Content {
    var category: String
    var subcategory: String?
    var severity: String
    var start: Int
    var end: Int
    var text: String
    var message: String
    var messageEn: String
    var suggestions: [String]
    var ruleId: String
    var confidence: Double
    var inHeadline: Bool

    init(_ f: ReviewFinding) {
        category = f.category.rawValue; subcategory = f.subcategory; severity = f.severity.rawValue
        start = max(0, f.start); end = max(f.start, f.end); text = f.text; message = f.messageZh; messageEn = f.messageEn
        suggestions = f.suggestions; ruleId = f.ruleID; confidence = f.confidence.isFinite ? min(max(f.confidence, 0), 1) : 0
        inHeadline = f.ruleID.hasPrefix("headline.")
    }
}

struct ProofreadCountsDTO: Content {
    var block: Int
    var warn: Int
    var info: Int
}

struct ProofreadReportDTO: Content {
    var tenantId: UUID
    /// Length of `text` in Unicode scalars.
    var characters: Int
    /// Whether a block-severity finding exists (the workflow gate would refuse the story).
    var blocked: Bool
    var counts: ProofreadCountsDTO
    var findings: [ProofreadFindingDTO]
    var headline: String?
    /// The checked text (for documents: the text extracted from the file).
    var text: String
    /// Documents: the detected format and text encoding.
    var format: String?
    var encoding: String?

    init(tenantID: UUID, text: String, headline: String?, findings: [ReviewFinding], format: String? = nil, encoding: String? = nil) {
        tenantId = tenantID
        characters = text.unicodeScalars.count
        let dtos = findings.map(ProofreadFindingDTO.init)
        self.findings = dtos
        counts = ProofreadCountsDTO(block: dtos.filter { $0.severity == "block" }.count, warn: dtos.filter { $0.severity == "warn" }.count,
                                    info: dtos.filter { $0.severity == "info" }.count)
        blocked = counts.block > 0
        self.headline = headline
        self.text = text
        self.format = format
        self.encoding = encoding
    }
}
