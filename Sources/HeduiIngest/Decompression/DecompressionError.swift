/// Which inflate implementation a ``ByteSource`` uses for gzip content.
///
/// Both backends decode the same data to the same bytes and report the same
/// ``DecompressionError`` codes; they differ only in speed.
public enum DecompressionBackend: String, Sendable, CaseIterable {
    /// Intel ISA-L (`igzip`): the fast path.
    case isal
    /// zlib: the reference implementation, kept as a cross-check and fallback.
    case zlib

    /// The backend to use when the caller has no preference:
    /// ``isal`` when available (it always is in this build), the fast path.
    public static var preferred: DecompressionBackend { .isal }
}

/// Why a file's content could not be read.
///
/// `message` is one line written for a person (an operator or the data
/// provider); it never contains file content, only sizes, offsets, the first
/// bytes of a file that is not gzip, and OS error texts.
public struct DecompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine-readable classification of the failure.
    public enum Code: String, Sendable {
        /// A file that should be gzip does not start with the gzip magic bytes `1f 8b`.
        case notGzip = "NOT_GZIP"
        /// The gzip data ends before the stream is complete (cut off in transfer).
        /// An empty `.gz` file is reported as truncated too: every prefix of a valid
        /// gzip file, including the empty one, is classified `truncated`.
        case truncated = "GZIP_TRUNCATED"
        /// The gzip data is damaged: invalid deflate data, a bad header, a CRC32 or
        /// length mismatch, or bytes after a member that are not another gzip member.
        case corrupt = "GZIP_CORRUPT"
        /// The file could not be opened or read (the message carries the OS error text).
        case io = "IO_ERROR"
    }

    /// The classification of the failure.
    public var code: Code
    /// One line a person understands, including what to do about it.
    public var message: String

    /// Creates an error from a code and a human-readable message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `"<CODE>: <message>"`, e.g. `"GZIP_TRUNCATED: the gzip stream ends early ..."`.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension DecompressionError {
    /// `1234567` → `"1,234,567"` (locale-independent, no Foundation).
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        out.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `[0x50, 0x4b]` → `"50 4b"`.
    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        let table = Array("0123456789abcdef")
        return bytes.map { String([table[Int($0 >> 4)], table[Int($0 & 0x0f)]]) }.joined(separator: " ")
    }
}
