/// The error of the report module: what failed and where; never a name, ID number or amount.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        /// A run file is missing (assessments.csv is required; the others are optional).
        public static let missingInput = Code(raw: "missing input")
        /// A run file could not be read as its format says.
        public static let malformedInput = Code(raw: "malformed input")
        /// Writing the reports folder failed.
        public static let writeFailed = Code(raw: "write failed")
        /// libxlsxwriter reported an error.
        public static let xlsx = Code(raw: "xlsx")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
