import Foundation
import Testing

/// Drives the real `hedui` executable, as cron would.
struct HeduiProcess {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hedui").path
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (code: Int32, stdout: String, stderr: String) {
        try runProcess(executable, arguments, environment: environment)
    }
}

/// Runs a program to its end and returns its exit status, standard output and standard error.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws
    -> (code: Int32, stdout: String, stderr: String)
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite("The hedui command line: exit codes and messages")
struct CommandLineTests {
    @Test("validate: exit 3 with quarantined records, one line per file, counts that reconcile")
    func validateSample() throws {
        let out = temporaryFolder()
        let result = try HeduiProcess.run(["validate", "--inbox", sampleInbox, "--out", out])
        #expect(result.code == 3)
        #expect(result.stdout.contains("bank-rcc.csv: bank csv GB18030: read 141, accepted 138, quarantined 2, duplicates 1"))
        #expect(result.stdout.contains("readme.txt: ignored"))
        #expect(FileManager.default.fileExists(atPath: out + "/quarantine.csv"))
    }

    @Test("validate: a clean inbox exits 0")
    func validateClean() throws {
        let inbox = temporaryFolder()
        try FileManager.default.copyItem(atPath: sampleInbox + "/bank-ccb.xml.gz", toPath: inbox + "/bank-ccb.xml.gz")
        let result = try HeduiProcess.run(["validate", "--inbox", inbox])
        #expect(result.code == 0, "\(result.stdout)")
    }

    @Test("run: a policy error exits 2 with one line naming file, line and key; nothing is written")
    func policyError() throws {
        let folder = temporaryFolder()
        let policy = folder + "/policy.yaml"
        var text = try String(contentsOfFile: samplePolicy, encoding: .utf8)
        text = text.replacingOccurrences(of: "  max_homes: 1\n", with: "  max_home: 1\n")
        try text.write(toFile: policy, atomically: true, encoding: .utf8)
        let result = try HeduiProcess.run(["run", "--inbox", sampleInbox, "--policy", policy, "--out", folder + "/out"])
        #expect(result.code == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("policy.yaml:"))
        #expect(result.stderr.contains("max_home"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"))
    }

    @Test("run: usage errors exit 2")
    func usage() throws {
        #expect(
            try HeduiProcess.run(["run", "--inbox", "/nonexistent", "--policy", samplePolicy, "--out", temporaryFolder() + "/o"]).code == 2)
        // ArgumentParser's exit code for a missing option is 64 (EX_USAGE); outputs.md wants 2.
        #expect(try HeduiProcess.run(["run", "--inbox", sampleInbox]).code == 2)
        let missing = try HeduiProcess.run([
            "run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", temporaryFolder() + "/o", "--as-of", "2024-02-30",
        ])
        #expect(missing.code == 2)
    }

    @Test("run: stdout and stderr carry no ID number, name or account number")
    func noPersonalDataInOutput() throws {
        let result = try HeduiProcess.run(["run", "--inbox", sampleInbox, "--policy", samplePolicy, "--out", temporaryFolder() + "/out"])
        #expect(result.code == 3)
        let printed = result.stdout + result.stderr
        #expect(printed.range(of: #"\d{15,}"#, options: .regularExpression) == nil)
        #expect(printed.range(of: #"\p{Han}"#, options: .regularExpression) == nil)
    }

    @Test("policy check prints the parameters in force per region")
    func policyCheck() throws {
        let result = try HeduiProcess.run(["policy", "check", samplePolicy, "--as-of", "2024-05-31"])
        #expect(result.code == 0)
        #expect(result.stdout.contains("330902"))
        #expect(result.stdout.contains("1133.33"))
    }
}
