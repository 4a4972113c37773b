import Foundation
import HeduiBatch
import HeduiReport
import HeduiStore
import Testing

/// A SampleData run in a temporary folder: (output folder, ledger path).
private func sampleRun() throws -> (out: String, ledger: String) {
    let folder = temporaryFolder()
    let out = folder + "/out"
    _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: "抽查-2024", threads: 2).run()
    return (out, folder + "/hedui.sqlite")
}

@Suite("Spot checks after the run: sample verify, recheck import and summary")
struct RecheckTests {
    @Test("hedui sample verify: the run's spotcheck.csv matches spotcheck-inputs.json; a changed inspector is detected")
    func sampleVerify() throws {
        let (out, _) = try sampleRun()
        let ok = SampleVerify.run(runPath: out)
        #expect(ok.exitCode == 0, "\(ok.message)")
        #expect(ok.message.hasPrefix("spotcheck.csv matches the draw re-derived from spotcheck-inputs.json ("))

        let path = out + "/spotcheck.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        var fields = lines[1].components(separatedBy: ",")
        fields[5] = fields[5] == "JC001" ? "JC002" : "JC001"
        lines[1] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let tampered = SampleVerify.run(runPath: out)
        #expect(tampered.exitCode == 1)
        #expect(tampered.message.contains("line 2") && tampered.message.contains("inspector_id"), "\(tampered.message)")

        try FileManager.default.removeItem(atPath: out + "/spotcheck-inputs.json")
        #expect(SampleVerify.run(runPath: out).exitCode == 2)
    }

    @Test("recheck import: good rows stored, each kind of bad row rejected with its message; read = imported + rejected; re-import updates")
    func importRows() throws {
        let (_, ledgerPath) = try sampleRun()
        let ledger = try RunLedger(path: ledgerPath)
        let runID = try #require(try ledger.latestRun()?.runID)
        let sample = try ledger.spotcheckSample(runID: runID).filter { $0.inspectorID != nil && !$0.unitID.contains("/") }
        try #require(sample.count >= 6)
        let staff = Set(sample.compactMap(\.inspectorID)).sorted()
        let u = sample.prefix(6).map { ($0.unitID, $0.inspectorID!) }
        let wrong = staff.first { $0 != u[2].1 }!
        let csv = """
            \u{FEFF}unit_id,inspector_id,date,outcome,corrected_status,note
            \(u[0].0),\(u[0].1),2024-06-03,confirmed,,"属实, 已入户"
            \(u[1].0),\(u[1].1),2024/6/4,discrepancy,ineligible,车辆仍在使用
            NOPE1,\(u[0].1),2024-06-03,confirmed,,
            \(u[2].0),\(wrong),2024-06-03,confirmed,,
            \(u[3].0),\(u[3].1),2024-02-30,confirmed,,
            \(u[4].0),\(u[4].1),2024-06-05,ok,,
            ,,,,,
            \(u[5].0),\(u[5].1),2024-06-05,discrepancy,,

            """
        let file = temporaryFolder() + "/filled.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try RecheckImport.run(file: file, ledgerPath: ledgerPath)
        #expect(result.read == 7)
        #expect(result.imported == 2 && result.inserted == 2 && result.updated == 0)
        #expect(result.rejected == 5)
        #expect(result.read == result.imported + result.rejected)
        #expect(result.exitCode == 3)
        #expect(
            result.rejectionLines == [
                "\(file) line 4: unit_id: NOPE1 is not in the spot-check sample of run \(runID)",
                "\(file) line 5: inspector_id: \(wrong) is not the inspector assigned to \(u[2].0) (\(u[2].1))",
                "\(file) line 6: date: \"2024-02-30\" is not a date (YYYY-MM-DD)",
                "\(file) line 7: outcome: \"ok\" is not confirmed or discrepancy",
                "\(file) line 9: corrected_status: required when the outcome is discrepancy "
                    + "(one of eligible_dibao, eligible_low_income, ineligible, needs_review)",
            ])
        let stored = try ledger.recheckOutcomes(runID: runID)
        #expect(stored.map(\.unitID) == [u[0].0, u[1].0])
        #expect(stored.map(\.outcome) == ["confirmed", "discrepancy"])
        #expect(stored[1].status == "ineligible")
        #expect(stored[0].note == "属实, 已入户")
        #expect(ISO8601DateFormatter().string(from: stored[1].recordedAt) == "2024-06-04T00:00:00Z")

        // The same file again: the two rows are updated, not duplicated.
        let again = try RecheckImport.run(file: file, ledgerPath: ledgerPath)
        #expect(again.inserted == 0 && again.updated == 2 && again.rejected == 5)
        #expect(try ledger.recheckOutcomes(runID: runID).count == 2)
        #expect(try ledger.recheckOutcomes(runID: runID).map(\.id) == stored.map(\.id))

        // A file without the needed columns is a usage error.
        let bad = temporaryFolder() + "/bad.csv"
        try "unit_id,outcome\nX,confirmed\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: RecheckImport.UsageError.self) { try RecheckImport.run(file: bad, ledgerPath: ledgerPath) }

