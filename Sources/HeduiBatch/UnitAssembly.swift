import HeduiAssess
import HeduiHouseholds
import HeduiIngest
import HeduiModel

/// Builds the facts of every unit: members with their attached records, and the review facts
/// (roster notes, rejected records, missing or incomplete sources).
struct UnitAssembly {
    let roster: Roster
    let policy: PolicyTable
    let asOf: Day
    /// For each member: its unit and its position there.
    let placement: [(unit: Int32, position: Int32)]
    let membersByID: [IDNumber: [MemberRef]]
    let missingSources: [SourceKind]
    let incompleteSources: [(SourceKind, [String])]

    init(roster: Roster, policy: PolicyTable, asOf: Day, inbox: Inbox, summaries: [Int32: FileSummary]) {
        self.roster = roster
        self.policy = policy
        self.asOf = asOf
        var placement = [(unit: Int32, position: Int32)](repeating: (-1, -1), count: roster.members.count)
        for (u, unit) in roster.units.enumerated() {
            for (p, member) in unit.members.enumerated() {
                placement[Int(member.index)] = (Int32(u), Int32(p))
            }
        }
        self.placement = placement
        var byID: [IDNumber: [MemberRef]] = [:]
        for member in roster.members {
            if let id = member.row.id { byID[id, default: []].append(member.ref) }
        }
        membersByID = byID
        var missing: [SourceKind] = []
        var incomplete: [(SourceKind, [String])] = []
        for source in SourceKind.verificationSources {
            let files = inbox.files.filter { $0.kind == source }
            let rejected = files.filter { summaries[$0.index]?.rejection != nil }.map(\.name)
            if files.count == rejected.count { missing.append(source) }
            if !rejected.isEmpty { incomplete.append((source, rejected)) }
        }
        missingSources = missing
        incompleteSources = incomplete
    }

    func unitFacts(matched: [MatchedRecord], quarantine: inout [QuarantineEntry], summaries: inout [Int32: FileSummary]) -> [UnitFacts] {
        var records = [[[AttachedRecord]]](
            repeating: [], count: roster.units.count)
        for (u, unit) in roster.units.enumerated() { records[u] = Array(repeating: [], count: unit.members.count) }
        var reviewFacts = [[ReviewFact]](repeating: [], count: roster.units.count)

        for item in matched {
            // A foreign-currency balance needs a rate in the unit's region (rules.md): otherwise quarantined.
            if case .bank(let bank) = item.record.facts, bank.currency != "CNY", !item.isQuarantinedCandidate {
                let lacking = item.matches.contains { match in
                    let unit = roster.units[Int(placement[Int(match.member.index)].unit)]
                    let household = roster.households[Int(unit.household)]
                    return policy.effective(for: household.regionCode, on: asOf).parameters.currencyRate(for: bank.currency) == nil
                }
                if lacking {
                    let file = item.record.origin.file
                    let name = summaries[file]!.name
                    let entry = QuarantineEntry(
                        fileIndex: file, fileName: name,
                        location: summaries[file]!.format == .csv ? .line(item.record.origin.position) : .record(item.record.origin.position),
                        source: .bank, field: "currency", code: .currencyNoRate,
                        message: "currency: no rate for \(bank.currency) in the policy's currency_rates",
                        validID: { if case .valid(let id) = item.record.holder { id } else { nil } }())
                    quarantine.append(entry)
                    summaries[file]!.accepted -= 1
                    summaries[file]!.quarantined += 1
                    for match in item.matches {
                        let (u, p) = placement[Int(match.member.index)]
                        reviewFacts[Int(u)].append(.recordRejected(member: Int(p), file: name, location: entry.location.description, code: entry.code.rawValue))
                    }
                    continue
                }
            }
            for match in item.matches {
                let (u, p) = placement[Int(match.member.index)]
                records[Int(u)][Int(p)].append(AttachedRecord(record: item.record, isProbable: match.matchClass == .probable))
            }
        }

        // RECORD_REJECTED: a quarantined record carrying a member's valid ID, or a refused roster row of the household.
        var householdUnits: [String: [Int]] = [:]
        for (u, unit) in roster.units.enumerated() { householdUnits[roster.households[Int(unit.household)].id, default: []].append(u) }
        for entry in quarantine {
            if let id = entry.validID, let members = membersByID[id], entry.code != .idChecksum {
                for member in members {
                    let (u, p) = placement[Int(member.index)]
                    reviewFacts[Int(u)].append(.recordRejected(member: Int(p), file: entry.fileName, location: entry.location.description, code: entry.code.rawValue))
                }
            }
            if entry.source == .roster, let household = entry.householdID {
                for u in householdUnits[household] ?? [] {
                    reviewFacts[u].append(.recordRejected(member: nil, file: entry.fileName, location: entry.location.description, code: entry.code.rawValue))
                }
            }
        }

        var facts: [UnitFacts] = []
        facts.reserveCapacity(roster.units.count)
        for (u, unit) in roster.units.enumerated() {
            let household = roster.households[Int(unit.household)]
            var review = reviewFacts[u]
            for note in unit.notes {
                switch note {
                case .duplicateMembership(let member, let others):
                    let names = others.map { roster.households[Int(roster.members[Int($0.index)].household)].id }
                    review.append(.duplicateMembership(member: Int(placement[Int(member.index)].position), otherHouseholds: names))
                case .memberIDInvalid(let member):
                    let problem: String
                    switch roster.members[Int(member.index)].row.idProblem {
                    case .checksum: problem = "check character wrong"
                    case .birthDate: problem = "birth date not a real date"
                    default: problem = "not an 18- or 15-character ID number"
                    }
                    review.append(.memberIDInvalid(member: Int(placement[Int(member.index)].position), problem: problem))
                case .separateHouseholdInvalid(let member, let why):
                    review.append(.separateHouseholdInvalid(member: Int(placement[Int(member.index)].position), why: "\(why)"))
                }
            }
            for source in missingSources { review.append(.sourceMissing(source)) }
            for (source, files) in incompleteSources { review.append(.sourceIncomplete(source, files: files)) }
            let members = unit.members.enumerated().map { p, ref in
                let row = roster.members[Int(ref.index)].row
                return MemberFacts(declaredMonthlyIncome: row.declaredMonthlyIncome, rigidExpenseAnnual: row.rigidExpenseAnnual,
                                   records: records[u][p])
            }
            facts.append(UnitFacts(
                unitID: unit.id, householdID: household.id, regionCode: household.regionCode, areaType: household.areaType,
                applicationType: household.applicationType, currentStatus: household.currentStatus,
                members: members, reviewFacts: review))
        }
        return facts
    }

    /// Roster rows that disagree with their household's first row, for the manifest (rules.md, point 8).
    func conflictDescriptions(inbox: Inbox) -> [String] {
        roster.conflicts.map { conflict in
            let file = inbox.files[Int(conflict.origin.file)]
            let location = file.format == .csv ? "line \(conflict.origin.position)" : "record \(conflict.origin.position)"
            return "\(file.name) \(location): household \(conflict.householdID): \(conflict.field) differs from the household's first row (the first row counts)"
        }
    }
}
