import CMemoryHints
import Dispatch
import Foundation
import HeduiAssess
import HeduiHouseholds
import HeduiIngest
import HeduiModel
import HeduiReport
import HeduiSample
import HeduiStore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `hedui run`: the nightly batch (outputs.md). Ingests the roster, then the four sources in
/// parallel, matching each record to members as it streams; de-duplicates; assesses every unit
/// on Dispatch workers; publishes the output folder atomically; records the run in the ledger.
///
/// Operations (issue 8):
/// - One run per output folder at a time: `<out>.lock` (`RunLock`); a second run exits 2.
/// - Idempotent: a run whose identity (`RunIdentity`: engine, input SHA-256s, policy, as-of,
///   seed) is already in the ledger for this output folder, and whose published files still have
///   the SHA-256s the ledger recorded, publishes nothing and reports the earlier run (same exit
///   code). If the files were changed or deleted, the run is done again and republished under
///   the same run id, updating its ledger row in place. `force` runs again as a new run
///   (`<identity>-rN`).
/// - Crash-safe order: publish the output (atomic rename), then record the run in the ledger in
///   one transaction. A kill before the rename leaves the previous output and ledger; a kill
///   between the two leaves the new output with no ledger row, and the next identical run,
///   finding no row, runs and republishes it and records it.
public struct RunJob: Sendable {
    public var inboxPath: String
    public var policyPath: String
    public var outputPath: String
    public var asOf: Day?
    public var seed: String?
    public var threads: Int
    /// The run ledger; nil means `hedui.sqlite` in the folder that holds `<out>` (outputs.md).
    public var databasePath: String?
    /// Run again even if this very run is already in the ledger, as a new run.
    public var force = false
    /// Where to write the Prometheus text-format metrics, if anywhere.
    public var metricsPath: String?
    public var logger = Logger(label: "hedui.run")
    /// The terminal progress line, when stderr is a terminal.
    public var progress: RunProgress?
    /// The run owns the process's memory: memory freed during the run is kept for its own later
    /// allocations instead of being returned to the system (`hedui_keep_freed_memory`), and the
    /// run's largest structures (roster, member index, unit rows, ledger entry) are left for the
    /// process's exit to reclaim instead of being freed one by one when the run returns. For a
    /// command that exits right after the run; off for library callers (tests, a server).
    public var keepsWorkingSetUntilExit = false

    public init(
        inboxPath: String, policyPath: String, outputPath: String, asOf: Day?, seed: String?, threads: Int,
        databasePath: String? = nil, force: Bool = false, metricsPath: String? = nil
    ) {
        self.inboxPath = inboxPath
        self.policyPath = policyPath
        self.outputPath = outputPath
        self.asOf = asOf
        self.seed = seed
        self.threads = threads
        self.databasePath = databasePath
        self.force = force
        self.metricsPath = metricsPath
    }

    /// The output folder, absolute and standardized (how the ledger names it).
    public var targetPath: String { URL(fileURLWithPath: outputPath).standardizedFileURL.path }

    /// The ledger path in effect.
    public var ledgerPath: String {
        databasePath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? (targetPath as NSString).deletingLastPathComponent + "/hedui.sqlite"
    }

    /// What a finished run reports to its caller.
    public struct Outcome: Sendable {
        public var exitCode: Int32
        public var units: Int
        public var statusCounts: [AssessmentStatus: Int]
        public var flagged: Int
        public var quarantined: Int
        public var rejectedFiles: Int
        public var files: [FileSummary]
        public var ignored: [String]
        public var outputPath: String
        public var asOf: Day
        public var runID: String
        /// Set when this exact run was already done and its output is intact: nothing was published.
        public var alreadyDoneAt: Date?
        public var changes: RunChanges
        public var durationSeconds: Double
        public var ledgerPath: String
    }

    /// A problem that stops the run before anything is written (exit 2 for usage and policy errors).
    public struct RunError: Error, CustomStringConvertible, Sendable {
        public var exitCode: Int32
        public var description: String
    }

