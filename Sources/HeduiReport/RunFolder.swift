import Foundation
import HeduiAssess

/// A finished run's output folder, read back for the reports (outputs.md's files plus `households.jsonl`).
///
/// `assessments.csv` is required; `evidence.jsonl`, `manifest.json`, `quarantine.csv` and `households.jsonl`
/// are read when present (a report without them says what it lacks).
public struct RunFolder: Sendable {
    public struct Assessment: Sendable, Equatable {
        public var unitID, householdID, regionCode, areaType, status, flag: String
        public var reasons: [String]
        public var members: Int
        public var monthlyIncome: Int64?
        public var financialAssets: Int64?
        public var vehicles: Int
        public var homes: Int
        /// Housing area in hundredths of a m².
        public var housingArea: Int64?
        public var standard: Int64?
        /// Whole yuan.
        public var suggestedBenefit: Int64
    }

    public struct Figure: Sendable, Equatable {
        public var name: String
        public var unit: String
        public var value: Int64?
    }

    public struct EvidenceRecord: Sendable, Equatable {
        public var source: String
        public var file: Int
        public var position: Int
        public var label: String
        public var date: String
        public var amount: Int64?
        public var counted: Bool
        public var probable: Bool
        public var member: Int
    }

    public struct Reason: Sendable, Equatable {
        public var code: String
        public var figures: [Figure]
        public var members: [Int]
        public var note: String?
        public var records: [EvidenceRecord]

        public func figure(_ name: String) -> Int64? { figures.first { $0.name == name }?.value }
    }

    public struct Evidence: Sendable, Equatable {
        public var unitID: String
        public var status: String
        public var standard: Int64?
        public var lowIncomeLine: Int64?
        public var members: Int
        public var verifiedIncome: [Int64]
        public var declaredIncome: [Int64]
        public var incomeWindow: String
        public var outcomeCertain: Int64?
        public var outcomeWithProbable: Int64?
        public var reasons: [Reason]
    }

    public struct InputFile: Sendable, Equatable {
        public var name, kind: String
        public var recordsRead, accepted, quarantined, duplicate, unrelated: Int64
        public var rejected: Bool
        public var rejection: String
    }

    public struct Manifest: Sendable, Equatable {
        public var runID = "", asOf = "", engineVersion = "", seed = ""
        public var files: [InputFile] = []
    }

    public struct QuarantineRow: Sendable, Equatable {
        public var file, location, source, field, code, message: String
    }

    public var assessments: [Assessment]
    public var evidence: [String: Evidence]
    public var manifest: Manifest
    public var quarantine: [QuarantineRow]
    /// `changes.csv`: what changed since the previous run (empty for a first run, nil when the file is absent).
    public var changes: [ChangeRow]?

    /// One row of `changes.csv`.
    public struct ChangeRow: Sendable, Equatable {
        public var unitID, previousStatus, status, sinceRun: String
    }
    /// Keyed by unit id; empty when the run has no households.jsonl.
    public var households: [String: HouseholdsFile.Line]
    public var hasHouseholdsFile: Bool

    /// The region's name from households.jsonl ("" when unknown).
    public func regionName(_ code: String) -> String {
        households.values.first { $0.regionCode == code && !$0.regionName.isEmpty }?.regionName ?? ""
    }

    /// The name of input file `index` of the manifest, or the index as text.
    public func fileName(_ index: Int) -> String {
        manifest.files.indices.contains(index) ? manifest.files[index].name : "#\(index)"
    }

