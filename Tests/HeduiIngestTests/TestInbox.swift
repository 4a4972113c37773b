import Foundation
import HeduiIngest
import HeduiModel
import Testing

/// A temporary inbox folder for one test.
struct TestInbox {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "hedui-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// Writes `bytes` gzip-compressed with the system's gzip.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        try write(name, gzip(bytes))
    }

    /// Ingests every file of the inbox, collecting accepted records.
    func ingest() throws -> [(FileIngestReport, CollectingSink?)] {
        let inbox = try Inbox(directory: path)
        let ingestor = FileIngestor()
        return inbox.files.map { file in ingestor.ingest(file) { CollectingSink() } }
    }

    /// Ingests the one data file named `name`.
    func ingest(_ name: String) throws -> (FileIngestReport, CollectingSink?) {
        try #require(try ingest().first { $0.0.file.name == name })
    }
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    try pipe(bytes, through: "/bin/gzip", ["-c", "-n"])
}

struct CollectingSink: RecordSink {
    var exchange: [ExchangeRecord] = []
    var roster: [RosterRow] = []
    var inspectors: [Inspector] = []
    var probable: [ExchangeRecord] = []

    mutating func accept(_ record: DecodedRecord) {
        switch record {
        case .exchange(let r): exchange.append(r)
        case .roster(let r): roster.append(r)
        case .inspector(let i): inspectors.append(i)
        case .quarantined(let q): if let c = q.probableCandidate { probable.append(c) }
        }
    }
}

/// Valid IDs for fixtures.
enum Fixture {
    static func id(_ body17: String) -> String { IDNumber(body: UInt64(body17)!).description }
    static let alice = id("33090219800101123")
    static let bob = id("33090219750615001")
    static let bankHeader = "id_number,name,bank_code,account_no,account_type,balance,currency,as_of\n"
}