    /// Runs the job: takes the lock, runs, publishes, records, and writes the metrics file (also
    /// when the run fails, with the failure's exit code; not when the lock is refused).
    ///
    /// - Throws: `RunError` (exit 2 for usage, policy and lock errors; 1 for failures).
    public func run() throws -> Outcome {
        let started = Date()
        // Each stage's arrays replace the last one's (records as read, matched, merged; the duplicate
        // table; the plan): from freed memory, not from new pages the kernel must zero first. At
        // 1,000,000 households (two alternating pairs): 2.80-2.83 -> 2.10-2.21 million page faults,
        // 52.0-55.8 -> 49.2-52.0 s, for 0.6-0.7 GB more peak memory (BENCHMARKS.md, session 6).
        if keepsWorkingSetUntilExit { hedui_keep_freed_memory() }
        defer { progress?.finish() }
        var lock: RunLock?
        do {
            // Usage and policy errors first: they write nothing, not even the lock file.
            let policy: PolicyTable
            do {
                policy = try PolicyTable.load(contentsOf: policyPath)
            } catch {
                throw RunError(exitCode: 2, description: "policy error: \(error)")
            }
            let inbox: Inbox
            do {
                inbox = try Inbox(directory: inboxPath)
            } catch {
                throw RunError(exitCode: 2, description: "cannot read the inbox \(inboxPath): \(error.localizedDescription)")
            }
            guard inbox.files.contains(where: { $0.kind == .roster }) else {
                throw RunError(exitCode: 2, description: "the inbox \(inboxPath) has no roster file (roster*.csv or roster*.xml)")
            }
            do {
                lock = try RunLock(outputPath: targetPath)
            } catch let refused as RunLock.Refused {
                throw LockRefused(message: "\(refused)")
            }
            if let holder = lock?.previousHolder, holder != getpid(), kill(holder, 0) != 0 {
                logger.notice("took over a stale lock", metadata: ["lock.path": "\(targetPath).lock", "lock.stale_pid": "\(holder)"])
            }
            TestHooks.checkpoint("locked")
            let removed = OutputPublisher(outputPath: targetPath).removeLeftovers()
            if !removed.isEmpty {
                logger.notice("removed folders left by killed runs", metadata: ["output.leftovers": "\(removed.joined(separator: ","))"])
            }
            let ledger: RunLedger
            do {
                ledger = try RunLedger(path: ledgerPath)
            } catch {
                throw RunError(exitCode: 1, description: "\(error)")
            }
            let outcome = try runLocked(policy: policy, inbox: inbox, ledger: ledger, started: started)
            lock?.release()
            if let metricsPath { writeMetrics(to: metricsPath, ledger: ledger, outcome: outcome) }
            return outcome
        } catch let refused as LockRefused {
            throw RunError(exitCode: 2, description: refused.message)
        } catch {
            lock?.release()
            let code = (error as? RunError)?.exitCode ?? 1
            if let metricsPath {
                let existing = try? RunLedger(path: ledgerPath, createIfMissing: false)
                let lastSuccess = existing.flatMap { try? $0.lastSuccess() }
                let metrics = RunMetrics(
                    exitCode: code, durationSeconds: Date().timeIntervalSince(started), timestamp: Date(),
                    lastSuccess: lastSuccess, inputs: nil, statusCounts: nil, flagCounts: nil, runID: nil, asOf: nil)
                try? metrics.write(to: metricsPath)
            }
            if let error = error as? RunError { throw error }
            throw RunError(exitCode: 1, description: "failed, nothing published: \(error)")
        }
    }

    private struct LockRefused: Error { var message: String }

    private func writeMetrics(to path: String, ledger: RunLedger, outcome: Outcome) {
        let counts = try? ledger.unitCounts(runID: outcome.runID)
        let run = try? ledger.run(outcome.runID)
        let metrics = RunMetrics(
            exitCode: outcome.exitCode, durationSeconds: run?.durationSeconds ?? outcome.durationSeconds,
            timestamp: run?.finishedAt ?? Date(), lastSuccess: try? ledger.lastSuccess(),
            inputs: try? ledger.inputFiles(runID: outcome.runID), statusCounts: counts?.status, flagCounts: counts?.flag,
            runID: outcome.runID, asOf: outcome.asOf.description)
        do {
            try metrics.write(to: path)
            TestHooks.checkpoint("metrics-written")
        } catch {
            logger.warning("cannot write the metrics file", metadata: ["metrics.path": "\(path)", "error": "\(error)"])
        }
    }

