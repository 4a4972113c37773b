import Foundation
import HeduiModel
import HeduiReport
import HeduiSample
import HeduiStore

/// `hedui recheck import FILE`: inspectors' filled worksheets (CSV, or the XLSX worksheet back) into the
/// ledger's `recheck_outcome`, for the spot-check sample of one run.
///
/// Columns (by header name, any order; others ignored): `unit_id`, `inspector_id`, `date`, `outcome`,
/// `corrected_status`, `note`. Each row is checked, first failing field only:
/// - `unit_id`: in the run's sample (`spotcheck_sample`), and not given twice in the file;
/// - `inspector_id`: the inspector assigned to the unit;
/// - `date`: a calendar date, `YYYY-MM-DD` (also `YYYY/M/D`, or a spreadsheet day serial);
/// - `outcome`: `confirmed` or `discrepancy`;
/// - `corrected_status`: empty or one of the four statuses; required with `discrepancy`.
///
/// Rows with every cell empty are skipped (they are not rows of data). Every other row is either imported
/// or rejected with one line `FILE line N: field: message`: rows read = imported + rejected. The accepted
/// rows are written in one transaction; a unit that already has an outcome in the run is updated (one
/// outcome per run and unit), so importing a corrected file again adds no duplicate.
public enum RecheckImport {
    /// The columns the importer reads.
    public static let columns = ["unit_id", "inspector_id", "date", "outcome", "corrected_status", "note"]
    public static let outcomes = ["confirmed", "discrepancy"]
    public static let statuses = ["eligible_dibao", "eligible_low_income", "ineligible", "needs_review"]

    public struct Rejection: Sendable, Equatable {
        public var line: Int
        public var field: String
        public var message: String
    }

    public struct Result: Sendable {
        /// The file as given (messages start with it).
        public var file: String
        public var runID: String
        public var read: Int
        public var inserted: Int
        public var updated: Int
        public var rejections: [Rejection]
        public var imported: Int { inserted + updated }
        public var rejected: Int { rejections.count }
        /// 0 every row imported; 3 some rejected.
        public var exitCode: Int32 { rejections.isEmpty ? 0 : 3 }

        /// One line per rejected row (`FILE line N: field: message`).
        public var rejectionLines: [String] {
            rejections.map { "\(file) line \($0.line): \($0.field): \($0.message)" }
        }

        /// The count line: `rows read 7 = imported 3 (2 new, 1 updated) + rejected 4; run <id>`.
        public var summary: String {
            "\(file): rows read \(read) = imported \(imported) (\(inserted) new, \(updated) updated) + rejected \(rejected); run \(runID)"
        }
    }

