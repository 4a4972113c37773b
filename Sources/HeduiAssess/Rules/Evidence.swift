import HeduiModel

/// A figure behind a reason: what was measured, or the threshold it was compared with.
public struct Figure: Sendable, Codable, Hashable {
    public enum Unit: String, Sendable, Codable { case fen, count, squareMetreMillionths = "m2e-6" }
    public var name: String
    public var value: Int64
    public var unit: Unit

    public init(_ name: String, _ value: Int64, _ unit: Unit = .fen) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}

/// One exchange record shown as evidence: where it came from and what it says, with the
/// account number masked to its last 4 characters. The label and date are written when the
/// evidence is written (`appendLabel`, `appendDate`), not made for every record measured.
public struct EvidenceRecord: Sendable, Hashable {
    /// Index of the member in the unit.
    public var member: Int
    /// The record, as attached to the member.
    public var attached: AttachedRecord
    public var probable: Bool
    /// Balance in yuan (converted), net income, or assessed value; nil where none.
    public var amount: Int64?
    /// Whether the rule counted it (a scrapped car or a record after the as-of date is shown, not counted).
    public var counted: Bool

    /// The record decoded (with `String`s).
    public var record: ExchangeRecord { attached.record }

    /// The order of evidence lists: by file, position in the file, then member.
    static func precedesByOrigin(_ a: EvidenceRecord, _ b: EvidenceRecord) -> Bool {
        let (x, y) = (a.attached.origin, b.attached.origin)
        if x.file != y.file { return x.file < y.file }
        if x.position != y.position { return x.position < y.position }
        return a.member < b.member
    }

