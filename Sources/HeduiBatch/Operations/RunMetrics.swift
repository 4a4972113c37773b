import Foundation
import HeduiAssess
import HeduiModel
import HeduiStore

#if canImport(Glibc)
    import Glibc
#endif

/// `--metrics-file`: the run in Prometheus text format (version 0.0.4), for node_exporter's
/// textfile collector. Every value is a gauge describing the latest invocation; no personal data.
///
/// `hedui_last_success_timestamp_seconds` comes from the ledger, so a failed run keeps the time
/// of the last good one and an alert on `time() - hedui_last_success_timestamp_seconds` works.
public struct RunMetrics: Sendable {
    public var exitCode: Int32
    public var durationSeconds: Double
    public var timestamp: Date
    public var lastSuccess: Date?
    /// Absent when the run failed before it read its inputs.
    public var inputs: [InputFileRecord]?
    public var statusCounts: [String: Int]?
    public var flagCounts: [String: Int]?
    public var runID: String?
    public var asOf: String?

    public init(
        exitCode: Int32, durationSeconds: Double, timestamp: Date, lastSuccess: Date?, inputs: [InputFileRecord]?,
        statusCounts: [String: Int]?, flagCounts: [String: Int]?, runID: String?, asOf: String?
    ) {
        self.exitCode = exitCode
        self.durationSeconds = durationSeconds
        self.timestamp = timestamp
        self.lastSuccess = lastSuccess
        self.inputs = inputs
        self.statusCounts = statusCounts
        self.flagCounts = flagCounts
        self.runID = runID
        self.asOf = asOf
    }

    public func render() -> String {
        var out = ""
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP hedui_\(name) \(help)\n# TYPE hedui_\(name) gauge\n"
            for sample in samples { out += "hedui_\(name)\(sample.labels) \(sample.value)\n" }
        }
        func number(_ value: Double) -> String { String(format: "%.3f", value) }
        gauge(
            "exit_code", "Exit code of the latest run (0 ok, 3 completed with quarantine, 2 usage or policy error, 1 failed).",
            [("", String(exitCode))])
        gauge("run_duration_seconds", "Wall-clock duration of the latest run.", [("", number(durationSeconds))])
        gauge("last_run_timestamp_seconds", "When the latest run ended (Unix time).", [("", number(timestamp.timeIntervalSince1970))])
        if let lastSuccess {
            gauge(
                "last_success_timestamp_seconds", "When the latest successful run (exit 0 or 3) ended (Unix time).",
                [("", number(lastSuccess.timeIntervalSince1970))])
        }
        if let runID, let asOf {
            gauge(
                "run_info", "The run the output folder holds.",
                [("{run_id=\"\(escape(runID))\",as_of=\"\(escape(asOf))\",engine_version=\"\(escape(EngineInfo.version))\"}", "1")])
        }
        if let inputs {
            let sources = SourceKind.allCases.map(\.rawValue)
            func perSource(_ value: (InputFileRecord) -> Int) -> [(labels: String, value: String)] {
                sources.map { source in
                    ("{source=\"\(source)\"}", String(inputs.filter { $0.kind == source }.reduce(0) { $0 + value($1) }))
                }
            }
            gauge("input_files", "Input files read, per source.", perSource { _ in 1 })
            gauge("input_files_rejected", "Input files rejected whole, per source.", perSource { $0.rejected ? 1 : 0 })
            gauge("records_read", "Records read, per source.", perSource(\.recordsRead))
            gauge("records_accepted", "Records accepted (after de-duplication), per source.", perSource(\.accepted))
            gauge("records_quarantined", "Records quarantined, per source.", perSource(\.quarantined))
            gauge("records_duplicate", "Exact duplicate records counted once, per source.", perSource(\.duplicates))
        }
        if let statusCounts {
            gauge(
                "units", "Units assessed, per status.",
                AssessmentStatus.allCases.map { ("{status=\"\($0.rawValue)\"}", String(statusCounts[$0.rawValue] ?? 0)) })
        }
        if let flagCounts {
            gauge(
                "units_flagged", "Units flagged, per flag.",
                ReliefFlag.allCases.map { ("{flag=\"\($0.rawValue)\"}", String(flagCounts[$0.rawValue] ?? 0)) })
        }
        return out
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Writes the file atomically: `PATH.tmp`, then renamed over `PATH`. Mode 0644: the metrics
    /// hold no personal data, and node_exporter usually runs as another user.
    public func write(to path: String) throws {
        let temporary = path + ".tmp"
        let bytes = Array(render().utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw OutputError(path: path, message: "cannot write the metrics file: \(String(cString: strerror(errno)))")
        }
    }
}
