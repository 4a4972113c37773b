import Foundation
import HeduiBatch
import HeduiStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Every file of a folder (top level), by name.
func snapshot(_ folder: String) -> [String: Data] {
    var files: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        files[name] = try? read(folder + "/" + name)
    }
    return files
}

/// SampleData's inbox without the named files.
func sampleInbox(without excluded: Set<String>) throws -> String {
    let inbox = temporaryFolder()
    for name in try FileManager.default.contentsOfDirectory(atPath: sampleInbox) where !excluded.contains(name) {
        try FileManager.default.copyItem(atPath: sampleInbox + "/" + name, toPath: inbox + "/" + name)
    }
    return inbox
}

@Suite("Operations: idempotent reruns, run-to-run changes, the lock, metrics, no personal data in logs")
struct OperationsTests {
    @Test("Rerunning the same batch publishes nothing new: files byte-identical, one ledger row; --force is a new run")
    func idempotentRerun() throws {
        let folder = temporaryFolder()
        let out = folder + "/out"
        let args = ["run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", out, "--threads", "2"]
        let first = try HeduiProcess.run(args)
        #expect(first.code == 3)
        let published = snapshot(out)
        #expect(
            published.keys.sorted() == [
                "assessments.csv", "changes.csv", "evidence.jsonl", "households.jsonl", "manifest.json", "quarantine.csv",
                "spotcheck-inputs.json", "spotcheck.csv",
            ])

        for threads in ["1", "4"] {
            let again = try HeduiProcess.run(args.dropLast(2) + ["--threads", threads])
            #expect(again.code == 3, "the earlier run's exit code")
            #expect(again.stdout.contains("already done at"))
            #expect(again.stdout.contains("output unchanged (use --force to run again)"))
            #expect(snapshot(out) == published, "byte-identical")
        }
        // The reports hedui report derives from the run do not make it look changed.
        let reports = try HeduiProcess.run(["report", "--run", out])
        #expect(reports.code == 0, "\(reports.stderr)")
        let withReports = try HeduiProcess.run(args)
        #expect(withReports.stdout.contains("already done at"))
        #expect(FileManager.default.fileExists(atPath: out + "/reports/summary.html"))
        try FileManager.default.removeItem(atPath: out + "/reports")

        let ledger = try RunLedger(path: folder + "/hedui.sqlite")
        #expect(try ledger.runCount() == 1)
        let runID = try #require(try ledger.runs().first?.runID)
        // The spot-check sample is stored with the run, row for row as spotcheck.csv.
        let sample = try ledger.spotcheckSample(runID: runID)
        let spotRows = String(decoding: try #require(published["spotcheck.csv"]), as: UTF8.self).split(separator: "\n").dropFirst()
        #expect(sample.count == spotRows.count)
        #expect(sample.map(\.unitID) == spotRows.map { String($0.split(separator: ",")[0]) })

        // The published output changed by hand (a file deleted): the same run is done again, in place.
        try FileManager.default.removeItem(atPath: out + "/evidence.jsonl")
        #expect(try HeduiProcess.run(args).code == 3)
        #expect(try ledger.runCount() == 1)
        #expect(try ledger.runs().map(\.runID) == [runID])
        let republished = snapshot(out)
        for name in ["assessments.csv", "changes.csv", "evidence.jsonl", "quarantine.csv", "spotcheck.csv"] {
            #expect(republished[name] == published[name], "\(name)")
        }
        #expect(try HeduiProcess.run(args).stdout.contains("already done"))

        // --force: a new run, compared with the one before it.
        let forced = try HeduiProcess.run(args + ["--force"])
        #expect(forced.code == 3)
        #expect(try ledger.runs().map(\.runID) == [runID, runID + "-r2"])
        #expect(forced.stdout.contains("hedui run \(runID)-r2:"))
        #expect(forced.stdout.contains("0 units changed since \(runID)"))
        for name in ["assessments.csv", "evidence.jsonl", "quarantine.csv"] {
            #expect(snapshot(out)[name] == published[name], "\(name)")
        }
    }

