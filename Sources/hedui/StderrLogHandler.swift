import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The executable's log handler: one line per event on stderr, as text for a person or as JSON
/// for a log shipper (`--log-format json`). The library only ever logs counts, ids and paths.
///
/// Text: `2024-06-01T02:00:03Z info hedui.run: file read file.name=bank-rcc.csv records.read=141`.
/// JSON: `{"level":"info","logger":"hedui.run","msg":"file read","file.name":"bank-rcc.csv",...,"ts":"..."}`
/// (keys sorted, metadata flattened beside the standard keys).
struct StderrLogHandler: LogHandler {
    enum Format: String, CaseIterable, Sendable { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    /// On a terminal, a log line first clears the progress line it may interrupt.
    private static let clearsLine = isatty(2) != 0

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = ISO8601DateFormatter().string(from: Date())
        var line: String
        switch format {
        case .text:
            line = "\(time) \(event.level) \(label): \(event.message)"
            for (key, value) in merged.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        case .json:
            var object: [String: String] = [:]
            for (key, value) in merged { object[key] = "\(value)" }
            object["ts"] = time
            object["level"] = "\(event.level)"
            object["logger"] = label
            object["msg"] = "\(event.message)"
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        let prefix = Self.clearsLine && format == .text ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }
}
