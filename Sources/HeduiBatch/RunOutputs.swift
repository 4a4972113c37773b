import CMemoryHints
import Crypto
import Foundation
import HeduiAssess
import HeduiIngest
import HeduiModel
import HeduiSample
import HeduiStore

#if canImport(Glibc)
    import Glibc
#endif

/// `assessments.csv` (outputs.md): one row per unit, sorted by unit_id.
enum AssessmentsFile {
    static let header = [
        "unit_id", "household_id", "region_code", "area_type", "status", "flag", "reasons", "members",
        "monthly_income", "financial_assets", "vehicles", "homes", "housing_area", "standard", "suggested_benefit",
    ]

    static func appendRow(_ a: Assessment, to csv: inout CSVText) {
        let m = a.measures
        csv.append(a.unit.unitID); csv.separator()
        csv.append(a.unit.householdID); csv.separator()
        csv.append(Int64(a.unit.regionCode.value)); csv.separator()
        csv.append(a.unit.areaType.rawValue); csv.separator()
        csv.append(a.status.rawValue); csv.separator()
        if let flag = a.flag { csv.append(flag.rawValue) }
        csv.separator()
        for (i, reason) in a.reasons.enumerated() {
            if i > 0 { csv.appendPlain(";") }
            csv.appendPlain(reason.rawValue)
        }
        csv.separator()
        csv.append(Int64(a.unit.members.count)); csv.separator()
        csv.append(fixedPoint: m.monthlyIncome.value, fractionDigits: 2); csv.separator()
        csv.append(fixedPoint: m.financialAssets.value, fractionDigits: 2); csv.separator()
        csv.append(Int64(m.countedVehicles.count)); csv.separator()
        csv.append(Int64(m.homes.count)); csv.separator()
        csv.append(fixedPoint: m.housingAreaHundredths, fractionDigits: 2); csv.separator()
        if let standard = a.standard { csv.append(fixedPoint: standard.value, fractionDigits: 2) }
        csv.separator()
        csv.append(a.suggestedBenefit)
        csv.endRow()
    }
}

/// What the workers make of a chunk of units: the rows of the streamed files, and what the
/// ledger and the spot-check draw need of each unit.
struct AssessedChunk: Sendable {
    var assessments = TextBuffer()
    var evidence = TextBuffer()
    var households = TextBuffer()
    var results: [UnitResultRecord] = []
    var sampling: [SamplingUnit] = []
}

/// `assessments.csv`, `evidence.jsonl` and `households.jsonl`, written chunk by chunk in unit
/// order as the workers finish them (`parallelOrdered`).
///
/// `@unchecked Sendable`: `append` is called by one worker at a time (`parallelOrdered`'s
/// `consume`), `finish` after all workers have returned.
final class StreamedOutputs: @unchecked Sendable {
    private let assessments: StagedFile
    private let evidence: StagedFile
    private let households: StagedFile
    private var results: [UnitResultRecord] = []
    private var sampling: [SamplingUnit] = []
    private var failure: (any Error)?

    init(staging: OutputStaging) throws {
        assessments = try staging.open("assessments.csv")
        evidence = try staging.open("evidence.jsonl")
        households = try staging.open("households.jsonl")
        try assessments.write(CSVText(header: AssessmentsFile.header).bytes)
    }

    func append(_ chunk: AssessedChunk) {
        results += chunk.results
        sampling += chunk.sampling
        guard failure == nil else { return }
        do {
            try assessments.write(chunk.assessments)
            try evidence.write(chunk.evidence)
            try households.write(chunk.households)
        } catch {
            failure = error
        }
    }

    /// Closes the files; returns every unit's ledger row and sampling facts, in unit order.
    func finish() throws -> ([UnitResultRecord], [SamplingUnit]) {
        if let failure { throw failure }
        try assessments.close()
        try evidence.close()
        try households.close()
        return (results, sampling)
    }
}

/// `manifest.json` (outputs.md).
struct Manifest {
    var runID: String
    var engineVersion: String
    var asOf: Day
    var seed: String
    var policyFile: String
    var policySHA256: String
    var threads: Int
    var started: Date
    var finished: Date
    var files: [FileSummary]
    var ignored: [String]
    var rosterConflicts: [String]
    var units: Int

