import HeduiModel

/// A JSON value as the run's files hold them (integers only: amounts are fen, never floating point).
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var int: Int64? {
        switch self {
        case .int(let i): i
        case .double(let d): Int64(exactly: d.rounded())
        default: nil
        }
    }

    subscript(key: String) -> JSONValue? { object?[key] }

    /// Parses one JSON text; nil when it is not well-formed.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        var parser = Parser(bytes: bytes)
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.index == bytes.count ? value : nil
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value() -> JSONValue? {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var object: [String: JSONValue] = [:]
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                while true {
                    skipSpace()
                    guard let key = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    guard let v = value() else { return nil }
                    object[key] = v
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                    return nil
                }
            case UInt8(ascii: "["):
                index += 1
                var array: [JSONValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
                while true {
                    guard let v = value() else { return nil }
                    array.append(v)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ text: String, _ value: JSONValue) -> JSONValue? {
            let utf8 = Array(text.utf8)
            guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return nil }
            index += utf8.count
            return value
        }

        mutating func number() -> JSONValue? {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if let i = Int64(text) { return .int(i) }
            return Double(text).map(JSONValue.double)
        }

        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            var scalars = String.UnicodeScalarView()
            var run = index
            func flush(_ end: Int) -> Bool {
                guard run < end else { return true }
                guard let s = String(validating: bytes[run..<end], as: UTF8.self) else { return false }
                scalars.append(contentsOf: s.unicodeScalars)
                return true
            }
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    guard flush(index) else { return nil }
                    index += 1
                    return String(scalars)
                }
                if b == UInt8(ascii: "\\") {
                    guard flush(index), index + 1 < bytes.count else { return nil }
                    let e = bytes[index + 1]
                    index += 2
                    switch e {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "u"):
                        guard var code = hex4() else { return nil }
                        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            guard let low = hex4() else { return nil }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: scalars.append(Unicode.Scalar(e))
                    }
                    run = index
                    continue
                }
                index += 1
            }
            return nil
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { return nil }
            index += 4
            return value
        }
    }
}

/// Writes JSON texts with keys in the order given (deterministic output, no Foundation), one
/// per line (`newline()`), into a `TextBuffer`.
struct JSONLine {
    private var out = TextBuffer(capacity: 1 << 16)
    /// Bit `depth`: the current object or array has a member already (a comma goes before the next).
    private var hasMember: UInt64 = 0
    private var depth = 0
    private var pendingValueAfterKey = false

    var bytes: [UInt8] { out.bytes }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Ends the current text with a line feed; the next one starts fresh.
    mutating func newline() {
        out.append(0x0A)
        hasMember = 0
        depth = 0
        pendingValueAfterKey = false
    }

    private mutating func open(_ bracket: UInt8) {
        separator()
        out.append(bracket)
        depth += 1
        precondition(depth < 64, "JSONLine: nested deeper than 63 levels")
        hasMember &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        out.append(bracket)
    }

    /// A key known when the program is written (no character to escape).
    mutating func key(_ key: StaticString) {
        separator()
        out.append(UInt8(ascii: "\""))
        out.append(key)
        out.append("\":")
        hasMember &= ~(1 << UInt64(depth))
        pendingValueAfterKey = true
    }

    @_disfavoredOverload
    mutating func key(_ key: String) {
        separator()
        out.appendJSONString(key)
        out.append(UInt8(ascii: ":"))
        hasMember &= ~(1 << UInt64(depth))
        pendingValueAfterKey = true
    }

    mutating func string(_ value: String) { separator(); out.appendJSONString(value) }
    mutating func number(_ value: Int64) { separator(); out.appendDecimal(value) }

    private mutating func separator() {
        let bit: UInt64 = 1 << UInt64(depth)
        if pendingValueAfterKey { pendingValueAfterKey = false; hasMember |= bit; return }
        if hasMember & bit != 0 { out.append(UInt8(ascii: ",")) }
        hasMember |= bit
    }
}
