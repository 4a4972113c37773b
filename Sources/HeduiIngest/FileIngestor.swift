import Crypto
import HeduiModel

/// Receives what validation makes of each record of one file. A sink is made per file and
/// kept only when the whole file was read: a rejected file contributes nothing.
public protocol RecordSink {
    mutating func accept(_ record: DecodedRecord)

    /// Whether the sink takes accepted exchange records as compact bytes (`acceptCompact`)
    /// rather than as `.exchange(ExchangeRecord)`: no `String` is built for them. Refused
    /// records still come through `accept`.
    static var takesCompactRecords: Bool { get }

    /// An accepted exchange record with a valid ID, as bytes valid only during the call.
    mutating func acceptCompact(_ record: CompactRecordView)
}

extension RecordSink {
    public static var takesCompactRecords: Bool { false }

    public mutating func acceptCompact(_ record: CompactRecordView) {
        accept(.exchange(CompactRecord.decode(record.bytes, origin: record.origin)))
    }
}

/// Why a whole file was rejected.
public struct FileRejection: Sendable, Equatable {
    public var code: QuarantineCode
    public var message: String
}

/// What reading one file gave: counts, the quarantine, and a rejection if any.
public struct FileIngestReport: Sendable {
    public var file: InboxFile
    /// SHA-256 of the file as delivered (hex).
    public var sha256: String = ""
    /// `UTF-8` or `GB18030` (CSV), or what the XML prolog declared.
    public var encoding: String = "UTF-8"
    public var recordsRead = 0
    public var accepted = 0
    public var quarantined = 0
    public var rejection: FileRejection?
    /// Records of this file refused, in file order (not filled for a rejected file but for its one file-level entry).
    public var quarantine: [QuarantineEntry] = []
    /// Attributes of the XML document element (e.g. the roster's `asOf`).
    public var rootAttributes: [String: String] = [:]
    /// Uncompressed bytes read.
    public var contentBytes = 0

    public init(file: InboxFile) { self.file = file }
}

/// Reads one exchange file end to end: inflate, decode text, parse CSV or XML, validate each
/// record against its layout, hand accepted records to a sink, keep the quarantine.
///
/// Streaming: memory holds a chunk and one record, whatever the file's size.
public struct FileIngestor: Sendable {
    public var layouts: LayoutCatalog
    public var backend: DecompressionBackend
    public var chunkSize: Int

    public init(layouts: LayoutCatalog = .builtin, backend: DecompressionBackend = .preferred, chunkSize: Int = 256 * 1024) {
        self.layouts = layouts
        self.backend = backend
        self.chunkSize = chunkSize
    }

    /// Reads `file`. The sink is returned only when the file was accepted (not rejected whole).
    public func ingest<Sink: RecordSink>(_ file: InboxFile, makeSink: () -> Sink) -> (FileIngestReport, Sink?) {
        var attempt = try? attemptIngest(file, sink: makeSink(), encoding: .utf8)
        if attempt == nil {
            // Not valid UTF-8: a CSV file is then read as GB18030 (exchange-formats.md).
            attempt = try? attemptIngest(file, sink: makeSink(), encoding: .gb18030)
        }
        guard let (firstReport, sink) = attempt else {
            var report = FileIngestReport(file: file)
            report.rejection = FileRejection(code: .encodingInvalid, message: "the file is neither UTF-8 nor GB18030 text")
            return (rejected(report), nil)
        }
        var report = firstReport
        if report.rejection == nil, let controlPath = file.controlPath {
            switch ControlTotals.read(path: controlPath) {
            case .failure(let problem):
                report.rejection = FileRejection(code: problem.code, message: problem.message)
            case .success(let totals):
                if totals.sha256 != report.sha256 {
                    report.rejection = FileRejection(
                        code: .controlMismatch,
                        message: "the file's SHA-256 differs from its control file: it was changed or cut in transfer")
                } else if totals.records != report.recordsRead {
                    report.rejection = FileRejection(
                        code: .controlMismatch,
                        message: "the control file says \(totals.records) records, the file has \(report.recordsRead)")
                }
            }
        }
        if report.rejection != nil { return (rejected(report), nil) }
        return (report, sink)
    }

    private func rejected(_ report: FileIngestReport) -> FileIngestReport {
        var report = report
        let rejection = report.rejection!
        report.accepted = 0
        report.quarantined = 0
        report.quarantine = [
            QuarantineEntry(
                fileIndex: report.file.index, fileName: report.file.name, location: .file, source: report.file.kind,
                field: "", code: rejection.code, message: rejection.message)
        ]
        return report
    }

    enum TextEncoding { case utf8, gb18030 }