    private func runLocked(policy: PolicyTable, inbox: Inbox, ledger: RunLedger, started: Date) throws -> Outcome {
        let policyBytes = (try? Data(contentsOf: URL(fileURLWithPath: policyPath))) ?? Data()
        let policySHA = Hashing.sha256Hex(policyBytes)
        logger.info(
            "run started",
            metadata: [
                "output.path": "\(targetPath)", "db.path": "\(ledgerPath)", "input.files": "\(inbox.files.count)",
                "threads": "\(threads)",
            ])
        progress?.expect(files: inbox.files.count, bytes: inbox.files.reduce(0) { $0 + $1.size })
        var stages = StageTimes(logger: logger)
        progress?.stage("reading the roster")
        var ingestion = InboxIngestion(inbox: inbox, threads: threads)
        if let progress {
            ingestion.onFileDone = { report in progress.fileDone(records: report.recordsRead, bytes: report.file.size) }
        }

        // 1. The roster and the inspectors; the sources are read meanwhile on other threads (their
        // records kept as read, matched once the member index exists), so that the cores the roster
        // leaves idle (one roster file per core, then building units and the index on one) read them.
        // `--threads` bounds the files read at once and the roster build together: the roster takes
        // every slot while its files are read, then keeps one while units and the index are built, and
        // the sources' workers read with the others.
        let slots = WorkSlots(threads)
        slots.acquire(threads)
        var sourcesIngestion = ingestion
        sourcesIngestion.slots = slots
        let readingIngestion = sourcesIngestion
        let reading = BackgroundWork {
            readingIngestion.readAll(only: Set(SourceKind.verificationSources)) { file in ReadingSink(fileIndex: file.index) }
        }
        var rosterResults = ingestion.readAll(only: [.roster, .inspectors]) { _ in RosterSink() }
        slots.release(threads - 1)
        var rows: [RosterRow] = []
        rows.reserveCapacity(rosterResults.reduce(0) { $0 + ($1.1?.rows.count ?? 0) })
        var inspectors: [Inspector] = []
        var rosterAsOf: Day?
        for (report, sink) in rosterResults {
            guard let sink else { continue }
            rows += sink.rows
            inspectors += sink.inspectors
            if rosterAsOf == nil, let text = report.rootAttributes["asOf"] {
                let folded = TextNormalization.foldedASCII(text)
                rosterAsOf = try? folded.withUnsafeBytes { ValueParsing.day($0) }.get()
            }
        }
        let asOf = self.asOf ?? rosterAsOf ?? Day.today
        let seed = self.seed ?? asOf.description
        // The rows as read are freed here, not when the run returns (a local's storage lives to the end of its scope).
        let rosterReports = rosterResults.map(\.0)
        rosterResults = []
        let roster = Roster(rows: rows, asOf: asOf)
        rows = []
        let index = MemberIndex(roster: roster)
        slots.release(1)
        stages.done("roster")
        TestHooks.checkpoint("roster-read")

        // 2. The sources, matched per file in parallel once read.
        progress?.stage("reading the sources")
        // Each worker takes its file's records out of their box, so that a file's records as read
        // are freed once matched (not all of them only at the end).
        let read = reading.wait().map { ($0.0, Handover($0.1)) }
        var sourceResults = parallelMap(count: read.count, threads: threads) { i -> (FileIngestReport, MatchedFile?) in
            (read[i].0, read[i].1.take().map { MatchedFile(matching: $0, index: index) })
        }
        var summaries: [Int32: FileSummary] = [:]
        var reports: [FileIngestReport] = []
        for report in rosterReports + sourceResults.map(\.0) {
            summaries[report.file.index] = FileSummary(report)
            reports.append(report)
        }
        stages.done("sources")
        TestHooks.checkpoint("sources-read")

        // The run's identity is known once every file is hashed: is this run already done?
        let identity = RunIdentity.id(files: inbox.files.map { summaries[$0.index]! }, policySHA: policySHA, asOf: asOf, seed: seed)
        if !force, let done = try alreadyDone(identity: identity, ledger: ledger) {
            progress?.finish()
            logger.notice("run already done; output unchanged", metadata: ["run.id": "\(done.runID)", "output.path": "\(targetPath)"])
            return try outcome(of: done, ledger: ledger, inbox: inbox)
        }

        var quarantine = reports.flatMap(\.quarantine)
        // The files' records in one list, in file order; each file is freed once copied.
        var matchedFiles: [Handover<MatchedFile>] = []
        var matchedCounts: [(records: Int, attachments: Int)] = []
        for i in sourceResults.indices {
            guard let matched = sourceResults[i].1 else { continue }
            sourceResults[i].1 = nil
            summaries[matched.fileIndex]!.unrelated = matched.unrelated
            matchedCounts.append((matched.records.count, matched.attachments.count))
            matchedFiles.append(Handover(matched))
        }
        var store = MatchedRecords(merging: matchedFiles, counts: matchedCounts, threads: threads)
        matchedFiles = []

        // 3. Exact duplicates across the files of a source count once (rules.md, point 14).
        let duplicates = Deduplication.markDuplicates(&store, threads: threads)
        for (file, count) in duplicates {
            summaries[file]!.duplicates += count
            summaries[file]!.accepted -= count
        }

        stages.done("deduplication")

        // 4. Units: their records and review facts.
        progress?.stage("assessing")
        let assembly = UnitAssembly(roster: roster, index: index, policy: policy, asOf: asOf, inbox: inbox, summaries: summaries)
        let plan = assembly.plan(store: store, quarantine: &quarantine, summaries: &summaries)
        store.attachments = []  // the plan has them, grouped by unit
        let records = store
        store = MatchedRecords()

        stages.done("units")

        // 5. The run id (the identity, or a rerun of it).
        // The identity itself for a first run. When the ledger has this identity already, and the
        // latest run recorded for this folder is of this identity (its output was deleted or
        // changed), that run is done again in place: same id, same row. Otherwise (`--force`, the
        // folder has since held another run, or the same batch goes into another folder) it is a
        // new run `<identity>-rN`.
        let runID: String
        if try ledger.runCount(identity: identity) == 0 {
            runID = identity
        } else if !force, let latest = try ledger.latestRun(outputPath: targetPath), latest.identity == identity {
            runID = latest.runID
        } else {
            runID = identity + "-r\(try ledger.runCount(identity: identity) + 1)"
        }

        // 6. Assessment on the Dispatch workers, chunk by chunk: each unit's records are decoded,
        // assessed and rendered on its worker, and the chunks' rows are streamed into the staging
        // folder in unit order (so the bytes do not depend on the thread count).
        let staging = try OutputPublisher(outputPath: targetPath).stage()
        let streamed = try StreamedOutputs(staging: staging)
        let assessor = UnitAssessor(policy: policy, asOf: asOf)
        let householdsOutput = HouseholdsOutput(roster: roster, policy: policy, asOf: asOf)
        let chunkSize = 256
        let unitCount = roster.units.count
        parallelOrdered(count: (unitCount + chunkSize - 1) / chunkSize, threads: threads) { c in
            var chunk = AssessedChunk()
            chunk.results.reserveCapacity(chunkSize)
            chunk.sampling.reserveCapacity(chunkSize)
            // Sized for a chunk of units (about 150, 2,000 and 720 bytes a unit at 200,000 households):
            // growing by doubling copied each buffer several times per chunk.
            var csv = CSVText(capacity: chunkSize * 256)
            var evidence = EvidenceJSON(capacity: chunkSize * 4096)
            var households = HouseholdsFile.Writer(capacity: chunkSize * 1024)
            for u in (c * chunkSize)..<min(unitCount, (c + 1) * chunkSize) {
                let facts = assembly.facts(ofUnit: u, plan: plan, store: records)
                householdsOutput.write(unit: u, facts: facts, to: &households)
                let a = assessor.assess(facts)
                AssessmentsFile.appendRow(a, to: &csv)
                if !a.reasons.isEmpty { evidence.appendLine(a) }
                chunk.results.append(LedgerConversion.unitResult(a, runID: runID))
                chunk.sampling.append(SpotCheckDraw.samplingUnit(a))
            }
            chunk.assessments = csv.buffer
            chunk.evidence = evidence.buffer
            chunk.households = households.buffer
            return chunk
        } consume: { chunk in
            streamed.append(chunk)
        }
        let (units, sampling) = try streamed.finish()
        stages.done("assessment")
        TestHooks.checkpoint("assessed")

        // 7. What changed since the previous run (the ledger's last reads), then the ledger writer
        // starts recording the unit rows in its transaction on another thread while the spot check
        // is drawn and the output published; it commits once the rest of the entry is handed over
        // (step 9), after the output is in place.
        let previous = try ledger.previousRun(asOf: asOf.description, excluding: runID)
        let changes =
            try previous.map {
                RunChanges.compare(previous: try ledger.unitResults(runID: $0.runID), current: units, sinceRun: $0.runID)
            } ?? .none
        let ledgerWriter = LedgerWriter(ledger: ledger, runID: runID, units: units)
        defer { ledgerWriter.abandon() }  // on any way out before `finish`: roll back, wait for the writer

        // The spot-check draw (rules.md, "Spot checks").
        let spotCheckInputs = SpotCheckDraw.inputs(units: sampling, inspectors: inspectors, seed: seed, policy: policy, asOf: asOf)
        let spotCheck = spotCheckInputs.draw()
        let files = inbox.files.map { summaries[$0.index]! }
        for file in files {
            if let rejection = file.rejection {
                logger.warning("\(file.line)", metadata: ["file.name": "\(file.name)", "file.rejection": "\(rejection.code.rawValue)"])
            } else {
                logger.info(
                    "file read",
                    metadata: [
                        "file.name": "\(file.name)", "file.kind": "\(file.kind.rawValue)", "records.read": "\(file.read)",
                        "records.accepted": "\(file.accepted)", "records.quarantined": "\(file.quarantined)",
                        "records.duplicate": "\(file.duplicates)", "records.unrelated": "\(file.unrelated)",
                    ])
            }
        }

        stages.done("spot check and changes")

        // 8. The other files, then the folder is published atomically.
        progress?.stage("publishing")
        let quarantinedCount = quarantine.count
        let rejected = files.filter { $0.rejection != nil }.count
        let exitCode: Int32 = quarantinedCount > 0 || rejected > 0 ? 3 : 0
        let finished = Date()
        let manifest = Manifest(
            runID: runID, engineVersion: EngineInfo.version, asOf: asOf, seed: seed,
            policyFile: (policyPath as NSString).lastPathComponent, policySHA256: policySHA,
            threads: threads, started: started, finished: finished, files: files, ignored: inbox.ignored,
            rosterConflicts: assembly.conflictDescriptions(inbox: inbox), units: units.count)
        try staging.write("quarantine.csv", QuarantineFile.render(quarantine))
        try staging.write("spotcheck.csv", SpotCheck.render(spotCheck))
        try staging.write(SpotCheckInputs.fileName, spotCheckInputs.render())
        try staging.write("changes.csv", changes.renderCSV())
        try staging.write("manifest.json", manifest.render())
        try OutputPublisher(outputPath: targetPath).publish(staging)
        stages.done("publishing")
        TestHooks.checkpoint("published")
        logger.info("output published", metadata: ["run.id": "\(runID)", "output.path": "\(targetPath)"])

        // 9. The ledger, in one transaction, after the output is in place (see the type's comment).
        var statusCounts: [AssessmentStatus: Int] = [:]
        var flagged = 0
        for unit in units {
            statusCounts[AssessmentStatus(rawValue: unit.status)!, default: 0] += 1
            if !unit.flag.isEmpty { flagged += 1 }
        }
        let duration = Date().timeIntervalSince(started)
        let record = RunRecord(
            runID: runID, identity: identity, outputPath: targetPath, asOf: asOf.description, seed: seed,
            policyFile: (policyPath as NSString).lastPathComponent, policySha256: policySHA, engineVersion: EngineInfo.version,
            threads: threads, startedAt: started, finishedAt: finished, durationSeconds: duration, exitCode: Int(exitCode),
            units: units.count, flagged: flagged, recordsRead: files.reduce(0) { $0 + $1.read },
            quarantined: quarantinedCount - rejected, rejectedFiles: rejected, forced: force, previousRunID: previous?.runID)
        let entry = RunLedger.RunEntry(
            run: record,
            inputs: inbox.files.enumerated().map { LedgerConversion.inputFile(summaries[$1.index]!, file: $1, position: $0, runID: runID) },
            units: units,
            outputs: staging.written.sorted { $0.name < $1.name }.map {
                OutputFileRecord(runID: runID, name: $0.name, sha256: $0.sha256, bytes: $0.bytes)
            },
            sample: spotCheck.map {
                SpotcheckSampleRecord(
                    runID: runID, unitID: $0.unitID, regionCode: $0.regionCode.description, status: $0.status,
                    stratum: $0.stratum, weight: String($0.weight), inspectorID: $0.inspectorID, note: $0.note)
            })
        do {
            try ledgerWriter.finish(entry)
        } catch {
            throw RunError(exitCode: 1, description: "the output was published but the run could not be recorded: \(error)")
        }
        stages.done("ledger")
        TestHooks.checkpoint("recorded")
        logger.info("run recorded", metadata: ["run.id": "\(runID)", "db.path": "\(ledgerPath)", "units": "\(units.count)"])
        progress?.finish()
        if keepsWorkingSetUntilExit { WorkingSetKeeper.keep([assembly, householdsOutput, entry, sampling, spotCheckInputs]) }

        return Outcome(
            exitCode: exitCode, units: units.count, statusCounts: statusCounts, flagged: flagged,
            quarantined: quarantinedCount - rejected, rejectedFiles: rejected, files: files, ignored: inbox.ignored,
            outputPath: outputPath, asOf: asOf, runID: runID, alreadyDoneAt: nil, changes: changes, durationSeconds: duration,
            ledgerPath: ledgerPath)
    }

