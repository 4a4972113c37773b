import ArgumentParser
import Foundation
import HeduiBatch

/// `hedui recheck import | summary`: inspectors' recheck outcomes in the ledger, and the discrepancy rates.
struct Recheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Spot-check rechecks (复核): import inspectors' filled worksheets, report discrepancy rates.",
        subcommands: [Import.self, Summary.self])

    struct LedgerOptions: ParsableArguments {
        @Option(help: "The run ledger.")
        var db: String?

        @Option(help: "An output folder: the ledger is hedui.sqlite in the folder that holds it (as for hedui run).")
        var out: String?

        @Option(name: .customLong("run-id"), help: "The run whose sample is rechecked (default: the latest run in the ledger).")
        var runID: String?

        func validate() throws {
            guard db != nil || out != nil else { throw ValidationError("give --db <file> or --out <dir>") }
        }

        var path: String {
            db ?? (URL(fileURLWithPath: out!).standardizedFileURL.path as NSString).deletingLastPathComponent + "/hedui.sqlite"
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read filled worksheets (CSV or the XLSX worksheet) into the ledger.",
            discussion: """
                Columns: unit_id, inspector_id, date (YYYY-MM-DD), outcome (confirmed | discrepancy),
                corrected_status (required with discrepancy), note. Rows naming a unit not in the run's sample, or an
                inspector not assigned to the unit, are rejected, one line each (FILE line N: field: message);
                rows read = imported + rejected. Importing a unit again updates its outcome.
                Exit codes: 0 every row imported; 3 some rows rejected; 2 usage error (no ledger, run or file).
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: "The filled worksheet: .csv (UTF-8) or .xlsx.")
        var file: String

        func run() throws {
            do {
                let result = try RecheckImport.run(file: file, ledgerPath: ledger.path, runID: ledger.runID)
                for line in result.rejectionLines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                print(result.summary)
                if result.exitCode != 0 { throw ExitCode(result.exitCode) }
            } catch let error as RecheckImport.UsageError {
                FileHandle.standardError.write(Data("hedui recheck import: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Discrepancy rates per region and status, with 95% Wilson confidence intervals.")

        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            do {
                print(try RecheckSummary.report(ledgerPath: ledger.path, runID: ledger.runID).render(), terminator: "")
            } catch let error as RecheckImport.UsageError {
                FileHandle.standardError.write(Data("hedui recheck summary: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