    /// Thrown to restart a CSV file as GB18030.
    struct NotUTF8: Error {}

    /// A reason to stop reading a file: it is rejected whole.
    struct Rejection: Error {
        var code: QuarantineCode
        var message: String
    }

    private func attemptIngest<Sink: RecordSink>(_ file: InboxFile, sink: Sink, encoding: TextEncoding) throws -> (FileIngestReport, Sink) {
        var report = FileIngestReport(file: file)
        var sink = sink
        guard let layout = layouts.layouts[file.kind] else {
            report.rejection = FileRejection(code: .ioError, message: "no layout for \(file.kind.rawValue)")
            return (report, sink)
        }
        var hasher = SHA256()
        let source = ByteSource(path: file.path, compressed: file.compressed, backend: backend, chunkSize: chunkSize)
        var state = RecordState(layout: layout, file: file)
        do {
            switch file.format {
            case .csv:
                report.encoding = encoding == .utf8 ? "UTF-8" : "GB18030"
                report.contentBytes = try readCSV(
                    source, layout: layout, encoding: encoding, hasher: &hasher,
                    state: &state, sink: &sink)
            case .xml:
                let (bytes, attributes) = try readXML(source, layout: layout, hasher: &hasher, state: &state, sink: &sink)
                report.contentBytes = bytes
                report.rootAttributes = attributes
                report.encoding = "XML"
            }
        } catch let error as NotUTF8 {
            throw error
        } catch is GB18030Transcoder.InvalidSequence {
            report.rejection = FileRejection(code: .encodingInvalid, message: "the file is neither UTF-8 nor GB18030 text")
        } catch let error as Rejection {
            report.rejection = FileRejection(code: error.code, message: error.message)
        } catch let error as DecompressionError {
            report.rejection = FileRejection(code: QuarantineCode(rawValue: error.code.rawValue), message: error.message)
        } catch let error as XMLError {
            report.rejection = FileRejection(code: QuarantineCode(rawValue: error.code.rawValue), message: error.message)
        } catch {
            report.rejection = FileRejection(code: .ioError, message: "reading failed: \(error)")
        }
        report.sha256 = hasher.finalize().map { String($0, radix: 16).leftPadded(2) }.joined()
        report.recordsRead = state.read
        report.accepted = state.accepted
        report.quarantined = state.quarantine.count
        report.quarantine = state.quarantine
        return (report, sink)
    }
}

extension FileIngestor {
    /// The CSV path. Only non-escaping closures capture the per-record state here, so it stays on
    /// the stack with static exclusivity (no boxed variables, no runtime access checks per record).
    private func readCSV<Sink: RecordSink>(
        _ source: ByteSource, layout: RecordLayout, encoding: TextEncoding,
        hasher: inout SHA256, state: inout RecordState, sink: inout Sink
    ) throws -> Int {
        var csv = CSVReadState(layout: layout, compactWanted: Sink.takesCompactRecords)
        var parser = CSVParser()
        var validator = UTF8Validator()
        let transcoder = encoding == .gb18030 ? GB18030Transcoder() : nil
        var digest = hasher
        defer { hasher = digest }
        let bytes = try source.forEachChunk(raw: { digest.update(bufferPointer: $0) }) { chunk in
            if let transcoder {
                try transcoder.convert(chunk, final: false) { text in
                    try parser.feed(text) { row in try csv.handle(row, state: &state, sink: &sink) }
                }
            } else {
                // The UTF-8 check uses the splitter's index of non-ASCII bytes; the chunk is checked
                // whole before any of its records is read, as before.
                guard try parser.feed(chunk, validating: &validator, { row in try csv.handle(row, state: &state, sink: &sink) })
                else { throw NotUTF8() }
            }
        }
        if let transcoder {
            try transcoder.convert(UnsafeRawBufferPointer(start: nil, count: 0), final: true) { text in
                try parser.feed(text) { row in try csv.handle(row, state: &state, sink: &sink) }
            }
        } else if !validator.isComplete {
            throw NotUTF8()
        }
        do {
            try parser.finish { row in try csv.handle(row, state: &state, sink: &sink) }
        } catch let error as CSVParser.UnterminatedQuote {
            throw Rejection(code: .csvMalformed, message: "a quoted field opened on line \(error.line) is never closed")
        }
        if !csv.sawHeader { throw Rejection(code: .csvEmpty, message: "the file has no header line") }
        return bytes
    }

