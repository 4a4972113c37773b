import HeduiModel

/// Writes evidence as JSON by hand: one line per unit in `evidence.jsonl`, keys in a fixed
/// (sorted) order, so the bytes are the same on every machine. Foundation's `JSONEncoder` took
/// half of a run's time for this (BENCHMARKS.md).
public struct EvidenceJSON {
    private var out: TextBuffer
    /// The records of the line being written, each listed once: (reason, record) positions in
    /// `Assessment.evidence`, not copies of the records. Kept from line to line with their memory
    /// (three arrays allocated per line were a tenth of `appendLine`).
    private var table: [(position: Int64, file: Int32, member: Int32, probable: Bool, reason: Int32, record: Int32)] = []
    /// Per reason, in order, the indices in `table` of its records; `referenceEnds[i]` ends reason `i`'s.
    private var references: [Int32] = []
    private var referenceEnds: [Int] = []

    /// The lines written so far.
    public var buffer: TextBuffer { out }

    /// `capacity`: the bytes expected, so that the buffer need not grow (and copy) as lines are added.
    public init(capacity: Int = 1 << 16) { out = TextBuffer(capacity: capacity) }

    /// Appends the line of one assessed unit. The records behind its reasons are listed once, in
    /// `records` (in order of first mention, each an array of `recordColumns`); each reason names
    /// its records by their index there.
    /// (Income records back two or three reasons at once: listing them once halves the file.)
    public mutating func appendLine(_ a: Assessment) {
        let m = a.measures
        // A record is the same when its origin, member and match class are: all else follows from
        // them. A unit has a few dozen records at most: a linear search beats hashing.
        table.removeAll(keepingCapacity: true)
        references.removeAll(keepingCapacity: true)
        referenceEnds.removeAll(keepingCapacity: true)
        a.evidence.withUnsafeBufferPointer { evidence in
            for r in evidence.indices {
                evidence[r].records.withUnsafeBufferPointer { records in
                    // Reasons share their list of records (the income reasons share `Measures.incomeRecords`):
                    // the same list finds the same entries, so its references are copied.
                    if let base = records.baseAddress,
                        let earlier = (0..<r).first(where: { e in
                            evidence[e].records.withUnsafeBufferPointer { $0.baseAddress == base && $0.count == records.count }
                        })
                    {
                        let start = earlier == 0 ? 0 : referenceEnds[earlier - 1]
                        for k in start..<referenceEnds[earlier] { references.append(references[k]) }
                        return
                    }
                    for k in records.indices {
                        let record = records.baseAddress! + k
                        let position = record.pointee.position, file = record.pointee.file
                        let member = Int32(record.pointee.member), probable = record.pointee.probable
                        if let found = table.firstIndex(where: {
                            $0.position == position && $0.file == file && $0.member == member && $0.probable == probable
                        }) {
                            references.append(Int32(found))
                        } else {
                            table.append((position, file, member, probable, Int32(r), Int32(k)))
                            references.append(Int32(table.count - 1))
                        }
                    }
                }
                referenceEnds.append(references.count)
            }
        }
        beginObject()
        key("declared_income"); intArray(m.declaredIncome.lazy.map(\.value)); comma()
        key("income_window"); out.append(UInt8(ascii: "\"")); out.append(m.window.lowerBound); out.append("..")
        out.append(m.window.upperBound); out.append(UInt8(ascii: "\"")); comma()
        key("low_income_line"); optionalInt(a.lowIncomeLine?.value); comma()
        key("members"); int(Int64(a.unit.members.count)); comma()
        key("outcome_certain"); optionalInt(a.outcomeCertain.map { Int64($0.rawValue) }); comma()
        key("outcome_with_probable"); optionalInt(a.outcomeWithProbable.map { Int64($0.rawValue) }); comma()
        key("reasons"); out.append(UInt8(ascii: "["))
        for i in a.evidence.indices {
            if i > 0 { comma() }
            appendReason(a.evidence[i], records: references[(i == 0 ? 0 : referenceEnds[i - 1])..<referenceEnds[i]])
        }
        out.append(UInt8(ascii: "]")); comma()
        key("records"); out.append(UInt8(ascii: "["))
        for i in table.indices {
            if i > 0 { comma() }
            let entry = table[i]
            a.evidence[Int(entry.reason)].records.withUnsafeBufferPointer { appendRecord($0.baseAddress! + Int(entry.record)) }
        }
        out.append(UInt8(ascii: "]")); comma()
        key("standard"); optionalInt(a.standard?.value); comma()
        key("status"); code(a.status.rawValue); comma()
        key("unit_id"); string(a.unit.unitID); comma()
        key("verified_income"); intArray(m.verifiedIncome.lazy.map(\.value))
        endObject()
        out.append(0x0A)
    }

    private mutating func appendReason(_ r: ReasonEvidence, records: ArraySlice<Int32>) {
        beginObject()
        key("code"); code(r.code.rawValue); comma()
        key("figures"); out.append(UInt8(ascii: "["))
        for (i, f) in r.figures.enumerated() {
            if i > 0 { comma() }
            beginObject()
            key("name"); string(f.name); comma()
            key("unit"); code(f.unit.rawValue); comma()
            key("value"); int(f.value)
            endObject()
        }
        out.append(UInt8(ascii: "]")); comma()
        key("members"); intArray(r.members.lazy.map(Int64.init))
        if let note = r.note { comma(); key("note"); string(note) }
        comma()
        key("records"); intArray(records.lazy.map(Int64.init))
        endObject()
    }

    /// The fields of a record in `records`, in order: each record is a JSON array of these (a
    /// unit lists a dozen records or more; keys on each would double the file).
    public static let recordColumns = ["source", "file", "position", "member", "probable", "counted", "date", "amount", "label"]

    private mutating func appendRecord(_ e: UnsafePointer<EvidenceRecord>) {
        let facts = e.pointee.attached.facts
        out.append(UInt8(ascii: "["))
        code(facts.source.rawValue); comma()
        int(Int64(e.pointee.file)); comma()
        int(e.pointee.position); comma()
        int(Int64(e.pointee.member)); comma()
        out.append(e.pointee.probable ? "true" : "false"); comma()
        out.append(e.pointee.counted ? "true" : "false"); comma()
        EvidenceRecord.appendDate(of: facts, asJSONTo: &out); comma()
        optionalInt(e.pointee.amount); comma()
        EvidenceRecord.appendLabel(of: facts, asJSONTo: &out)
        out.append(UInt8(ascii: "]"))
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

    private mutating func intArray(_ values: some Sequence<Int64>) {
        out.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { comma() }
            int(v)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: `"` and `\` escaped, control characters as \u00XX; other UTF-8 as is.
    private mutating func string(_ text: String) { out.appendJSONString(text) }

    /// A code of this program (an enumeration's raw value: ASCII letters, digits and `_`) as a JSON
    /// string: nothing to escape, so not looked for (a test checks every code).
    private mutating func code(_ text: String) {
        out.append(UInt8(ascii: "\""))
        out.append(text)
        out.append(UInt8(ascii: "\""))
    }
}
