import HeduiModel

/// What is measured for a unit on the as-of date (rules.md, "What is measured for a unit"),
/// on certain evidence alone or on certain + probable evidence. Integer fen throughout.
public struct Measures: Sendable {
    /// Verified monthly income per member (fen): round_half_up(Σ net in window / months), at least 0.
    public var verifiedIncome: [Fen] = []
    public var declaredIncome: [Fen] = []
    /// Σ members' max(verified, declared).
    public var grossMonthlyIncome = Fen.zero
    /// round_half_up(Σ rigid_expense_annual / 12), when the policy deducts it.
    public var rigidDeduction = Fen.zero
    /// Unit monthly income: gross − rigid deduction, at least 0.
    public var monthlyIncome = Fen.zero
    public var incomeRecords: [EvidenceRecord] = []
    /// The latest balance per account on or before the as-of date, in fen (negative counts 0).
    public var financialAssets = Fen.zero
    public var accountRecords: [EvidenceRecord] = []
    public var countedVehicles: [EvidenceRecord] = []
    /// Distinct certificate numbers of counted residential records.
    public var homes: [String] = []
    public var residentialRecords: [EvidenceRecord] = []
    /// Σ floor_area × share over counted residential records, in millionths of m² (exact).
    public var housingAreaMillionths: Int64 = 0
    public var nonResidentialRecords: [EvidenceRecord] = []
    /// Whether any probable record was used.
    public var usedProbable = false
    public var window: ClosedRange<Month>

    /// Measures `unit` on `asOf` with the region's parameters.
    public init(unit: UnitFacts, asOf: Day, parameters p: PolicyParameters, includeProbable: Bool) {
        self.init(unit: unit, asOf: asOf, rules: Rules(p), includeProbable: includeProbable)
    }

    /// What the measures read of a region's parameters, with the counted income types and the
    /// exempt vehicle types as bit masks (bit `caseNumber`): `UnitAssessor` makes one per region
    /// (made per unit, the two lookup tables were four arrays allocated and two sets walked).
    final class Rules: Sendable {
        /// For the currency rates.
        let parameters: PolicyParameters
        let incomeWindowMonths: Int
        let countedIncome: UInt64
        let exemptVehicles: UInt64
        let vehicleValueExemptBelow: Fen
        let deductRigidExpense: Bool

        init(_ p: PolicyParameters) {
            parameters = p
            incomeWindowMonths = p.incomeWindowMonths
            vehicleValueExemptBelow = p.vehicleValueExemptBelow
            deductRigidExpense = p.deductRigidExpense
            countedIncome = p.countedIncomeTypes.reduce(0) { $0 | 1 << UInt64($1.caseNumber) }
            exemptVehicles = p.vehicleExemptTypes.reduce(0) { $0 | 1 << UInt64($1.caseNumber) }
        }
    }