    /// A problem with the command's inputs as a whole (exit 2): no ledger, no run, an unreadable file.
    public struct UsageError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Reads `file` and records its valid rows in the ledger at `ledgerPath` for run `runID` (default: the latest run).
    public static func run(file: String, ledgerPath: String, runID: String? = nil, now: Date = Date()) throws -> Result {
        let ledger: RunLedger
        do { ledger = try RunLedger(path: ledgerPath, createIfMissing: false) } catch {
            throw UsageError(message: "\(error)")
        }
        let run = try runID.map { try ledger.run($0) } ?? ledger.latestRun()
        guard let run else {
            throw UsageError(message: runID.map { "no run \($0) in the ledger \(ledgerPath)" } ?? "the ledger \(ledgerPath) has no run")
        }
        let table: WorksheetTable.Table
        do { table = try WorksheetTable.read(path: file) } catch { throw UsageError(message: "\(error)") }
        for column in ["unit_id", "inspector_id", "date", "outcome"] where !table.header.contains(column) {
            throw UsageError(message: "\(file): no column \(column) (the header needs \(columns.joined(separator: ", ")))")
        }
        let sample = Dictionary(try ledger.spotcheckSample(runID: run.runID).map { ($0.unitID, $0) }, uniquingKeysWith: { a, _ in a })
        var rejections: [Rejection] = []
        var accepted: [RecheckOutcomeRecord] = []
        var seen: [String: Int] = [:]
        var read = 0
        for row in table.rows {
            if row.cells.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) { continue }
            read += 1
            func reject(_ field: String, _ message: String) { rejections.append(Rejection(line: row.line, field: field, message: message)) }
            let unitID = table.value(row, "unit_id")
            let shown = SpotCheck.maskedUnitID(unitID)
            guard !unitID.isEmpty else { reject("unit_id", "empty"); continue }
            guard let drawn = sample[unitID] else {
                reject("unit_id", "\(shown) is not in the spot-check sample of run \(run.runID)"); continue
            }
            if let earlier = seen[unitID] {
                reject("unit_id", "\(shown) is given again (first on line \(earlier)); one row per unit"); continue
            }
            let inspector = table.value(row, "inspector_id")
            guard let assigned = drawn.inspectorID, !assigned.isEmpty else {
                reject("inspector_id", "\(shown) has no inspector assigned (\(drawn.note))"); continue
            }
            guard inspector == assigned else {
                reject(
                    "inspector_id",
                    inspector.isEmpty
                        ? "empty (\(shown) is assigned to \(assigned))"
                        : "\(inspector) is not the inspector assigned to \(shown) (\(assigned))")
                continue
            }
            let dateText = table.value(row, "date")
            guard let day = parseDate(dateText) else {
                reject("date", dateText.isEmpty ? "empty (YYYY-MM-DD)" : "\"\(dateText)\" is not a date (YYYY-MM-DD)"); continue
            }
            let outcome = table.value(row, "outcome").lowercased()
            guard outcomes.contains(outcome) else {
                reject(
                    "outcome",
                    table.value(row, "outcome").isEmpty
                        ? "empty (confirmed or discrepancy)"
                        : "\"\(table.value(row, "outcome"))\" is not confirmed or discrepancy")
                continue
            }
            let corrected = table.value(row, "corrected_status")
            if !corrected.isEmpty && !statuses.contains(corrected) {
                reject("corrected_status", "\"\(corrected)\" is not one of \(statuses.joined(separator: ", "))"); continue
            }
            if outcome == "discrepancy" && corrected.isEmpty {
                reject("corrected_status", "required when the outcome is discrepancy (one of \(statuses.joined(separator: ", ")))");
                continue
            }
            seen[unitID] = row.line
            let components = day.components
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let date = calendar.date(from: DateComponents(year: components.year, month: components.month, day: components.day)) ?? now
            accepted.append(
                RecheckOutcomeRecord(
                    runID: run.runID, unitID: unitID, inspectorID: assigned, recordedAt: date, outcome: outcome,
                    status: corrected.isEmpty ? nil : corrected, note: table.value(row, "note")))
        }
        let (inserted, updated) = accepted.isEmpty ? (0, 0) : try ledger.recordRecheck(accepted)
        return Result(file: file, runID: run.runID, read: read, inserted: inserted, updated: updated, rejections: rejections)
    }

    /// `YYYY-MM-DD`, `YYYY/M/D`, `YYYY.M.D`, or a spreadsheet day serial (days since 1899-12-30, as Excel
    /// and LibreOffice store a date typed into a cell), between 1900 and 2199.
    public static func parseDate(_ text: String) -> Day? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), !t.contains("-"),
            let serial = Double(t), serial == serial.rounded(.down), (1...109_572).contains(serial), !t.hasPrefix("0"),
            t.count <= 6
        {
            // 25569 = 1970-01-01.
            return Day(daysSinceEpoch: Int32(Int(serial) - 25_569))
        }
        for separator in ["-", "/", "."] {
            let parts = t.split(separator: Character(separator), omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
                parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1900...2199).contains(y)
            else { continue }
            return Day(year: y, month: m, day: d)
        }
        return nil
    }
}

