import HeduiModel

/// A reason code of rules.md ("Reasons"). Every rule of the spec has one code here, and
/// `Measures+Reasons.swift` says when each holds.
public enum AssessmentReason: String, CaseIterable, Comparable, Sendable, Codable {
    // Disqualifying: the unit is ineligible (on certain evidence).
    case incomeOverLowIncome = "INCOME_OVER_LOW_INCOME"
    case assetsOverLowIncomeLimit = "ASSETS_OVER_LOW_INCOME_LIMIT"
    case vehicleOwned = "VEHICLE_OWNED"
    case propertyOverLimit = "PROPERTY_OVER_LIMIT"
    case nonResidentialProperty = "NON_RESIDENTIAL_PROPERTY"
    case housingAreaOverLimit = "HOUSING_AREA_OVER_LIMIT"
    // Level: low-income but not dibao.
    case incomeOverDibao = "INCOME_OVER_DIBAO"
    case assetsOverDibaoLimit = "ASSETS_OVER_DIBAO_LIMIT"
    // Review: a person must look.
    case probableMatch = "PROBABLE_MATCH"
    case duplicateMembership = "DUPLICATE_MEMBERSHIP"
    case memberIDInvalid = "MEMBER_ID_INVALID"
    case separateHouseholdInvalid = "SEPARATE_HOUSEHOLD_INVALID"
    case sourceMissingBank = "SOURCE_MISSING_BANK"
    case sourceMissingTax = "SOURCE_MISSING_TAX"
    case sourceMissingVehicle = "SOURCE_MISSING_VEHICLE"
    case sourceMissingProperty = "SOURCE_MISSING_PROPERTY"
    case sourceIncompleteBank = "SOURCE_INCOMPLETE_BANK"
    case sourceIncompleteTax = "SOURCE_INCOMPLETE_TAX"
    case sourceIncompleteVehicle = "SOURCE_INCOMPLETE_VEHICLE"
    case sourceIncompleteProperty = "SOURCE_INCOMPLETE_PROPERTY"
    case recordRejected = "RECORD_REJECTED"
    case policyMissing = "POLICY_MISSING"
    // Informational: shown to the reviewer, no effect on status.
    case declaredIncomeUnderstated = "DECLARED_INCOME_UNDERSTATED"
    case probableMatchNoEffect = "PROBABLE_MATCH_NO_EFFECT"

    public enum Kind: String, Sendable, Codable { case disqualifying, level, review, informational }

    public var kind: Kind {
        switch self {
        case .incomeOverLowIncome, .assetsOverLowIncomeLimit, .vehicleOwned, .propertyOverLimit,
            .nonResidentialProperty, .housingAreaOverLimit:
            .disqualifying
        case .incomeOverDibao, .assetsOverDibaoLimit:
            .level
        case .declaredIncomeUnderstated, .probableMatchNoEffect:
            .informational
        default:
            .review
        }
    }

    /// Review reasons that need no policy: those kept for a region without one (rules.md, point 6).
    public var needsPolicy: Bool { kind != .review || self == .probableMatch }

    public static func sourceMissing(_ source: SourceKind) -> Self {
        switch source {
        case .bank: .sourceMissingBank
        case .tax: .sourceMissingTax
        case .vehicle: .sourceMissingVehicle
        default: .sourceMissingProperty
        }
    }

    public static func sourceIncomplete(_ source: SourceKind) -> Self {
        switch source {
        case .bank: .sourceIncompleteBank
        case .tax: .sourceIncompleteTax
        case .vehicle: .sourceIncompleteVehicle
        default: .sourceIncompleteProperty
        }
    }

    /// ASCII order of the codes, as `assessments.csv` lists them (rules.md, point 3).
    public static func < (a: Self, b: Self) -> Bool { a.rawValue.utf8.lexicographicallyPrecedes(b.rawValue.utf8) }

    /// The case's position in the declaration (= in `allCases`): 0, 1, 2… (fewer than 32 cases).
    var caseNumber: Int {
        precondition(MemoryLayout<Self>.size == 1)
        return Int(unsafeBitCast(self, to: UInt8.self))
    }

    /// Every code in ASCII order (`<`), computed once from the codes themselves.
    static let asciiOrder: [AssessmentReason] = allCases.sorted()
}

