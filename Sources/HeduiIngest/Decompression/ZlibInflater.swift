import CZlib

/// gzip decoding with zlib (`inflateInit2(&strm, 15 + 16)`: gzip wrapper only,
/// CRC32 and ISIZE checked by zlib).
final class ZlibInflater: GzipInflater {
    /// zlib keeps a back-pointer from its internal state to the `z_stream`, so the
    /// stream must never move: heap-allocated once, freed in `deinit`.
    private let stream: UnsafeMutablePointer<z_stream>
    private var live = false

    init() throws(InflateFailure) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = hedui_inflateInit2(stream, 15 + 16)
        // If we throw here, `deinit` still runs (self is fully initialized) and frees `stream`.
        guard result == Z_OK else {
            throw InflateFailure(kind: .resource, reason: "zlib could not start (inflateInit2 returned \(result))")
        }
        live = true
    }

    deinit {
        if live { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func resetForNextMember() throws(InflateFailure) {
        let result = inflateReset(stream)
        guard result == Z_OK else {
            throw InflateFailure(kind: .resource, reason: "zlib could not reset (inflateReset returned \(result))")
        }
    }

    func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws(InflateFailure) -> InflateStep
    {
        let inCount = clampedUInt32(input.count)
        let outCount = clampedUInt32(output.count)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = inCount
        stream.pointee.next_out = output.baseAddress
        stream.pointee.avail_out = outCount

        let result = CZlib.inflate(stream, Z_NO_FLUSH)

        let consumed = Int(inCount - stream.pointee.avail_in)
        let produced = Int(outCount - stream.pointee.avail_out)
        switch result {
        case Z_OK, Z_BUF_ERROR:  // Z_BUF_ERROR: no progress possible, i.e. needs more input
            return InflateStep(consumed: consumed, produced: produced, memberEnded: false)
        case Z_STREAM_END:
            return InflateStep(consumed: consumed, produced: produced, memberEnded: true)
        case Z_DATA_ERROR:
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
            throw InflateFailure(kind: .corrupt, reason: Self.explain(detail))
        case Z_NEED_DICT:
            throw InflateFailure(kind: .corrupt, reason: "the stream asks for a preset dictionary, which gzip does not have")
        case Z_MEM_ERROR:
            throw InflateFailure(kind: .resource, reason: "zlib ran out of memory")
        default:
            throw InflateFailure(kind: .resource, reason: "zlib inflate error \(result)")
        }
    }

    /// Makes zlib's terse messages match the ISA-L wording where they mean the same.
    private static func explain(_ zlibMessage: String) -> String {
        switch zlibMessage {
        case "incorrect data check", "incorrect length check":
            return "the CRC32 or length in the gzip trailer does not match the data (\(zlibMessage))"
        default:
            return zlibMessage
        }
    }
}
