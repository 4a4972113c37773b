import Foundation
import GRDB

/// Snake-case columns for every ledger record (`runID` ↔ `run_id`, `policySha256` ↔ `policy_sha256`).
public protocol LedgerRecord: Codable, FetchableRecord, PersistableRecord, Sendable {}

extension LedgerRecord {
    public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy {
        .custom { column in LedgerColumnKey(stringValue: LedgerColumnKey.propertyName(column)) }
    }
    public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}

/// `run_id` → `runID`: the inverse of `convertToSnakeCase` for this codebase's names, where
/// `id` is spelled `ID`.
struct LedgerColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static func propertyName(_ column: String) -> String {
        let parts = column.split(separator: "_").map(String.init)
        guard let first = parts.first else { return column }
        return first + parts.dropFirst().map { $0 == "id" ? "ID" : $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

/// One completed run (exit 0 or 3): what it read, how, when, and how it ended.
///
/// `runID` is the run identity (`RunIdentity.id`: engine version, input SHA-256s, policy SHA-256,
/// as-of, seed) for a normal run, and `<identity>-rN` for the N-th run forced with `--force`.
public struct RunRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "run"
    /// The ledger's own order of runs (SQLite rowid), assigned on insert.
    public var seq: Int64?
    public var runID: String
    public var identity: String
    /// The output folder, absolute and standardized.
    public var outputPath: String
    public var asOf: String
    public var seed: String
    public var policyFile: String
    public var policySha256: String
    public var engineVersion: String
    public var threads: Int
    public var startedAt: Date
    public var finishedAt: Date
    public var durationSeconds: Double
    public var exitCode: Int
    public var units: Int
    public var flagged: Int
    public var recordsRead: Int
    public var quarantined: Int
    public var rejectedFiles: Int
    public var forced: Bool
    /// The run `changes.csv` compares with (nil for the first run).
    public var previousRunID: String?

    public init(
        seq: Int64? = nil, runID: String, identity: String, outputPath: String, asOf: String, seed: String,
        policyFile: String, policySha256: String, engineVersion: String, threads: Int, startedAt: Date,
        finishedAt: Date, durationSeconds: Double, exitCode: Int, units: Int, flagged: Int, recordsRead: Int,
        quarantined: Int, rejectedFiles: Int, forced: Bool, previousRunID: String?
    ) {
        self.seq = seq
        self.runID = runID
        self.identity = identity
        self.outputPath = outputPath
        self.asOf = asOf
        self.seed = seed
        self.policyFile = policyFile
        self.policySha256 = policySha256
        self.engineVersion = engineVersion
        self.threads = threads
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.exitCode = exitCode
        self.units = units
        self.flagged = flagged
        self.recordsRead = recordsRead
        self.quarantined = quarantined
        self.rejectedFiles = rejectedFiles
        self.forced = forced
        self.previousRunID = previousRunID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { seq = inserted.rowID }
}

/// One input file of a run: name, kind, SHA-256 and the counts of the manifest.
public struct InputFileRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "input_file"
    public var runID: String
    public var position: Int
    public var name: String
    public var kind: String
    public var format: String
    public var compressed: Bool
    public var encoding: String
    public var sha256: String
    public var bytes: Int64
    public var recordsRead: Int
    public var accepted: Int
    public var quarantined: Int
    public var duplicates: Int
    public var unrelated: Int
    public var rejected: Bool
    public var rejectionCode: String?

    public init(
        runID: String, position: Int, name: String, kind: String, format: String, compressed: Bool, encoding: String,
        sha256: String, bytes: Int64, recordsRead: Int, accepted: Int, quarantined: Int, duplicates: Int, unrelated: Int,
        rejected: Bool, rejectionCode: String?
    ) {
        self.runID = runID
        self.position = position
        self.name = name
        self.kind = kind
        self.format = format
        self.compressed = compressed
        self.encoding = encoding
        self.sha256 = sha256
        self.bytes = bytes
        self.recordsRead = recordsRead
        self.accepted = accepted
        self.quarantined = quarantined
        self.duplicates = duplicates
        self.unrelated = unrelated
        self.rejected = rejected
        self.rejectionCode = rejectionCode
    }
}

/// One unit's result in a run: the `assessments.csv` row, money in fen, area in 1/100 m².
public struct UnitResultRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "unit_result"
    public var runID: String
    public var unitID: String
    public var householdID: String
    public var regionCode: String
    public var areaType: String
    public var status: String
    /// Empty when the unit has no flag.
    public var flag: String
    /// Reason codes, sorted, joined with `;`.
    public var reasons: String
    public var members: Int
    public var monthlyIncomeFen: Int64
    public var financialAssetsFen: Int64
    public var vehicles: Int
    public var homes: Int
    public var housingAreaHundredths: Int64
    public var standardFen: Int64?
    public var suggestedBenefit: Int64