/// The evidence of a unit's reasons while they are found: one entry per code, in the order
/// found, with their codes as a `ReasonSet`. A unit has a few reasons: a linear search finds an
/// entry, where a `[AssessmentReason: ReasonEvidence]` per unit hashed the code on every access.
struct ReasonEvidenceTable {
    private(set) var codes = ReasonSet()
    private var entries: [ReasonEvidence] = []

    /// Records `evidence` for its code, replacing any recorded before.
    mutating func set(_ evidence: ReasonEvidence) {
        if codes.contains(evidence.code), let k = entries.firstIndex(where: { $0.code == evidence.code }) {
            entries[k] = evidence
        } else {
            codes.insert(evidence.code)
            entries.append(evidence)
        }
    }

    /// Changes the evidence of `code`, starting from `ReasonEvidence(code: code)` when there is none yet.
    mutating func update(_ code: AssessmentReason, _ change: (inout ReasonEvidence) -> Void) {
        if codes.contains(code), let k = entries.firstIndex(where: { $0.code == code }) {
            change(&entries[k])
        } else {
            var evidence = ReasonEvidence(code: code)
            change(&evidence)
            codes.insert(code)
            entries.append(evidence)
        }
    }

    /// The evidence of the codes in `kept`, in ASCII order of code (as `Assessment.evidence` lists it).
    func ordered(_ kept: ReasonSet) -> [ReasonEvidence] {
        if kept == codes && entries.count <= 1 { return entries }
        var result: [ReasonEvidence] = []
        result.reserveCapacity(kept.bits.nonzeroBitCount)
        for code in AssessmentReason.asciiOrder where kept.contains(code) {
            if let evidence = entries.first(where: { $0.code == code }) { result.append(evidence) }
        }
        return result
    }
}

/// A set of reasons as one bit per code (`caseNumber`): a unit's reasons are collected and
/// tested without hashing (a `Set<AssessmentReason>` per unit hashed every insertion and test).
struct ReasonSet: Equatable {
    var bits: UInt32 = 0

    init() {}
    init(_ codes: some Sequence<AssessmentReason>) { for code in codes { insert(code) } }

    var isEmpty: Bool { bits == 0 }
    func contains(_ code: AssessmentReason) -> Bool { bits & (1 << UInt32(code.caseNumber)) != 0 }
    mutating func insert(_ code: AssessmentReason) { bits |= 1 << UInt32(code.caseNumber) }
    mutating func formUnion(_ other: ReasonSet) { bits |= other.bits }
    func intersection(_ other: ReasonSet) -> ReasonSet { ReasonSet(bits: bits & other.bits) }
    func subtracting(_ other: ReasonSet) -> ReasonSet { ReasonSet(bits: bits & ~other.bits) }
    /// Whether any code is in both.
    func intersects(_ other: ReasonSet) -> Bool { bits & other.bits != 0 }

    /// The codes in ASCII order, as `Assessment.reasons` lists them.
    var sorted: [AssessmentReason] {
        var codes: [AssessmentReason] = []
        guard bits != 0 else { return codes }
        codes.reserveCapacity(bits.nonzeroBitCount)
        for code in AssessmentReason.asciiOrder where contains(code) { codes.append(code) }
        return codes
    }

    private init(bits: UInt32) { self.bits = bits }

    /// The codes of each kind, and the review codes kept without a policy.
    static let disqualifying = ReasonSet(AssessmentReason.allCases.filter { $0.kind == .disqualifying })
    static let level = ReasonSet(AssessmentReason.allCases.filter { $0.kind == .level })
    static let review = ReasonSet(AssessmentReason.allCases.filter { $0.kind == .review })
    static let needingPolicy = ReasonSet(AssessmentReason.allCases.filter(\.needsPolicy))
}

/// The status of a unit (rules.md, "Status").
public enum AssessmentStatus: String, Sendable, Codable, CaseIterable {
    case eligibleDibao = "eligible_dibao"
    case eligibleLowIncome = "eligible_low_income"
    case ineligible
    case needsReview = "needs_review"
}

/// A flag for the relief office (rules.md, "Flags").
public enum ReliefFlag: String, Sendable, Codable, CaseIterable {
    case exitRecommended = "exit_recommended"
    case rejectRecommended = "reject_recommended"
    case levelChange = "level_change"
    case review
}

/// The level the reasons give: the outcome compared for probable evidence (rules.md, point 1).
public enum Outcome: Int, Sendable, Codable, Comparable {
    case dibao, lowIncome, ineligible
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