    /// Measures `unit` on `asOf` with a region's prepared parameters.
    init(unit: UnitFacts, asOf: Day, rules: Rules, includeProbable: Bool) {
        let months = rules.incomeWindowMonths
        let last = asOf.month.advanced(by: -1)
        window = last.advanced(by: Int32(-(months - 1)))...last
        var grossIncome = Fen.zero
        var rigidTotal: Int64 = 0
        // The latest record per account (member, bank code, account number). A unit has a few
        // accounts: a linear search compares the bytes, where a dictionary would hash them.
        // The byte views stay valid while `unit` is.
        var accounts: [LatestBalance] = []
        var homeList: [UnsafeRawBufferPointer] = []
        let countedIncome = rules.countedIncome, exemptVehicles = rules.exemptVehicles
        var recordCount = 0
        for member in unit.members { recordCount += member.records.count }
        verifiedIncome.reserveCapacity(unit.members.count)
        declaredIncome.reserveCapacity(unit.members.count)
        for (m, member) in unit.members.enumerated() {
            var net: Int64 = 0
            for attached in member.records where includeProbable || !attached.isProbable {
                if attached.isProbable { usedProbable = true }
                switch attached.facts {
                case .tax(let t):
                    guard window.contains(t.period), countedIncome & (1 << UInt64(t.incomeType.caseNumber)) != 0 else { continue }
                    net += t.netIncome.value
                    // Sized at once for the unit's records (most are income): growing by doubling reallocated it several times per unit.
                    if incomeRecords.capacity == 0 { incomeRecords.reserveCapacity(recordCount) }
                    incomeRecords.append(EvidenceRecord(attached, member: m, amount: t.netIncome.value, counted: true))
                case .bank(let b):
                    guard b.asOf <= asOf else { continue }
                    let balance = max(0, b.balance.value)
                    let value: Int64
                    if b.isCNY {
                        value = balance
                    } else if let rate = rules.parameters.currencyRate(for: String(decoding: b.currency, as: UTF8.self)) {
                        value = rate.applied(to: balance)
                    } else {
                        continue  // quarantined by the batch as CURRENCY_NO_RATE before assessment
                    }
                    if let k = accounts.firstIndex(where: {
                        $0.member == m && CompactFacts.same($0.account, b.accountNumber) && CompactFacts.same($0.bank, b.bankCode)
                    }) {
                        // The latest date wins; on the same date the larger balance (rules.md, points 11 and 15).
                        if b.asOf > accounts[k].day || (b.asOf == accounts[k].day && value > accounts[k].value) {
                            accounts[k].day = b.asOf
                            accounts[k].value = value
                            accounts[k].evidence = EvidenceRecord(attached, member: m, amount: value, counted: true)
                        }
                    } else {
                        if accounts.capacity == 0 { accounts.reserveCapacity(8) }
                        accounts.append(
                            LatestBalance(
                                member: m, bank: b.bankCode, account: b.accountNumber, day: b.asOf, value: value,
                                evidence: EvidenceRecord(attached, member: m, amount: value, counted: true)))
                    }
                case .vehicle(let v):
                    guard v.registeredOn <= asOf, v.status == .normal || v.status == .seized,
                        exemptVehicles & (1 << UInt64(v.vehicleType.caseNumber)) == 0
                    else { continue }
                    if let value = v.assessedValue, value < rules.vehicleValueExemptBelow { continue }
                    countedVehicles.append(EvidenceRecord(attached, member: m, amount: v.assessedValue?.value, counted: true))
                case .property(let r):
                    guard r.registeredOn <= asOf, r.status != .cancelled else { continue }
                    let evidence = EvidenceRecord(attached, member: m, amount: nil, counted: true)
                    switch r.propertyType {
                    case .residential:
                        if !homeList.contains(where: { CompactFacts.same($0, r.certificateNumber) }) {
                            homeList.append(r.certificateNumber)
                        }
                        housingAreaMillionths += r.floorArea * r.share
                        residentialRecords.append(evidence)
                    case .commercial, .office, .industrial:
                        nonResidentialRecords.append(evidence)
                    case .parking, .land, .other:
                        break
                    }
                }
            }
            let verified = max(0, net.scaled(by: 1, dividedBy: Int64(months)))
            verifiedIncome.append(Fen(verified))
            declaredIncome.append(member.declaredMonthlyIncome)
            grossIncome = grossIncome + max(Fen(verified), member.declaredMonthlyIncome)
            rigidTotal += member.rigidExpenseAnnual.value
        }
        grossMonthlyIncome = grossIncome
        rigidDeduction = rules.deductRigidExpense ? Fen(rigidTotal.scaled(by: 1, dividedBy: 12)) : .zero
        monthlyIncome = max(.zero, grossIncome - rigidDeduction)
        var assets: Int64 = 0
        accountRecords.reserveCapacity(accounts.count)
        for account in accounts {
            assets += account.value
            accountRecords.append(account.evidence)
        }
        financialAssets = Fen(assets)
        homes = homeList.map { String(decoding: $0, as: UTF8.self) }.sorted()
        EvidenceRecord.sortByOrigin(&accountRecords)
        EvidenceRecord.sortByOrigin(&incomeRecords)
        EvidenceRecord.sortByOrigin(&countedVehicles)
        EvidenceRecord.sortByOrigin(&residentialRecords)
        EvidenceRecord.sortByOrigin(&nonResidentialRecords)
    }

    /// The latest balance of one account (member, bank code, account number) so far.
    private struct LatestBalance {
        var member: Int
        var bank: UnsafeRawBufferPointer
        var account: UnsafeRawBufferPointer
        var day: Day
        var value: Int64
        var evidence: EvidenceRecord
    }

    /// Housing area in hundredths of m², rounded half up, as reports show it (rules.md, point 12).
    public var housingAreaHundredths: Int64 { housingAreaMillionths.scaled(by: 1, dividedBy: 10_000) }
}
