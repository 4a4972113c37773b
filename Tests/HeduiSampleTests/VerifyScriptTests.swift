import Foundation
import HeduiModel
import HeduiSample
import Testing

/// `scripts/spotcheck-verify.py` of the package, found from this file (Tests/HeduiSampleTests/VerifyScriptTests.swift).
private let scriptPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scripts/spotcheck-verify.py").path

/// Runs a command; nil when it cannot be started.
private func run(_ arguments: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private let pythonWithYAML: Bool = run(["python3", "-c", "import yaml"])?.status == 0

/// The policy the test's parameters come from: defaults, a region with overrides, and region 320481 missing.
private let policyYAML = """
    version: 1
    defaults:
      low_income_multiplier: 1.5
      spot_check: { rate: 0.05, min_per_stratum: 2, borderline_band: 0.10, risk_weight: 3 }
    regions:
      "330902":
        standards:
          - { from: 2024-01-01, urban: 1133.33, rural: 1133.33 }
      330903:
        standards:
          - { from: 2024-01-01, urban: 1133.33, rural: 1133.33 }
        overrides: { low_income_multiplier: 1.75, spot_check: { rate: 0.25, risk_weight: 5 } }

    """

/// inspectors.csv as a provider sends it: a full-width id, a blank line, and a row the run quarantined (line 6).
private let inspectorsCSV = """
    inspector_id,name,home_region,capacity
    I01,张三,330902,5
    I02,李四,330903,
    Ｉ03,王五,320481,3

    BAD,赵六,33090,1
    I04,"欧阳,一",330902,

    """

private let quarantineCSV = """
    file,location,source,field,code,message
    inspectors.csv,line 6,inspectors,home_region,BAD_REGION,home_region is not a 6-digit region code

    """

/// Writes a run-like folder: assessments.csv, manifest.json, quarantine.csv, spotcheck.csv, plus the policy and inspectors.
private func writeRun(seed: String) throws -> (dir: URL, rows: [SpotCheckRow]) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hedui-spotcheck-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let units = population()
    var csv =
        "unit_id,household_id,region_code,area_type,status,flag,reasons,members,monthly_income,financial_assets,"
        + "vehicles,homes,housing_area,standard,suggested_benefit\n"
    for u in units.sorted(by: { $0.unitID < $1.unitID }) {
        csv +=
            "\(u.unitID),\(u.unitID),\(u.regionCode),urban,\(u.status),,\(u.reasons.sorted().joined(separator: ";")),"
            + "\(u.members),\(u.monthlyIncome),0.00,0,0,0.00,\(u.standard?.description ?? ""),0\n"
    }
    let manifest = """
        {"seed": "\(seed)", "files": [{"name": "inspectors.csv", "kind": "inspectors", "rejected": false}]}

        """
    let rows = SpotCheck.draw(units: units, inspectors: staff, seed: seed, parameters: regionParams)
    try Data(csv.utf8).write(to: dir.appendingPathComponent("assessments.csv"))
    try Data(manifest.utf8).write(to: dir.appendingPathComponent("manifest.json"))
    try Data(quarantineCSV.utf8).write(to: dir.appendingPathComponent("quarantine.csv"))
    try Data(SpotCheck.render(rows)).write(to: dir.appendingPathComponent("spotcheck.csv"))
    try Data(policyYAML.utf8).write(to: dir.appendingPathComponent("policy.yaml"))
    try Data(inspectorsCSV.utf8).write(to: dir.appendingPathComponent("inspectors.csv"))
    return (dir, rows)
}

@Suite struct VerifyScriptTests {

    @Test(.enabled(if: pythonWithYAML, "python3 with PyYAML is not installed: scripts/spotcheck-verify.py not exercised"))
    func scriptReDerivesWhatTheEngineWrote() throws {
        // Same inspectors as the CSV: I01 (cap 5), I02, I03 (cap 3), I04 (unlimited).
        #expect(staff.map(\.inspectorID) == ["I01", "I02", "I03", "I04"])
        let (dir, rows) = try writeRun(seed: "2024-05-31")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = [
            "python3", scriptPath, dir.path, "--policy", dir.appendingPathComponent("policy.yaml").path,
            "--inspectors", dir.appendingPathComponent("inspectors.csv").path,
        ]
        let ok = try #require(run(args))
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output == "spotcheck.csv: re-derived, identical (\(rows.count) rows)\n")

        // Another seed on the command line: a difference, exit 1.
        let other = try #require(run(args + ["--seed", "2024-06-30"]))
        #expect(other.status == 1, "\(other.output)")

        // A tampered row: exit 1 naming the line.
        var tampered = rows
        tampered[4].weight += 1
        try Data(SpotCheck.render(tampered)).write(to: dir.appendingPathComponent("spotcheck.csv"))
        let bad = try #require(run(args))
        #expect(bad.status == 1)
        #expect(
            bad.output == "spotcheck.csv line 6 (unit \(rows[4].unitID)): weight is \"\(tampered[4].weight)\", "
                + "re-derived \"\(rows[4].weight)\"\n")

        // Without --inspectors while the manifest names an inspectors file: a usage error.
        let missing = try #require(run(Array(args.prefix(5))))
        #expect(missing.status == 2)
    }

    @Test(.enabled(if: pythonWithYAML, "python3 with PyYAML is not installed: scripts/spotcheck-verify.py not exercised"))
    func scriptAgreesOnManySeeds() throws {
        let (dir, _) = try writeRun(seed: "x")
        defer { try? FileManager.default.removeItem(at: dir) }
        for seed in ["", "0", "2024-05-31", "种子 with spaces", "s\u{0301}"] {
            let rows = SpotCheck.draw(units: population(), inspectors: staff, seed: seed, parameters: regionParams)
            try Data(SpotCheck.render(rows)).write(to: dir.appendingPathComponent("spotcheck.csv"))
            let result = try #require(
                run([
                    "python3", scriptPath, dir.path, "--policy", dir.appendingPathComponent("policy.yaml").path,
                    "--inspectors", dir.appendingPathComponent("inspectors.csv").path, "--seed", seed,
                ]))
            #expect(result.status == 0, "seed \(seed): \(result.output)")
        }
    }
}
