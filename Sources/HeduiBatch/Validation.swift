import Foundation
import HeduiIngest
import HeduiModel

/// `hedui validate`: ingestion alone, for data providers checking their files before sending
/// and for operators checking an inbox. No roster is needed.
public struct ValidationJob: Sendable {
    public var inboxPath: String
    public var outputPath: String?
    public var threads: Int

    public init(inboxPath: String, outputPath: String?, threads: Int) {
        self.inboxPath = inboxPath
        self.outputPath = outputPath
        self.threads = threads
    }

    /// What validation found, per file.
    public struct Outcome: Sendable {
        public var inbox: Inbox
        public var files: [FileSummary]
        public var quarantine: [QuarantineEntry]
        /// 0: everything accepted; 3: something was quarantined or rejected (outputs.md).
        public var exitCode: Int32 { files.contains { $0.rejection != nil || $0.quarantined > 0 } ? 3 : 0 }
    }

    public func run() throws -> Outcome {
        let inbox = try Inbox(directory: inboxPath)
        let ingestion = InboxIngestion(inbox: inbox, threads: threads)
        let results = ingestion.readAll { _ in FingerprintSink() }
        var files: [FileSummary] = []
        // Each kind's fingerprints in one set, sized once for all its files' records, and taken out
        // of the dictionary while it grows so that it is never copied.
        var counts: [SourceKind: Int] = [:]
        for (report, sink) in results { counts[report.file.kind, default: 0] += sink?.fingerprints.count ?? 0 }
        var seen: [SourceKind: Set<RecordFingerprint>] = [:]
        for (report, sink) in results {
            var summary = FileSummary(report)
            if let sink {
                let kind = report.file.kind
                var set = seen.removeValue(forKey: kind) ?? Set(minimumCapacity: counts[kind]!)
                for fingerprint in sink.fingerprints where !set.insert(fingerprint).inserted {
                    summary.duplicates += 1
                }
                seen[kind] = set
                summary.accepted -= summary.duplicates
            }
            files.append(summary)
        }
        let quarantine = results.flatMap(\.0.quarantine)
        if let outputPath {
            try OutputFiles.makeDirectory(outputPath)
            try OutputFiles.write(QuarantineFile.render(quarantine), to: outputPath + "/quarantine.csv")
        }
        return Outcome(inbox: inbox, files: files, quarantine: quarantine)
    }
}

/// One file's line in `hedui validate` and in the manifest.
public struct FileSummary: Sendable {
    public var name: String
    public var kind: SourceKind
    public var format: FileFormat
    public var compressed: Bool
    public var encoding: String
    public var sha256: String
    public var read: Int
    public var accepted: Int
    public var quarantined: Int
    public var duplicates = 0
    public var unrelated = 0
    public var rejection: FileRejection?

    init(_ report: FileIngestReport) {
        name = report.file.name
        kind = report.file.kind
        format = report.file.format
        compressed = report.file.compressed
        encoding = report.encoding
        sha256 = report.sha256
        read = report.recordsRead
        accepted = report.accepted
        quarantined = report.quarantined
        rejection = report.rejection
    }

    /// Whether the counts reconcile: read = accepted + quarantined + duplicates (or rejected whole).
    public var reconciles: Bool { rejection != nil || read == accepted + quarantined + duplicates }

    /// The line `hedui validate` prints: counts only, never a value from the file.
    public var line: String {
        let what = "\(kind.rawValue) \(format.rawValue)\(compressed ? ".gz" : "") \(encoding)"
        if let rejection {
            return "\(name): \(what): REJECTED \(rejection.code): \(rejection.message)"
        }
        return "\(name): \(what): read \(read), accepted \(accepted), quarantined \(quarantined), duplicates \(duplicates)"
            + (unrelated > 0 ? ", unrelated \(unrelated)" : "")
    }
}

/// Two independent 64-bit hashes of a record's compact bytes (`CompactRecord`: its normalized
/// fields with the holder and the source, the encoding the run's de-duplication compares): equal
/// records, equal fingerprints; different records collide with probability about 2^-128.
struct RecordFingerprint: Hashable, Sendable {
    var a: Int
    var b: Int

    init(compact bytes: UnsafeRawBufferPointer) {
        var first = Hasher()
        first.combine(0x5EED_0001 as UInt64)
        first.combine(bytes: bytes)
        var second = Hasher()
        second.combine(0x5EED_0002 as UInt64)
        second.combine(bytes: bytes)
        a = first.finalize()
        b = second.finalize()
    }
}

/// Keeps the fingerprints of a file's accepted exchange records, in file order, to count duplicates.
/// Takes them as compact bytes, as the run's reading does: no `String` is built per record (a
/// 200,000-household csv inbox on two threads: 8.7-9.2 -> 3.3-3.6 s, with the duplicate counts
/// kept in one set per kind without copying it).
struct FingerprintSink: RecordSink, Sendable {
    var fingerprints: [RecordFingerprint] = []
    private var writer = CompactRecordWriter()

    static var takesCompactRecords: Bool { true }

    mutating func acceptCompact(_ record: CompactRecordView) {
        fingerprints.append(RecordFingerprint(compact: record.bytes))
    }

    mutating func accept(_ record: DecodedRecord) {
        guard case .exchange(let exchange) = record else { return }
        CompactRecord.encode(exchange, into: &writer)
        fingerprints.append(writer.bytes.withUnsafeBytes { RecordFingerprint(compact: $0) })
    }
}

/// Reads the files of an inbox in parallel, one file per worker, largest first.
struct InboxIngestion: Sendable {
    var inbox: Inbox
    var threads: Int
    var ingestor = FileIngestor()
    /// Called on the worker as each file is finished (the progress line counts with it).
    var onFileDone: (@Sendable (FileIngestReport) -> Void)?
    /// When set, each file is read holding one of these slots (shared with other work of the run).
    var slots: WorkSlots?

    func readAll<Sink: RecordSink & Sendable>(
        only kinds: Set<SourceKind>? = nil, makeSink: @Sendable @escaping (InboxFile) -> Sink
    ) -> [(FileIngestReport, Sink?)] {
        let files = inbox.files.filter { kinds?.contains($0.kind) ?? true }
        let schedule = files.indices.sorted { files[$0].size > files[$1].size || (files[$0].size == files[$1].size && $0 < $1) }
        let ingestor = self.ingestor
        let onFileDone = self.onFileDone
        let slots = self.slots
        return parallelMap(count: files.count, threads: threads, schedule: schedule) { i in
            slots?.acquire(1)
            defer { slots?.release(1) }
            let file = files[i]
            let (report, sink) = ingestor.ingest(file) { makeSink(file) }
            onFileDone?(report)
            return (report, sink)
        }
    }
}

/// `quarantine.csv` (outputs.md): one row per refused record or rejected file, in file and line order.
enum QuarantineFile {
    static let header = ["file", "location", "source", "field", "code", "message"]

    static func render(_ entries: [QuarantineEntry]) -> [UInt8] {
        var csv = CSVText(header: header)
        let sorted = entries.sorted { ($0.fileIndex, $0.location) < ($1.fileIndex, $1.location) }
        for e in sorted {
            csv.appendRow([e.fileName, e.location.description, e.source.rawValue, e.field, e.code.rawValue, e.message])
        }
        return csv.bytes
    }
}
