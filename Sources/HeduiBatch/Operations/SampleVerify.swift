import HeduiSample

/// `hedui sample verify --run DIR`: re-derives the spot-check draw from `<run>/spotcheck-inputs.json` and
/// compares it with `<run>/spotcheck.csv` (docs/spot-checks.md).
public enum SampleVerify {
    /// Exit code 0 (identical), 1 (different: the first difference), 2 (a file missing or unreadable), and the message.
    public static func run(runPath: String) -> (exitCode: Int32, message: String) {
        let result = SpotCheckInputs.verifyRun(path: runPath)
        return (result.exitCode, result.message)
    }
}
