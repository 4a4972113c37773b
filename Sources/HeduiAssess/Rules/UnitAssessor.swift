import HeduiModel

/// The decision for one unit, with the figures of `assessments.csv` and the evidence of every reason.
public struct Assessment: Sendable {
    /// The unit's household fields and members' declared figures; its records are dropped after
    /// assessment (the evidence keeps what a reader needs), so that memory holds one unit's
    /// records at a time, not the whole batch's twice.
    public var unit: UnitFacts
    public var status: AssessmentStatus
    public var flag: ReliefFlag?
    /// Sorted in ASCII order (rules.md, point 3).
    public var reasons: [AssessmentReason]
    public var evidence: [ReasonEvidence]
    /// Outcome A's figures (certain evidence).
    public var measures: Measures
    /// S in fen; nil when the policy is missing.
    public var standard: Fen?
    public var lowIncomeLine: Fen?
    public var suggestedBenefit: Int64
    /// Outcome on certain evidence (A) and on certain + probable evidence (B), when the policy is known.
    public var outcomeCertain: Outcome?
    public var outcomeWithProbable: Outcome?
}

/// Applies rules.md to units: measures, reasons, status, suggested benefit, flag.
/// A value type without shared state: units are assessed in parallel.
public struct UnitAssessor: Sendable {
    public let policy: PolicyTable
    public let asOf: Day
    /// What applies on `asOf` to each region of the policy (`regionRules[k]` to `regionCodes[k]`,
    /// sorted) and to a region without one, made once: a unit finds its region by a binary search.
    /// (`PolicyTable.effective` per unit hashed the region code and copied the parameters.)
    private let regionCodes: [Int32]
    private let regionRules: [RegionRules]
    private let defaultRules: RegionRules

    public init(policy: PolicyTable, asOf: Day) {
        self.policy = policy
        self.asOf = asOf
        let codes = policy.regions.keys.sorted()
        regionCodes = codes.map(\.value)
        regionRules = codes.map {
            let effective = policy.effective(for: $0, on: asOf)
            return RegionRules(parameters: effective.parameters, standard: effective.standard)
        }
        defaultRules = RegionRules(parameters: policy.defaults, standard: nil)
    }

    /// What `PolicyTable.effective(for: region, on: asOf)` gives a region (the defaults and no
    /// standard for a region the policy lacks), with what the measures need of it prepared.
    private final class RegionRules: Sendable {
        let parameters: PolicyParameters
        let standard: DatedStandard?
        let measures: Measures.Rules

        init(parameters: PolicyParameters, standard: DatedStandard?) {
            self.parameters = parameters
            self.standard = standard
            measures = Measures.Rules(parameters)
        }
    }

    private func rules(for region: RegionCode) -> RegionRules {
        var low = 0, high = regionCodes.count
        while low < high {
            let mid = (low + high) / 2
            if regionCodes[mid] < region.value { low = mid + 1 } else { high = mid }
        }
        return low < regionCodes.count && regionCodes[low] == region.value ? regionRules[low] : defaultRules
    }

    public func assess(_ unit: UnitFacts) -> Assessment {
        var assessment = assessWithRecords(unit)
        for m in assessment.unit.members.indices { assessment.unit.members[m].records = [] }
        return assessment
    }

