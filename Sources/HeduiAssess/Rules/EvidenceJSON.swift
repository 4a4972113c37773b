import HeduiModel

/// Writes evidence as JSON by hand: one line per unit in `evidence.jsonl`, keys in a fixed
/// (sorted) order, so the bytes are the same on every machine. Foundation's `JSONEncoder` took
/// half of a run's time for this (BENCHMARKS.md).
public struct EvidenceJSON {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Appends the line of one assessed unit. The records behind its reasons are listed once, in
    /// `records` (in order of first mention); each reason names its records by their index there.
    /// (Income records back two or three reasons at once: listing them once halves the file.)
    public mutating func appendLine(_ a: Assessment) {
        let m = a.measures
        // A record is the same when its origin, member and match class are: all else follows from them.
        // (Keyed by integers: hashing the label strings normalizes them to NFC first, which was slow.)
        struct Identity: Hashable {
            var file: Int32
            var position: Int64
            var member: Int
            var probable: Bool
        }
        var table: [EvidenceRecord] = []
        var numbers: [Identity: Int] = [:]
        let references: [[Int]] = a.evidence.map { reason in
            reason.records.map { record in
                let identity = Identity(file: record.file, position: record.position, member: record.member, probable: record.probable)
                if let n = numbers[identity] { return n }
                numbers[identity] = table.count
                table.append(record)
                return table.count - 1
            }
        }
        beginObject()
        key("declared_income"); intArray(m.declaredIncome.map(\.value)); comma()
        key("income_window"); string("\(m.window.lowerBound)..\(m.window.upperBound)"); comma()
        key("low_income_line"); optionalInt(a.lowIncomeLine?.value); comma()
        key("members"); int(Int64(a.unit.members.count)); comma()
        key("outcome_certain"); optionalInt(a.outcomeCertain.map { Int64($0.rawValue) }); comma()
        key("outcome_with_probable"); optionalInt(a.outcomeWithProbable.map { Int64($0.rawValue) }); comma()
        key("reasons"); bytes.append(UInt8(ascii: "["))
        for (i, reason) in a.evidence.enumerated() {
            if i > 0 { comma() }
            appendReason(reason, records: references[i])
        }
        bytes.append(UInt8(ascii: "]")); comma()
        key("records"); bytes.append(UInt8(ascii: "["))
        for (i, e) in table.enumerated() {
            if i > 0 { comma() }
            appendRecord(e)
        }
        bytes.append(UInt8(ascii: "]")); comma()
        key("standard"); optionalInt(a.standard?.value); comma()
        key("status"); string(a.status.rawValue); comma()
        key("unit_id"); string(a.unit.unitID); comma()
        key("verified_income"); intArray(m.verifiedIncome.map(\.value))
        endObject()
        bytes.append(0x0A)
    }

    private mutating func appendReason(_ r: ReasonEvidence, records: [Int]) {
        beginObject()
        key("code"); string(r.code.rawValue); comma()
        key("figures"); bytes.append(UInt8(ascii: "["))
        for (i, f) in r.figures.enumerated() {
            if i > 0 { comma() }
            beginObject()
            key("name"); string(f.name); comma()
            key("unit"); string(f.unit.rawValue); comma()
            key("value"); int(f.value)
            endObject()
        }
        bytes.append(UInt8(ascii: "]")); comma()
        key("members"); intArray(r.members.map(Int64.init))
        if let note = r.note { comma(); key("note"); string(note) }
        comma()
        key("records"); intArray(records.map(Int64.init))
        endObject()
    }

    private mutating func appendRecord(_ e: EvidenceRecord) {
        beginObject()
        key("amount"); optionalInt(e.amount); comma()
        key("counted"); bytes.append(contentsOf: (e.counted ? "true" : "false").utf8); comma()
        key("date"); string(e.date); comma()
        key("file"); int(Int64(e.file)); comma()
        key("label"); string(e.label); comma()
        key("member"); int(Int64(e.member)); comma()
        key("position"); int(e.position); comma()
        key("probable"); bytes.append(contentsOf: (e.probable ? "true" : "false").utf8); comma()
        key("source"); string(e.source.rawValue)
        endObject()
    }

    private mutating func beginObject() { bytes.append(UInt8(ascii: "{")) }
    private mutating func endObject() { bytes.append(UInt8(ascii: "}")) }
    private mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    private mutating func key(_ name: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Decimal digits, written straight into the buffer (no `String`).
    private mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    private mutating func optionalInt(_ value: Int64?) {
        if let value { int(value) } else { bytes.append(contentsOf: "null".utf8) }
    }

    private mutating func intArray(_ values: [Int64]) {
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { comma() }
            int(v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A JSON string: `"` and `\` escaped, control characters as \u00XX; other UTF-8 as is.
    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Most strings need no escape: copy them whole.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for b in utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), b])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), b])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                default: bytes.append(b)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
