import HeduiModel

/// The disqualifying and level rules of rules.md ("Reasons"), on totals, never on rounded
/// per-capita figures. S is the standard per person, L the low-income line, n the unit's size.
struct Thresholds {
    let s: Fen
    let l: Fen
    let n: Int64
    /// The parameters the rules compare with (not the whole `PolicyParameters`: copying it per
    /// unit retained its sets, maps and strings).
    let assetsMonthsLowIncome: Int64
    let assetsMonthsDibao: Int64
    let maxHomes: Int
    let housingAreaPerCapitaMax: Int64?

    init(s: Fen, l: Fen, n: Int64, parameters p: PolicyParameters) {
        self.s = s
        self.l = l
        self.n = n
        assetsMonthsLowIncome = Int64(p.assetsMonthsLowIncome)
        assetsMonthsDibao = Int64(p.assetsMonthsDibao)
        maxHomes = p.maxHomes
        housingAreaPerCapitaMax = p.housingAreaPerCapitaMax
    }

    /// The disqualifying and level reasons that hold for `m`, each with its figures and records.
    func reasons(for m: Measures, evidence: inout ReasonEvidenceTable) -> ReasonSet {
        var found = ReasonSet()
        func add(_ code: AssessmentReason, _ figures: [Figure], _ records: [EvidenceRecord]) {
            found.insert(code)
            evidence.set(ReasonEvidence(code: code, figures: figures, records: records))
        }
        let income = m.monthlyIncome.value
        // The income figures, then the threshold: one array literal each (appending the threshold to
        // a shared array of the three made a second array).
        let incomeFigures = { (threshold: Figure) in
            [
                Figure("monthly_income", income), Figure("gross_monthly_income", m.grossMonthlyIncome.value),
                Figure("rigid_expense_deduction", m.rigidDeduction.value), threshold,
            ]
        }
        // INCOME_OVER_LOW_INCOME: unit monthly income > L × n.
        let lowIncomeLine = l.value * n
        if income > lowIncomeLine {
            add(.incomeOverLowIncome, incomeFigures(Figure("threshold_low_income_line_x_n", lowIncomeLine)), m.incomeRecords)
        }
        // INCOME_OVER_DIBAO: unit monthly income ≥ S × n.
        let dibaoLine = s.value * n
        if income >= dibaoLine {
            add(.incomeOverDibao, incomeFigures(Figure("threshold_standard_x_n", dibaoLine)), m.incomeRecords)
        }
        // ASSETS_OVER_LOW_INCOME_LIMIT: assets > S × assets_months_low_income × n.
        let assets = m.financialAssets.value
        let lowIncomeAssets = s.value * assetsMonthsLowIncome * n
        if assets > lowIncomeAssets {
            add(
                .assetsOverLowIncomeLimit, [Figure("financial_assets", assets), Figure("threshold_assets_low_income", lowIncomeAssets)],
                m.accountRecords)
        }
        // ASSETS_OVER_DIBAO_LIMIT: assets > S × assets_months_dibao × n.
        let dibaoAssets = s.value * assetsMonthsDibao * n
        if assets > dibaoAssets {
            add(
                .assetsOverDibaoLimit, [Figure("financial_assets", assets), Figure("threshold_assets_dibao", dibaoAssets)], m.accountRecords
            )
        }
        // VEHICLE_OWNED: one or more counted vehicles.
        if !m.countedVehicles.isEmpty {
            add(.vehicleOwned, [Figure("vehicles", Int64(m.countedVehicles.count), .count)], m.countedVehicles)
        }
        // PROPERTY_OVER_LIMIT: homes (distinct residential certificates) > max_homes.
        if m.homes.count > maxHomes {
            add(
                .propertyOverLimit, [Figure("homes", Int64(m.homes.count), .count), Figure("max_homes", Int64(maxHomes), .count)],
                m.residentialRecords)
        }
        // NON_RESIDENTIAL_PROPERTY: any counted commercial, office or industrial record.
        if !m.nonResidentialRecords.isEmpty {
            add(.nonResidentialProperty, [Figure("non_residential", Int64(m.nonResidentialRecords.count), .count)], m.nonResidentialRecords)
        }
        // HOUSING_AREA_OVER_LIMIT: housing area > housing_area_per_capita_max × n (exact, in millionths of m²).
        if let perCapita = housingAreaPerCapitaMax {
            let limit = perCapita * 10_000 * n
            if m.housingAreaMillionths > limit {
                add(
                    .housingAreaOverLimit,
                    [
                        Figure("housing_area", m.housingAreaMillionths, .squareMetreMillionths),
                        Figure("threshold_housing_area", limit, .squareMetreMillionths),
                    ], m.residentialRecords)
            }
        }
        return found
    }
}
