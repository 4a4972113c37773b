import HeduiAssess
import HeduiModel
import Testing

// Table-driven tests of rules.md at its boundaries. Each case names the rule it checks.
// Policy: S = 1000.00 yuan (100000 fen) in 330902, L = 1500.00, n = 2 unless stated,
// as-of 2024-05-31, so the income window is 2023-05 ... 2024-04.

private let policyText = """
    version: 1
    defaults:
      income_window_months: 12
      low_income_multiplier: 1.5
      assets_months_dibao: 24
      assets_months_low_income: 36
      max_homes: 1
      housing_area_per_capita_max: 60
      vehicle_exempt_types: [motorcycle, disability, agricultural]
      vehicle_value_exempt_below: 0
      deduct_rigid_expense: true
      min_benefit_per_person: 0
      declared_income_tolerance: 0.2
      currency_rates: { USD: 7.10 }
    regions:
      "330902":
        standards:
          - { from: 2024-01-01, urban: 1000, rural: 800 }
      "330903":
        standards:
          - { from: 2024-01-01, urban: 1000, rural: 1000 }
        overrides: { vehicle_value_exempt_below: 50000 }
      "330904":
        standards:
          - { from: 2024-06-01, urban: 1000, rural: 1000 }
    """

private let asOf = Day(year: 2024, month: 5, day: 31)!
private let assessor = UnitAssessor(policy: try! PolicyTable(yaml: policyText, fileName: "test.yaml"), asOf: asOf)
private let alice = IDNumber(body: 33090219800101123)
private let bob = IDNumber(body: 33090219750615001)

private func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

private func record(_ facts: ExchangeFacts, holder: IDNumber = alice, name: String = "张三", position: Int64 = 2) -> AttachedRecord {
    AttachedRecord(
        record: ExchangeRecord(
            holder: .valid(holder), holderName: name, facts: facts,
            origin: RecordOrigin(file: 0, position: position)), isProbable: false)
}

private func bank(_ balance: Int64, account: String = "6222000000001234", asOf: Day = day(2024, 5, 1), currency: String = "CNY")
    -> AttachedRecord
{
    record(
        .bank(
            BankBalance(
                bankCode: "102", accountNumber: account, accountType: .demand, balance: Fen(balance),
                currency: currency, asOf: asOf)))
}

private func tax(_ gross: Int64, _ year: Int, _ month: Int, type: IncomeType = .wage) -> AttachedRecord {
    record(
        .tax(
            TaxIncome(
                period: Month(year: year, month: month)!, incomeType: type, grossIncome: Fen(gross),
                taxPaid: .zero, socialContribution: .zero, withholder: "某公司")))
}

private func vehicle(_ type: VehicleType, value: Int64?, status: VehicleStatus = .normal, registered: Day = day(2020, 1, 1))
    -> AttachedRecord
{
    record(
        .vehicle(
            VehicleRegistration(
                plate: "浙L12345", vehicleType: type, registeredOn: registered,
                assessedValue: value.map { Fen($0) }, status: status)))
}

private func property(
    _ cert: String, _ type: PropertyType = .residential, area: Int64 = 8_000, share: Int64 = 10_000,
    status: PropertyStatus = .valid
) -> AttachedRecord {
    record(
        .property(
            PropertyRegistration(
                certificateNumber: cert, propertyType: type, floorArea: area, share: share,
                registeredOn: day(2015, 1, 1), status: status, address: "")))
}

/// A unit of `n` members; member 0 holds `records` and declares `declared` fen a month.
private func unit(
    n: Int = 2, region: String = "330902", declared: Int64 = 0, rigid: Int64 = 0, records: [AttachedRecord] = [],
    application: ApplicationType = .dibao, current: BenefitStatus = .none, review: [ReviewFact] = []
) -> UnitFacts {
    var members = [MemberFacts(declaredMonthlyIncome: Fen(declared), rigidExpenseAnnual: Fen(rigid), records: records)]
    for _ in 1..<n { members.append(MemberFacts(declaredMonthlyIncome: .zero, rigidExpenseAnnual: .zero, records: [])) }
    return UnitFacts(
        unitID: "HH1", householdID: "HH1", regionCode: RegionCode(region)!, areaType: .urban,
        applicationType: application, currentStatus: current, members: members, reviewFacts: review)
}

