import Foundation

@testable import HeduiReport

/// Test helpers: the fixture run, temporary folders, external tools.
enum Support {
    /// The fixture run folder (a copy of a SampleData run plus households.jsonl; scripts/make-report-fixture).
    static var fixtureRun: String {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/run").path
    }

    /// A fresh copy of the fixture run in a temporary folder.
    static func copyOfFixtureRun() throws -> String {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("hedui-report-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let run = folder + "/out"
        try FileManager.default.copyItem(atPath: fixtureRun, toPath: run)
        return run
    }

    /// The fixture run with reports written into it (once per language; shared by the tests that only read).
    static let reportsZH: Result<String, any Error> = Result {
        let run = try copyOfFixtureRun()
        _ = try ReportWriter(runPath: run, language: .zh).write()
        return run
    }

    /// Where screenshots are kept for a person to look at (not committed).
    static var screenshotFolder: String {
        let path = ProcessInfo.processInfo.environment["HEDUI_SCREENSHOTS"] ?? "/tmp/hedui-report-screenshots"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The full path of a command, or nil when it is not installed (scripts/setup-reports installs them).
    static func tool(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct ProcessResult { var status: Int32; var stdout: String; var stderr: String }

    /// Runs a program and waits (output through files, so a chatty program cannot block on a full pipe).
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 180) throws -> ProcessResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hedui-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// The text of every entry of a zip file (an XLSX), by name; read with python3's zipfile.
    static func zipEntries(_ path: String) throws -> [String: String] {
        let script = """
            import json, sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            print(json.dumps({n: z.read(n).decode('utf-8', 'replace') for n in z.namelist()}))
            """
        let result = try run(tool("python3") ?? "/usr/bin/python3", ["-c", script, path])
        guard result.status == 0, let data = result.stdout.data(using: .utf8),
            let entries = try JSONSerialization.jsonObject(with: data) as? [String: String]
        else { throw CocoaError(.fileReadCorruptFile) }
        return entries
    }

    /// Converts an XLSX's first sheet to CSV with LibreOffice headless (UTF-8, comma, `"`); returns its rows.
    static func sofficeCSV(_ xlsx: String) throws -> [[String]] {
        guard let soffice = tool("soffice") else { throw ToolMissing(name: "soffice") }
        let outdir = FileManager.default.temporaryDirectory.appendingPathComponent("hedui-soffice-\(UUID().uuidString)").path
        let profile = "file://" + outdir + "-profile"
        let result = try run(
            soffice,
            [
                "-env:UserInstallation=\(profile)", "--headless",
                "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", outdir, xlsx,
            ])
        defer {
            try? FileManager.default.removeItem(atPath: outdir)
            try? FileManager.default.removeItem(atPath: outdir + "-profile")
        }
        let name = ((xlsx as NSString).lastPathComponent as NSString).deletingPathExtension + ".csv"
        guard let text = try? String(contentsOfFile: outdir + "/" + name, encoding: .utf8) else {
            throw ConversionFailed(stderr: result.stderr)
        }
        return CSVTable.parse(text)
    }

    struct ToolMissing: Error { var name: String }
    struct ConversionFailed: Error { var stderr: String }
}
