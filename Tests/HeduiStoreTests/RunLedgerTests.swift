import Foundation
import HeduiStore
import Testing

private func temporaryLedgerPath() -> String {
    let folder = NSTemporaryDirectory() + "hedui-ledger-" + UUID().uuidString
    return folder + "/hedui.sqlite"
}

private func run(_ id: String, asOf: String = "2024-05-31", output: String = "/srv/out", previous: String? = nil) -> RunRecord {
    RunRecord(
        runID: id, identity: String(id.prefix(23)), outputPath: output, asOf: asOf, seed: asOf, policyFile: "policy.yaml",
        policySha256: String(repeating: "a", count: 64), engineVersion: "0.1.0", threads: 2,
        startedAt: Date(timeIntervalSince1970: 1_700_000_000), finishedAt: Date(timeIntervalSince1970: 1_700_000_010),
        durationSeconds: 10, exitCode: 3, units: 2, flagged: 1, recordsRead: 100, quarantined: 1, rejectedFiles: 0,
        forced: false, previousRunID: previous)
}

private func unit(_ runID: String, _ unitID: String, status: String, reasons: String = "") -> UnitResultRecord {
    UnitResultRecord(
        runID: runID, unitID: unitID, householdID: String(unitID.prefix(5)), regionCode: "330902", areaType: "urban",
        status: status, flag: "", reasons: reasons, members: 2, monthlyIncomeFen: 123_456, financialAssetsFen: 7_890_000,
        vehicles: 0, homes: 1, housingAreaHundredths: 6_000, standardFen: 113_333, suggestedBenefit: 12)
}

@Suite("The run ledger (SQLite through GRDB)")
struct RunLedgerTests {
    @Test("A new ledger is created owner-only with migration v1 and every table, the spot-check ones empty")
    func migrations() throws {
        let path = temporaryLedgerPath()
        let ledger = try RunLedger(path: path)
        #expect(try ledger.appliedMigrations() == ["v1"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try ledger.runCount() == 0)
        #expect(try ledger.spotcheckSample(runID: "x").isEmpty)
        #expect(try ledger.recheckOutcomes(runID: "x").isEmpty)
        // Opening again applies nothing new and keeps the data.
        #expect(try RunLedger(path: path).appliedMigrations() == ["v1"])
    }

    @Test("createIfMissing: false does not create a ledger")
    func noCreate() {
        let path = temporaryLedgerPath()
        #expect(throws: LedgerError.self) { try RunLedger(path: path, createIfMissing: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("A run, its files, units and outputs round-trip; recording the same run id again updates it in place")
    func recordAndReplace() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        let input = InputFileRecord(
            runID: "r1", position: 0, name: "bank.csv", kind: "bank", format: "csv", compressed: false,
            encoding: "UTF-8", sha256: "b", bytes: 10, recordsRead: 5, accepted: 4, quarantined: 1,
            duplicates: 0, unrelated: 0, rejected: false, rejectionCode: nil)
        let output = OutputFileRecord(runID: "r1", name: "assessments.csv", sha256: "c", bytes: 3)
        let stored = try ledger.record(
            .init(
                run: run("r1"), inputs: [input], units: [unit("r1", "H1", status: "ineligible", reasons: "A;B")],
                outputs: [output]))
        #expect(stored.seq == 1)
        #expect(try ledger.run("r1")?.runID == "r1")
        #expect(try ledger.run("1")?.runID == "r1", "a run is found by its number too")
        #expect(try ledger.inputFiles(runID: "r1") == [input])
        #expect(try ledger.outputFiles(runID: "r1") == [output])
        #expect(try ledger.unitResults(runID: "r1").map(\.reasons) == ["A;B"])
        #expect(try ledger.unitCounts(runID: "r1").status == ["ineligible": 1])

        _ = try ledger.record(.init(run: run("r2"), inputs: [], units: [], outputs: []))
        var again = run("r1")
        again.durationSeconds = 99
        let replaced = try ledger.record(.init(run: again, inputs: [], units: [unit("r1", "H2", status: "eligible_dibao")], outputs: []))
        #expect(replaced.seq == 1, "same row, same place in the ledger's order")
        #expect(try ledger.runCount() == 2)
        #expect(try ledger.run("r1")?.durationSeconds == 99)
        #expect(try ledger.unitResults(runID: "r1").map(\.unitID) == ["H2"])
        #expect(try ledger.inputFiles(runID: "r1").isEmpty)
    }

