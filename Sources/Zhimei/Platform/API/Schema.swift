/// A JSON Schema (OpenAPI 3.1 dialect), written in code next to the route it describes.
public indirect enum Schema: Sendable {
    case string(format: String? = nil, maxLength: Int? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case number
    case boolean
    case uuid
    case dateTime
    case enumeration([String])
    case array(Schema, maxItems: Int? = nil)
    case object([(String, Schema)], required: [String])
    /// A free-form object with string values.
    case stringMap
    case ref(String)
    case nullable(Schema)

    public static var string: Schema { .string() }
    public static var integer: Schema { .integer() }

    public var json: JSONValue {
        switch self {
        case .string(let format, let maxLength):
            var pairs: [(String, JSONValue)] = [("type", .string("string"))]
            if let format { pairs.append(("format", .string(format))) }
            if let maxLength { pairs.append(("maxLength", .int(maxLength))) }
            return .object(pairs)
        case .integer(let minimum, let maximum):
            var pairs: [(String, JSONValue)] = [("type", .string("integer"))]
            if let minimum { pairs.append(("minimum", .int(minimum))) }
            if let maximum { pairs.append(("maximum", .int(maximum))) }
            return .object(pairs)
        case .number: return .object([("type", .string("number"))])
        case .boolean: return .object([("type", .string("boolean"))])
        case .uuid: return .object([("type", .string("string")), ("format", .string("uuid"))])
        case .dateTime: return .object([("type", .string("string")), ("format", .string("date-time"))])
        case .enumeration(let values): return .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))])
        case .array(let items, let maxItems):
            var pairs: [(String, JSONValue)] = [("type", .string("array")), ("items", items.json)]
            if let maxItems { pairs.append(("maxItems", .int(maxItems))) }
            return .object(pairs)
        case .object(let properties, let required):
            return .object([
                ("type", .string("object")),
                ("properties", .object(properties.map { ($0.0, $0.1.json) })),
                ("required", .array(required.map(JSONValue.string))),
            ])
        case .stringMap:
            return .object([("type", .string("object")), ("additionalProperties", .object([("type", .string("string"))]))])
        case .ref(let name): return .object([("$ref", .string("#/components/schemas/\(name)"))])
        case .nullable(let inner):
            return .object([("oneOf", .array([inner.json, .object([("type", .string("null"))])]))])
        }
    }
}

/// How one API operation is described in the OpenAPI document.
public struct APIOperation: Sendable {
    public var summary: String
    public var tag: String
    public var request: Schema?
    public var response: Schema?
    public var successStatus: Int
    public var query: [(name: String, schema: Schema, description: String)]
    /// Non-JSON success responses (SSE, text) give their media type here.
    public var responseMediaType: String

    public init(_ summary: String, tag: String, request: Schema? = nil, response: Schema? = nil, status: Int = 200,
                query: [(name: String, schema: Schema, description: String)] = [], mediaType: String = "application/json") {
        self.summary = summary
        self.tag = tag
        self.request = request
        self.response = response
        self.successStatus = status
        self.query = query
        self.responseMediaType = mediaType
    }
}
