import Foundation
import HeduiStore

/// `hedui runs list | show | diff`: the ledger read for an operator. Counts, ids, hashes and
/// paths only: never a value from a record.
public struct RunHistory {
    public let ledger: RunLedger

    /// Opens an existing ledger (never creates one).
    public init(databasePath: String) throws {
        ledger = try RunLedger(path: databasePath, createIfMissing: false)
    }

    private static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    /// One line per run, oldest first, under a header.
    public func list() throws -> String {
        var rows = [["#", "run_id", "as_of", "finished_at", "seconds", "exit", "units", "flagged", "quarantined", "output"]]
        for run in try ledger.runs() {
            rows.append([
                String(run.seq ?? 0), run.runID, run.asOf, Self.time(run.finishedAt), String(format: "%.1f", run.durationSeconds),
                String(run.exitCode), String(run.units), String(run.flagged), String(run.quarantined), run.outputPath,
            ])
        }
        return Self.table(rows)
    }

    /// A run in full: its parameters, input files, published files, units per status and flag,
    /// and the changes since the run it was compared with.
    public func show(_ idOrSeq: String) throws -> String? {
        guard let run = try ledger.run(idOrSeq) else { return nil }
        var out = ""
        let fields: [(String, String)] = [
            ("run", run.runID), ("ledger #", String(run.seq ?? 0)), ("output", run.outputPath), ("as-of", run.asOf),
            ("seed", run.seed), ("policy", "\(run.policyFile) sha256 \(run.policySha256)"), ("engine", run.engineVersion),
            ("threads", String(run.threads)), ("started", Self.time(run.startedAt)), ("finished", Self.time(run.finishedAt)),
            ("duration", String(format: "%.1f s", run.durationSeconds)), ("exit code", String(run.exitCode)),
            ("forced", run.forced ? "yes" : "no"), ("units", String(run.units)), ("flagged", String(run.flagged)),
            ("records read", String(run.recordsRead)), ("quarantined", String(run.quarantined)),
            ("rejected files", String(run.rejectedFiles)), ("compared with", run.previousRunID ?? "(first run)"),
        ]
        for (key, value) in fields { out += key.padding(toLength: 15, withPad: " ", startingAt: 0) + value + "\n" }
        let counts = try ledger.unitCounts(runID: run.runID)
        out +=
            "\nunits per status: " + counts.status.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        out += "units per flag:   " + counts.flag.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        if let previous = run.previousRunID {
            let changes = RunChanges.compare(
                previous: try ledger.unitResults(runID: previous),
                current: try ledger.unitResults(runID: run.runID), sinceRun: previous)
            out += "changes:          \(changes.summary)\n"
        }
        out += "\ninput files:\n"
        var files = [["name", "kind", "sha256", "bytes", "read", "accepted", "quarantined", "duplicate", "unrelated", "rejected"]]
        for f in try ledger.inputFiles(runID: run.runID) {
            files.append([
                f.name, f.kind, String(f.sha256.prefix(16)), String(f.bytes), String(f.recordsRead), String(f.accepted),
                String(f.quarantined), String(f.duplicates), String(f.unrelated), f.rejectionCode ?? (f.rejected ? "yes" : ""),
            ])
        }
        out += Self.table(files)
        out += "\npublished files:\n"
        out += Self.table(
            [["name", "sha256", "bytes"]] + (try ledger.outputFiles(runID: run.runID)).map { [$0.name, $0.sha256, String($0.bytes)] })
        return out
    }

    /// The changes from run `a` to run `b`, as `changes.csv` would list them.
    public func diff(_ a: String, _ b: String) throws -> RunChanges? {
        guard let first = try ledger.run(a), let second = try ledger.run(b) else { return nil }
        return RunChanges.compare(
            previous: try ledger.unitResults(runID: first.runID),
            current: try ledger.unitResults(runID: second.runID), sinceRun: first.runID)
    }

    private static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
