import Foundation

/// A parsed JSON document, for validation (order of object keys is not kept).
indirect enum JSONNode: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONNode]), object([String: JSONNode])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONNode].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONNode].self)) }
    }

    static func parse(_ data: Data) throws -> JSONNode { try JSONDecoder().decode(JSONNode.self, from: data) }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let d): return d.rounded() == d && abs(d) < 9.0e15 ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    subscript(key: String) -> JSONNode? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

/// A small JSON Schema validator covering what news standards use (draft-07 … 2020-12): type, enum, const,
/// properties, required, additionalProperties, patternProperties, unevaluatedProperties, items/prefixItems,
/// allOf/anyOf/oneOf/not, if/then/else, $ref into $defs/definitions, string/number/array/object limits, format uri and date-time.
struct JSONSchemaValidator {
    let root: JSONNode

    init(schema: JSONNode) { root = schema }

    /// Every violation, as "path: message"; empty when the instance is valid.
    func validate(_ instance: JSONNode) -> [String] {
        var errors: [String] = []
        var evaluated = Set<String>()
        check(instance, against: root, path: "$", errors: &errors, evaluated: &evaluated, depth: 0)
        return errors
    }

    func isValid(_ instance: JSONNode) -> Bool { validate(instance).isEmpty }

    /// Resolves a local reference ("#", "#/$defs/name", "#/definitions/name", JSON-pointer escapes).
    func resolve(_ ref: String) -> JSONNode? {
        guard let hash = ref.firstIndex(of: "#") else { return nil }
        let pointer = ref[ref.index(after: hash)...]
        var node = root
        for raw in pointer.split(separator: "/", omittingEmptySubsequences: true) {
            let key = String(raw).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                .removingPercentEncoding ?? String(raw)
            switch node {
            case .object(let o): guard let next = o[key] else { return nil }; node = next
            case .array(let a): guard let i = Int(key), a.indices.contains(i) else { return nil }; node = a[i]
            default: return nil
            }
        }
        return node
    }

    // swiftlint:disable:next function_body_length cyclomatic_complexity
    private func check(_ value: JSONNode, against schema: JSONNode, path: String, errors: inout [String], evaluated: inout Set<String>, depth: Int) {
        guard depth < 64 else { errors.append("\(path): schema nesting too deep"); return }
        switch schema {
        case .bool(let allowed):
            if !allowed { errors.append("\(path): not allowed") }
            return
        case .object: break
        default: return
        }
        if case .string(let ref) = schema["$ref"] ?? .null {
            if let target = resolve(ref) {
                check(value, against: target, path: path, errors: &errors, evaluated: &evaluated, depth: depth + 1)
            } else {
                errors.append("\(path): unresolvable $ref \(ref)")
            }
        }
        if let type = schema["type"] {
            let names: [String]
            switch type {
            case .string(let s): names = [s]
            case .array(let a): names = a.compactMap { if case .string(let s) = $0 { return s }; return nil }
            default: names = []
            }
            let actual = value.typeName
            if !names.isEmpty, !names.contains(actual), !(actual == "integer" && names.contains("number")) {
                errors.append("\(path): expected \(names.joined(separator: "|")), got \(actual)")
            }
        }
        if case .array(let options) = schema["enum"] ?? .null, !options.contains(value) {
            errors.append("\(path): not one of the enumerated values")
        }
        if let constant = schema["const"], constant != value { errors.append("\(path): does not equal the constant") }
        checkString(value, schema, path, &errors)
        checkNumber(value, schema, path, &errors)
        checkArray(value, schema, path, &errors, depth)
        checkObject(value, schema, path, &errors, &evaluated, depth)
        checkCombinators(value, schema, path, &errors, &evaluated, depth)
    }

    private func number(_ node: JSONNode?) -> Double? { if case .number(let d) = node ?? .null { return d }; return nil }

