import HeduiAssess
import HeduiHouseholds
import HeduiModel
import HeduiReport

/// `households.jsonl`: who is in each unit (names, ID numbers, address) and the holders of the
/// probable records, for the verification reports (核对报告) and the masked public notice.
/// Owner-only like every output file; the reports read it, nothing public copies it.
struct HouseholdsOutput: Sendable {
    let roster: Roster
    /// The policy's name of every region of the roster ("" where the policy has none).
    let regionNames: [RegionCode: String]

    init(roster: Roster, policy: PolicyTable, asOf: Day) {
        self.roster = roster
        var names: [RegionCode: String] = [:]
        for household in roster.households where names[household.regionCode] == nil {
            names[household.regionCode] = policy.effective(for: household.regionCode, on: asOf).regionName ?? ""
        }
        regionNames = names
    }

    /// Writes the line of unit `u` (`roster.units[u]`), whose facts are `unitFacts`, straight from the roster.
    func write(unit u: Int, facts unitFacts: UnitFacts, to out: inout HouseholdsFile.Writer) {
        let unit = roster.units[u]
        let household = roster.households[Int(unit.household)]
        out.beginLine(
            unitID: unit.id, householdID: household.id, regionCode: household.regionCode.description,
            regionName: regionNames[household.regionCode] ?? "", areaType: household.areaType.rawValue,
            applicationType: household.applicationType.rawValue, currentStatus: household.currentStatus.rawValue,
            address: household.address)
        for ref in unit.members {
            // Field by field (an array element's fields are read in place), as `UnitAssembly.facts` does:
            // copying the whole row retained each of its strings.
            let i = Int(ref.index)
            out.member(
                name: roster.members[i].row.name, id: roster.members[i].row.id, idText: roster.members[i].row.idText,
                relation: roster.members[i].row.relation.rawValue, disabilityGrade: roster.members[i].row.disabilityGrade,
                employment: roster.members[i].row.employment?.rawValue ?? "",
                declaredMonthlyIncome: roster.members[i].row.declaredMonthlyIncome.value,
                rigidExpenseAnnual: roster.members[i].row.rigidExpenseAnnual.value)
        }
        out.endMembers()
        var probable: [HouseholdsFile.ProbableHolder] = []
        for (m, member) in unitFacts.members.enumerated() {
            for attached in member.records where attached.isProbable {
                let record = attached.record
                let holderID: String =
                    switch record.holder {
                    case .valid(let id): id.description
                    case .checksumFailed(let failed): failed.description
                    }
                probable.append(
                    HouseholdsFile.ProbableHolder(
                        member: m, file: Int(record.origin.file), position: Int(record.origin.position),
                        holderName: record.holderName, holderID: holderID))
            }
        }
        probable.sort { ($0.file, $0.position, $0.member) < ($1.file, $1.position, $1.member) }
        for holder in probable {
            out.probable(
                member: holder.member, file: holder.file, position: holder.position, holderName: holder.holderName,
                holderID: holder.holderID)
        }
        out.endLine()
    }
}
