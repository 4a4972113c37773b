import Foundation
import HeduiBatch
import HeduiModel
import Testing

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let sampleInbox = repositoryRoot.appendingPathComponent("SampleData/inbox").path
let samplePolicy = repositoryRoot.appendingPathComponent("SampleData/policy.yaml").path
let goldenFolder = repositoryRoot.appendingPathComponent("Tests/HeduiBatchTests/Fixtures/golden").path

func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "hedui-run-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

@Suite("hedui run on SampleData")
struct RunTests {
    /// The golden test. `Tests/HeduiBatchTests/Fixtures/golden/assessments.csv` is the expected output;
    /// set RECORD_GOLDEN=1 to re-record it after a reviewed change.
    ///
    /// Reviewed by hand against `SampleData/stories.md`, whose 42 story units were designed on the
    /// boundaries of rules.md and checked by an evaluator written independently of the engine:
    /// - eligible_dibao: DHS02 (income one fen below S×n, benefit 1), DHS05 (assets exactly S×24, a later-dated
    ///   balance ignored), DHS10 (exempt vehicle types), DHS11 (scrapped car, car after the as-of date), DHS13 (car one fen
    ///   below 330903's exemption value), DHS15 (co-owned home counted once), DHS17 (exactly 60 m²), DHS21 (rigid
    ///   expenses deducted, benefit 34), DHS25 and DHS25/<id>, DHS27/<id> (separate units at exactly 18), DHS37 (overrides);
    /// - eligible_low_income: DHS01 (income exactly S×n: INCOME_OVER_DIBAO), DHS03 (exactly L×n), DHS06 (assets one fen
    ///   over the dibao limit: ASSETS_OVER_DIBAO_LIMIT), DHS07 (USD converted), DHS19 (tax window edges), DHS35 (rural standard);
    /// - ineligible: DHS04 (INCOME_OVER_LOW_INCOME), DHS08 (ASSETS_OVER_LOW_INCOME_LIMIT), DHS09 and DHS12 (VEHICLE_OWNED),
    ///   DHS14 (PROPERTY_OVER_LIMIT), DHS16 (HOUSING_AREA_OVER_LIMIT), DHS18 (NON_RESIDENTIAL_PROPERTY);
    /// - needs_review: DHS22/DHS23 (DUPLICATE_MEMBERSHIP), DHS24 (MEMBER_ID_INVALID), DHS26 and DHS28
    ///   (SEPARATE_HOUSEHOLD_INVALID), DHS29 and DHS31 (PROBABLE_MATCH: other name; one substituted digit), DHS33
    ///   (RECORD_REJECTED), DHS34 (POLICY_MISSING);
    /// - informational: DHS20 (DECLARED_INCOME_UNDERSTATED, and a duplicate tax record counted once), DHS30 and DHS32
    ///   (PROBABLE_MATCH_NO_EFFECT: other name; adjacent swap).
    /// SOURCE_MISSING_* and SOURCE_INCOMPLETE_* are covered by `sourceMissingAndIncomplete` below.
    @Test func golden() throws {
        let out = temporaryFolder() + "/out"
        let outcome = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        #expect(outcome.exitCode == 3)
        #expect(outcome.asOf.description == "2024-05-31", "the as-of date comes from the roster's asOf")
        for name in ["assessments.csv", "quarantine.csv"] {
            let produced = try read(out + "/" + name)
            if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] != nil {
                try produced.write(to: URL(fileURLWithPath: goldenFolder + "/" + name))
            }
            let expected = try read(goldenFolder + "/" + name)
            #expect(produced == expected, "\(name) differs from the golden file")
        }
        // Every story of stories.md has the designed status, reasons, flag and benefit.
        let rows = try csvRows(out + "/assessments.csv")
        let stories = try String(contentsOfFile: repositoryRoot.appendingPathComponent("SampleData/stories.md").path, encoding: .utf8)
        var checked = 0
        for line in stories.split(separator: "\n") where line.hasPrefix("| DHS") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let row = try #require(rows[cells[1]], "unit \(cells[1]) missing")
            #expect(row["status"] == cells[4], "\(cells[1])")
            #expect(row["reasons"] == cells[5], "\(cells[1])")
            #expect(row["flag"] == cells[6], "\(cells[1])")
            if !cells[7].isEmpty { #expect(row["suggested_benefit"] == cells[7], "\(cells[1])") }
            checked += 1
        }
        #expect(checked == 42)
    }

    @Test("Outputs are byte-identical for 1, 2 and 8 threads")
    func threadCountDoesNotChangeOutput() throws {
        var outputs: [[String: Data]] = []
        for threads in [1, 2, 8] {
            let out = temporaryFolder() + "/out"
            _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: threads).run()
            var files: [String: Data] = [:]
            for name in ["assessments.csv", "quarantine.csv", "evidence.jsonl", "spotcheck.csv"] {
                files[name] = try read(out + "/" + name)
            }
            // The manifest records the thread count and the times; everything else in it must agree too.
            let manifest = try JSONSerialization.jsonObject(with: read(out + "/manifest.json")) as! [String: Any]
            var stable = manifest
            for key in ["threads", "started_at", "finished_at"] { stable[key] = nil }
            files["manifest.json"] = try JSONSerialization.data(withJSONObject: stable, options: [.sortedKeys])
            #expect(manifest["threads"] as? Int == threads)
            outputs.append(files)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
    }

    @Test("spotcheck.csv is re-derived by the independent script scripts/spotcheck-verify.py")
    func spotCheckReDerived() throws {
        let out = temporaryFolder() + "/out"
        _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: "公示-2024-05", threads: 2).run()
        let spot = try String(contentsOfFile: out + "/spotcheck.csv", encoding: .utf8)
        #expect(spot.hasPrefix("unit_id,region_code,status,stratum,weight,inspector_id,note\n"))
        #expect(spot.split(separator: "\n").count > 10)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", repositoryRoot.appendingPathComponent("scripts/spotcheck-verify.py").path, out,
            "--policy", samplePolicy, "--inspectors", sampleInbox + "/inspectors.csv",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("identical"))
    }

    @Test("The spot-check draw does not depend on the roster file's row order (rules.md, Spot checks)")
    func spotCheckIgnoresRosterOrder() throws {
        let inbox = temporaryFolder()
        for name in try FileManager.default.contentsOfDirectory(atPath: sampleInbox) {
            try FileManager.default.copyItem(atPath: sampleInbox + "/" + name, toPath: inbox + "/" + name)
        }
        // Reverse the records of the CSV roster (a quoted address may span lines; the header stays first).
        let path = inbox + "/roster-supplement.csv"
        var records: [String] = []
        var pending = ""
        // Split the bytes: the file has CRLF line ends, and "\r\n" is one Character to String's own splitting.
        for bytes in try read(path).split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: bytes, as: UTF8.self)
            pending += pending.isEmpty ? String(line) : "\n" + line
            if pending.filter({ $0 == "\"" }).count % 2 == 0 {
                if !pending.isEmpty { records.append(pending) }
                pending = ""
            }
        }
        let header = records.removeFirst()
        #expect(records.count > 100)
        try ([header] + records.reversed()).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        var draws: [Data] = []
        for source in [sampleInbox, inbox] {
            let out = temporaryFolder() + "/out"
            _ = try RunJob(inboxPath: source, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: "s-1", threads: 2).run()
            draws.append(try read(out + "/spotcheck.csv"))
        }
        #expect(draws[0] == draws[1])
        #expect(draws[0].count > 200)
    }

    @Test("Files and folders are owner-only; a rerun replaces the output folder")
    func permissionsAndRerun() throws {
        let out = temporaryFolder() + "/out"
        _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        try "stale".write(toFile: out + "/stale.txt", atomically: true, encoding: .utf8)
        _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        #expect(!FileManager.default.fileExists(atPath: out + "/stale.txt"))
        let folderMode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int
        #expect(folderMode == 0o700)
        for name in try FileManager.default.contentsOfDirectory(atPath: out) {
            let mode = try FileManager.default.attributesOfItem(atPath: out + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
        #expect(
            siblings.sorted() == ["hedui.sqlite", "out", "out.lock"],
            "no staging folder is left behind; the ledger and lock sit beside <out>")
        for name in ["hedui.sqlite", "out.lock"] {
            let mode =
                try FileManager.default.attributesOfItem(atPath: (out as NSString).deletingLastPathComponent + "/" + name)[
                    .posixPermissions] as? Int
            #expect(mode == 0o600, "\(name)")
        }
    }

    @Test("The manifest reconciles: read = accepted + quarantined + duplicates for every file")
    func manifestCounts() throws {
        let out = temporaryFolder() + "/out"
        _ = try RunJob(inboxPath: sampleInbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        let manifest = try JSONSerialization.jsonObject(with: read(out + "/manifest.json")) as! [String: Any]
        let files = try #require(manifest["files"] as? [[String: Any]])
        #expect(files.count == 10)
        var duplicates = 0
        for file in files {
            let read = file["records_read"] as! Int, accepted = file["accepted"] as! Int
            let quarantined = file["quarantined"] as! Int, duplicate = file["duplicate"] as! Int
            #expect(read == accepted + quarantined + duplicate, "\(file["name"] ?? "")")
            duplicates += duplicate
        }
        #expect(duplicates == 2, "the repeated bank record and the repeated tax record")
        #expect(manifest["ignored_files"] as? [String] == ["readme.txt"])
        #expect(manifest["seed"] as? String == "2024-05-31")
    }

    @Test("A missing source marks every unit SOURCE_MISSING_*; a rejected file SOURCE_INCOMPLETE_* (rules.md, point 9)")
    func sourceMissingAndIncomplete() throws {
        let inbox = temporaryFolder()
        for name in try FileManager.default.contentsOfDirectory(atPath: sampleInbox)
        where !name.hasPrefix("vehicle") && !name.hasPrefix("property") {
            try FileManager.default.copyItem(atPath: sampleInbox + "/" + name, toPath: inbox + "/" + name)
        }
        // A property file cut in transfer: rejected whole; it was the only one, so also missing.
        var compressed = try Array(read(sampleInbox + "/tax-2024.csv.gz"))
        compressed.removeLast(10)
        try Data(compressed).write(to: URL(fileURLWithPath: inbox + "/property-cut.csv.gz"))
        let out = temporaryFolder() + "/out"
        let outcome = try RunJob(inboxPath: inbox, policyPath: samplePolicy, outputPath: out, asOf: nil, seed: nil, threads: 2).run()
        #expect(outcome.exitCode == 3)
        let rows = try csvRows(out + "/assessments.csv")
        for (_, row) in rows {
            let reasons = Set(row["reasons"]!.split(separator: ";").map(String.init))
            #expect(reasons.isSuperset(of: ["SOURCE_MISSING_VEHICLE", "SOURCE_MISSING_PROPERTY", "SOURCE_INCOMPLETE_PROPERTY"]))
            #expect(!reasons.contains("SOURCE_MISSING_BANK"))
        }
        #expect(rows["DHS02"]?["status"] == "needs_review")
        let quarantine = try String(contentsOfFile: out + "/quarantine.csv", encoding: .utf8)
        #expect(quarantine.contains("property-cut.csv.gz,file,property,,GZIP_TRUNCATED,"))
    }
}

/// Rows of a CSV file without quoted line breaks, keyed by the first column.
func csvRows(_ path: String) throws -> [String: [String: String]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n").map(String.init)
    let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var rows: [String: [String: String]] = [:]
    for line in lines {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows[cells[0]] = Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
    return rows
}
