import Foundation
import HeduiModel

#if canImport(Glibc)
    import Glibc
#endif

/// Writes the engine's files: owner-only (0600 files, 0700 folders), written whole then renamed.
enum OutputFiles {
    /// Creates `path` (and parents) with mode 0700 if missing.
    static func makeDirectory(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes `bytes` to `path` with mode 0600, through a temporary file renamed into place.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        var offset = 0
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard ok, synced else {
            unlink(temporary)
            throw OutputError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OutputError(path: path, message: "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    static func write(_ text: String, to path: String) throws { try write(Array(text.utf8), to: path) }
}

/// An output file or folder could not be written.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "cannot write \(path): \(message)" }
}

/// RFC 4180 CSV text: UTF-8, comma-separated, quoted where needed, LF line ends.
struct CSVText {
    private var out: TextBuffer

    var bytes: [UInt8] { out.bytes }
    /// The text written (shares this writer's memory: take it when done writing).
    var buffer: TextBuffer { out }

    init(capacity: Int = 1 << 14) { out = TextBuffer(capacity: capacity) }

    init(header: [String]) {
        self.init()
        appendRow(header)
    }

    mutating func appendRow(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            append(field)
        }
        out.append(0x0A)
    }

    // A row written field by field: `field…`, `separator()` between fields, `endRow()`.

    /// A text field, quoted where needed.
    mutating func append(_ field: String) {
        var field = field
        field.withUTF8 { utf8 in
            let needsQuotes = utf8.contains { (b: UInt8) -> Bool in b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D }
            if needsQuotes {
                out.append(UInt8(ascii: "\""))
                for b in utf8 {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(UnsafeRawBufferPointer(utf8))
            }
        }
    }

    /// Text known to need no quotes (codes of this program: ASCII letters, digits, `_`).
    mutating func appendPlain(_ code: String) { out.append(code) }

    /// An integer field.
    mutating func append(_ value: Int64) { out.appendDecimal(value) }

    /// A fixed-point field (`Fen.format`).
    mutating func append(fixedPoint scaled: Int64, fractionDigits: Int) {
        out.appendFixedPoint(scaled, fractionDigits: fractionDigits)
    }

    mutating func separator() { out.append(UInt8(ascii: ",")) }
    mutating func endRow() { out.append(0x0A) }
}