    /// The XML path: libxml2 pulls the content and calls back through an escaping closure. Its state lives in memory
    /// the closure reaches through constant pointers, not in captured variables: captured `var`s
    /// would be boxes with a dynamic exclusivity check on every access, per record.
    private func readXML<Sink: RecordSink>(
        _ source: ByteSource, layout: RecordLayout, hasher: inout SHA256,
        state: inout RecordState, sink: inout Sink
    ) throws -> (Int, [String: String]) {
        let statePointer = UnsafeMutablePointer<RecordState>.allocate(capacity: 1)
        statePointer.initialize(to: state)
        let sinkPointer = UnsafeMutablePointer<Sink>.allocate(capacity: 1)
        sinkPointer.initialize(to: sink)
        defer {
            state = statePointer.move()
            statePointer.deallocate()
            sink = sinkPointer.move()
            sinkPointer.deallocate()
        }
        // The reader calls back only from `parse` below, while both pointers are valid.
        let reader = XMLRecordReader(layout: XMLRecordLayout(layout)) { view in
            let position = Int64(view.index)
            let outcome = statePointer.pointee.decode(
                XMLFields(view: view), position: position,
                compactWanted: Sink.takesCompactRecords)
            statePointer.pointee.deliver(outcome, position: position, sink: &sinkPointer.pointee)
        }
        var digest = hasher
        defer { hasher = digest }
        // libxml2 pulls the content chunk by chunk; a gzip error met on the way is thrown as it is.
        let content = try source.open(raw: { digest.update(bufferPointer: $0) })
        try reader.parse { try content.next() }
        return (content.contentBytes, reader.rootAttributeValues)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Per-file validation state shared by the CSV and XML paths.
struct RecordState {
    let decoder: RecordDecoder
    let file: InboxFile
    var read = 0
    var accepted = 0
    var quarantine: [QuarantineEntry] = []
    var compact = CompactRecordWriter()
    let decodesExchangeRecords: Bool

    init(layout: RecordLayout, file: InboxFile) {
        // The layouts were checked when the catalog was built.
        decoder = try! RecordDecoder(layout: layout, fileIndex: file.index)
        self.file = file
        decodesExchangeRecords = decoder.decodesExchangeRecords
    }

    /// What became of one record before it reaches the sink.
    enum Outcome {
        /// Accepted; its compact bytes are in `compact`.
        case compact(foreignCurrency: Bool)
        case decoded(DecodedRecord)
    }

    /// Validates one CSV record and hands it to the sink: the hot path, inlined into the CSV
    /// reader's `handle`. An accepted exchange record goes as compact bytes without leaving this
    /// function but for its kind's `RecordDecoder.compact…`; the rest through `decodeRefused`.
    @inline(__always)
    mutating func decode<Sink: RecordSink>(_ fields: CSVFields, position: Int64, compactWanted: Bool, sink: inout Sink) {
        if compactWanted && decodesExchangeRecords {
            var foreign = false
            if decoder.decodeCompact(fields, into: &compact, foreignCurrency: &foreign) {
                read += 1
                accepted += 1
                deliver(.compact(foreignCurrency: foreign), position: position, sink: &sink)
                return
            }
        }
        sink.accept(decodeRefused(fields, position: position))
    }

    /// `decode` for what the compact path does not take: a refused record, roster and inspector rows.
    @inline(never)
    mutating func decodeRefused(_ fields: CSVFields, position: Int64) -> DecodedRecord {
        read += 1
        return account(decoder.decode(fields, position: position), position: position)
    }

    /// Validates one record. Not generic over the sink, and called with a concrete field source,
    /// so the whole decoder is specialized for it (the generic path went through witness tables
    /// for every field).

    @inline(never)
    mutating func decode(_ fields: XMLFields, position: Int64, compactWanted: Bool) -> Outcome {
        decodeRecord(fields, position: position, compactWanted: compactWanted)
    }

    @inline(__always)
    private mutating func decodeRecord(_ fields: some FieldSource, position: Int64, compactWanted: Bool) -> Outcome {
        read += 1
        if compactWanted && decodesExchangeRecords {
            var foreign = false
            if decoder.decodeCompact(fields, into: &compact, foreignCurrency: &foreign) {
                accepted += 1
                return .compact(foreignCurrency: foreign)
            }
        }
        return .decoded(account(decoder.decode(fields, position: position), position: position))
    }

    private mutating func account(_ decoded: DecodedRecord, position: Int64) -> DecodedRecord {
        if case .quarantined(let refused) = decoded {
            refuse(
                position: position, field: refused.field, problem: refused.problem, validID: refused.validID,
                householdID: refused.householdID)
        } else {
            accepted += 1
        }
        return decoded
    }

    /// Hands the outcome to the sink.
    @inline(__always)
    mutating func deliver<Sink: RecordSink>(_ outcome: Outcome, position: Int64, sink: inout Sink) {
        switch outcome {
        case .compact(let foreign):
            let origin = RecordOrigin(file: file.index, position: position)
            compact.withBytes { sink.acceptCompact(CompactRecordView(bytes: $0, origin: origin, isForeignCurrency: foreign)) }
        case .decoded(let decoded):
            sink.accept(decoded)
        }
    }

    mutating func refuse(position: Int64, field: String, problem: FieldProblem, validID: IDNumber? = nil, householdID: String? = nil) {
        quarantine.append(
            QuarantineEntry(
                fileIndex: file.index, fileName: file.name,
                location: file.format == .csv ? .line(position) : .record(position),
                source: file.kind, field: field, code: problem.code, message: problem.message,
                validID: validID, householdID: householdID))
    }
}

/// CSV header handling: columns found by header name (case-insensitive, trimmed, any order).
struct CSVReadState {
    let layout: RecordLayout
    var sawHeader = false
    var headerCount = 0
    /// Layout field index → column index, or -1 when the optional column is absent; in raw memory,
    /// which the per-record field source reads without retaining an array.
    let columnTable: ColumnTable

    final class ColumnTable {
        let columns: UnsafeMutablePointer<Int>
        init(count: Int) {
            columns = .allocate(capacity: max(1, count))
            columns.initialize(repeating: -1, count: max(1, count))
        }
        deinit { columns.deallocate() }
    }

    /// `Sink.takesCompactRecords`, read once (the sink is generic here: a witness call per record).
    let compactWanted: Bool

    init(layout: RecordLayout, compactWanted: Bool) {
        self.layout = layout
        self.compactWanted = compactWanted
        columnTable = ColumnTable(count: layout.fields.count)
    }

    mutating func handle<Sink: RecordSink>(_ row: CSVParser.Row, state: inout RecordState, sink: inout Sink) throws {
        guard sawHeader else {
            try readHeader(row)
            return
        }
        guard row.count == headerCount else {
            state.read += 1
            state.refuse(
                position: Int64(row.line), field: "",
                problem: FieldProblem(.csvFieldCount, "the line has \(row.count) fields, the header has \(headerCount)"))
            return
        }
        let fields = CSVFields(row: row, columns: UnsafePointer(columnTable.columns))
        state.decode(fields, position: Int64(row.line), compactWanted: compactWanted, sink: &sink)
    }

    private mutating func readHeader(_ row: CSVParser.Row) throws {
        sawHeader = true
        headerCount = row.count
        var byName: [String: Int] = [:]
        for i in 0..<row.count {
            var normalized: [UInt8] = []
            TextNormalization.foldASCII(row.field(i), into: &normalized)
            let name = String(decoding: normalized, as: UTF8.self).lowercased()
            if byName[name] == nil { byName[name] = i }
        }
        let columns = layout.fields.map { field in field.headerNames.lazy.compactMap { byName[$0] }.first ?? -1 }
        for (i, column) in columns.enumerated() { columnTable.columns[i] = column }
        let missing = zip(layout.fields, columns).filter { $0.0.required && $0.1 < 0 }.map(\.0.name)
        if !missing.isEmpty {
            throw FileIngestor.Rejection(
                code: .csvMissingColumn,
                message:
                    "the header (line \(row.line)) lacks the required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))"
            )
        }
    }
}

struct CSVFields: FieldSource {
    let row: CSVParser.Row
    let columns: UnsafePointer<Int>
    @inline(__always)
    func value(_ field: Int) -> UnsafeRawBufferPointer? {
        let column = columns[field]
        return column < 0 ? nil : row.field(column)
    }

    @inline(__always)
    func valueKnowingASCII(_ field: Int) -> (bytes: UnsafeRawBufferPointer, ascii: Bool)? {
        let column = columns[field]
        return column < 0 ? nil : (row.field(column), row.isASCII(column))
    }
}

struct XMLFields: FieldSource {
    let view: XMLRecordView
    @inline(__always)
    func value(_ field: Int) -> UnsafeRawBufferPointer? { view.value(field) }
}

extension XMLRecordLayout {
    /// The XML side of a layout file.
    init(_ layout: RecordLayout) {
        let shape = layout.xml!
        self.init(
            rootElement: shape.root, parentElement: shape.parent, recordElement: shape.record,
            fields: layout.fields.map { field in
                let origin: XMLFieldOrigin =
                    switch field.xmlOrigin ?? .element {
                    case .element: .childElement
                    case .attribute: .attribute
                    case .parentAttribute: .parentAttribute
                    }
                return XMLFieldSpec(element: field.xml ?? field.name, origin: origin)
            },
            rootAttributes: shape.rootAttributes ?? [])
    }
}
