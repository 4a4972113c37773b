import CISAL

/// gzip decoding with Intel ISA-L (`isal_inflate`, `crc_flag = ISAL_GZIP`).
///
/// Verified behaviour of ISA-L 2.30 (see DecompressionTests):
/// - at a member end `block_state == ISAL_BLOCK_FINISH` and `next_in` points exactly
///   at the first byte after the 8-byte trailer (no bytes are held in `read_in`);
/// - a CRC32 or ISIZE mismatch returns `ISAL_INCORRECT_CHECKSUM` (with block_state
///   already FINISH, so the return code must be checked first);
/// - truncated input (header, deflate data or trailer) is not an error: the call
///   returns `ISAL_DECOMP_OK` and simply makes no more progress.
final class ISALInflater: GzipInflater {
    /// `inflate_state` is ~40 KB (tables and a 64 KB+ window copy): heap-allocated once,
    /// at a stable address, because ISA-L keeps pointers into it between calls.
    private let state: UnsafeMutablePointer<inflate_state>

    init() {
        state = .allocate(capacity: 1)
        isal_inflate_init(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
    }

    deinit {
        state.deallocate()
    }

    func resetForNextMember() throws(InflateFailure) {
        isal_inflate_reset(state)
        state.pointee.crc_flag = UInt32(ISAL_GZIP)
    }

    func inflate(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) throws(InflateFailure) -> InflateStep
    {
        let inCount = clampedUInt32(input.count)
        let outCount = clampedUInt32(output.count)
        state.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        state.pointee.avail_in = inCount
        state.pointee.next_out = output.baseAddress
        state.pointee.avail_out = outCount

        let result = isal_inflate(state)

        let consumed = Int(inCount - state.pointee.avail_in)
        let produced = Int(outCount - state.pointee.avail_out)
        switch result {
        case ISAL_DECOMP_OK, ISAL_END_INPUT, ISAL_OUT_OVERFLOW:
            return InflateStep(
                consumed: consumed, produced: produced,
                memberEnded: state.pointee.block_state == ISAL_BLOCK_FINISH)
        case ISAL_INCORRECT_CHECKSUM:
            throw InflateFailure(kind: .corrupt, reason: "the CRC32 or length in the gzip trailer does not match the data")
        case ISAL_INVALID_WRAPPER:
            throw InflateFailure(kind: .corrupt, reason: "the gzip header is invalid")
        case ISAL_UNSUPPORTED_METHOD:
            throw InflateFailure(kind: .corrupt, reason: "the gzip header names a compression method other than deflate")
        case ISAL_INVALID_BLOCK:
            throw InflateFailure(kind: .corrupt, reason: "invalid deflate block")
        case ISAL_INVALID_SYMBOL:
            throw InflateFailure(kind: .corrupt, reason: "invalid deflate symbol")
        case ISAL_INVALID_LOOKBACK:
            throw InflateFailure(kind: .corrupt, reason: "invalid deflate back-reference distance")
        case ISAL_NEED_DICT:
            throw InflateFailure(kind: .corrupt, reason: "the stream asks for a preset dictionary, which gzip does not have")
        default:
            throw InflateFailure(kind: .corrupt, reason: "ISA-L inflate error \(result)")
        }
    }
}