    @Test("changes.csv: two inboxes that differ in known ways (vehicle file and roster supplement left out, then back)")
    func changesBetweenRuns() throws {
        let folder = temporaryFolder()
        let out = folder + "/out"
        func run(_ inbox: String) throws -> RunJob.Outcome {
            try RunJob(inboxPath: inbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        }
        let full = try run(sampleInbox)
        #expect(
            try String(contentsOfFile: out + "/changes.csv", encoding: .utf8)
                == "unit_id,previous_status,status,reasons_added,reasons_removed,since_run\n", "a first run: header only")
        let before = try csvRows(out + "/assessments.csv")

        // Second inbox: no vehicle file (every unit gains SOURCE_MISSING_VEHICLE, VEHICLE_OWNED goes), and no
        // roster supplement (the units only it held are gone).
        let reduced = try sampleInbox(without: ["vehicle.xml", "roster-supplement.csv"])
        let second = try run(reduced)
        let after = try csvRows(out + "/assessments.csv")
        let changes = try csvRecords(out + "/changes.csv")
        #expect(changes.map { $0["unit_id"]! } == changes.map { $0["unit_id"]! }.sorted(), "sorted by unit_id")
        #expect(Set(changes.map { $0["since_run"]! }) == [full.runID])

        // The expected rows, worked out from the two assessments.csv files.
        var expected: [String: (String, String, Set<String>, Set<String>)] = [:]
        for id in Set(before.keys).union(after.keys) {
            let old = before[id], new = after[id]
            let oldReasons = Set(old?["reasons"]?.split(separator: ";").map(String.init) ?? [])
            let newReasons = Set(new?["reasons"]?.split(separator: ";").map(String.init) ?? [])
            if old?["status"] != new?["status"] || oldReasons != newReasons {
                expected[id] = (
                    old?["status"] ?? "", new?["status"] ?? "", newReasons.subtracting(oldReasons), oldReasons.subtracting(newReasons)
                )
            }
        }
        #expect(changes.count == expected.count)
        for row in changes {
            let e = try #require(expected[row["unit_id"]!])
            #expect(row["previous_status"] == e.0 && row["status"] == e.1, "\(row["unit_id"]!)")
            #expect(Set(row["reasons_added"]!.split(separator: ";").map(String.init)) == e.2)
            #expect(Set(row["reasons_removed"]!.split(separator: ";").map(String.init)) == e.3)
        }
        // The known differences.
        let gone = Set(before.keys).subtracting(after.keys)
        #expect(!gone.isEmpty, "the supplement held units of its own")
        for row in changes where gone.contains(row["unit_id"]!) {
            #expect(row["status"] == "" && row["reasons_added"] == "")
        }
        for row in changes where !gone.contains(row["unit_id"]!) {
            #expect(row["reasons_added"]!.contains("SOURCE_MISSING_VEHICLE"), "\(row["unit_id"]!)")
        }
        let dhs09 = try #require(changes.first { $0["unit_id"] == "DHS09" })
        #expect(dhs09["previous_status"] == "ineligible")
        #expect(dhs09["reasons_removed"] == "VEHICLE_OWNED")
        let dhs02 = try #require(changes.first { $0["unit_id"] == "DHS02" })
        #expect(dhs02["previous_status"] == "eligible_dibao" && dhs02["status"] == "needs_review")
        #expect(second.changes.rows.count == changes.count)
        #expect(second.changes.disappeared == gone.count)

        // Back to the full inbox: a new run (the folder held another run since), the gone units come back.
        let third = try run(sampleInbox)
        #expect(third.runID == full.runID + "-r2")
        let back = try csvRecords(out + "/changes.csv")
        #expect(Set(back.map { $0["since_run"]! }) == [second.runID])
        #expect(Set(back.filter { $0["previous_status"] == "" }.map { $0["unit_id"]! }) == gone)
        #expect(third.changes.newlyEligible > 0)

        // hedui runs diff lists the same rows as changes.csv.
        let diff = try HeduiProcess.run(["runs", "diff", "1", "2", "--db", folder + "/hedui.sqlite"])
        #expect(diff.code == 0)
        let rerendered = try HeduiProcess.run(["runs", "diff", full.runID, second.runID, "--out", out])
        #expect(rerendered.stdout == diff.stdout)
        #expect(diff.stdout.split(separator: "\n").count == changes.count + 1)
        #expect(diff.stderr.contains("units changed since \(full.runID)"))
        let list = try HeduiProcess.run(["runs", "list", "--out", out])
        #expect(list.stdout.split(separator: "\n").count == 4)
        let show = try HeduiProcess.run(["runs", "show", second.runID, "--out", out])
        #expect(show.stdout.contains("compared with  \(full.runID)"))
        #expect(try HeduiProcess.run(["runs", "show", "nope", "--out", out]).code == 2)
    }

