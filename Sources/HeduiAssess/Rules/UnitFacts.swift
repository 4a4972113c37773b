import HeduiModel

/// Everything known about one unit of assessment when it is assessed: its household's fields,
/// its members with the records attached to them, and the review facts found before.
/// The batch builds these from the households and matching stage.
public struct UnitFacts: Sendable {
    public var unitID: String
    public var householdID: String
    public var regionCode: RegionCode
    public var areaType: AreaType
    public var applicationType: ApplicationType
    public var currentStatus: BenefitStatus
    public var members: [MemberFacts]
    public var reviewFacts: [ReviewFact]

    public init(
        unitID: String, householdID: String, regionCode: RegionCode, areaType: AreaType,
        applicationType: ApplicationType, currentStatus: BenefitStatus, members: [MemberFacts], reviewFacts: [ReviewFact]
    ) {
        self.unitID = unitID
        self.householdID = householdID
        self.regionCode = regionCode
        self.areaType = areaType
        self.applicationType = applicationType
        self.currentStatus = currentStatus
        self.members = members
        self.reviewFacts = reviewFacts
    }
}

/// A member as assessed: declared figures and the records matched to them.
public struct MemberFacts: Sendable {
    public var declaredMonthlyIncome: Fen
    public var rigidExpenseAnnual: Fen
    public var records: [AttachedRecord]

    public init(declaredMonthlyIncome: Fen, rigidExpenseAnnual: Fen, records: [AttachedRecord]) {
        self.declaredMonthlyIncome = declaredMonthlyIncome
        self.rigidExpenseAnnual = rigidExpenseAnnual
        self.records = records
    }
}

/// A record matched to a member: certain, or probable (rules.md, "Matching records to members").
///
/// The record is kept as its compact bytes (`CompactRecord`) in storage shared by the unit's
/// records, and read in place (`facts`): the assessment makes no `String` for it.
public struct AttachedRecord: Sendable {
    /// Keeps the bytes alive.
    let storage: CompactRecordStorage
    let offset: Int32
    let count: Int32
    public var origin: RecordOrigin
    public var isProbable: Bool

    public init(record: ExchangeRecord, isProbable: Bool) {
        storage = CompactRecordStorage(record)
        offset = 0
        count = Int32(storage.count)
        origin = record.origin
        self.isProbable = isProbable
    }

    /// The record whose compact bytes are `storage`'s `offset..<offset + count`.
    public init(storage: CompactRecordStorage, offset: Int, count: Int, origin: RecordOrigin, isProbable: Bool) {
        precondition(offset >= 0 && count > 0 && offset + count <= storage.count)
        self.storage = storage
        self.offset = Int32(offset)
        self.count = Int32(count)
        self.origin = origin
        self.isProbable = isProbable
    }

    /// The record's compact bytes: valid while this record (or a copy) is.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage.base + Int(offset), count: Int(count)) }

    /// What the record says, read in place.
    public var facts: CompactFacts { CompactFacts(bytes) }

    public var source: SourceKind { facts.source }

    /// The record decoded (with `String`s): for what is rare or not on the hot path.
    public var record: ExchangeRecord { CompactRecord.decode(bytes, origin: origin) }
}

/// A review fact found before assessment, with what the caseworker needs to see.
public enum ReviewFact: Sendable, Hashable {
    /// The member (index in the unit) has a valid ID that is on other roster rows too.
    case duplicateMembership(member: Int, otherHouseholds: [String])
    case memberIDInvalid(member: Int, problem: String)
    case separateHouseholdInvalid(member: Int, why: String)
    /// A quarantined record carries a member's valid ID, or a roster row of the household was refused.
    case recordRejected(member: Int?, file: String, location: String, code: String)
    case sourceMissing(SourceKind)
    case sourceIncomplete(SourceKind, files: [String])
}
