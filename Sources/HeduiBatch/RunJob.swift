import Foundation
import HeduiAssess
import HeduiHouseholds
import HeduiIngest
import HeduiModel
import HeduiSample

/// `hedui run`: the nightly batch (outputs.md). Ingests the roster, then the four sources in
/// parallel, matching each record to members as it streams; de-duplicates; assesses every unit
/// on Dispatch workers; publishes the output folder atomically.
public struct RunJob: Sendable {
    public var inboxPath: String
    public var policyPath: String
    public var outputPath: String
    public var asOf: Day?
    public var seed: String?
    public var threads: Int

    public init(inboxPath: String, policyPath: String, outputPath: String, asOf: Day?, seed: String?, threads: Int) {
        self.inboxPath = inboxPath
        self.policyPath = policyPath
        self.outputPath = outputPath
        self.asOf = asOf
        self.seed = seed
        self.threads = threads
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
    }

    /// A problem that stops the run before anything is written (exit 2 for usage and policy errors).
    public struct RunError: Error, CustomStringConvertible, Sendable {
        public var exitCode: Int32
        public var description: String
    }

    public func run() throws -> Outcome {
        let started = Date()
        let policy: PolicyTable
        do {
            policy = try PolicyTable.load(contentsOf: policyPath)
        } catch {
            throw RunError(exitCode: 2, description: "policy error: \(error)")
        }
        let policyBytes = (try? Data(contentsOf: URL(fileURLWithPath: policyPath))) ?? Data()
        let inbox: Inbox
        do {
            inbox = try Inbox(directory: inboxPath)
        } catch {
            throw RunError(exitCode: 2, description: "cannot read the inbox \(inboxPath): \(error.localizedDescription)")
        }
        guard inbox.files.contains(where: { $0.kind == .roster }) else {
            throw RunError(exitCode: 2, description: "the inbox \(inboxPath) has no roster file (roster*.csv or roster*.xml)")
        }
        let ingestion = InboxIngestion(inbox: inbox, threads: threads)

        // 1. The roster and the inspectors.
        let rosterResults = ingestion.readAll(only: [.roster, .inspectors]) { _ in RosterSink() }
        var rows: [RosterRow] = []
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
        let roster = Roster(rows: rows, asOf: asOf)
        let index = MemberIndex(roster: roster)

        // 2. The sources, matched as they stream.
        var sourceResults = ingestion.readAll(only: Set(SourceKind.verificationSources)) { file in MatchingSink(index: index, fileIndex: file.index) }
        var summaries: [Int32: FileSummary] = [:]
        var reports: [FileIngestReport] = []
        for report in rosterResults.map(\.0) + sourceResults.map(\.0) {
            summaries[report.file.index] = FileSummary(report)
            reports.append(report)
        }
        var quarantine = reports.flatMap(\.quarantine)
        var matched: [MatchedRecord] = []
        matched.reserveCapacity(sourceResults.reduce(0) { $0 + ($1.1?.matched.count ?? 0) })
        for i in sourceResults.indices {
            guard let sink = sourceResults[i].1 else { continue }
            sourceResults[i].1 = nil  // one copy of the records at a time
            summaries[sink.fileIndex]!.unrelated = sink.unrelated
            matched += sink.matched
        }

        // 3. Exact duplicates across the files of a source count once (rules.md, point 14).
        let duplicates = Deduplication.removeDuplicates(&matched)
        for (file, count) in duplicates {
            summaries[file]!.duplicates += count
            summaries[file]!.accepted -= count
        }

        // 4. Units and their facts.
        let assembly = UnitAssembly(roster: roster, policy: policy, asOf: asOf, inbox: inbox, summaries: summaries)
        var facts = assembly.unitFacts(matched: matched, quarantine: &quarantine, summaries: &summaries)
        matched = []

        // 5. Assessment, in parallel over chunks of units.
        let assessor = UnitAssessor(policy: policy, asOf: asOf)
        let factsView = facts
        facts = []
        let assessed = parallelChunks(factsView, threads: threads, chunkSize: 512) { $0.map { assessor.assess($0) } }.flatMap { $0 }

        // 6. The spot-check draw (rules.md, "Spot checks").
        let spotCheck = SpotCheckDraw.rows(assessed: assessed, inspectors: inspectors, seed: seed, policy: policy, asOf: asOf)

        // 7. Outputs.
        let files = inbox.files.map { summaries[$0.index]! }
        let runID = RunIdentity.id(files: files, policySHA: Hashing.sha256Hex(policyBytes), asOf: asOf, seed: seed)
        let finished = Date()
        let manifest = Manifest(
            runID: runID, engineVersion: EngineInfo.version, asOf: asOf, seed: seed,
            policyFile: (policyPath as NSString).lastPathComponent, policySHA256: Hashing.sha256Hex(policyBytes),
            threads: threads, started: started, finished: finished, files: files, ignored: inbox.ignored,
            rosterConflicts: assembly.conflictDescriptions(inbox: inbox), units: assessed.count)
        let publisher = OutputPublisher(outputPath: outputPath)
        try publisher.publish([
            "assessments.csv": AssessmentsFile.render(assessed, threads: threads),
            "quarantine.csv": QuarantineFile.render(quarantine),
            "spotcheck.csv": SpotCheck.render(spotCheck),
            "evidence.jsonl": EvidenceFile.render(assessed, threads: threads),
            "manifest.json": manifest.render(),
        ])
        var statusCounts: [AssessmentStatus: Int] = [:]
        for a in assessed { statusCounts[a.status, default: 0] += 1 }
        let quarantinedCount = quarantine.count
        let rejected = files.filter { $0.rejection != nil }.count
        return Outcome(
            exitCode: quarantinedCount > 0 || rejected > 0 ? 3 : 0, units: assessed.count, statusCounts: statusCounts,
            flagged: assessed.filter { $0.flag != nil }.count, quarantined: quarantinedCount - rejected,
            rejectedFiles: rejected, files: files, ignored: inbox.ignored, outputPath: outputPath, asOf: asOf, runID: runID)
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

/// A record attached to one or more members.
struct MatchedRecord: Sendable {
    var record: ExchangeRecord
    var matches: [RecordMatch]
    /// A checksum-failed record kept as probable evidence: quarantined, never de-duplicated.
    var isQuarantinedCandidate: Bool
}

/// Matches each record of one file against the member index as it streams; unrelated records
/// are counted and dropped, so memory grows with the roster, not with the file.
struct MatchingSink: RecordSink, Sendable {
    let index: MemberIndex
    let fileIndex: Int32
    var matched: [MatchedRecord] = []
    var unrelated = 0
    private var scratch: [RecordMatch] = []

    init(index: MemberIndex, fileIndex: Int32) {
        self.index = index
        self.fileIndex = fileIndex
    }

    mutating func accept(_ decoded: DecodedRecord) {
        switch decoded {
        case .exchange(let record):
            scratch.removeAll(keepingCapacity: true)
            index.matches(for: record, into: &scratch)
            if scratch.isEmpty {
                unrelated += 1
            } else {
                matched.append(MatchedRecord(record: record, matches: scratch, isQuarantinedCandidate: false))
            }
        case .quarantined(let refused):
            guard let candidate = refused.probableCandidate else { return }
            scratch.removeAll(keepingCapacity: true)
            index.matches(for: candidate, into: &scratch)
            if !scratch.isEmpty {
                matched.append(MatchedRecord(record: candidate, matches: scratch, isQuarantinedCandidate: true))
            }
        default:
            break
        }
    }
}
