/// The outcome of one call to ``GzipInflater/inflate(_:into:)``.
struct InflateStep {
    /// Input bytes the decoder took (it keeps partial state internally).
    var consumed: Int
    /// Output bytes written to the front of the output buffer.
    var produced: Int
    /// The current gzip member ended (trailer read and verified); the decoder
    /// must be reset with ``GzipInflater/resetForNextMember()`` before more input.
    var memberEnded: Bool
}

/// A decoder failure, before ``ByteSource`` adds position context.
struct InflateFailure: Error {
    enum Kind { case corrupt, resource }
    var kind: Kind
    /// Lower-case reason, e.g. "the CRC32 checksum does not match the data".
    var reason: String
}

/// One streaming gzip (RFC 1952) decoder. Implementations own C state at a
/// stable heap address and are used by one thread at a time (they never
/// escape `ByteSource.forEachChunk`), so they need not be `Sendable`.
protocol GzipInflater: AnyObject {
    /// Decodes from `input` into `output` (never empty). Parses the gzip header,
    /// inflates, and verifies CRC32 and ISIZE at the member end. A call with
    /// empty input flushes buffered output. Returns zero consumed and zero
    /// produced only when it cannot continue without more input.
    func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws(InflateFailure) -> InflateStep
    /// Prepares for the next gzip member after `memberEnded`.
    func resetForNextMember() throws(InflateFailure)
}

/// Clamps a buffer length to a C `uint32_t` length field.
@inline(__always)
func clampedUInt32(_ count: Int) -> UInt32 {
    UInt32(truncatingIfNeeded: min(count, Int(UInt32.max)))
}