    private func assessWithRecords(_ unit: UnitFacts) -> Assessment {
        let rules = rules(for: unit.regionCode)
        let n = Int64(unit.members.count)
        let certain = Measures(unit: unit, asOf: asOf, rules: rules.measures, includeProbable: false)
        // The reasons found, with their evidence.
        var evidence = ReasonEvidenceTable()

        // Review facts found before assessment.
        for fact in unit.reviewFacts {
            switch fact {
            case .duplicateMembership(let member, let others):
                evidence.update(.duplicateMembership) { e in
                    e.members.append(member)
                    e.note = Self.joinNote(e.note, "also in " + others.joined(separator: ", "))
                }
            case .memberIDInvalid(let member, let problem):
                evidence.update(.memberIDInvalid) { e in
                    e.members.append(member)
                    e.note = Self.joinNote(e.note, problem)
                }
            case .separateHouseholdInvalid(let member, let why):
                evidence.update(.separateHouseholdInvalid) { e in
                    e.members.append(member)
                    e.note = Self.joinNote(e.note, why)
                }
            case .recordRejected(let member, let file, let location, let code):
                evidence.update(.recordRejected) { e in
                    if let member, !e.members.contains(member) { e.members.append(member) }
                    e.note = Self.joinNote(e.note, "\(file) \(location) \(code)")
                }
            case .sourceMissing(let source):
                let code = AssessmentReason.sourceMissing(source)
                evidence.set(ReasonEvidence(code: code, note: "no accepted \(source.rawValue) file in the inbox"))
            case .sourceIncomplete(let source, let files):
                let code = AssessmentReason.sourceIncomplete(source)
                evidence.set(ReasonEvidence(code: code, note: "rejected: " + files.joined(separator: ", ")))
            }
        }

        guard let s = rules.standard?.standard(for: unit.areaType) else {
            // POLICY_MISSING (rules.md, point 6): review, no standard, no benefit, only review reasons
            // that need no policy, no informational reason; figures still measured with the defaults.
            evidence.set(ReasonEvidence(code: .policyMissing, note: "no standard for region \(unit.regionCode) on \(asOf)"))
            let kept = evidence.codes.subtracting(.needingPolicy)
            return Assessment(
                unit: unit, status: .needsReview, flag: .review, reasons: kept.sorted,
                evidence: evidence.ordered(kept), measures: certain, standard: nil, lowIncomeLine: nil,
                suggestedBenefit: 0, outcomeCertain: nil, outcomeWithProbable: nil)
        }
        let l = Fen(rules.parameters.lowIncomeMultiplier.applied(to: s.value))
        let thresholds = Thresholds(s: s, l: l, n: n, parameters: rules.parameters)

        let outcomeA = Outcome(thresholds.reasons(for: certain, evidence: &evidence))
        var outcomeB: Outcome?
        let hasProbable = unit.members.contains { $0.records.contains(where: \.isProbable) }
        if hasProbable && outcomeA != .ineligible {
            let withProbable = Measures(unit: unit, asOf: asOf, rules: rules.measures, includeProbable: true)
            var scratch = ReasonEvidenceTable()
            let b = Outcome(thresholds.reasons(for: withProbable, evidence: &scratch))
            outcomeB = b
            let probableRecords = Self.probableRecords(unit)
            let code: AssessmentReason = b != outcomeA ? .probableMatch : .probableMatchNoEffect
            evidence.set(
                ReasonEvidence(
                    code: code,
                    figures: [
                        Figure("outcome_certain", Int64(outcomeA.rawValue), .count),
                        Figure("outcome_with_probable", Int64(b.rawValue), .count),
                        Figure("monthly_income_with_probable", withProbable.monthlyIncome.value),
                        Figure("financial_assets_with_probable", withProbable.financialAssets.value),
                    ],
                    records: probableRecords))
        }

        // DECLARED_INCOME_UNDERSTATED: Σ declared < Σ verified × (1 − tolerance), exactly.
        let declared = certain.declaredIncome.reduce(Int64(0)) { $0 + $1.value }
        let verified = certain.verifiedIncome.reduce(Int64(0)) { $0 + $1.value }
        let tol = rules.parameters.declaredIncomeTolerance
        var scale: Int64 = 1
        for _ in 0..<tol.scale { scale *= 10 }
        if declared.multipliedFullWidth(by: scale) < verified.multipliedFullWidth(by: scale - tol.units) {
            evidence.set(
                ReasonEvidence(
                    code: .declaredIncomeUnderstated,
                    figures: [Figure("declared_monthly_income", declared), Figure("verified_monthly_income", verified)],
                    records: certain.incomeRecords))
        }

        let found = evidence.codes
        let status: AssessmentStatus
        if outcomeA == .ineligible {
            status = .ineligible
        } else if found.intersects(.review) {
            status = .needsReview
        } else if outcomeA == .dibao {
            status = .eligibleDibao
        } else {
            status = .eligibleLowIncome
        }
        var benefit: Int64 = 0
        if status == .eligibleDibao {
            let gap = s.value * n - certain.monthlyIncome.value
            let floor = rules.parameters.minBenefitPerPerson.value * n
            benefit = Fen(max(gap, floor)).yuanRoundedUp
        }
        return Assessment(
            unit: unit, status: status, flag: Self.flag(status: status, unit: unit), reasons: found.sorted,
            evidence: evidence.ordered(found), measures: certain, standard: s, lowIncomeLine: l,
            suggestedBenefit: benefit, outcomeCertain: outcomeA, outcomeWithProbable: outcomeB)
    }

    /// rules.md, "Flags for the relief office" and point 10.
    static func flag(status: AssessmentStatus, unit: UnitFacts) -> ReliefFlag? {
        switch status {
        case .ineligible:
            return unit.currentStatus == .none ? .rejectRecommended : .exitRecommended
        case .needsReview:
            return .review
        case .eligibleDibao, .eligibleLowIncome:
            let level: BenefitStatus = status == .eligibleDibao ? .dibao : .lowIncome
            let compared: BenefitStatus
            switch unit.applicationType {
            case .recheck: compared = unit.currentStatus
            case .dibao: compared = .dibao
            case .lowIncome: compared = .lowIncome
            }
            return level == compared ? nil : .levelChange
        }
    }

    static func probableRecords(_ unit: UnitFacts) -> [EvidenceRecord] {
        var records: [EvidenceRecord] = []
        for (m, member) in unit.members.enumerated() {
            for attached in member.records where attached.isProbable {
                var amount: Int64?
                switch attached.facts {
                case .bank(let b): amount = b.balance.value
                case .tax(let t): amount = t.netIncome.value
                case .vehicle(let v): amount = v.assessedValue?.value
                case .property: amount = nil
                }
                records.append(EvidenceRecord(attached, member: m, amount: amount, counted: true))
            }
        }
        EvidenceRecord.sortByOrigin(&records)
        return records
    }

    static func joinNote(_ old: String?, _ new: String) -> String {
        guard let old, !old.isEmpty else { return new }
        return old + "; " + new
    }
}

extension Outcome {
    /// The level the reasons give (rules.md, point 1): review reasons do not enter it.
    init(_ reasons: ReasonSet) {
        if reasons.intersects(.disqualifying) {
            self = .ineligible
        } else if reasons.intersects(.level) {
            self = .lowIncome
        } else {
            self = .dibao
        }
    }
}