    private func checkString(_ value: JSONNode, _ schema: JSONNode, _ path: String, _ errors: inout [String]) {
        guard case .string(let s) = value else { return }
        let length = Double(s.unicodeScalars.count)
        if let min = number(schema["minLength"]), length < min { errors.append("\(path): shorter than \(Int(min))") }
        if let max = number(schema["maxLength"]), length > max { errors.append("\(path): longer than \(Int(max))") }
        if case .string(let pattern) = schema["pattern"] ?? .null, !Self.matches(s, pattern) {
            errors.append("\(path): does not match \(pattern)")
        }
        if case .string(let format) = schema["format"] ?? .null, !Self.conforms(s, format: format) {
            errors.append("\(path): not a valid \(format)")
        }
    }

    private func checkNumber(_ value: JSONNode, _ schema: JSONNode, _ path: String, _ errors: inout [String]) {
        guard case .number(let d) = value else { return }
        if let min = number(schema["minimum"]), d < min { errors.append("\(path): below minimum") }
        if let max = number(schema["maximum"]), d > max { errors.append("\(path): above maximum") }
        if let min = number(schema["exclusiveMinimum"]), d <= min { errors.append("\(path): not above exclusive minimum") }
        if let max = number(schema["exclusiveMaximum"]), d >= max { errors.append("\(path): not below exclusive maximum") }
        if let m = number(schema["multipleOf"]), m > 0, (d / m).rounded() != d / m { errors.append("\(path): not a multiple of \(m)") }
    }

    private func checkArray(_ value: JSONNode, _ schema: JSONNode, _ path: String, _ errors: inout [String], _ depth: Int) {
        guard case .array(let items) = value else { return }
        if let min = number(schema["minItems"]), Double(items.count) < min { errors.append("\(path): fewer than \(Int(min)) items") }
        if let max = number(schema["maxItems"]), Double(items.count) > max { errors.append("\(path): more than \(Int(max)) items") }
        if schema["uniqueItems"] == .bool(true) {
            for i in items.indices where items[(i + 1)...].contains(items[i]) { errors.append("\(path): items are not unique"); break }
        }
        var prefix = 0
        var tuple: [JSONNode] = []
        if case .array(let p) = schema["prefixItems"] ?? .null { tuple = p }
        else if case .array(let p) = schema["items"] ?? .null { tuple = p }
        for (i, s) in tuple.enumerated() where i < items.count {
            var ignored = Set<String>()
            check(items[i], against: s, path: "\(path)[\(i)]", errors: &errors, evaluated: &ignored, depth: depth + 1)
            prefix = i + 1
        }
        let rest: JSONNode? = {
            if case .array = schema["items"] ?? .null { return schema["additionalItems"] }
            return schema["items"]
        }()
        if let rest {
            for i in prefix..<max(prefix, items.count) {
                var ignored = Set<String>()
                check(items[i], against: rest, path: "\(path)[\(i)]", errors: &errors, evaluated: &ignored, depth: depth + 1)
            }
        }
        if let contains = schema["contains"] {
            let any = items.contains { item in
                var e: [String] = []; var ignored = Set<String>()
                check(item, against: contains, path: path, errors: &e, evaluated: &ignored, depth: depth + 1)
                return e.isEmpty
            }
            if !any { errors.append("\(path): no item matches contains") }
        }
    }

