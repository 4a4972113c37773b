/// A stable error code for a quarantined record or a rejected file (outputs.md, `quarantine.csv`).
///
/// Scripts at verification centers match on these codes, so they never change
/// within a version; new codes may be added.
public struct QuarantineCode: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    // Record level: a field fails its type or rule.
    public static let missingField = Self(rawValue: "MISSING_FIELD")
    public static let idFormat = Self(rawValue: "ID_FORMAT")
    public static let idBirthDate = Self(rawValue: "ID_BIRTHDATE")
    public static let idChecksum = Self(rawValue: "ID_CHECKSUM")
    public static let badName = Self(rawValue: "BAD_NAME")
    public static let badDate = Self(rawValue: "BAD_DATE")
    public static let badMonth = Self(rawValue: "BAD_MONTH")
    public static let badAmount = Self(rawValue: "BAD_AMOUNT")
    public static let negativeAmount = Self(rawValue: "NEGATIVE_AMOUNT")
    public static let badNumber = Self(rawValue: "BAD_NUMBER")
    public static let outOfRange = Self(rawValue: "OUT_OF_RANGE")
    public static let badCode = Self(rawValue: "BAD_CODE")
    public static let badRegion = Self(rawValue: "BAD_REGION")
    public static let badIdentifier = Self(rawValue: "BAD_IDENTIFIER")
    public static let tooLong = Self(rawValue: "TOO_LONG")
    public static let badText = Self(rawValue: "BAD_TEXT")
    public static let csvFieldCount = Self(rawValue: "CSV_FIELD_COUNT")
    public static let currencyNoRate = Self(rawValue: "CURRENCY_NO_RATE")
    public static let duplicateInspector = Self(rawValue: "DUPLICATE_INSPECTOR")

    // File level: the whole file is rejected.
    public static let notGzip = Self(rawValue: "NOT_GZIP")
    public static let gzipTruncated = Self(rawValue: "GZIP_TRUNCATED")
    public static let gzipCorrupt = Self(rawValue: "GZIP_CORRUPT")
    public static let ioError = Self(rawValue: "IO_ERROR")
    public static let xmlMalformed = Self(rawValue: "XML_MALFORMED")
    public static let xmlDTDForbidden = Self(rawValue: "XML_DTD_FORBIDDEN")
    public static let xmlWrongRoot = Self(rawValue: "XML_WRONG_ROOT")
    public static let csvMalformed = Self(rawValue: "CSV_MALFORMED")
    public static let csvMissingColumn = Self(rawValue: "CSV_MISSING_COLUMN")
    public static let csvEmpty = Self(rawValue: "CSV_EMPTY")
    public static let encodingInvalid = Self(rawValue: "ENCODING_INVALID")
    public static let controlMismatch = Self(rawValue: "CONTROL_MISMATCH")
    public static let controlInvalid = Self(rawValue: "CONTROL_INVALID")
}

/// Why one field of a record was refused: a code and a one-line message without personal data.
public struct FieldProblem: Error, Hashable, Sendable {
    public var code: QuarantineCode
    public var message: String
    public init(_ code: QuarantineCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
