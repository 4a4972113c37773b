import ArgumentParser
import Foundation
import HeduiBatch
import HeduiModel
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The `hedui` command: parses arguments and calls the library. Nothing else lives here.
@main
struct Hedui: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hedui",
        abstract: "Household economic-status verification batch engine (居民家庭经济状况核对).",
        version: EngineInfo.version,
        subcommands: [Run.self, Validate.self, Policy.self, Runs.self, Report.self, Sample.self, Recheck.self]
    )

    /// Runs the command; usage errors exit 2 as outputs.md says (ArgumentParser's own code is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct ThreadOptions: ParsableArguments {
    @Option(help: "Worker threads (default: the number of cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check exchange files against Schemas/ without assessing: one line per file, quarantine.csv with every refused record.",
        discussion: """
            Data providers run this before they send files. An inbox may hold only one provider's files.
            Exit codes: 0 all records accepted; 3 some records quarantined or files rejected; 2 usage error; 1 failure.
            """
    )

    @Option(help: "The folder holding the exchange files.")
    var inbox: String

    @Option(help: "Where to write quarantine.csv (optional).")
    var out: String?

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        let job = ValidationJob(inboxPath: inbox, outputPath: out, threads: threadOptions.threads)
        let outcome: ValidationJob.Outcome
        do {
            outcome = try job.run()
        } catch {
            FileHandle.standardError.write(Data("hedui validate: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for file in outcome.files { print(file.line) }
        for name in outcome.inbox.ignored { print("\(name): ignored: the name matches no exchange-file pattern") }
        let quarantined = outcome.files.reduce(0) { $0 + $1.quarantined }
        let rejected = outcome.files.filter { $0.rejection != nil }.count
        var summary = "hedui validate: \(outcome.files.count) files, \(quarantined) records quarantined, \(rejected) files rejected"
        if let out { summary += "; quarantine written to \(out)/quarantine.csv" }
        print(summary)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

/// Parses `YYYY-MM-DD` (and the other date forms of the exchange formats).
func parseDay(_ text: String) throws -> Day {
    let folded = TextNormalization.foldedASCII(text)
    guard let day = try? folded.withUnsafeBytes({ ValueParsing.day($0) }).get() else {
        throw ValidationError("not a date: '\(text)' (use YYYY-MM-DD)")
    }
    return day
}

/// How `hedui run` talks to the operator: logs, progress and quiet.
struct OperatorOptions: ParsableArguments {
    @Option(name: .customLong("log-format"), help: "text (for people) or json (one object per line, for log shippers).")
    var logFormat: String = "text"

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: warning for text, info for json).")
    var logLevel: String?

    @Flag(help: "Only warnings and the final summary line: no progress line, no info logs.")
    var quiet = false

    func validate() throws {
        guard StderrLogHandler.Format(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Bootstraps swift-log (once, in the executable) and returns the run's logger.
    func bootstrap() -> Logger {
        let format = StderrLogHandler.Format(rawValue: logFormat) ?? .text
        var level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? (format == .json ? .info : .warning)
        if quiet { level = max(level, .warning) }
        let chosen = level
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, format: format, logLevel: chosen) }
        return Logger(label: "hedui.run")
    }

    /// The progress line: only on a terminal, only with text logs, not with `--quiet`.
    var wantsProgress: Bool { !quiet && logFormat == "text" && isatty(2) != 0 }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly batch: ingest the inbox, match records to members, assess every unit, write the output folder.",
        discussion: """
            Writes assessments.csv, quarantine.csv, evidence.jsonl, changes.csv and manifest.json into <out>, atomically,
            then records the run in the ledger (--db). Running the same inbox, policy, as-of and seed again publishes
            nothing and says so (--force runs again as a new run). One run per <out> at a time (<out>.lock).
            Exit codes: 0 all inputs accepted; 3 completed, but some records or files were quarantined or rejected;
            2 usage or policy error, or another run holds the lock, nothing written; 1 the run failed, nothing published.
            The last line on stdout is the summary: `hedui run <id>: ... exit N`.
            """
    )

    @Option(help: "The folder holding the exchange files.")
    var inbox: String

    @Option(help: "The policy file (YAML).")
    var policy: String

    @Option(help: "The output folder (replaced atomically).")
    var out: String

    @Option(name: .customLong("as-of"), help: "The as-of date (default: the roster's asOf, or today).")
    var asOf: String?

    @Option(help: "The spot-check seed (default: the as-of date).")
    var seed: String?

    @Option(help: "The run ledger (default: hedui.sqlite in the folder that holds <out>).")
    var db: String?

    @Flag(help: "Run again even if this very run (same inputs, policy, as-of and seed) is already done.")
    var force = false

    @Option(name: .customLong("metrics-file"), help: "Write Prometheus text-format metrics here (node_exporter textfile collector).")
    var metricsFile: String?

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var operatorOptions: OperatorOptions

    func run() throws {
        let day = try asOf.map(parseDay)
        var job = RunJob(
            inboxPath: inbox, policyPath: policy, outputPath: out, asOf: day, seed: seed,
            threads: threadOptions.threads, databasePath: db, force: force, metricsPath: metricsFile)
        job.logger = operatorOptions.bootstrap()
        if operatorOptions.wantsProgress { job.progress = RunProgress() }
        job.keepsWorkingSetUntilExit = true  // the process exits right after the run
        let outcome: RunJob.Outcome
        do {
            outcome = try job.run()
        } catch let error as RunJob.RunError {
            FileHandle.standardError.write(Data("hedui: \(error); exit \(error.exitCode)\n".utf8))
            throw ExitCode(error.exitCode)
        } catch {
            FileHandle.standardError.write(Data("hedui: run failed, nothing published: \(error); exit 1\n".utf8))
            throw ExitCode(1)
        }
        if let done = outcome.alreadyDoneAt {
            let time = ISO8601DateFormatter().string(from: done)
            print(
                "hedui run \(outcome.runID): already done at \(time); output unchanged (use --force to run again); "
                    + "output in \(outcome.outputPath); exit \(outcome.exitCode)")
        } else {
            let statuses = AssessmentStatusSummary.line(outcome.statusCounts)
            print(
                "hedui run \(outcome.runID): as-of \(outcome.asOf), \(outcome.units) units (\(statuses)), \(outcome.flagged) flagged, "
                    + "\(outcome.quarantined) records quarantined, \(outcome.rejectedFiles) files rejected; \(outcome.changes.summary); "
                    + "\(String(format: "%.1f", outcome.durationSeconds)) s; output in \(outcome.outputPath); exit \(outcome.exitCode)")
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

/// `hedui runs`: the run ledger for operators.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The run ledger: list runs, show one, or list what changed between two.",
        subcommands: [List.self, Show.self, Diff.self])

    struct LedgerOptions: ParsableArguments {
        @Option(help: "The run ledger.")
        var db: String?

        @Option(help: "An output folder: the ledger is hedui.sqlite in the folder that holds it (as for hedui run).")
        var out: String?

        func validate() throws {
            guard db != nil || out != nil else { throw ValidationError("give --db <file> or --out <dir>") }
        }

        func history() throws -> RunHistory {
            let path = db ?? (URL(fileURLWithPath: out!).standardizedFileURL.path as NSString).deletingLastPathComponent + "/hedui.sqlite"
            do {
                return try RunHistory(databasePath: path)
            } catch {
                FileHandle.standardError.write(Data("hedui runs: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per run, oldest first.")
        @OptionGroup var ledger: LedgerOptions
        func run() throws { print(try ledger.history().list(), terminator: "") }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run: parameters, input files, published files, counts, changes.")
        @OptionGroup var ledger: LedgerOptions
        @Argument(help: "A run id, or its number in `runs list`.")
        var id: String
        func run() throws {
            guard let text = try ledger.history().show(id) else {
                FileHandle.standardError.write(Data("hedui runs show: no run \(id) in the ledger\n".utf8))
                throw ExitCode(2)
            }
            print(text, terminator: "")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What changed from run A to run B: changes.csv rows on stdout, a summary line on stderr.")
        @OptionGroup var ledger: LedgerOptions
        @Argument(help: "The earlier run (id or number).")
        var a: String
        @Argument(help: "The later run (id or number).")
        var b: String
        func run() throws {
            guard let changes = try ledger.history().diff(a, b) else {
                FileHandle.standardError.write(Data("hedui runs diff: no run \(a) or \(b) in the ledger\n".utf8))
                throw ExitCode(2)
            }
            FileHandle.standardOutput.write(Data(changes.renderCSV()))
            FileHandle.standardError.write(Data("hedui runs diff: \(changes.summary)\n".utf8))
        }
    }
}

struct Policy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Policy file tools.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file and print the parameters in force per region on a date.")

        @Argument(help: "The policy file (YAML).")
        var file: String

        @Option(name: .customLong("as-of"), help: "The date (default: today).")
        var asOf: String?

        func run() throws {
            let day = try asOf.map(parseDay) ?? PolicyCheck.today
            do {
                print(try PolicyCheck.report(path: file, on: day), terminator: "")
            } catch {
                FileHandle.standardError.write(Data("hedui policy check: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