    @Test("A second run on the same output while one runs is refused: one line, exit 2")
    func concurrentRunRefused() throws {
        let folder = temporaryFolder()
        let out = folder + "/out"
        let args = ["run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", out]
        let first = Process()
        first.executableURL = URL(fileURLWithPath: HeduiProcess.executable)
        first.arguments = args
        first.environment = ProcessInfo.processInfo.environment.merging(["HEDUI_TEST_SLOW_MS": "400"]) { _, new in new }
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Wait until the first run holds the lock (its pid is in the lock file).
        var holder = ""
        for _ in 0..<200 where holder.isEmpty {
            usleep(20_000)
            holder = (try? String(contentsOfFile: out + ".lock", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        #expect(holder == String(first.processIdentifier))
        let second = try HeduiProcess.run(args)
        #expect(second.code == 2)
        #expect(second.stdout.isEmpty)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(
            second.stderr
                == "hedui: another run (pid \(first.processIdentifier)) holds the lock on \(URL(fileURLWithPath: out).standardizedFileURL.path); exit 2\n"
        )
        first.waitUntilExit()
        #expect(first.terminationStatus == 3, "the first run is not disturbed")
        #expect(try RunLedger(path: folder + "/hedui.sqlite").runCount() == 1)
    }

    @Test("A stale lock and staging folder left by a killed run are taken over and cleaned")
    func staleLockTakenOver() throws {
        let folder = temporaryFolder()
        let out = folder + "/out"
        // A pid that is certainly dead: a process that has ended.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try "\(dead.processIdentifier)\n".write(toFile: out + ".lock", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(
            atPath: folder + "/.out.staging-\(dead.processIdentifier)", withIntermediateDirectories: true)
        try "half".write(toFile: folder + "/.out.staging-\(dead.processIdentifier)/assessments.csv", atomically: true, encoding: .utf8)
        let result = try HeduiProcess.run(["run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", out, "--log-level", "notice"])
        #expect(result.code == 3)
        #expect(result.stderr.contains("took over a stale lock"))
        #expect(result.stderr.contains("lock.stale_pid=\(dead.processIdentifier)"))
        #expect(result.stderr.contains("removed folders left by killed runs"))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(siblings == ["hedui.sqlite", "out", "out.lock"])
    }

    @Test("--metrics-file: Prometheus text format (parsed by prometheus_client); the last success survives a failed run")
    func metricsFile() throws {
        let folder = temporaryFolder()
        let metrics = folder + "/hedui.prom"
        let args = ["run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", folder + "/out", "--metrics-file", metrics]
        #expect(try HeduiProcess.run(args).code == 3)
        let check = try checkMetrics(metrics)
        #expect(check.code == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("exit_code 3"))
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("hedui_records_read{source=\"bank\"} 1232\n"))
        #expect(text.contains("hedui_records_quarantined{source=\"bank\"} 2\n"))
        #expect(text.contains("hedui_units{status=\"needs_review\"} 9\n"))
        let success = try #require(text.split(separator: "\n").first { $0.hasPrefix("hedui_last_success_timestamp_seconds ") })
        #expect(!FileManager.default.fileExists(atPath: metrics + ".tmp"))

        // A failed run (a policy error): exit code 2, and the last success is still the earlier run's.
        let badPolicy = folder + "/bad.yaml"
        try "not: [a policy".write(toFile: badPolicy, atomically: true, encoding: .utf8)
        var bad = args
        bad[4] = badPolicy
        #expect(try HeduiProcess.run(bad).code == 2)
        let failed = try checkMetrics(metrics, failed: true)
        #expect(failed.code == 0, "\(failed.stdout)\(failed.stderr)")
        let after = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(after.contains("hedui_exit_code 2\n"))
        #expect(after.contains(success + "\n"))
    }

