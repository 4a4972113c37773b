import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The progress line on a terminal: files, records, records/s, elapsed, ETA, redrawn in place on
/// stderr twice a second. The CLI creates one only when stderr is a terminal and `--quiet` is off.
///
/// Records are counted per finished file (ingestion reports whole files), and the ETA assumes the
/// rest of the input takes as long per byte as the files already read; it covers ingestion, the
/// bulk of a run. Counts only: never a value from a record.
public final class RunProgress: Sendable {
    private struct State {
        var files = 0
        var totalFiles = 0
        var records = 0
        var bytes: Int64 = 0
        var totalBytes: Int64 = 0
        var stage = "starting"
        var visible = false
        var stopped = false
        /// When the last file was read: records/s is over reading time only.
        var readingDone: Date?
    }

    private let state = Mutex(State())
    private let started = Date()
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where the line goes (stderr by default; tests capture it).
    public init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.write = write
        Thread.detachNewThread { [weak self] in
            while true {
                usleep(500_000)
                guard let self, !self.state.withLock({ $0.stopped }) else { return }
                self.draw()
            }
        }
    }

    func expect(files: Int, bytes: Int64) {
        state.withLock {
            $0.totalFiles = files
            $0.totalBytes = bytes
        }
    }

    func fileDone(records: Int, bytes: Int64) {
        state.withLock {
            $0.files += 1
            $0.records += records
            $0.bytes += bytes
            if $0.files == $0.totalFiles { $0.readingDone = Date() }
        }
    }

    func stage(_ name: String) { state.withLock { $0.stage = name } }

    /// The line as drawn now.
    func line(now: Date = Date()) -> String {
        let s = state.withLock { $0 }
        let elapsed = now.timeIntervalSince(started)
        let reading = (s.readingDone ?? now).timeIntervalSince(started)
        let rate = reading > 0 ? Double(s.records) / reading : 0
        var eta = "--"
        if s.bytes > 0, s.totalBytes >= s.bytes {
            eta = Self.duration(elapsed * Double(s.totalBytes - s.bytes) / Double(s.bytes))
        }
        return "hedui: \(s.stage): files \(s.files)/\(s.totalFiles), records \(s.records), \(Int(rate)) records/s, "
            + "elapsed \(Self.duration(elapsed)), ETA \(eta)"
    }

    private func draw() {
        let text = line()
        let draw = state.withLock { s -> Bool in
            if !s.stopped { s.visible = true }
            return !s.stopped
        }
        if draw { write("\r\u{1B}[K" + text) }
    }

    /// Stops drawing and clears the line (once; later calls do nothing).
    public func finish() {
        let clear = state.withLock { s -> Bool in
            defer { s.stopped = true; s.visible = false }
            return s.visible && !s.stopped
        }
        if clear { write("\r\u{1B}[K") }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" : s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
