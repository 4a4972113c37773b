import HeduiModel

/// How the spot check (抽查 / 双随机) draws units (rules.md, "Spot checks").
public struct SpotCheckParameters: Hashable, Sendable {
    /// Share of each stratum to draw, in [0, 1].
    public var rate: PolicyDecimal
    /// At least this many units per stratum (all of them if the stratum is smaller).
    public var minPerStratum: Int
    /// A unit whose income is within this share of its line is borderline, in [0, 1].
    public var borderlineBand: PolicyDecimal
    /// Draw weight of a risky unit (others weigh 1), at least 1.
    public var riskWeight: Int

    public init(rate: PolicyDecimal, minPerStratum: Int, borderlineBand: PolicyDecimal, riskWeight: Int) {
        self.rate = rate
        self.minPerStratum = minPerStratum
        self.borderlineBand = borderlineBand
        self.riskWeight = riskWeight
    }

    /// rules.md's example: `{ rate: 0.05, min_per_stratum: 1, borderline_band: 0.10, risk_weight: 3 }`.
    public static let specDefaults = SpotCheckParameters(
        rate: PolicyDecimal(units: 5, scale: 2), minPerStratum: 1,
        borderlineBand: PolicyDecimal(units: 1, scale: 1), riskWeight: 3)
}

/// Every parameter of rules.md that `defaults` holds and a region's `overrides` may replace.
///
/// YAML keys are the snake_case forms of the property names (`income_window_months`, …);
/// `PolicyParameters.keys` lists them in file order.
public struct PolicyParameters: Hashable, Sendable {
    /// Months of tax records that count (the window ends with the month before the as-of month). 1...120.
    public var incomeWindowMonths: Int
    /// Low-income line L = round_half_up(S × this); at least 1.
    public var lowIncomeMultiplier: PolicyDecimal
    /// Financial assets ≤ S × this × n for dibao.
    public var assetsMonthsDibao: Int
    /// Financial assets ≤ S × this × n for low income.
    public var assetsMonthsLowIncome: Int
    /// Residential properties a household may own.
    public var maxHomes: Int
    /// Housing area per person in hundredths of m² (60 m² = 6000); nil = no limit (key omitted or null).
    public var housingAreaPerCapitaMax: Int64?
    /// Vehicle types that never count.
    public var vehicleExemptTypes: Set<VehicleType>
    /// Vehicles assessed below this do not count.
    public var vehicleValueExemptBelow: Fen
    /// Tax record types whose net income counts.
    public var countedIncomeTypes: Set<IncomeType>
    /// Whether rigid expenses (刚性支出) are deducted from the unit's income.
    public var deductRigidExpense: Bool
    /// Minimum benefit per person and month.
    public var minBenefitPerPerson: Fen
    /// `DECLARED_INCOME_UNDERSTATED` when Σ declared < Σ verified × (1 − this); in [0, 1].
    public var declaredIncomeTolerance: PolicyDecimal
    /// Yuan per unit of a foreign currency; keys upper-case ISO 4217 codes (`USD`).
    public var currencyRates: [String: PolicyDecimal]
    /// Spot-check draw parameters.
    public var spotCheck: SpotCheckParameters

    public init(
        incomeWindowMonths: Int, lowIncomeMultiplier: PolicyDecimal,
        assetsMonthsDibao: Int, assetsMonthsLowIncome: Int, maxHomes: Int,
        housingAreaPerCapitaMax: Int64?, vehicleExemptTypes: Set<VehicleType>,
        vehicleValueExemptBelow: Fen, countedIncomeTypes: Set<IncomeType>,
        deductRigidExpense: Bool, minBenefitPerPerson: Fen, declaredIncomeTolerance: PolicyDecimal,
        currencyRates: [String: PolicyDecimal], spotCheck: SpotCheckParameters
    ) {
        self.incomeWindowMonths = incomeWindowMonths
        self.lowIncomeMultiplier = lowIncomeMultiplier
        self.assetsMonthsDibao = assetsMonthsDibao
        self.assetsMonthsLowIncome = assetsMonthsLowIncome
        self.maxHomes = maxHomes
        self.housingAreaPerCapitaMax = housingAreaPerCapitaMax
        self.vehicleExemptTypes = vehicleExemptTypes
        self.vehicleValueExemptBelow = vehicleValueExemptBelow
        self.countedIncomeTypes = countedIncomeTypes
        self.deductRigidExpense = deductRigidExpense
        self.minBenefitPerPerson = minBenefitPerPerson
        self.declaredIncomeTolerance = declaredIncomeTolerance
        self.currencyRates = currencyRates
        self.spotCheck = spotCheck
    }

    /// The values a `defaults` key takes when the file leaves it out: the example in rules.md
    /// ("The policy file"), except `housing_area_per_capita_max`, which rules.md says to omit
    /// for no limit, so an omitted key means no limit (nil).
    public static let specDefaults = PolicyParameters(
        incomeWindowMonths: 12, lowIncomeMultiplier: PolicyDecimal(units: 15, scale: 1),
        assetsMonthsDibao: 24, assetsMonthsLowIncome: 36, maxHomes: 1,
        housingAreaPerCapitaMax: nil,
        vehicleExemptTypes: [.motorcycle, .disability, .agricultural],
        vehicleValueExemptBelow: .zero,
        countedIncomeTypes: Set(IncomeType.allCases),
        deductRigidExpense: true, minBenefitPerPerson: .zero,
        declaredIncomeTolerance: PolicyDecimal(units: 2, scale: 1),
        currencyRates: [:], spotCheck: .specDefaults)

    /// The YAML keys of `defaults` and `overrides`, in the order rules.md lists them.
    public static let keys: [String] = [
        "income_window_months", "low_income_multiplier", "assets_months_dibao", "assets_months_low_income",
        "max_homes", "housing_area_per_capita_max", "vehicle_exempt_types", "vehicle_value_exempt_below",
        "counted_income_types", "deduct_rigid_expense", "min_benefit_per_person", "declared_income_tolerance",
        "currency_rates", "spot_check",
    ]

    /// The YAML keys of `spot_check`.
    public static let spotCheckKeys: [String] = ["rate", "min_per_stratum", "borderline_band", "risk_weight"]

    /// The rate for a currency code (any case), or nil when the policy has none.
    public func currencyRate(for code: String) -> PolicyDecimal? {
        currencyRates[code.uppercased()]
    }
}
