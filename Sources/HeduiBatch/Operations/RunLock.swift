import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The lock that keeps two runs off one output folder: `<out>.lock` beside the folder (never
/// inside it, since the folder is replaced), held with `flock(2)` and holding the holder's pid.
///
/// The kernel drops a `flock` when its process dies, however it dies, so a lock file left by a
/// killed run is simply taken over; the pid in it only names the holder in the refusal message.
/// The file is never deleted: deleting a lock file others may have open lets two runs lock two
/// different files.
final class RunLock {
    let path: String
    private var fd: Int32

    /// What the lock file said about its previous holder when the lock was taken over.
    private(set) var previousHolder: Int32?

    /// Another run holds the lock.
    struct Refused: Error, CustomStringConvertible {
        var holder: Int32?
        var outputPath: String
        var description: String {
            "another run (pid \(holder.map(String.init) ?? "unknown")) holds the lock on \(outputPath)"
        }
    }

    /// Takes the lock for `outputPath` without waiting.
    ///
    /// - Throws: `Refused` when another live run holds it; `OutputError` when the lock file cannot be opened.
    init(outputPath: String) throws {
        path = outputPath + ".lock"
        try OutputFiles.makeDirectory((outputPath as NSString).deletingLastPathComponent)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(path: path, message: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            let holder = Self.readPid(fd)
            close(fd)
            fd = -1
            guard error == EWOULDBLOCK else {
                throw OutputError(path: path, message: "cannot lock: \(String(cString: strerror(error)))")
            }
            throw Refused(holder: holder, outputPath: outputPath)
        }
        previousHolder = Self.readPid(fd)
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Releases the lock and empties the file. A killed run cannot do this: the kernel drops its
    /// lock, and its pid stays in the file for the next run to report as taken over.
    func release() {
        guard fd >= 0 else { return }
        _ = ftruncate(fd, 0)
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