    struct FileEntry: Encodable {
        var name: String
        var kind: String
        var format: String
        var compressed: Bool
        var encoding: String
        var sha256: String
        var records_read: Int
        var accepted: Int
        var quarantined: Int
        var duplicate: Int
        var unrelated: Int
        var rejected: Bool
        var rejection_code: String?
        var rejection_reason: String?
        var reconciles: Bool
    }

    struct Document: Encodable {
        var run_id: String
        var engine_version: String
        var as_of: String
        var seed: String
        var policy_file: String
        var policy_sha256: String
        var threads: Int
        var started_at: String
        var finished_at: String
        var units: Int
        var files: [FileEntry]
        var ignored_files: [String]
        var roster_conflicts: [String]
    }

    func render() -> [UInt8] {
        let iso = ISO8601DateFormatter()
        let document = Document(
            run_id: runID, engine_version: engineVersion, as_of: asOf.description, seed: seed, policy_file: policyFile,
            policy_sha256: policySHA256, threads: threads, started_at: iso.string(from: started), finished_at: iso.string(from: finished),
            units: units,
            files: files.map { f in
                FileEntry(
                    name: f.name, kind: f.kind.rawValue, format: f.format.rawValue, compressed: f.compressed, encoding: f.encoding,
                    sha256: f.sha256, records_read: f.read, accepted: f.accepted, quarantined: f.quarantined,
                    duplicate: f.duplicates, unrelated: f.unrelated, rejected: f.rejection != nil,
                    rejection_code: f.rejection?.code.rawValue, rejection_reason: f.rejection?.message, reconciles: f.reconciles)
            },
            ignored_files: ignored, roster_conflicts: rosterConflicts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return ((try? encoder.encode(document)).map { Array($0) } ?? []) + [0x0A]
    }
}

enum Hashing {
    static func sha256Hex(_ data: some DataProtocol) -> String { hex(SHA256.hash(data: data)) }

    /// A digest as lower-case hex.
    static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String($0, radix: 16).leftPadded(2) }.joined() }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// A run's id: derived from what determines its result (engine, inputs, policy, as-of, seed),
/// so that the same batch run again has the same id.
enum RunIdentity {
    static func id(files: [FileSummary], policySHA: String, asOf: Day, seed: String) -> String {
        var text = "hedui \(EngineInfo.version)\npolicy \(policySHA)\nas-of \(asOf)\nseed \(seed)\n"
        for f in files { text += "\(f.name) \(f.sha256)\n" }
        return asOf.description + "-" + String(Hashing.sha256Hex(Array(text.utf8)).prefix(12))
    }
}

/// Publishes a run's files atomically (outputs.md): written into a temporary folder beside
/// `<out>`, then swapped into place; a crash leaves the last good output untouched.
///
/// A process killed mid-way leaves `.<out>.staging-<pid>` (or, after the swap, the previous
/// output in it, or `.<out>.old-<pid>`) beside `<out>`; `removeLeftovers()` deletes them. It is
/// called with the run lock held, so no live run can be writing into any of them.
struct OutputPublisher {
    var outputPath: String

    /// Deletes staging and retired folders that killed runs left beside `<out>`.
    ///
    /// - Returns: the names removed.
    @discardableResult
    func removeLeftovers() -> [String] {
        let target = URL(fileURLWithPath: outputPath).standardizedFileURL.path
        let parent = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(".\(base).staging-") || name.hasPrefix(".\(base).old-") {
            if (try? FileManager.default.removeItem(atPath: parent + "/" + name)) != nil { removed.append(name) }
        }
        return removed
    }

    /// Creates the staging folder beside `<out>` that the run's files are written into.
    func stage() throws -> OutputStaging {
        let target = URL(fileURLWithPath: outputPath).standardizedFileURL.path
        let parent = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        try OutputFiles.makeDirectory(parent)
        let staging = parent + "/.\(base).staging-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        try OutputFiles.makeDirectory(staging)
        return OutputStaging(path: staging)
    }