    @Test("Logs and stderr of a SampleData run hold no ID number, name or account number from the inbox")
    func noPersonalDataInLogs() throws {
        let tokens = try personalTokens(inbox: sampleInbox)
        #expect(tokens.count > 500, "IDs, names and account numbers found in the inbox: \(tokens.count)")
        let folder = temporaryFolder()
        var printed = ""
        for extra in [["--log-format", "json", "--log-level", "trace"], ["--log-level", "trace"], ["--log-level", "trace", "--force"]] {
            let result = try HeduiProcess.run(
                [
                    "run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", folder + "/out",
                    "--metrics-file", folder + "/m.prom",
                ] + extra)
            #expect(result.code == 3)
            printed += result.stdout + result.stderr + (try String(contentsOfFile: folder + "/m.prom", encoding: .utf8))
        }
        for sub in [["list"], ["show", "1"], ["diff", "1", "2"]] {
            let result = try HeduiProcess.run(["runs"] + sub + ["--out", folder + "/out"])
            printed += result.stdout + result.stderr
        }
        #expect(printed.contains("\"msg\":\"file read\""), "the JSON logs were captured")
        let leaked = tokens.filter { printed.contains($0) }
        #expect(leaked.isEmpty, "\(leaked.count) personal values in logs or stderr")
        #expect(printed.range(of: #"\p{Han}"#, options: .regularExpression) == nil)
    }
}

/// Runs `scripts/check-metrics` (prometheus_client's parser) on a metrics file.
func checkMetrics(_ path: String, failed: Bool = false) throws -> (code: Int32, stdout: String, stderr: String) {
    try runProcess(repositoryRoot.appendingPathComponent("scripts/check-metrics").path, [path] + (failed ? ["--failed"] : []))
}

/// Every ID number, account number and name in an inbox, read independently of the engine: each
/// file decompressed with gzip and transcoded with iconv when it is not UTF-8 (GB18030), then
/// every run of 15 or more digits (with a final X) and every run of Han characters.
func personalTokens(inbox: String) throws -> Set<String> {
    func tool(_ path: String, _ args: [String], input: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.standardInput = FileHandle(forReadingAtPath: input)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
    var tokens: Set<String> = []
    for name in try FileManager.default.contentsOfDirectory(atPath: inbox)
    where name.hasSuffix(".csv") || name.hasSuffix(".xml") || name.hasSuffix(".gz") {
        var data = name.hasSuffix(".gz") ? try tool("/bin/gzip", ["-dc"], input: inbox + "/" + name) : try read(inbox + "/" + name)
        if String(data: data, encoding: .utf8) == nil {
            let temporary = temporaryFolder() + "/raw"
            try data.write(to: URL(fileURLWithPath: temporary))
            data = try tool("/usr/bin/iconv", ["-f", "GB18030", "-t", "UTF-8"], input: temporary)
        }
        let text = String(decoding: data, as: UTF8.self)
        for pattern in [#"[0-9]{15,}[Xx]?"#, #"\p{Han}+"#] {
            let regex = try NSRegularExpression(pattern: pattern)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                tokens.insert(String(text[Range(match.range, in: text)!]))
            }
        }
    }
    return tokens
}

/// Rows of a CSV file without quoted commas or line breaks, in order, as dictionaries.
func csvRecords(_ path: String) throws -> [[String: String]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n").map(String.init)
    let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    return lines.map {
        Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
    }
}
