import HeduiModel

/// Where in a file a problem is (outputs.md: `line N`, `record N` or `file`).
public enum RecordLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
    case line(Int64)
    case record(Int64)
    case file

    public var description: String {
        switch self {
        case .line(let n): "line \(n)"
        case .record(let n): "record \(n)"
        case .file: "file"
        }
    }

    var sortKey: Int64 {
        switch self {
        case .file: -1
        case .line(let n), .record(let n): n
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.sortKey < b.sortKey }
}

/// One row of `quarantine.csv`: a refused record or a rejected file.
public struct QuarantineEntry: Sendable {
    public var fileIndex: Int32
    public var fileName: String
    public var location: RecordLocation
    public var source: SourceKind
    public var field: String
    public var code: QuarantineCode
    public var message: String
    /// A valid ID number the record carries (never written to quarantine.csv).
    public var validID: IDNumber?
    /// The household a refused roster row names.
    public var householdID: String?

    public init(
        fileIndex: Int32, fileName: String, location: RecordLocation, source: SourceKind, field: String,
        code: QuarantineCode, message: String, validID: IDNumber? = nil, householdID: String? = nil
    ) {
        self.fileIndex = fileIndex
        self.fileName = fileName
        self.location = location
        self.source = source
        self.field = field
        self.code = code
        self.message = message
        self.validID = validID
        self.householdID = householdID
    }

    /// "bank-icbc.csv.gz line 12, field balance: BAD_AMOUNT: ..." — one line for stderr, no personal data.
    public var oneLine: String {
        "\(fileName) \(location)\(field.isEmpty ? "" : ", field \(field)"): \(code): \(message)"
    }
}
