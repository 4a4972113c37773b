import ArgumentParser
import Foundation
import HeduiBatch
import HeduiModel

/// The `hedui` command: parses arguments and calls the library. Nothing else lives here.
@main
struct Hedui: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hedui",
        abstract: "Household economic-status verification batch engine (居民家庭经济状况核对).",
        version: EngineInfo.version,
        subcommands: [Run.self, Validate.self, Policy.self]
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

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The nightly batch: ingest the inbox, match records to members, assess every unit, write the output folder.",
        discussion: """
            Writes assessments.csv, quarantine.csv, evidence.jsonl and manifest.json into <out>, atomically.
            Exit codes: 0 all inputs accepted; 3 completed, but some records or files were quarantined or rejected;
            2 usage or policy error, nothing written; 1 the run failed, nothing published.
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

    @Option(help: "The run ledger (default: hedui.sqlite beside <out>). Not used yet.")
    var db: String?

    @OptionGroup var threadOptions: ThreadOptions

    func run() throws {
        let day = try asOf.map(parseDay)
        let job = RunJob(inboxPath: inbox, policyPath: policy, outputPath: out, asOf: day, seed: seed,
                         threads: threadOptions.threads)
        let outcome: RunJob.Outcome
        do {
            outcome = try job.run()
        } catch let error as RunJob.RunError {
            FileHandle.standardError.write(Data("hedui run: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        } catch {
            FileHandle.standardError.write(Data("hedui run: failed, nothing published: \(error)\n".utf8))
            throw ExitCode(1)
        }
        for file in outcome.files where file.rejection != nil {
            FileHandle.standardError.write(Data("hedui run: \(file.line)\n".utf8))
        }
        let statuses = AssessmentStatusSummary.line(outcome.statusCounts)
        print("hedui run \(outcome.runID): as-of \(outcome.asOf), \(outcome.units) units (\(statuses)), \(outcome.flagged) flagged, "
              + "\(outcome.quarantined) records quarantined, \(outcome.rejectedFiles) files rejected; output in \(outcome.outputPath); exit \(outcome.exitCode)")
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
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