    /// Publishes the staged folder: makes its files durable, then swaps it into place.
    func publish(_ staged: OutputStaging) throws {
        let target = URL(fileURLWithPath: outputPath).standardizedFileURL.path
        let parent = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        let staging = staged.path
        // Make the staged files durable before they become visible.
        syncDirectory(staging)
        TestHooks.checkpoint("staged")
        defer { syncDirectory(parent) }
        if FileManager.default.fileExists(atPath: target) {
            // Swap the two folders in one step where the kernel allows it, then drop the old one.
            if renameExchange(staging, target) {
                syncDirectory(parent)
                TestHooks.checkpoint("swapped")
                try? FileManager.default.removeItem(atPath: staging)
                return
            }
            let retired = parent + "/.\(base).old-\(getpid())"
            guard rename(target, retired) == 0 else {
                throw OutputError(path: target, message: "cannot move the previous output aside: \(String(cString: strerror(errno)))")
            }
            guard rename(staging, target) == 0 else {
                _ = rename(retired, target)
                throw OutputError(path: target, message: "cannot publish: \(String(cString: strerror(errno)))")
            }
            try? FileManager.default.removeItem(atPath: retired)
        } else {
            guard rename(staging, target) == 0 else {
                throw OutputError(path: target, message: "cannot publish: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Makes a folder's entries (new files, renames) durable.
    private func syncDirectory(_ path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// `renameat2(..., RENAME_EXCHANGE)`: swaps two paths atomically (Linux 3.15+, glibc 2.28+).
    /// Looked up at run time because Swift's Glibc module does not import it.
    private func renameExchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
            typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
            guard let symbol = dlsym(nil, "renameat2") else { return false }
            let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
            let renameExchangeFlag: UInt32 = 2
            return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchangeFlag) == 0
        #else
            return false
        #endif
    }
}

/// A run's output folder while it is written (`.<out>.staging-<pid>` beside `<out>`). Large
/// files are streamed into it as units are assessed, so they are never whole in memory; each
/// file's SHA-256 and size are kept for the ledger.
///
/// `@unchecked Sendable`: used by one thread at a time (the run's thread, or the one worker
/// that `parallelOrdered` lets consume results).
final class OutputStaging: @unchecked Sendable {
    let path: String
    /// Every closed file: name, SHA-256 (hex) and size.
    private(set) var written: [(name: String, sha256: String, bytes: Int64)] = []

    init(path: String) { self.path = path }

    /// A new file of the folder, mode 0600, written in pieces.
    func open(_ name: String) throws -> StagedFile { try StagedFile(staging: self, name: name) }

    /// Writes a whole file.
    func write(_ name: String, _ bytes: [UInt8]) throws {
        let file = try open(name)
        try file.write(bytes)
        try file.close()
    }

    fileprivate func closed(_ name: String, sha256: String, bytes: Int64) {
        written.append((name, sha256, bytes))
        TestHooks.checkpoint("staging")
    }
}

/// One file being written into an `OutputStaging` folder; hashed as it is written, made durable
/// (fsync) when closed.
final class StagedFile: @unchecked Sendable {
    private let staging: OutputStaging
    let name: String
    private let path: String
    private var fd: Int32
    private var hasher = SHA256()
    private var count: Int64 = 0
    /// Bytes whose write-back to disk has been started (`hedui_start_writeback`).
    private var writeBackStarted: Int64 = 0
    /// Write-back is started every this many bytes, so that `close` (fsync) finds most of a large
    /// file on disk already: fsync of a 200,000-household run's streamed files at the end of the
    /// assessment held the run for about 0.2 s with both cores idle (perf).
    static let writeBackStep: Int64 = 8 << 20

    fileprivate init(staging: OutputStaging, name: String) throws {
        self.staging = staging
        self.name = name
        path = staging.path + "/" + name
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ text: TextBuffer) throws {
        try text.withBytes { try write($0) }
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        guard raw.count > 0 else { return }
        hasher.update(bufferPointer: raw)
        count += Int64(raw.count)
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
        if count - writeBackStarted >= Self.writeBackStep {
            // A hint: when it fails, fsync at the close still writes everything.
            _ = hedui_start_writeback(fd, writeBackStarted, count - writeBackStarted)
            writeBackStarted = count
        }
    }

    func close() throws {
        let synced = fsync(fd) == 0
        let closed = Glibc.close(fd) == 0
        fd = -1
        guard synced, closed else { throw OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))") }
        let digest = Hashing.hex(hasher.finalize())
        staging.closed(name, sha256: digest, bytes: count)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }
}
