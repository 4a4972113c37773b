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
