import HeduiStore

/// What changed between two runs, unit by unit (动态监测): `changes.csv` and `hedui runs diff`.
///
/// A unit is listed when its status changed or its set of reasons changed, and also when it
/// appeared (previous_status empty) or disappeared from the roster (status empty, every previous
/// reason removed): a recipient who vanished from the roster is a change a relief office must see.
/// Flags and figures alone do not list a unit. Rows are sorted by unit_id.
public struct RunChanges: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var unitID: String
        public var previousStatus: String
        public var status: String
        public var reasonsAdded: [String]
        public var reasonsRemoved: [String]
    }

    /// The run compared with (empty when there is none: the first run).
    public var sinceRun: String
    public var rows: [Row]

    /// Previously eligible (either level), now ineligible.
    public var newlyIneligible: Int {
        rows.filter { Self.eligible.contains($0.previousStatus) && $0.status == "ineligible" }.count
    }
    /// Not eligible before (ineligible, needs_review, or not in the previous run), eligible now.
    public var newlyEligible: Int {
        rows.filter { !Self.eligible.contains($0.previousStatus) && Self.eligible.contains($0.status) }.count
    }
    /// Eligible in both runs, at the other level (dibao ↔ low income).
    public var changedLevel: Int {
        rows.filter { Self.eligible.contains($0.previousStatus) && Self.eligible.contains($0.status) && $0.previousStatus != $0.status }
            .count
    }
    public var appeared: Int { rows.filter { $0.previousStatus.isEmpty }.count }
    public var disappeared: Int { rows.filter { $0.status.isEmpty }.count }

    private static let eligible: Set<String> = ["eligible_dibao", "eligible_low_income"]

    public static let none = RunChanges(sinceRun: "", rows: [])

    /// Compares two runs' unit results.
    ///
    /// - Complexity: O(n log n) in the number of units.
    public static func compare(previous: [UnitResultRecord], current: [UnitResultRecord], sinceRun: String) -> RunChanges {
        let before = Dictionary(previous.map { ($0.unitID, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(current.map { ($0.unitID, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [Row] = []
        for unitID in Set(before.keys).union(after.keys).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let old = before[unitID], new = after[unitID]
            let oldReasons = Set(old.map { reasons($0.reasons) } ?? [])
            let newReasons = Set(new.map { reasons($0.reasons) } ?? [])
            let oldStatus = old?.status ?? "", newStatus = new?.status ?? ""
            guard oldStatus != newStatus || oldReasons != newReasons else { continue }
            rows.append(
                Row(
                    unitID: unitID, previousStatus: oldStatus, status: newStatus,
                    reasonsAdded: newReasons.subtracting(oldReasons).sorted(), reasonsRemoved: oldReasons.subtracting(newReasons).sorted()))
        }
        return RunChanges(sinceRun: sinceRun, rows: rows)
    }

    private static func reasons(_ joined: String) -> [String] {
        joined.split(separator: ";").map(String.init)
    }

    static let header = ["unit_id", "previous_status", "status", "reasons_added", "reasons_removed", "since_run"]

    /// `changes.csv`: header only for a first run.
    public func renderCSV() -> [UInt8] {
        var csv = CSVText(header: Self.header)
        for row in rows {
            csv.appendRow([
                row.unitID, row.previousStatus, row.status, row.reasonsAdded.joined(separator: ";"),
                row.reasonsRemoved.joined(separator: ";"), sinceRun,
            ])
        }
        return csv.bytes
    }

    /// One line for the final summary and `runs diff`.
    public var summary: String {
        guard !sinceRun.isEmpty else { return "no earlier run to compare with" }
        return "\(rows.count) units changed since \(sinceRun) (newly ineligible \(newlyIneligible), newly eligible \(newlyEligible), "
            + "level changed \(changedLevel), new \(appeared), gone \(disappeared))"
    }
}