        // Summary: per stratum, from the imported outcomes.
        let report = try RecheckSummary.report(ledgerPath: ledgerPath)
        #expect(report.total.sampled == (try ledger.spotcheckSample(runID: runID)).count)
        #expect(report.total.rechecked == 2 && report.total.discrepancies == 1)
        let strata = Dictionary(
            uniqueKeysWithValues: try ledger.spotcheckSample(runID: runID).map { ($0.unitID, "\($0.regionCode)/\($0.status)") })
        let row = try #require(report.rows.first { "\($0.region)/\($0.status)" == strata[u[1].0] })
        #expect(row.discrepancies == 1 && row.rechecked >= 1)
        #expect(report.rows.reduce(0) { $0 + $1.sampled } == report.total.sampled)
        let text = report.render()
        #expect(text.contains("95% CI (Wilson)"))
        #expect(text.split(separator: "\n").last?.hasPrefix("total") == true)
    }

    @Test("recheck import reads the XLSX worksheet back (an unfilled one: every row rejected for its empty date)")
    func importXLSX() throws {
        let (out, ledgerPath) = try sampleRun()
        let folder = temporaryFolder()
        let files = try WorksheetWriter.write(runPath: out, into: folder + "/worksheets")
        let xlsx = try #require(files.first { $0.hasSuffix(".xlsx") })
        let table = try WorksheetTable.read(path: folder + "/worksheets/" + xlsx)
        let result = try RecheckImport.run(file: folder + "/worksheets/" + xlsx, ledgerPath: ledgerPath)
        #expect(result.read == table.rows.count && result.read > 0)
        #expect(result.rejected == result.read)
        #expect(result.rejectionLines.allSatisfy { $0.contains(": date: empty") }, "\(result.rejectionLines)")
        #expect(result.rejections.first?.line == 4, "title on row 1, header on row 3")
    }

    @Test("recheck import reads a filled worksheet saved by a spreadsheet program (LibreOffice: shared strings, date cells)")
    func importSpreadsheetSavedXLSX() throws {
        let (_, ledgerPath) = try sampleRun()
        let ledger = try RunLedger(path: ledgerPath)
        let runID = try #require(try ledger.latestRun()?.runID)
        let sample = try ledger.spotcheckSample(runID: runID).filter { $0.inspectorID != nil && !$0.unitID.contains("/") }
        try #require(sample.count >= 3)
        let folder = temporaryFolder()
        // What an inspector's spreadsheet program writes back: typed cells, dates as day numbers.
        let csv = """
            unit_id,inspector_id,date,outcome,corrected_status,note
            \(sample[0].unitID),\(sample[0].inspectorID!),2024-06-03,confirmed,,属实
            \(sample[1].unitID),\(sample[1].inspectorID!),2024-06-04,discrepancy,ineligible,车辆仍在使用
            \(sample[2].unitID),\(sample[2].inspectorID!),,confirmed,,

            """
        try csv.write(toFile: folder + "/filled.csv", atomically: true, encoding: .utf8)
        let soffice = try runProcess(
            "/usr/bin/env", ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", folder, folder + "/filled.csv"],
            environment: ["HOME": folder])
        try #require(soffice.code == 0, "soffice: \(soffice.stderr)")
        let result = try RecheckImport.run(file: folder + "/filled.xlsx", ledgerPath: ledgerPath)
        #expect(result.read == 3)
        #expect(result.imported == 2, "\(result.rejectionLines)")
        #expect(result.rejected == 1)
        #expect(result.rejectionLines.first?.contains("line 4: date: empty") == true, "\(result.rejectionLines)")
        let stored = try ledger.recheckOutcomes(runID: runID)
        #expect(Set(stored.map(\.unitID)) == [sample[0].unitID, sample[1].unitID])
    }

    @Test("Wilson score interval: known values")
    func wilson() throws {
        let a = try #require(RecheckSummary.wilson(5, of: 100))
        #expect(abs(a.low - 0.021543) < 0.000005 && abs(a.high - 0.111752) < 0.000005)
        let b = try #require(RecheckSummary.wilson(0, of: 10))
        #expect(b.low == 0 && abs(b.high - 0.277540) < 0.000005)
        let c = try #require(RecheckSummary.wilson(10, of: 10))
        #expect(abs(c.low - 0.722460) < 0.000005 && c.high == 1)
        #expect(RecheckSummary.wilson(0, of: 0) == nil)
        let report = RecheckSummary.report(
            runID: "r",
            sample: (1...4).map {
                SpotcheckSampleRecord(
                    runID: "r", unitID: "U\($0)", regionCode: "330902", status: $0 < 4 ? "eligible_dibao" : "ineligible",
                    stratum: "", weight: "1", inspectorID: "I", note: "")
            },
            outcomes: [
                RecheckOutcomeRecord(
                    runID: "r", unitID: "U1", inspectorID: "I", recordedAt: Date(), outcome: "discrepancy", status: "ineligible", note: ""),
                RecheckOutcomeRecord(
                    runID: "r", unitID: "U2", inspectorID: "I", recordedAt: Date(), outcome: "confirmed", status: nil, note: ""),
            ])
        #expect(report.rows.map { [$0.sampled, $0.rechecked, $0.discrepancies] } == [[3, 2, 1], [1, 0, 0]])
        #expect(report.rows[0].rate == 0.5)
        #expect(report.rows[1].interval == nil)
    }
}
