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
/// account number masked to its last 4 characters.
public struct EvidenceRecord: Sendable, Codable, Hashable {
    /// Index of the member in the unit.
    public var member: Int
    public var source: SourceKind
    /// Index of the input file in the manifest's file list.
    public var file: Int32
    /// CSV line or XML record index.
    public var position: Int64
    public var probable: Bool
    /// Account (masked), plate, certificate number, or income type and withholder.
    public var label: String
    /// as_of, registered_on, or the tax period.
    public var date: String
    /// Balance in yuan (converted), net income, or assessed value; nil where none.
    public var amount: Int64?
    /// Whether the rule counted it (a scrapped car or a record after the as-of date is shown, not counted).
    public var counted: Bool
}

/// Why a reason holds: figures, thresholds and the records behind it.
public struct ReasonEvidence: Sendable, Codable, Hashable {
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
        let record = attached.record
        self.member = member
        source = record.facts.source
        file = record.origin.file
        position = record.origin.position
        probable = attached.isProbable
        self.amount = amount
        self.counted = counted
        switch record.facts {
        case .bank(let b):
            label = "\(b.bankCode) \(b.maskedAccountNumber) \(b.accountType.rawValue)\(b.currency == "CNY" ? "" : " \(b.currency)")"
            date = b.asOf.description
        case .tax(let t):
            label = "\(t.incomeType.rawValue) \(t.withholder)"
            date = t.period.description
        case .vehicle(let v):
            label = "\(v.plate) \(v.vehicleType.rawValue) \(v.status.rawValue)"
            date = v.registeredOn.description
        case .property(let p):
            label = "\(p.certificateNumber) \(p.propertyType.rawValue) \(Fen.format(p.floorArea, fractionDigits: 2))m² × \(Fen.format(p.share, fractionDigits: 4)) \(p.status.rawValue)"
            date = p.registeredOn.description
        }
    }
}
