import HeduiModel

/// Writes evidence as JSON by hand: one line per unit in `evidence.jsonl`, keys in a fixed
/// (sorted) order, so the bytes are the same on every machine. Foundation's `JSONEncoder` took
/// half of a run's time for this (BENCHMARKS.md).
public struct EvidenceJSON {
    private var out = TextBuffer(capacity: 1 << 16)

    /// The lines written so far.
    public var buffer: TextBuffer { out }

    public init() {}

    /// Appends the line of one assessed unit. The records behind its reasons are listed once, in
    /// `records` (in order of first mention); each reason names its records by their index there.
    /// (Income records back two or three reasons at once: listing them once halves the file.)
    public mutating func appendLine(_ a: Assessment) {
        let m = a.measures
        // A record is the same when its origin, member and match class are: all else follows from
        // them. A unit has a few dozen records at most: a linear search beats hashing.
        var table: [EvidenceRecord] = []
        let references: [[Int]] = a.evidence.map { reason in
            reason.records.map { record in
                if let n = table.firstIndex(where: {
                    $0.position == record.position && $0.file == record.file && $0.member == record.member && $0.probable == record.probable
                }) {
                    return n
                }
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
        key("reasons"); out.append(UInt8(ascii: "["))
        for (i, reason) in a.evidence.enumerated() {
            if i > 0 { comma() }
            appendReason(reason, records: references[i])
        }
        out.append(UInt8(ascii: "]")); comma()
        key("records"); out.append(UInt8(ascii: "["))
        for (i, e) in table.enumerated() {
            if i > 0 { comma() }
            appendRecord(e)
        }
        out.append(UInt8(ascii: "]")); comma()
        key("standard"); optionalInt(a.standard?.value); comma()
        key("status"); string(a.status.rawValue); comma()
        key("unit_id"); string(a.unit.unitID); comma()
        key("verified_income"); intArray(m.verifiedIncome.map(\.value))
        endObject()
        out.append(0x0A)
    }

    private mutating func appendReason(_ r: ReasonEvidence, records: [Int]) {
        beginObject()
        key("code"); string(r.code.rawValue); comma()
        key("figures"); out.append(UInt8(ascii: "["))
        for (i, f) in r.figures.enumerated() {
            if i > 0 { comma() }
            beginObject()
            key("name"); string(f.name); comma()
            key("unit"); string(f.unit.rawValue); comma()
            key("value"); int(f.value)
            endObject()
        }
        out.append(UInt8(ascii: "]")); comma()
        key("members"); intArray(r.members.map(Int64.init))
        if let note = r.note { comma(); key("note"); string(note) }
        comma()
        key("records"); intArray(records.map(Int64.init))
        endObject()
    }

    private mutating func appendRecord(_ e: EvidenceRecord) {
        beginObject()
        key("amount"); optionalInt(e.amount); comma()
        key("counted"); out.append(e.counted ? "true" : "false"); comma()
        key("date"); string(e.date); comma()
        key("file"); int(Int64(e.file)); comma()
        key("label"); string(e.label); comma()
        key("member"); int(Int64(e.member)); comma()
        key("position"); int(e.position); comma()
        key("probable"); out.append(e.probable ? "true" : "false"); comma()
        key("source"); string(e.source.rawValue)
        endObject()
    }

    private mutating func beginObject() { out.append(UInt8(ascii: "{")) }
    private mutating func endObject() { out.append(UInt8(ascii: "}")) }
    private mutating func comma() { out.append(UInt8(ascii: ",")) }

    private mutating func key(_ name: StaticString) {
        out.append(UInt8(ascii: "\""))
        out.append(name)
        out.append("\":")
    }

    private mutating func int(_ value: Int64) { out.appendDecimal(value) }

    private mutating func optionalInt(_ value: Int64?) {
        if let value { int(value) } else { out.append("null") }
    }

    private mutating func intArray(_ values: [Int64]) {
        out.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { comma() }
            int(v)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: `"` and `\` escaped, control characters as \u00XX; other UTF-8 as is.
    private mutating func string(_ text: String) { out.appendJSONString(text) }
}