struct Case: CustomTestStringConvertible, Sendable {
    var rule: String
    var unit: UnitFacts
    var status: AssessmentStatus
    var reasons: [AssessmentReason]
    var testDescription: String { rule }
}

@Suite("rules.md at its boundaries")
struct AssessmentRulesTests {
    static let cases: [Case] = [
        Case(
            rule: "INCOME_OVER_DIBAO: income exactly S×n is not dibao", unit: unit(declared: 200_000),
            status: .eligibleLowIncome, reasons: [.incomeOverDibao]),
        Case(rule: "income one fen below S×n is dibao", unit: unit(declared: 199_999), status: .eligibleDibao, reasons: []),
        Case(
            rule: "INCOME_OVER_LOW_INCOME: income exactly L×n is still low income", unit: unit(declared: 300_000),
            status: .eligibleLowIncome, reasons: [.incomeOverDibao]),
        Case(
            rule: "INCOME_OVER_LOW_INCOME: one fen above L×n is ineligible", unit: unit(declared: 300_001),
            status: .ineligible, reasons: [.incomeOverDibao, .incomeOverLowIncome]),
        Case(
            rule: "ASSETS_OVER_DIBAO_LIMIT: assets exactly S×24×n is dibao", unit: unit(records: [bank(4_800_000)]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "ASSETS_OVER_DIBAO_LIMIT: one fen above", unit: unit(records: [bank(4_800_001)]),
            status: .eligibleLowIncome, reasons: [.assetsOverDibaoLimit]),
        Case(
            rule: "ASSETS_OVER_LOW_INCOME_LIMIT: exactly S×36×n is low income", unit: unit(records: [bank(7_200_000)]),
            status: .eligibleLowIncome, reasons: [.assetsOverDibaoLimit]),
        Case(
            rule: "ASSETS_OVER_LOW_INCOME_LIMIT: one fen above", unit: unit(records: [bank(7_200_001)]),
            status: .ineligible, reasons: [.assetsOverDibaoLimit, .assetsOverLowIncomeLimit]),
        Case(
            rule: "a balance dated after the as-of date is ignored; the earlier one counts",
            unit: unit(records: [bank(100, asOf: day(2024, 5, 1)), bank(9_000_000, asOf: day(2024, 6, 1))]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "latest balance per account: the later date counts, not the sum",
            unit: unit(records: [bank(9_000_000, asOf: day(2024, 1, 1)), bank(100, asOf: day(2024, 5, 1))]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "a negative balance counts 0", unit: unit(records: [bank(-5_000_000), bank(4_800_000, account: "2")]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "currency converted per record, rounded half up: 6,760.57 USD × 7.10 = 48,000.05 yuan > S×24×n",
            unit: unit(records: [bank(676_057, currency: "USD")]), status: .eligibleLowIncome, reasons: [.assetsOverDibaoLimit]),
        Case(
            rule: "currency: 6,760.56 USD × 7.10 = 47,999.98 yuan is within S×24×n",
            unit: unit(records: [bank(676_056, currency: "USD")]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "VEHICLE_OWNED: a car", unit: unit(records: [vehicle(.car, value: nil)]),
            status: .ineligible, reasons: [.vehicleOwned]),
        Case(
            rule: "an exempt type (motorcycle) does not count", unit: unit(records: [vehicle(.motorcycle, value: 1_000_000)]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "a scrapped car does not count", unit: unit(records: [vehicle(.car, value: nil, status: .scrapped)]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "a seized car counts", unit: unit(records: [vehicle(.car, value: nil, status: .seized)]),
            status: .ineligible, reasons: [.vehicleOwned]),
        Case(
            rule: "a car registered after the as-of date does not count",
            unit: unit(records: [vehicle(.car, value: nil, registered: day(2024, 6, 1))]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "vehicle_value_exempt_below: a car assessed exactly at the exemption value counts",
            unit: unit(region: "330903", records: [vehicle(.car, value: 5_000_000)]), status: .ineligible, reasons: [.vehicleOwned]),
        Case(
            rule: "vehicle_value_exempt_below: one fen below does not count",
            unit: unit(region: "330903", records: [vehicle(.car, value: 4_999_999)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "PROPERTY_OVER_LIMIT: two homes", unit: unit(records: [property("C1", area: 5_000), property("C2", area: 5_000)]),
            status: .ineligible, reasons: [.propertyOverLimit]),
        Case(
            rule: "a co-owned home (the same certificate twice) counts once",
            unit: unit(records: [property("C1", share: 5_000), property("C1", share: 5_000)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "a cancelled certificate does not count",
            unit: unit(records: [property("C1"), property("C2", status: .cancelled)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "NON_RESIDENTIAL_PROPERTY: a shop", unit: unit(records: [property("C1"), property("S1", .commercial)]),
            status: .ineligible, reasons: [.nonResidentialProperty]),
        Case(
            rule: "parking is ignored", unit: unit(records: [property("C1"), property("P1", .parking)]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "HOUSING_AREA_OVER_LIMIT: exactly 60 m² × n is allowed", unit: unit(records: [property("C1", area: 12_000)]),
            status: .eligibleDibao, reasons: []),
        Case(
            rule: "HOUSING_AREA_OVER_LIMIT: 0.01 m² over 60 m² × n", unit: unit(records: [property("C1", area: 12_001)]),
            status: .ineligible, reasons: [.housingAreaOverLimit]),
        Case(
            rule: "housing area by share: 240 m² × 0.5 = 120 m² is at the limit",
            unit: unit(records: [property("C1", area: 24_000, share: 5_000)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "income window: a tax record just outside (2023-04) and after it (2024-05) do not count",
            unit: unit(records: [tax(100_000_000, 2023, 4), tax(100_000_000, 2024, 5)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "income window: 2023-05 and 2024-04 count; 12 × 2,400,000 / 12 = 2,400,000 > L×n",
            unit: unit(records: [tax(1_200_000 * 12, 2023, 5), tax(1_200_000 * 12, 2024, 4)]),
            status: .ineligible, reasons: [.declaredIncomeUnderstated, .incomeOverDibao, .incomeOverLowIncome]),
        Case(
            rule: "rigid expenses deducted: 2,400.00 declared − 12,000.00/12 = 1,400.00 < S×n",
            unit: unit(declared: 240_000, rigid: 1_200_000), status: .eligibleDibao, reasons: []),
        Case(
            rule: "monthly income of a member is max(verified, declared)",
            unit: unit(declared: 250_000, records: [tax(100_000 * 12, 2024, 1)]), status: .eligibleLowIncome, reasons: [.incomeOverDibao]),
        Case(
            rule: "DECLARED_INCOME_UNDERSTATED: declared 0 against verified 1,000.00; status unchanged",
            unit: unit(records: [tax(100_000 * 12, 2024, 1)]), status: .eligibleDibao, reasons: [.declaredIncomeUnderstated]),
        Case(
            rule: "declared exactly verified × (1 − 0.2) is not understated",
            unit: unit(declared: 80_000, records: [tax(100_000 * 12, 2024, 1)]), status: .eligibleDibao, reasons: []),
        Case(
            rule: "POLICY_MISSING: no standard in force on the as-of date", unit: unit(region: "330904", declared: 900_000),
            status: .needsReview, reasons: [.policyMissing]),
        Case(
            rule: "POLICY_MISSING: region not in the policy keeps review reasons that need no policy",
            unit: unit(region: "110105", review: [.memberIDInvalid(member: 1, problem: "x")]),
            status: .needsReview, reasons: [.memberIDInvalid, .policyMissing]),
        Case(
            rule: "a review reason makes an otherwise eligible unit needs_review",
            unit: unit(review: [.duplicateMembership(member: 0, otherHouseholds: ["HH2"])]),
            status: .needsReview, reasons: [.duplicateMembership]),
        Case(
            rule: "an ineligible unit stays ineligible with review reasons, listing them",
            unit: unit(records: [vehicle(.car, value: nil)], review: [.sourceMissing(.bank)]),
            status: .ineligible, reasons: [.sourceMissingBank, .vehicleOwned]),
    ]

    @Test(arguments: cases)
    func rule(_ c: Case) {
        let a = assessor.assess(c.unit)
        #expect(a.status == c.status, "\(c.rule)")
        #expect(a.reasons == c.reasons.sorted(), "\(c.rule)")
        // A reason without its evidence is a bug.
        #expect(a.evidence.map(\.code) == a.reasons, "\(c.rule)")
    }

    @Test("Suggested benefit: max(S×n − income, min × n) rounded up to a whole yuan; others 0")
    func benefit() {
        #expect(assessor.assess(unit(declared: 199_999)).suggestedBenefit == 1)
        #expect(assessor.assess(unit(declared: 150_050)).suggestedBenefit == 500)
        #expect(assessor.assess(unit(declared: 150_049)).suggestedBenefit == 500)
        #expect(assessor.assess(unit(declared: 0)).suggestedBenefit == 2_000)
        #expect(assessor.assess(unit(declared: 200_000)).suggestedBenefit == 0)
        #expect(assessor.assess(unit(region: "330904")).suggestedBenefit == 0)
        #expect(assessor.assess(unit(region: "330904")).standard == nil)
    }

    @Test("Flags: exit, reject, level change (recheck vs current status, else application type), review")
    func flags() {
        #expect(assessor.assess(unit(records: [vehicle(.car, value: nil)], current: .dibao)).flag == .exitRecommended)
        #expect(assessor.assess(unit(records: [vehicle(.car, value: nil)], current: .lowIncome)).flag == .exitRecommended)
        #expect(assessor.assess(unit(records: [vehicle(.car, value: nil)], current: .none)).flag == .rejectRecommended)
        #expect(assessor.assess(unit(declared: 200_000, application: .dibao)).flag == .levelChange)
        #expect(assessor.assess(unit(declared: 200_000, application: .lowIncome)).flag == nil)
        #expect(assessor.assess(unit(declared: 200_000, application: .recheck, current: .dibao)).flag == .levelChange)
        #expect(assessor.assess(unit(declared: 0, application: .recheck, current: .dibao)).flag == nil)
        #expect(assessor.assess(unit(declared: 0, application: .lowIncome)).flag == .levelChange)
        #expect(assessor.assess(unit(review: [.sourceMissing(.tax)])).flag == .review)
    }

    @Test("Probable evidence: outcome A on certain evidence, B with probable; PROBABLE_MATCH when they differ")
    func probable() {
        var car = vehicle(.car, value: nil)
        car.isProbable = true
        let changed = assessor.assess(unit(records: [car]))
        #expect(changed.status == .needsReview)
        #expect(changed.reasons == [.probableMatch])
        #expect(changed.measures.countedVehicles.isEmpty, "figures reported are A's")
        var small = bank(100)
        small.isProbable = true
        let same = assessor.assess(unit(records: [small]))
        #expect(same.status == .eligibleDibao)
        #expect(same.reasons == [.probableMatchNoEffect])
        // If A is ineligible, no PROBABLE_* reason is written (rules.md, point 1).
        let ineligible = assessor.assess(unit(records: [vehicle(.car, value: nil), small]))
        #expect(ineligible.reasons == [.vehicleOwned])
    }

    @Test("Verified income is round_half_up(Σ net / months), net = gross − tax − social contributions")
    func verifiedIncome() {
        let r = record(
            .tax(
                TaxIncome(
                    period: Month(year: 2024, month: 1)!, incomeType: .wage, grossIncome: Fen(1_000_006),
                    taxPaid: Fen(0), socialContribution: Fen(0), withholder: "")))
        let a = assessor.assess(unit(records: [r]))
        #expect(a.measures.verifiedIncome[0] == Fen(83_334))  // 1,000,006 / 12 = 83,333.83 → 83,334
        let r2 = record(
            .tax(
                TaxIncome(
                    period: Month(year: 2024, month: 1)!, incomeType: .wage, grossIncome: Fen(1_000_000),
                    taxPaid: Fen(100_000), socialContribution: Fen(100_000), withholder: "")))
        #expect(assessor.assess(unit(records: [r2])).measures.verifiedIncome[0] == Fen(66_667))
    }
}