    /// The run of this identity that the output folder holds, if the ledger has it, every file it
    /// recorded is still there with the same SHA-256, and nothing else is in the folder but the
    /// `reports/` that `hedui report` derives from those files.
    private func alreadyDone(identity: String, ledger: RunLedger) throws -> RunRecord? {
        let runs = try ledger.runs(identity: identity, outputPath: targetPath)
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: targetPath)) ?? []).subtracting(["reports"])
        for run in runs {
            let recorded = try ledger.outputFiles(runID: run.runID)
            let names = Set(recorded.map { String($0.name.split(separator: "/").first ?? "") })
            let intact =
                !recorded.isEmpty && names == present
                && recorded.allSatisfy { file in
                    guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: targetPath + "/" + file.name)) else { return false }
                    return Hashing.sha256Hex(bytes) == file.sha256
                }
            if intact { return run }
        }
        if let run = runs.first {
            logger.notice("the published output is not what the ledger recorded; running again", metadata: ["run.id": "\(run.runID)"])
        }
        return nil
    }

    /// An earlier run's outcome, rebuilt from the ledger.
    private func outcome(of run: RunRecord, ledger: RunLedger, inbox: Inbox) throws -> Outcome {
        let counts = try ledger.unitCounts(runID: run.runID)
        var statusCounts: [AssessmentStatus: Int] = [:]
        for (status, n) in counts.status { if let s = AssessmentStatus(rawValue: status) { statusCounts[s] = n } }
        var changes = RunChanges.none
        if let previous = run.previousRunID {
            changes = RunChanges.compare(
                previous: try ledger.unitResults(runID: previous),
                current: try ledger.unitResults(runID: run.runID), sinceRun: previous)
        }
        let day = (try? TextNormalization.foldedASCII(run.asOf).withUnsafeBytes { ValueParsing.day($0) }.get()) ?? Day.today
        return Outcome(
            exitCode: Int32(run.exitCode), units: run.units, statusCounts: statusCounts, flagged: run.flagged,
            quarantined: run.quarantined, rejectedFiles: run.rejectedFiles, files: [], ignored: inbox.ignored,
            outputPath: outputPath, asOf: day, runID: run.runID, alreadyDoneAt: run.finishedAt, changes: changes,
            durationSeconds: run.durationSeconds, ledgerPath: ledgerPath)
    }
}

