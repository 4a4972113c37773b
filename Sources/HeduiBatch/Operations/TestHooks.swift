import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Named points of a run where the crash-safety tests can widen the window or kill the process.
///
/// Test-only, and inert unless one of these environment variables is set:
/// - `HEDUI_TEST_SLOW_MS=N`: sleep N ms at every checkpoint, so that a test killing the process
///   after a delay lands in every stage (it widens the kill window; nothing waits on it);
/// - `HEDUI_TEST_KILL_AT=name`: the process sends itself SIGKILL at that checkpoint, to hit the
///   narrow windows (between publishing and recording, inside the ledger transaction) every time.
///
/// Checkpoints, in run order: `locked`, `roster-read`, `sources-read`, `assessed`, `staging`
/// (first file written into the staging folder), `staged` (all written, not yet renamed),
/// `swapped` (new output in place, previous one not yet deleted), `published`, `ledger-uncommitted`
/// (inside the ledger transaction), `recorded`, `metrics-written`.
public enum TestHooks {
    private static let slowMicroseconds: UInt32 = {
        guard let text = ProcessInfo.processInfo.environment["HEDUI_TEST_SLOW_MS"], let ms = UInt32(text) else { return 0 }
        return ms * 1000
    }()

    private static let killAt: String? = ProcessInfo.processInfo.environment["HEDUI_TEST_KILL_AT"]

    public static let checkpoints = [
        "locked", "roster-read", "sources-read", "assessed", "staging", "staged", "swapped", "published",
        "ledger-uncommitted", "recorded", "metrics-written",
    ]

    /// Marks that the run reached `name`.
    static func checkpoint(_ name: String) {
        if killAt == name { kill(getpid(), SIGKILL) }
        if slowMicroseconds > 0 { usleep(slowMicroseconds) }
    }
}