    private func checkObject(_ value: JSONNode, _ schema: JSONNode, _ path: String, _ errors: inout [String],
                             _ evaluated: inout Set<String>, _ depth: Int) {
        guard case .object(let object) = value else { return }
        if case .array(let required) = schema["required"] ?? .null {
            for case .string(let key) in required where object[key] == nil { errors.append("\(path): missing required \(key)") }
        }
        if let min = number(schema["minProperties"]), Double(object.count) < min { errors.append("\(path): too few properties") }
        if let max = number(schema["maxProperties"]), Double(object.count) > max { errors.append("\(path): too many properties") }
        var local = Set<String>()
        if case .object(let properties) = schema["properties"] ?? .null {
            for (key, sub) in properties {
                guard let v = object[key] else { continue }
                var inner = Set<String>()
                check(v, against: sub, path: "\(path).\(key)", errors: &errors, evaluated: &inner, depth: depth + 1)
                local.insert(key)
            }
        }
        if case .object(let patterns) = schema["patternProperties"] ?? .null {
            for (pattern, sub) in patterns {
                for (key, v) in object where Self.matches(key, pattern) {
                    var inner = Set<String>()
                    check(v, against: sub, path: "\(path).\(key)", errors: &errors, evaluated: &inner, depth: depth + 1)
                    local.insert(key)
                }
            }
        }
        if let additional = schema["additionalProperties"] {
            for (key, v) in object where !local.contains(key) {
                if additional == .bool(false) { errors.append("\(path): property \(key) is not allowed"); continue }
                var inner = Set<String>()
                check(v, against: additional, path: "\(path).\(key)", errors: &errors, evaluated: &inner, depth: depth + 1)
            }
            local.formUnion(object.keys)
        }
        if case .object(let dependent) = schema["dependentRequired"] ?? .null {
            for (key, needs) in dependent where object[key] != nil {
                if case .array(let names) = needs {
                    for case .string(let n) in names where object[n] == nil { errors.append("\(path): \(key) requires \(n)") }
                }
            }
        }
        if let names = schema["propertyNames"] {
            for key in object.keys {
                var inner = Set<String>()
                check(.string(key), against: names, path: "\(path).\(key)", errors: &errors, evaluated: &inner, depth: depth + 1)
            }
        }
        evaluated.formUnion(local)
    }

    private func checkCombinators(_ value: JSONNode, _ schema: JSONNode, _ path: String, _ errors: inout [String],
                                  _ evaluated: inout Set<String>, _ depth: Int) {
        func run(_ s: JSONNode) -> (ok: Bool, errors: [String], evaluated: Set<String>) {
            var e: [String] = []; var ev = Set<String>()
            check(value, against: s, path: path, errors: &e, evaluated: &ev, depth: depth + 1)
            return (e.isEmpty, e, ev)
        }
        if case .array(let all) = schema["allOf"] ?? .null {
            for s in all { let r = run(s); errors += r.errors; evaluated.formUnion(r.evaluated) }
        }
        if case .array(let any) = schema["anyOf"] ?? .null {
            let results = any.map(run)
            if !results.contains(where: \.ok) { errors.append("\(path): matches none of anyOf") }
            for r in results where r.ok { evaluated.formUnion(r.evaluated) }
        }
        if case .array(let one) = schema["oneOf"] ?? .null {
            let results = one.map(run)
            let passing = results.filter(\.ok)
            if passing.count != 1 { errors.append("\(path): matches \(passing.count) of oneOf, expected exactly 1") }
            for r in passing { evaluated.formUnion(r.evaluated) }
        }
        if let not = schema["not"], run(not).ok { errors.append("\(path): must not match the 'not' schema") }
        if let condition = schema["if"] {
            let r = run(condition)
            if r.ok { evaluated.formUnion(r.evaluated) }
            if let branch = r.ok ? schema["then"] : schema["else"] {
                let b = run(branch); errors += b.errors; evaluated.formUnion(b.evaluated)
            }
        }
        if let unevaluated = schema["unevaluatedProperties"], case .object(let object) = value {
            for (key, v) in object where !evaluated.contains(key) {
                if unevaluated == .bool(false) { errors.append("\(path): property \(key) is not allowed (unevaluated)"); continue }
                var inner = Set<String>()
                check(v, against: unevaluated, path: "\(path).\(key)", errors: &errors, evaluated: &inner, depth: depth + 1)
            }
            evaluated.formUnion(object.keys)
        }
    }

    static func matches(_ s: String, _ pattern: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// Formats: uri (absolute, with a scheme), date-time (RFC 3339), date, email; unknown formats pass (annotation only).
    static func conforms(_ s: String, format: String) -> Bool {
        switch format {
        case "uri":
            return matches(s, "^[A-Za-z][A-Za-z0-9+.-]*:[^\\s<>\"{}|\\\\^`]*$")
        case "date-time":
            return matches(s, "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt]([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d+)?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$")
        case "date":
            return matches(s, "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$")
        case "email":
            return matches(s, "^[^@\\s]+@[^@\\s]+$")
        default:
            return true
        }
    }
}