    /// Sorts `records` as `sort(by: precedesByOrigin)` does (stably: records of equal origin and
    /// member keep their order), without moving the records while sorting: the comparisons and
    /// moves of a sort of the records themselves retained and released each record's storage.
    /// Records already in order (one member's, most often) are checked and left as they are;
    /// otherwise their keys, with their positions as the last key, are sorted, and the records
    /// moved once into place.
    static func sortByOrigin(_ records: inout [EvidenceRecord]) {
        let n = records.count
        guard n > 1 else { return }
        records.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var inOrder = true
            for i in 1..<n where OriginKey(base + i, at: i) < OriginKey(base + i - 1, at: i - 1) {
                inOrder = false
                break
            }
            if inOrder { return }
            withUnsafeTemporaryAllocation(of: OriginKey.self, capacity: n) { keys in
                for i in 0..<n { (keys.baseAddress! + i).initialize(to: OriginKey(base + i, at: i)) }
                var keys = keys
                keys.sort(by: <)
                // Position i takes the record at keys[i].index: each cycle of the permutation is
                // moved round once, marking each position done with its own index.
                for start in 0..<n where Int(keys[start].index) != start {
                    let first = (base + start).move()
                    var i = start
                    while Int(keys[i].index) != start {
                        let next = Int(keys[i].index)
                        (base + i).moveInitialize(from: base + next, count: 1)
                        keys[i].index = Int32(i)
                        i = next
                    }
                    (base + i).initialize(to: first)
                    keys[i].index = Int32(i)
                }
                _ = keys.deinitialize()
            }
        }
    }

    /// What `precedesByOrigin` compares, then the record's position in its list.
    private struct OriginKey: Comparable {
        var position: Int64
        var file: Int32
        var member: Int32
        var index: Int32

        /// Read in place (a copy of the record would retain its storage).
        init(_ record: UnsafePointer<EvidenceRecord>, at index: Int) {
            position = record.pointee.attached.origin.position
            file = record.pointee.attached.origin.file
            member = Int32(truncatingIfNeeded: record.pointee.member)
            self.index = Int32(index)
        }

        static func < (a: Self, b: Self) -> Bool {
            if a.file != b.file { return a.file < b.file }
            if a.position != b.position { return a.position < b.position }
            if a.member != b.member { return a.member < b.member }
            return a.index < b.index
        }
    }

    public var source: SourceKind { attached.source }
    /// Index of the input file in the manifest's file list.
    public var file: Int32 { attached.origin.file }
    /// CSV line or XML record index.
    public var position: Int64 { attached.origin.position }

    /// Appends the record's label as a JSON string: account (masked to its last 4 characters, as
    /// `BankBalance.maskedAccountNumber`), plate, certificate number, or income type and
    /// withholder. Written in pieces from the record's bytes (a `String` per record was a tenth of
    /// the evidence). Codes (account, income, vehicle and property types, statuses) are written
    /// without looking for characters to escape: they have none (a test checks every code).
    public func appendLabel(asJSONTo out: inout TextBuffer) { Self.appendLabel(of: attached.facts, asJSONTo: &out) }

    /// `appendLabel` of a record whose facts are read already.
    static func appendLabel(of facts: CompactFacts, asJSONTo out: inout TextBuffer) {
        out.append(UInt8(ascii: "\""))
        switch facts {
        case .bank(let b):
            out.appendJSONStringContent(b.bankCode)
            out.append(" …")
            let account = b.accountNumber
            if account.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
                // ASCII without CR: a character is a byte, so the last 4 characters are the last 4 bytes.
                out.appendJSONStringContent(UnsafeRawBufferPointer(rebasing: account.suffix(4)))
            } else {
                out.appendJSONStringContent(String(String(decoding: account, as: UTF8.self).suffix(4)))
            }
            out.append(UInt8(ascii: " "))
            out.append(b.accountType.rawValue)
            if !b.isCNY {
                out.append(UInt8(ascii: " "))
                out.appendJSONStringContent(b.currency)
            }
        case .tax(let t):
            out.append(t.incomeType.rawValue)
            out.append(UInt8(ascii: " "))
            out.appendJSONStringContent(t.withholder)
        case .vehicle(let v):
            out.appendJSONStringContent(v.plate)
            out.append(UInt8(ascii: " "))
            out.append(v.vehicleType.rawValue)
            out.append(UInt8(ascii: " "))
            out.append(v.status.rawValue)
        case .property(let p):
            // "<certificate> <type> <area>m² × <share> <status>", piece by piece (escaping is per byte).
            if p.certificateNumber.allSatisfy({ $0 < 0x80 }) {
                out.appendJSONStringContent(p.certificateNumber)
            } else {
                // As a `String` would have it: invalid UTF-8 repaired.
                out.appendJSONStringContent(String(decoding: p.certificateNumber, as: UTF8.self))
            }
            out.append(UInt8(ascii: " "))
            out.append(p.propertyType.rawValue)
            out.append(UInt8(ascii: " "))
            out.appendFixedPoint(p.floorArea, fractionDigits: 2)
            out.append("m² × ")
            out.appendFixedPoint(p.share, fractionDigits: 4)
            out.append(UInt8(ascii: " "))
            out.append(p.status.rawValue)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the record's date (as_of, registered_on, or the tax period) as a JSON string, digit by digit.
    public func appendDate(asJSONTo out: inout TextBuffer) { Self.appendDate(of: attached.facts, asJSONTo: &out) }

    /// `appendDate` of a record whose facts are read already.
    static func appendDate(of facts: CompactFacts, asJSONTo out: inout TextBuffer) {
        out.append(UInt8(ascii: "\""))
        switch facts {
        case .bank(let b): out.append(b.asOf)
        case .tax(let t): out.append(t.period)
        case .vehicle(let v): out.append(v.registeredOn)
        case .property(let p): out.append(p.registeredOn)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Equal records encode to equal bytes (`CompactRecord`), so the bytes stand for the record.
    public static func == (a: Self, b: Self) -> Bool {
        a.member == b.member && a.probable == b.probable && a.amount == b.amount && a.counted == b.counted
            && a.attached.origin == b.attached.origin && CompactFacts.same(a.attached.bytes, b.attached.bytes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(member)
        hasher.combine(attached.origin)
        hasher.combine(probable)
    }
}

/// Why a reason holds: figures, thresholds and the records behind it.
public struct ReasonEvidence: Sendable, Hashable {
    public var code: AssessmentReason
    public var figures: [Figure]
    public var records: [EvidenceRecord]
    /// Members concerned (indices in the unit).
    public var members: [Int]
    public var note: String?

    public init(code: AssessmentReason, figures: [Figure] = [], records: [EvidenceRecord] = [], members: [Int] = [], note: String? = nil) {
        self.code = code
        self.figures = figures
        self.records = records
        self.members = members
        self.note = note
    }
}

extension EvidenceRecord {
    init(_ attached: AttachedRecord, member: Int, amount: Int64?, counted: Bool) {
        self.member = member
        self.attached = attached
        probable = attached.isProbable
        self.amount = amount
        self.counted = counted
    }
}
