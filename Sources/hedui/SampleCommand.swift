import ArgumentParser
import Foundation
import HeduiBatch

/// `hedui sample verify --run <out dir>`: is the published spotcheck.csv the draw its inputs give?
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Spot-check sample tools (抽查).", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-derive the spot-check draw from <run>/spotcheck-inputs.json and compare it with <run>/spotcheck.csv.",
            discussion: """
                For audits and the public: the draw is integer arithmetic on a SHA-256 stream (docs/spot-checks.md).
                Exit codes: 0 identical; 1 different (the first difference is printed); 2 usage error or a file missing.
                """)

        @Option(name: .customLong("run"), help: "A finished run's output folder (the --out of hedui run).")
        var runFolder: String

        func run() throws {
            let (code, message) = SampleVerify.run(runPath: runFolder)
            if code == 0 {
                print(message)
            } else {
                FileHandle.standardError.write(Data("hedui sample verify: \(message)\n".utf8))
                throw ExitCode(code)
            }
        }
    }
}
