import Foundation
import HeduiIngest
import HeduiModel

/// `HeduiBench ingest FILE [--backend isal|zlib] [--chunk-size BYTES] [--split-only | --records]`: the whole ingest
/// path of one file on one thread (inflate, decode, parse, validate, normalize), records handed to a sink that keeps
/// nothing. Prints one JSON line. `--chunk-size` sets the read and content chunk (default: the engine's).
func runIngestBenchmark(arguments: [String]) throws {
    guard let path = arguments.first else {
        throw BenchmarkUsage("usage: HeduiBench ingest FILE [--backend isal|zlib] [--chunk-size BYTES] [--split-only | --records]")
    }
    var chunkSize = FileIngestor().chunkSize
    if let i = arguments.firstIndex(of: "--chunk-size"), i + 1 < arguments.count {
        guard let size = Int(arguments[i + 1]), size > 0 else { throw BenchmarkUsage("--chunk-size takes a positive number of bytes") }
        chunkSize = size
    }
    var backend = DecompressionBackend.preferred
    if let i = arguments.firstIndex(of: "--backend"), i + 1 < arguments.count {
        guard let chosen = DecompressionBackend(rawValue: arguments[i + 1]) else { throw BenchmarkUsage("unknown backend") }
        backend = chosen
    }
    let name = (path as NSString).lastPathComponent
    guard let (kind, format, compressed) = Inbox.classify(name) else { throw BenchmarkUsage("not an exchange file name: \(name)") }
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
    let file = InboxFile(index: 0, name: name, path: path, kind: kind, format: format, compressed: compressed, size: size, controlPath: nil)
    if arguments.contains("--split-only") {
        // The floor of the CSV path: inflate and split into fields, no validation.
        let start = DispatchTime.now().uptimeNanoseconds
        var parser = CSVParser()
        var rows = 0
        var fieldBytes = 0
        let source = ByteSource(path: path, compressed: compressed, backend: backend, chunkSize: chunkSize)
        let bytes = try source.forEachChunk { chunk in
            try parser.feed(chunk) { row in
                rows += 1
                for i in 0..<row.count { fieldBytes &+= row.field(i).count }
            }
        }
        try parser.finish { _ in rows += 1 }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(
            "{\"file\": \"\(name)\", \"split_only\": true, \"rows\": \(rows), \"content_bytes\": \(bytes), \"field_bytes\": \(fieldBytes), \"seconds\": \(seconds)}"
        )
        return
    }
    let ingestor = FileIngestor(backend: backend, chunkSize: chunkSize)
    let start = DispatchTime.now().uptimeNanoseconds
    // The engine's path takes records as compact bytes (what `hedui run` does); `--records` hands
    // them over as `ExchangeRecord`s with their `String`s instead, for comparison.
    let report: FileIngestReport
    if arguments.contains("--records") {
        report = ingestor.ingest(file) { DiscardingSink() }.0
    } else {
        report = ingestor.ingest(file) { DiscardingCompactSink() }.0
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rejection = report.rejection.map { "\"\($0.code)\"" } ?? "null"
    print(
        """
        {"file": "\(name)", "backend": "\(backend.rawValue)", "records": \(report.recordsRead), "accepted": \(report.accepted), \
        "quarantined": \(report.quarantined), "content_bytes": \(report.contentBytes), "seconds": \(seconds), "rejected": \(rejection)}
        """)
}

/// Keeps nothing: measures ingestion alone.
struct DiscardingSink: RecordSink {
    var count = 0
    mutating func accept(_ record: DecodedRecord) { count &+= 1 }
}

/// Keeps nothing, takes accepted records as compact bytes (as the run's matching sink does).
struct DiscardingCompactSink: RecordSink {
    var count = 0
    var bytes = 0
    static var takesCompactRecords: Bool { true }
    mutating func accept(_ record: DecodedRecord) { count &+= 1 }
    mutating func acceptCompact(_ record: CompactRecordView) {
        count &+= 1
        bytes &+= record.bytes.count
    }
}

struct BenchmarkUsage: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
