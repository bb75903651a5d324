/// OpenAPI component schemas of the Opinion module (they describe exactly what the DTOs encode).
enum OpinionSchemas {
    static let sentiments = ["positive", "neutral", "negative"]
    static let sourceKinds = ["import", "webhook", "feed"]

    static let count: Schema = .object([("name", .string), ("count", .integer(minimum: 0))], required: ["name", "count"])
    static let term: Schema = .object([("word", .string), ("weight", .number)], required: ["word", "weight"])

    static let all: [(String, Schema)] = [
        ("OpinionPost", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("platform", .string), ("external_id", .string), ("author", .string), ("text", .string),
            ("language", .string), ("url", .nullable(.string)), ("posted_at", .dateTime), ("future_time", .boolean),
            ("repost_of", .nullable(.string)), ("reply_to", .nullable(.string)), ("likes", .integer(minimum: 0)), ("reposts", .integer(minimum: 0)),
            ("comments", .integer(minimum: 0)), ("duplicate_of", .nullable(.uuid)), ("sentiment", .enumeration(sentiments)),
            ("sentiment_score", .number), ("keywords", .array(.string)), ("entities", .array(.string)), ("region", .nullable(.string)),
            ("event_id", .nullable(.uuid)), ("scheme_ids", .array(.string)),
        ], required: ["id", "tenant_id", "platform", "external_id", "author", "text", "language", "posted_at", "future_time", "likes", "reposts",
                      "comments", "sentiment", "sentiment_score", "keywords", "entities", "scheme_ids"])),
        ("OpinionPostPage", .object([("items", .array(.ref("OpinionPost"))), ("total", .integer(minimum: 0))], required: ["items", "total"])),
        ("OpinionEvent", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("title", .string), ("keywords", .array(.string)), ("post_count", .integer(minimum: 0)),
            ("positive", .integer(minimum: 0)), ("neutral", .integer(minimum: 0)), ("negative", .integer(minimum: 0)), ("first_at", .dateTime),
            ("last_at", .dateTime), ("status", .enumeration(["open", "closed", "merged"])), ("merged_into", .nullable(.uuid)), ("risk", .number),
            ("heat", .number), ("topic_id", .nullable(.uuid)),
        ], required: ["id", "tenant_id", "title", "keywords", "post_count", "positive", "neutral", "negative", "first_at", "last_at", "status", "risk", "heat"])),
        ("OpinionEventDetail", .object([
            ("event", .ref("OpinionEvent")),
            ("volume", .array(.object([("at", .dateTime), ("total", .integer(minimum: 0)), ("positive", .integer(minimum: 0)),
                                       ("neutral", .integer(minimum: 0)), ("negative", .integer(minimum: 0))],
                                      required: ["at", "total", "positive", "neutral", "negative"]))),
            ("sources", .array(count)), ("authors", .array(count)), ("regions", .array(count)), ("keywords", .array(term)),
            ("representatives", .array(.ref("OpinionPost"))), ("timeline", .array(.ref("OpinionPost"))), ("forecast", .array(.number)),
            ("burst_z", .number), ("spread", .ref("OpinionSpread")),
        ], required: ["event", "volume", "sources", "authors", "regions", "keywords", "representatives", "timeline", "forecast", "burst_z", "spread"])),
        ("OpinionSpread", .object([
            ("nodes", .array(.object([("author", .string), ("first_at", .dateTime), ("reach", .integer(minimum: 0)), ("betweenness", .number),
                                      ("origin", .boolean)], required: ["author", "first_at", "reach", "betweenness", "origin"]))),
            ("edges", .array(.object([("from", .string), ("to", .string)], required: ["from", "to"]))),
            ("origins", .array(.string)), ("paths", .array(.array(.string))), ("authors_per_hour", .number),
        ], required: ["nodes", "edges", "origins", "paths", "authors_per_hour"])),
        ("OpinionResponseCard", .object([
            ("event_id", .uuid), ("title", .string), ("facts", .array(.string)), ("who_is_talking", .array(count)), ("platforms", .array(count)),
            ("respond_within_hours", .integer(minimum: 1)), ("channels", .array(.string)), ("statement", .string), ("ai_generated", .boolean),
            ("ai_label", .nullable(.string)), ("provider", .string), ("model", .string), ("generated_at", .dateTime),
            ("fallback_reason", .nullable(.string)),
            ("template", .enumeration(StatementTemplate.allCases.map(\.rawValue))), ("suggested_template", .enumeration(StatementTemplate.allCases.map(\.rawValue))),
        ], required: ["event_id", "title", "facts", "who_is_talking", "platforms", "respond_within_hours", "channels", "statement", "ai_generated",
                      "provider", "model", "generated_at", "template", "suggested_template"])),
        ("OpinionScheme", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("name", .string), ("rule", .string), ("regions", .array(.string)), ("platforms", .array(.string)),
            ("exclusions", .array(.string)), ("source_ids", .array(.uuid)), ("enabled", .boolean), ("created_at", .dateTime),
            ("rematch_job_id", .nullable(.uuid)),
        ], required: ["id", "tenant_id", "name", "rule", "regions", "platforms", "exclusions", "source_ids", "enabled", "created_at"])),
        ("OpinionSource", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("name", .string), ("kind", .enumeration(sourceKinds)), ("url", .nullable(.string)),
            ("platform", .string), ("webhook_path", .string), ("webhook_secret", .nullable(.string)), ("posts_received", .integer(minimum: 0)),
            ("created_at", .dateTime), ("interval_minutes", .nullable(.integer(minimum: 1))), ("next_poll_at", .nullable(.dateTime)),
            ("enabled", .boolean), ("last_polled_at", .nullable(.dateTime)), ("last_outcome", .nullable(.string)), ("last_error", .nullable(.string)),
            ("last_received_at", .nullable(.dateTime)),
        ], required: ["id", "tenant_id", "name", "kind", "platform", "webhook_path", "posts_received", "created_at", "enabled"])),
        ("OpinionAlertRule", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("name", .string), ("scheme_id", .nullable(.uuid)), ("min_posts", .integer(minimum: 1)),
            ("window_minutes", .integer(minimum: 1)), ("min_risk", .number), ("min_negative_share", .number), ("require_burst", .boolean),
            ("email", .string), ("enabled", .boolean),
        ], required: ["id", "tenant_id", "name", "min_posts", "window_minutes", "min_risk", "min_negative_share", "require_burst", "email", "enabled"])),
        ("OpinionAlert", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("rule_id", .uuid), ("event_id", .uuid), ("title", .string), ("detail", .string),
            ("risk", .number), ("window_posts", .integer(minimum: 0)), ("email_status", .enumeration(["none", "ready", "sent", "failed"])),
            ("email_payload", .string), ("notified", .integer(minimum: 0)), ("created_at", .dateTime),
        ], required: ["id", "tenant_id", "rule_id", "event_id", "title", "detail", "risk", "window_posts", "email_status", "email_payload", "notified", "created_at"])),
        ("OpinionImport", .object([
            ("id", .uuid), ("tenant_id", .uuid), ("source_id", .nullable(.uuid)), ("format", .enumeration(RecordSplitter.Format.allCases.map(\.rawValue))),
            ("total_bytes", .integer(minimum: 0)), ("checkpoint", .integer(minimum: 0)), ("rows_read", .integer(minimum: 0)),
            ("imported", .integer(minimum: 0)), ("duplicates", .integer(minimum: 0)), ("skipped", .integer(minimum: 0)),
            ("future_times", .integer(minimum: 0)), ("problems", .array(.string)), ("status", .enumeration(OpinionImportJob.statuses)),
            ("job_id", .nullable(.uuid)), ("created_at", .dateTime),
        ], required: ["id", "tenant_id", "format", "total_bytes", "checkpoint", "rows_read", "imported", "duplicates", "skipped", "future_times",
                      "problems", "status", "created_at"])),
        ("OpinionIngestResult", .object([
            ("imported", .integer(minimum: 0)), ("duplicates", .integer(minimum: 0)), ("skipped", .integer(minimum: 0)),
            ("future_times", .integer(minimum: 0)), ("ids", .array(.uuid)), ("event_ids", .array(.uuid)), ("problems", .array(.string)),
            ("alerts", .integer(minimum: 0)),
        ], required: ["imported", "duplicates", "skipped", "future_times", "ids", "event_ids", "problems", "alerts"])),
        ("OpinionDashboard", .object([
            ("volume", .array(.object([("at", .dateTime), ("total", .integer(minimum: 0)), ("positive", .integer(minimum: 0)),
                                       ("neutral", .integer(minimum: 0)), ("negative", .integer(minimum: 0))],
                                      required: ["at", "total", "positive", "neutral", "negative"]))),
            ("hot_keywords", .array(.object([("word", .string), ("count", .integer(minimum: 0)), ("z_score", .number), ("burst", .boolean)],
                                            required: ["word", "count", "z_score", "burst"]))),
            ("events", .array(.ref("OpinionEvent"))), ("alerts", .array(.ref("OpinionAlert"))), ("total_posts", .integer(minimum: 0)),
        ], required: ["volume", "hot_keywords", "events", "alerts", "total_posts"])),
    ]
}