/// `hedui recheck summary`: discrepancy rates per region × status, with 95% Wilson score intervals.
public enum RecheckSummary {
    /// The Wilson score interval for x successes in n trials (z = 1.96 for 95%):
    ///
    ///     p̂ = x / n
    ///     centre = (p̂ + z²/(2n)) / (1 + z²/n)
    ///     half   = z / (1 + z²/n) × √( p̂(1 − p̂)/n + z²/(4n²) )
    ///     interval = [centre − half, centre + half]
    ///
    /// E.g. 5 of 100 → [0.02154, 0.11175]; 0 of 10 → [0, 0.27754]. Unlike the normal approximation it stays
    /// inside [0, 1] and is usable for small samples and rates near 0, which is what quality-control
    /// rechecks usually are. nil when n = 0.
    public static func wilson(_ x: Int, of n: Int, z: Double = 1.96) -> (low: Double, high: Double)? {
        guard n > 0, (0...n).contains(x) else { return nil }
        let nn = Double(n), p = Double(x) / nn, z2 = z * z
        let denominator = 1 + z2 / nn
        let centre = (p + z2 / (2 * nn)) / denominator
        let half = z / denominator * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    public struct Row: Sendable, Equatable {
        public var region: String
        public var status: String
        public var sampled: Int
        public var rechecked: Int
        public var discrepancies: Int
        public var rate: Double? { rechecked > 0 ? Double(discrepancies) / Double(rechecked) : nil }
        public var interval: (low: Double, high: Double)? { RecheckSummary.wilson(discrepancies, of: rechecked) }
        public static func == (a: Row, b: Row) -> Bool {
            a.region == b.region && a.status == b.status && a.sampled == b.sampled && a.rechecked == b.rechecked
                && a.discrepancies == b.discrepancies
        }
    }

    public struct Report: Sendable {
        public var runID: String
        public var rows: [Row]
        public var total: Row

        /// A text table: one line per region × status, then the total.
        public func render() -> String {
            func percent(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0 * 100) } ?? "-" }
            var lines = [["region", "status", "sampled", "rechecked", "discrepancies", "rate", "95% CI (Wilson)"]]
            for row in rows + [total] {
                let ci = row.interval.map { "[\(percent($0.low)), \(percent($0.high))]" } ?? "-"
                lines.append([
                    row.region, row.status, String(row.sampled), String(row.rechecked), String(row.discrepancies),
                    percent(row.rate), ci,
                ])
            }
            let widths = lines[0].indices.map { c in lines.map { $0[c].count }.max() ?? 0 }
            let numeric: Set<Int> = [2, 3, 4, 5]
            var out = "run \(runID)\n"
            for line in lines {
                out +=
                    line.indices.map { c in
                        let pad = String(repeating: " ", count: widths[c] - line[c].count)
                        return numeric.contains(c) ? pad + line[c] : line[c] + pad
                    }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            }
            return out
        }
    }

    /// The strata of the run's sample with their recheck counts (`runID` nil: the latest run).
    public static func report(ledgerPath: String, runID: String? = nil) throws -> Report {
        let ledger: RunLedger
        do { ledger = try RunLedger(path: ledgerPath, createIfMissing: false) } catch {
            throw RecheckImport.UsageError(message: "\(error)")
        }
        guard let run = try runID.map({ try ledger.run($0) }) ?? ledger.latestRun() else {
            throw RecheckImport.UsageError(
                message: runID.map { "no run \($0) in the ledger \(ledgerPath)" } ?? "the ledger \(ledgerPath) has no run")
        }
        return report(
            runID: run.runID, sample: try ledger.spotcheckSample(runID: run.runID),
            outcomes: try ledger.recheckOutcomes(runID: run.runID))
    }

    /// The pure part: strata from the sample, counts from the outcomes of sampled units.
    public static func report(runID: String, sample: [SpotcheckSampleRecord], outcomes: [RecheckOutcomeRecord]) -> Report {
        var byUnit: [String: RecheckOutcomeRecord] = [:]
        for o in outcomes { byUnit[o.unitID] = o }  // the latest per unit (outcomes are in id order)
        var rows: [String: Row] = [:]
        var total = Row(region: "total", status: "", sampled: 0, rechecked: 0, discrepancies: 0)
        for drawn in sample {
            let key = drawn.regionCode + "/" + drawn.status
            var row = rows[key] ?? Row(region: drawn.regionCode, status: drawn.status, sampled: 0, rechecked: 0, discrepancies: 0)
            row.sampled += 1
            total.sampled += 1
            if let o = byUnit[drawn.unitID] {
                row.rechecked += 1
                total.rechecked += 1
                if o.outcome == "discrepancy" { row.discrepancies += 1; total.discrepancies += 1 }
            }
            rows[key] = row
        }
        return Report(runID: runID, rows: rows.keys.sorted().map { rows[$0]! }, total: total)
    }
}
