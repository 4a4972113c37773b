#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Converts GB18030 (a superset of GBK and GB2312) to UTF-8 as chunks arrive, through iconv.
final class GB18030Transcoder {
    struct InvalidSequence: Error {}

    private let converter: iconv_t
    private var carry: [UInt8] = []
    private var output: [UInt8]

    init?() {
        let cd = iconv_open("UTF-8", "GB18030")
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        converter = cd
        output = [UInt8](repeating: 0, count: 1 << 18)
    }

    deinit { iconv_close(converter) }

    /// Converts `chunk` (plus any bytes of a character left over from the last chunk)
    /// and hands the UTF-8 to `body`.
    func convert(_ chunk: UnsafeRawBufferPointer, final: Bool, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var input = carry
        input.append(contentsOf: chunk)
        carry.removeAll(keepingCapacity: true)
        if output.count < input.count * 2 + 16 { output = [UInt8](repeating: 0, count: input.count * 2 + 16) }
        let inCount = input.count
        var consumed = 0
        var produced = 0
        try input.withUnsafeMutableBytes { inRaw in
            try output.withUnsafeMutableBytes { outRaw in
                var inPtr: UnsafeMutablePointer<CChar>? = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inCount
                var outPtr: UnsafeMutablePointer<CChar>? = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outRaw.count
                let result = iconv(converter, &inPtr, &inLeft, &outPtr, &outLeft)
                consumed = inCount - inLeft
                produced = outRaw.count - outLeft
                if result == -1 {
                    let error = errno
                    if error == EINVAL && !final {
                        // An incomplete character at the end: keep it for the next chunk.
                    } else {
                        throw InvalidSequence()
                    }
                }
                try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(outRaw)[0..<produced]))
            }
        }
        if consumed < inCount { carry = Array(input[consumed...]) }
    }
}
