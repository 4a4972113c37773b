import HeduiAssess
import HeduiIngest
import HeduiModel
import HeduiStore

/// Ledger rows from the run's values.
enum LedgerConversion {
    static func unitResult(_ a: Assessment, runID: String) -> UnitResultRecord {
        let m = a.measures
        return UnitResultRecord(
            runID: runID, unitID: a.unit.unitID, householdID: a.unit.householdID, regionCode: a.unit.regionCode.description,
            areaType: a.unit.areaType.rawValue, status: a.status.rawValue, flag: a.flag?.rawValue ?? "",
            reasons: a.reasons.map(\.rawValue).joined(separator: ";"), members: a.unit.members.count,
            monthlyIncomeFen: m.monthlyIncome.value, financialAssetsFen: m.financialAssets.value,
            vehicles: m.countedVehicles.count, homes: m.homes.count, housingAreaHundredths: m.housingAreaHundredths,
            standardFen: a.standard?.value, suggestedBenefit: a.suggestedBenefit)
    }

    static func inputFile(_ f: FileSummary, file: InboxFile, position: Int, runID: String) -> InputFileRecord {
        InputFileRecord(
            runID: runID, position: position, name: f.name, kind: f.kind.rawValue, format: f.format.rawValue,
            compressed: f.compressed, encoding: f.encoding, sha256: f.sha256, bytes: file.size, recordsRead: f.read,
            accepted: f.accepted, quarantined: f.quarantined, duplicates: f.duplicates, unrelated: f.unrelated,
            rejected: f.rejection != nil, rejectionCode: f.rejection?.code.rawValue)
    }
}