extension Day {
    /// Today's date in the machine's time zone (a center in China runs with Asia/Shanghai).
    static var today: Day {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? Day(daysSinceEpoch: 0)
    }
}

/// Collects roster rows and inspectors of one file.
struct RosterSink: RecordSink, Sendable {
    var rows: [RosterRow] = []
    var inspectors: [Inspector] = []
    mutating func accept(_ record: DecodedRecord) {
        switch record {
        case .roster(let row): rows.append(row)
        case .inspector(let inspector): inspectors.append(inspector)
        default: break
        }
    }
}

/// How long each stage of a run took, logged as it finishes (info level; no personal data), so
/// that an operator can see where a slow night went.
struct StageTimes {
    let logger: Logger
    private var last = DispatchTime.now().uptimeNanoseconds

    init(logger: Logger) { self.logger = logger }

    mutating func done(_ stage: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(now - last) / 1e9
        last = now
        logger.info("stage done", metadata: ["stage": "\(stage)", "seconds": "\((seconds * 1000).rounded() / 1000)"])
    }
}

/// Records a run in the ledger on another thread: the unit rows first, inside the ledger's one
/// transaction, while the run goes on; then the rest of the entry once `finish` hands it over
/// (after the output is published), and the commit. `abandon` rolls the transaction back.
/// Either way the caller waits for the writer, so the ledger is free again when it returns.
final class LedgerWriter: Sendable {
    private let handedOver = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let state = Mutex<State>(State())