    @Test("The previous run: the latest with an as-of on or before, leaving out the run itself and later ones")
    func previousRun() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        for (id, asOf) in [("a", "2024-05-29"), ("b", "2024-05-31"), ("c", "2024-05-30"), ("d", "2024-06-02")] {
            try ledger.record(.init(run: run(id, asOf: asOf), inputs: [], units: [], outputs: []))
        }
        #expect(try ledger.previousRun(asOf: "2024-05-31", excluding: nil)?.runID == "c")
        #expect(try ledger.previousRun(asOf: "2024-05-30", excluding: "c")?.runID == "a")
        #expect(try ledger.previousRun(asOf: "2024-06-01", excluding: "d")?.runID == "c")
        #expect(try ledger.previousRun(asOf: "2024-05-28", excluding: nil) == nil)
    }

    @Test("The last success ignores failed runs")
    func lastSuccess() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        #expect(try ledger.lastSuccess() == nil)
        try ledger.record(.init(run: run("ok"), inputs: [], units: [], outputs: []))
        var failed = run("bad")
        failed.exitCode = 1
        failed.finishedAt = Date(timeIntervalSince1970: 1_800_000_000)
        try ledger.record(.init(run: failed, inputs: [], units: [], outputs: []))
        #expect(try ledger.lastSuccess() == Date(timeIntervalSince1970: 1_700_000_010))
    }

    @Test("A spot-check sample and recheck outcomes can be stored against a run")
    func spotChecks() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        let drawn = SpotcheckSampleRecord(
            runID: "r1", unitID: "H1", regionCode: "330902", status: "eligible_dibao",
            stratum: "330902/eligible_dibao", weight: "2", inspectorID: "JC001", note: "")
        try ledger.record(.init(run: run("r1"), inputs: [], units: [], outputs: [], sample: [drawn]))
        try ledger.recordRecheck(
            RecheckOutcomeRecord(
                runID: "r1", unitID: "H1", inspectorID: "JC001",
                recordedAt: Date(timeIntervalSince1970: 1_700_100_000),
                outcome: "confirmed", status: nil, note: ""))
        #expect(try ledger.spotcheckSample(runID: "r1") == [drawn])
        #expect(try ledger.recheckOutcomes(runID: "r1").map(\.outcome) == ["confirmed"])
    }

    @Test("A failed transaction leaves the ledger as it was, and its error carries no row value")
    func failedTransaction() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        try ledger.record(.init(run: run("r1"), inputs: [], units: [], outputs: []))
        let secret = "HH001/33091120060531045X"
        // Two results for one unit violate the primary key: the whole run is rolled back.
        let units = [unit("r2", secret, status: "ineligible"), unit("r2", secret, status: "ineligible")]
        do {
            try ledger.record(.init(run: run("r2"), inputs: [], units: units, outputs: []))
            Issue.record("expected a constraint error")
        } catch let error as LedgerError {
            #expect(!error.description.contains("33091120060531045X"))
        }
        #expect(try ledger.runCount() == 1)
        #expect(try ledger.unitResults(runID: "r2").isEmpty)
    }

    @Test("Recording in two steps: unit rows before their run row (foreign keys checked at the commit); a failing rest records nothing")
    func twoSteps() throws {
        let ledger = try RunLedger(path: temporaryLedgerPath())
        struct PublishFailed: Error {}
        let units = [unit("r1", "HH001", status: "ineligible"), unit("r1", "HH002", status: "eligible_dibao")]
        #expect(throws: (any Error).self) {
            try ledger.record(runID: "r1", units: units, rest: { throw PublishFailed() })
        }
        #expect(try ledger.runCount() == 0)
        #expect(try ledger.unitResults(runID: "r1").isEmpty)
        // The same run recorded for real afterwards (the ledger is free again).
        let stored = try ledger.record(runID: "r1", units: units, rest: { .init(run: run("r1"), inputs: [], units: [], outputs: []) })
        #expect(stored.seq != nil)
        #expect(try ledger.unitResults(runID: "r1").map(\.unitID) == ["HH001", "HH002"])
        // Unit rows of a run that never comes (r3) break the foreign key at the commit: nothing is recorded.
        #expect(throws: (any Error).self) {
            try ledger.record(
                runID: "r2", units: [unit("r3", "HH009", status: "ineligible")],
                rest: { .init(run: run("r2"), inputs: [], units: [], outputs: []) })
        }
        #expect(try ledger.unitResults(runID: "r3").isEmpty)
        #expect(try ledger.runCount() == 1)
    }
}