    /// Reads the folder.
    ///
    /// - Throws: `ReportError` when assessments.csv is missing or a file is malformed (with file and line).
    public init(path: String) throws {
        func read(_ name: String) throws -> [UInt8]? {
            let url = URL(fileURLWithPath: path).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            do { return Array(try Data(contentsOf: url)) } catch {
                throw ReportError(.malformedInput, "\(name): cannot be read (\(type(of: error)))")
            }
        }
        guard let assessmentBytes = try read("assessments.csv") else {
            throw ReportError(.missingInput, "\(path)/assessments.csv: no such file; is this a run's output folder?")
        }
        assessments = CSVTable.records(String(decoding: assessmentBytes, as: UTF8.self)).map(Self.assessment)
        evidence = [:]
        if let bytes = try read("evidence.jsonl") {
            var lineNumber = 0
            for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                if raw.isEmpty { continue }
                guard let value = JSONValue.parse(Array(raw)), let e = Self.evidence(value) else {
                    throw ReportError(.malformedInput, "evidence.jsonl line \(lineNumber): not an evidence object")
                }
                evidence[e.unitID] = e
            }
        }
        manifest = Manifest()
        if let bytes = try read("manifest.json") {
            guard let value = JSONValue.parse(bytes) else {
                throw ReportError(.malformedInput, "manifest.json: not well-formed JSON")
            }
            manifest = Self.manifest(value)
        }
        quarantine = []
        if let bytes = try read("quarantine.csv") {
            quarantine = CSVTable.records(String(decoding: bytes, as: UTF8.self)).map {
                QuarantineRow(
                    file: $0["file"] ?? "", location: $0["location"] ?? "", source: $0["source"] ?? "",
                    field: $0["field"] ?? "", code: $0["code"] ?? "", message: $0["message"] ?? "")
            }
        }
        changes = nil
        if let bytes = try read("changes.csv") {
            changes = CSVTable.records(String(decoding: bytes, as: UTF8.self)).map {
                ChangeRow(
                    unitID: $0["unit_id"] ?? "", previousStatus: $0["previous_status"] ?? "",
                    status: $0["status"] ?? "", sinceRun: $0["since_run"] ?? "")
            }
        }
        households = [:]
        hasHouseholdsFile = false
        if let bytes = try read(HouseholdsFile.fileName) {
            hasHouseholdsFile = true
            for line in try HouseholdsFile.parse(bytes) { households[line.unitID] = line }
        }
    }

    static func assessment(_ r: [String: String]) -> Assessment {
        Assessment(
            unitID: r["unit_id"] ?? "", householdID: r["household_id"] ?? "", regionCode: r["region_code"] ?? "",
            areaType: r["area_type"] ?? "", status: r["status"] ?? "", flag: r["flag"] ?? "",
            reasons: (r["reasons"] ?? "").split(separator: ";").map(String.init),
            members: Int(r["members"] ?? "") ?? 0,
            monthlyIncome: Formatting.fen(fromYuan: r["monthly_income"] ?? ""),
            financialAssets: Formatting.fen(fromYuan: r["financial_assets"] ?? ""),
            vehicles: Int(r["vehicles"] ?? "") ?? 0, homes: Int(r["homes"] ?? "") ?? 0,
            housingArea: Formatting.fen(fromYuan: r["housing_area"] ?? ""),
            standard: Formatting.fen(fromYuan: r["standard"] ?? ""),
            suggestedBenefit: Int64(r["suggested_benefit"] ?? "") ?? 0)
    }

    static func evidence(_ v: JSONValue) -> Evidence? {
        guard let unitID = v["unit_id"]?.string else { return nil }
        // A reason names its records by their index in the line's `records` table.
        // Each is an array of `EvidenceJSON.recordColumns` (an object with those keys is read too).
        let columns = EvidenceJSON.recordColumns
        let table: [JSONValue] = (v["records"]?.array ?? []).map { entry in
            guard let values = entry.array else { return entry }
            return .object(Dictionary(zip(columns, values), uniquingKeysWith: { first, _ in first }))
        }
        let record: (JSONValue) -> JSONValue = { reference in
            guard let n = reference.int else { return reference }
            return table.indices.contains(Int(n)) ? table[Int(n)] : .null
        }
        let reasons: [Reason] = (v["reasons"]?.array ?? []).map { r in
            Reason(
                code: r["code"]?.string ?? "",
                figures: (r["figures"]?.array ?? []).map {
                    Figure(name: $0["name"]?.string ?? "", unit: $0["unit"]?.string ?? "", value: $0["value"]?.int)
                },
                members: (r["members"]?.array ?? []).compactMap { $0.int.map(Int.init) },
                note: r["note"]?.string,
                records: (r["records"]?.array ?? []).map(record).map { e in
                    EvidenceRecord(
                        source: e["source"]?.string ?? "", file: Int(e["file"]?.int ?? -1),
                        position: Int(e["position"]?.int ?? 0), label: e["label"]?.string ?? "",
                        date: e["date"]?.string ?? "", amount: e["amount"]?.int, counted: e["counted"]?.bool ?? false,
                        probable: e["probable"]?.bool ?? false, member: Int(e["member"]?.int ?? -1))
                })
        }
        return Evidence(
            unitID: unitID, status: v["status"]?.string ?? "", standard: v["standard"]?.int,
            lowIncomeLine: v["low_income_line"]?.int, members: Int(v["members"]?.int ?? 0),
            verifiedIncome: (v["verified_income"]?.array ?? []).map { $0.int ?? 0 },
            declaredIncome: (v["declared_income"]?.array ?? []).map { $0.int ?? 0 },
            incomeWindow: v["income_window"]?.string ?? "", outcomeCertain: v["outcome_certain"]?.int,
            outcomeWithProbable: v["outcome_with_probable"]?.int, reasons: reasons)
    }

    static func manifest(_ v: JSONValue) -> Manifest {
        var m = Manifest()
        m.runID = v["run_id"]?.string ?? ""
        m.asOf = v["as_of"]?.string ?? ""
        m.engineVersion = v["engine_version"]?.string ?? ""
        m.seed = v["seed"]?.string ?? ""
        m.files = (v["files"]?.array ?? []).map { f in
            InputFile(
                name: f["name"]?.string ?? "", kind: f["kind"]?.string ?? "",
                recordsRead: f["records_read"]?.int ?? 0, accepted: f["accepted"]?.int ?? 0,
                quarantined: f["quarantined"]?.int ?? 0, duplicate: f["duplicate"]?.int ?? 0,
                unrelated: f["unrelated"]?.int ?? 0, rejected: f["rejected"]?.bool ?? false,
                rejection: f["rejection"]?.string ?? f["reason"]?.string ?? "")
        }
        return m
    }
}