    private struct State {
        var rest: Result<RunLedger.RunEntry, any Error>?
        var outcome: Result<RunRecord, any Error>?
        var settled = false
    }

    /// Thrown into the writer's transaction by `abandon`: nothing is recorded.
    struct Abandoned: Error {}

    init(ledger: RunLedger, runID: String, units: [UnitResultRecord]) {
        DispatchQueue.global().async { [self] in
            let outcome = Result {
                try ledger.record(
                    runID: runID, units: units,
                    rest: {
                        handedOver.wait()
                        return try state.withLock { $0.rest! }.get()
                    }, beforeCommit: { TestHooks.checkpoint("ledger-uncommitted") })
            }
            state.withLock { $0.outcome = outcome }
            done.signal()
        }
    }

    /// Hands over the rest of the entry and waits for the commit.
    @discardableResult
    func finish(_ entry: RunLedger.RunEntry) throws -> RunRecord {
        try settle(.success(entry)).get()
    }

    /// Rolls the transaction back (unless `finish` came first) and waits for the writer.
    func abandon() {
        _ = settle(.failure(Abandoned()))
    }

    private func settle(_ rest: Result<RunLedger.RunEntry, any Error>) -> Result<RunRecord, any Error> {
        let first = state.withLock { s -> Bool in
            guard !s.settled else { return false }
            s.settled = true
            s.rest = rest
            return true
        }
        if first {
            handedOver.signal()
            done.wait()
        }
        return state.withLock { $0.outcome ?? .failure(Abandoned()) }
    }
}

/// Where a command-line run leaves its working set for the process's exit (`RunJob.keepsWorkingSetUntilExit`).
///
/// Freed one by one, the roster's strings and arrays, the member index and the unit rows of 200,000
/// households took about 0.3–0.6 s at the end of a run (measured with perf: the last phase of the
/// run was `swift_release`, `free` and the households' and members' destructors); the operating
/// system reclaims the same memory at once when the process exits.
enum WorkingSetKeeper {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ values: [any Sendable]) {
        kept.withLock { $0.append(contentsOf: values) }
    }
}
