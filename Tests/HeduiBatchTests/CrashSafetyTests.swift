import Foundation
import HeduiBatch
import HeduiStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kill -9` at many moments of a run: the previous output and the ledger stay as they were (or
/// the new run is complete), and the next run succeeds.
///
/// The killed runs use `HEDUI_TEST_SLOW_MS` (a sleep at every checkpoint, see `TestHooks`) so that
/// kills after a delay land in every stage, and `HEDUI_TEST_KILL_AT` to kill at each named
/// checkpoint exactly, including the narrow windows between publishing and recording and inside
/// the ledger transaction. Nothing here waits for a sleep to pass a check: the delays only choose
/// where the kill lands, and every outcome is checked.
@Suite("Crash safety: SIGKILL at many moments of a run", .serialized)
struct CrashSafetyTests {
    /// A folder holding the last good state: SampleData's run published in `out`, one ledger row.
    static func goodState() throws -> (folder: String, files: [String: Data]) {
        let folder = temporaryFolder()
        let result = try HeduiProcess.run([
            "run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", folder + "/out", "--threads", "2",
        ])
        #expect(result.code == 3)
        return (folder, snapshot(folder + "/out"))
    }

    enum Landed: String { case before, publishedNotRecorded, recorded }

    /// One kill: a copy of the good state, a run on another inbox killed after `delayMicroseconds`
    /// or at `checkpoint`; checks what it left, then runs again and checks that that succeeds.
    static func killOnce(
        good: (folder: String, files: [String: Data]), inbox: String, newFiles: [String: Data],
        delayMicroseconds: UInt32?, checkpoint: String?
    ) throws -> Landed {
        let folder = temporaryFolder()
        try FileManager.default.removeItem(atPath: folder)
        try FileManager.default.copyItem(atPath: good.folder, toPath: folder)
        let out = folder + "/out"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HeduiProcess.executable)
        process.arguments = [
            "run", "--inbox", inbox, "--policy", samplePolicy, "--out", out, "--threads", "2",
            "--metrics-file", folder + "/hedui.prom",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HEDUI_TEST_SLOW_MS"] = "30"
        if let checkpoint { environment["HEDUI_TEST_KILL_AT"] = checkpoint }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let delayMicroseconds {
            usleep(delayMicroseconds)
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let killed = process.terminationReason == .uncaughtSignal
        #expect(killed || process.terminationStatus == 3, "killed, or finished before the kill")

        // What the kill left.
        let left = snapshot(out)
        let runs = try RunLedger(path: folder + "/hedui.sqlite").runs()
        let landed: Landed
        if left == good.files {
            #expect(runs.count == 1, "old output, so the ledger must be unchanged")
            landed = .before
        } else {
            // The new output is in place whole: every file, and all but the manifest (times) as expected.
            #expect(left.keys.sorted() == newFiles.keys.sorted())
            for (name, data) in newFiles where name != "manifest.json" { #expect(left[name] == data, "\(name)") }
            #expect(runs.count == 1 || runs.count == 2)
            if runs.count == 2 {
                let recorded = try RunLedger(path: folder + "/hedui.sqlite").outputFiles(runID: runs[1].runID)
                #expect(recorded.count == left.count)
                landed = .recorded
            } else {
                landed = .publishedNotRecorded
            }
        }
        #expect(
            runs.first?.runID == (try RunLedger(path: good.folder + "/hedui.sqlite").runs().first?.runID), "the good run's row is untouched"
        )

        // The next run succeeds, and leaves a consistent state.
        let next = try HeduiProcess.run(["run", "--inbox", inbox, "--policy", samplePolicy, "--out", out, "--threads", "2"])
        #expect(next.code == 3, "\(next.stderr)")
        let final = snapshot(out)
        for (name, data) in newFiles where name != "manifest.json" { #expect(final[name] == data, "\(name)") }
        let ledger = try RunLedger(path: folder + "/hedui.sqlite")
        #expect(try ledger.runCount() == 2, "the good run and the new one, once")
        let last = try #require(try ledger.runs().last)
        for file in try ledger.outputFiles(runID: last.runID) {
            let bytes = try #require(final[file.name])
            #expect(file.bytes == Int64(bytes.count), "the ledger describes the published files")
        }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!siblings.contains { $0.contains(".staging-") || $0.contains(".old-") }, "no staging folder left: \(siblings)")
        try? FileManager.default.removeItem(atPath: folder)
        return landed
    }

    @Test("kill -9 at 24 moments spread over a run and at every named checkpoint")
    func killAnywhere() throws {
        let good = try Self.goodState()
        let inbox = try sampleInbox(without: ["vehicle.xml"])
        // What the killed run would publish, and how long it takes with the widened windows.
        let reference = temporaryFolder()
        try FileManager.default.removeItem(atPath: reference)
        try FileManager.default.copyItem(atPath: good.folder, toPath: reference)
        var duration = 0.0
        var newFiles: [String: Data] = [:]
        for attempt in 0..<2 {
            let started = Date()
            let full = try HeduiProcess.run(
                [
                    "run", "--inbox", inbox, "--policy", samplePolicy, "--out", reference + "/out", "--threads", "2", "--force",
                    "--metrics-file", reference + "/hedui.prom",
                ],
                environment: ["HEDUI_TEST_SLOW_MS": "30"])
            duration = max(duration, Date().timeIntervalSince(started))
            #expect(full.code == 3)
            // The first is what a killed run publishes (its changes.csv compares with the good run).
            if attempt == 0 { newFiles = snapshot(reference + "/out") }
        }
        #expect(newFiles != good.files)

        var landed: [Landed: Int] = [:]
        let points = 24
        for i in 0..<points {
            // From 0 to 130% of the (slower) reference run's length: the last kills may come after
            // the run has finished, which is checked the same way.
            let delay = UInt32(duration * 1.3 * Double(i) / Double(points - 1) * 1_000_000)
            landed[
                try Self.killOnce(good: good, inbox: inbox, newFiles: newFiles, delayMicroseconds: delay, checkpoint: nil), default: 0] += 1
        }
        var byCheckpoint: [String: Landed] = [:]
        for checkpoint in TestHooks.checkpoints {
            byCheckpoint[checkpoint] = try Self.killOnce(
                good: good, inbox: inbox, newFiles: newFiles, delayMicroseconds: nil, checkpoint: checkpoint)
        }
        // Every checkpoint before the rename keeps the old output; after it, the new output is
        // whole; the ledger has the run only once its transaction committed.
        for checkpoint in ["locked", "roster-read", "sources-read", "assessed", "staging", "staged"] {
            #expect(byCheckpoint[checkpoint] == .before, "\(checkpoint)")
        }
        for checkpoint in ["swapped", "published", "ledger-uncommitted"] {
            #expect(byCheckpoint[checkpoint] == .publishedNotRecorded, "\(checkpoint)")
        }
        for checkpoint in ["recorded", "metrics-written"] {
            #expect(byCheckpoint[checkpoint] == .recorded, "\(checkpoint)")
        }
        // Where the timed kills landed depends on the machine's load (the checkpoint kills above
        // cover every window deterministically); the early ones always land before publication.
        #expect((landed[.before] ?? 0) >= 1, "\(landed)")
        #expect(landed.values.reduce(0, +) == points)
        print(
            "crash safety: run \(String(format: "%.2f", duration)) s; \(points) timed kills landed \(landed); checkpoints \(byCheckpoint.mapValues(\.rawValue))"
        )
    }
}
