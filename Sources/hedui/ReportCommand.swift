import ArgumentParser
import Foundation
import HeduiReport

/// `hedui report --run <out dir> [--lang zh|en]`: (re)writes `<out>/reports/` from a finished run's files,
/// so that a report fix needs no rerun of the batch.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the reports for relief offices (flagged lists, 核对报告, summary, 公示名单) into <run>/reports/.",
        discussion: """
            Reads assessments.csv, evidence.jsonl, manifest.json, quarantine.csv and households.jsonl of a finished
            run and replaces <run>/reports/ atomically (files 0600, folders 0700). See docs/reports.md.
            Exit codes: 0 written; 2 usage error; 1 the run folder could not be read or the reports not written.
            """
    )

    @Option(name: .customLong("run"), help: "A finished run's output folder (the --out of hedui run).")
    var runFolder: String

    @Option(help: "The language of the reports: zh (default) or en.")
    var lang: String = "zh"

    func validate() throws {
        guard ReportLanguage(rawValue: lang) != nil else { throw ValidationError("--lang must be zh or en") }
    }

    func run() throws {
        let writer = ReportWriter(runPath: runFolder, language: ReportLanguage(rawValue: lang) ?? .zh)
        do {
            let outcome = try writer.write()
            print(
                "hedui report: \(outcome.regions.count) regions, \(outcome.flagged) flagged units, "
                    + "\(outcome.publicNotice) units on the public notice; reports in \(outcome.path)")
        } catch {
            FileHandle.standardError.write(Data("hedui report: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
