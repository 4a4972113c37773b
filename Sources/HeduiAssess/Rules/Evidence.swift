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
    public var source: SourceKind { attached.source }
    /// Index of the input file in the manifest's file list.
    public var file: Int32 { attached.origin.file }
    /// CSV line or XML record index.
    public var position: Int64 { attached.origin.position }

    /// Appends the record's label as a JSON string: account (masked to its last 4 characters, as
    /// `BankBalance.maskedAccountNumber`), plate, certificate number, or income type and
    /// withholder. Written in pieces from the record's bytes (a `String` per record was a tenth of
    /// the evidence).
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
            out.appendJSONStringContent(b.accountType.rawValue)
            if !b.isCNY {
                out.append(UInt8(ascii: " "))
                out.appendJSONStringContent(b.currency)
            }
        case .tax(let t):
            out.appendJSONStringContent(t.incomeType.rawValue)
            out.append(UInt8(ascii: " "))
            out.appendJSONStringContent(t.withholder)
        case .vehicle(let v):
            out.appendJSONStringContent(v.plate)
            out.append(UInt8(ascii: " "))
            out.appendJSONStringContent(v.vehicleType.rawValue)
            out.append(UInt8(ascii: " "))
            out.appendJSONStringContent(v.status.rawValue)
        case .property(let p):
            out.appendJSONStringContent(
                "\(String(decoding: p.certificateNumber, as: UTF8.self)) \(p.propertyType.rawValue) \(Fen.format(p.floorArea, fractionDigits: 2))m² × \(Fen.format(p.share, fractionDigits: 4)) \(p.status.rawValue)"
            )
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