    public init(
        runID: String, unitID: String, householdID: String, regionCode: String, areaType: String, status: String,
        flag: String, reasons: String, members: Int, monthlyIncomeFen: Int64, financialAssetsFen: Int64, vehicles: Int,
        homes: Int, housingAreaHundredths: Int64, standardFen: Int64?, suggestedBenefit: Int64
    ) {
        self.runID = runID
        self.unitID = unitID
        self.householdID = householdID
        self.regionCode = regionCode
        self.areaType = areaType
        self.status = status
        self.flag = flag
        self.reasons = reasons
        self.members = members
        self.monthlyIncomeFen = monthlyIncomeFen
        self.financialAssetsFen = financialAssetsFen
        self.vehicles = vehicles
        self.homes = homes
        self.housingAreaHundredths = housingAreaHundredths
        self.standardFen = standardFen
        self.suggestedBenefit = suggestedBenefit
    }
}

/// One file the run published into its output folder, with its SHA-256: lets an identical rerun
/// check that the published output is still what the ledger says it is.
public struct OutputFileRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "output_file"
    public var runID: String
    public var name: String
    public var sha256: String
    public var bytes: Int64

    public init(runID: String, name: String, sha256: String, bytes: Int64) {
        self.runID = runID
        self.name = name
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// One unit drawn for a spot check (`spotcheck.csv`, rules.md "Spot checks"). Filled by the
/// spot-check module; the table exists from migration `v1`.
public struct SpotcheckSampleRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "spotcheck_sample"
    public var runID: String
    public var unitID: String
    public var regionCode: String
    public var status: String
    public var stratum: String
    /// The draw weight as written in `spotcheck.csv` (text, so that it round-trips exactly).
    public var weight: String
    public var inspectorID: String?
    public var note: String

    public init(
        runID: String, unitID: String, regionCode: String, status: String, stratum: String, weight: String,
        inspectorID: String?, note: String
    ) {
        self.runID = runID
        self.unitID = unitID
        self.regionCode = regionCode
        self.status = status
        self.stratum = stratum
        self.weight = weight
        self.inspectorID = inspectorID
        self.note = note
    }
}

/// The outcome an inspector recorded for a drawn unit (filled by the spot-check module later).
public struct RecheckOutcomeRecord: LedgerRecord, Equatable {
    public static let databaseTableName = "recheck_outcome"
    public var id: Int64?
    public var runID: String
    public var unitID: String
    public var inspectorID: String?
    /// The day the inspector checked the unit (`hedui recheck import`: the row's date, 00:00 UTC).
    public var recordedAt: Date
    /// `confirmed` or `discrepancy` (`hedui recheck import`); `status` is the corrected status of a discrepancy.
    public var outcome: String
    public var status: String?
    public var note: String

    public init(
        id: Int64? = nil, runID: String, unitID: String, inspectorID: String?, recordedAt: Date, outcome: String,
        status: String?, note: String
    ) {
        self.id = id
        self.runID = runID
        self.unitID = unitID
        self.inspectorID = inspectorID
        self.recordedAt = recordedAt
        self.outcome = outcome
        self.status = status
        self.note = note
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
