#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a file's content in chunks: plain, or gzip (multi-member: every member
/// is data, read to the end).
///
/// The file is read with POSIX `open`/`read` into two reusable buffers (input and
/// output, `chunkSize` bytes each), so memory does not grow with the file size.
///
/// gzip rules (identical for both backends):
/// - the file must start with `1f 8b`, else ``DecompressionError/Code/notGzip``;
/// - any prefix of a valid gzip file, including an empty file and a file cut inside
///   the header, the deflate data or the 8-byte trailer, is ``DecompressionError/Code/truncated``;
/// - after a member ends, the remaining bytes must start another member (`1f 8b`);
///   anything else (including zero padding) is ``DecompressionError/Code/corrupt``,
///   as are invalid deflate data, a bad header, and a CRC32 or ISIZE mismatch.
public struct ByteSource: Sendable {
    /// The file to read.
    public let path: String
    /// Whether the file is gzip data (every member is decoded) or plain content.
    public let compressed: Bool
    /// The inflate implementation used when `compressed` is true.
    public let backend: DecompressionBackend
    /// Size of the read buffer and the maximal size of each delivered content chunk.
    public let chunkSize: Int

    /// Describes how to stream a file; nothing is opened until ``forEachChunk(raw:_:)`` or ``open(raw:)``.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - compressed: `true` for gzip data, `false` for plain content.
    ///   - backend: the inflate implementation for gzip data.
    ///   - chunkSize: bytes per read and maximal bytes per delivered chunk (at least 1).
    public init(path: String, compressed: Bool, backend: DecompressionBackend = .preferred, chunkSize: Int = 256 * 1024) {
        self.path = path
        self.compressed = compressed
        self.backend = backend
        self.chunkSize = max(1, chunkSize)
    }

    /// Calls `body` with each chunk of (decompressed) content in order; a chunk is only
    /// valid during the call. Every chunk but the last holds exactly `chunkSize` bytes;
    /// no empty chunk is delivered.
    ///
    /// - Parameters:
    ///   - raw: when given, sees every chunk of the file's bytes as stored on disk
    ///     (compressed bytes for a .gz), in order, so that the caller can hash the file
    ///     as delivered in the same pass. It sees bytes as they are read, which may be
    ///     ahead of the content delivered to `body`.
    ///   - body: receives the content. Errors it throws propagate unchanged and stop the read.
    /// - Returns: the total number of content bytes delivered.
    /// - Throws: ``DecompressionError`` for unreadable or bad files, or whatever `body` throws.
    @discardableResult
    public func forEachChunk(raw: ((UnsafeRawBufferPointer) -> Void)? = nil, _ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Int
    {
        let reader = try open(raw: raw)
        while let chunk = try reader.next() {
            try body(chunk)
        }
        return reader.contentBytes
    }

    /// Opens the file for reading chunk by chunk with ``Reader/next()``: the pull form of
    /// ``forEachChunk(raw:_:)``, with the same chunks, errors and `raw` calls in the same order.
    /// The file is closed when the reader is released.
    /// - Throws: ``DecompressionError`` when the file cannot be opened.
    public func open(raw: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(DecompressionError) -> Reader {
        let file = try FileReader(path: path)
        guard compressed else {
            return Reader(file: file, producer: PlainProducer(file: file, chunkSize: chunkSize, raw: raw))
        }
        switch backend {
        case .isal:
            return Reader(file: file, producer: GzipProducer(file: file, inflater: ISALInflater(), chunkSize: chunkSize, raw: raw))
        case .zlib:
            let inflater: ZlibInflater
            do {
                inflater = try ZlibInflater()
            } catch {
                file.close()
                throw Self.failure(error, at: 0)
            }
            return Reader(file: file, producer: GzipProducer(file: file, inflater: inflater, chunkSize: chunkSize, raw: raw))
        }
    }

    /// One open file read chunk by chunk; see ``ByteSource/open(raw:)``. Used by one thread at a time.
    public final class Reader {
        private let file: FileReader
        private let producer: any ChunkProducer
        private var failure: DecompressionError?
        private var ended = false

        /// Content bytes delivered so far by ``next()``.
        public private(set) var contentBytes = 0

        fileprivate init(file: FileReader, producer: any ChunkProducer) {
            self.file = file
            self.producer = producer
        }

        deinit { file.close() }

        /// The next chunk of content, valid until the next call, or nil at the end. Every chunk
        /// but the last holds exactly `chunkSize` bytes; no empty chunk is delivered. After the
        /// end every call returns nil; after an error every call rethrows it.
        /// - Throws: ``DecompressionError`` for unreadable or bad files.
        public func next() throws(DecompressionError) -> UnsafeRawBufferPointer? {
            if let failure { throw failure }
            if ended { return nil }
            do {
                guard let chunk = try producer.next() else {
                    ended = true
                    return nil
                }
                contentBytes += chunk.count
                return chunk
            } catch {
                failure = error
                throw error
            }
        }
    }

    /// Upper bound for the input buffer when a gzip header is longer than a chunk.
    static let maxHeaderBuffer = 1 << 20

    fileprivate static func truncated(after bytes: Int) -> DecompressionError {
        DecompressionError(
            code: .truncated,
            message:
                "the gzip stream ends early (after \(DecompressionError.grouped(bytes)) compressed bytes): the file was cut off in transfer; ask the provider to resend it"
        )
    }

    fileprivate static func failure(_ failure: InflateFailure, at position: Int, member: Int = 1) -> DecompressionError {
        switch failure.kind {
        case .corrupt:
            return DecompressionError(
                code: .corrupt,
                message:
                    "the gzip data is corrupt near compressed byte \(DecompressionError.grouped(position)) (member \(member)): \(failure.reason); the file is damaged, ask the provider to resend it"
            )
        case .resource:
            return DecompressionError(code: .io, message: "could not decompress: \(failure.reason)")
        }
    }
}

/// Makes the chunks of one ``ByteSource/Reader``: nil at the end; not called again after nil or an error.
private protocol ChunkProducer: AnyObject {
    func next() throws(DecompressionError) -> UnsafeRawBufferPointer?
}

// MARK: - plain

private final class PlainProducer: ChunkProducer {
    let file: FileReader
    let buffer: UnsafeMutableBufferPointer<UInt8>
    let raw: ((UnsafeRawBufferPointer) -> Void)?

    init(file: FileReader, chunkSize: Int, raw: ((UnsafeRawBufferPointer) -> Void)?) {
        self.file = file
        self.raw = raw
        buffer = .allocate(capacity: chunkSize)
    }

    deinit { buffer.deallocate() }

    func next() throws(DecompressionError) -> UnsafeRawBufferPointer? {
        let count = try file.read(into: buffer[...])
        if count == 0 { return nil }
        let chunk = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[0..<count]))
        raw?(chunk)
        return chunk
    }
}

// MARK: - gzip

private final class GzipProducer<Inflater: GzipInflater>: ChunkProducer {
    let file: FileReader
    let inflater: Inflater
    let raw: ((UnsafeRawBufferPointer) -> Void)?
    /// Input needs room for the 2 magic bytes checked before each member.
    var input: UnsafeMutableBufferPointer<UInt8>
    let output: UnsafeMutableBufferPointer<UInt8>

    var inStart = 0  // first unconsumed byte in `input`
    var inEnd = 0  // end of valid bytes in `input`
    var inputOffset = 0  // file offset of input[0]
    var atEOF = false
    var outFill = 0
    var member = 1  // 1-based number of the member being decoded
    var atMemberStart = true
    /// The last call returned `output` full: it is emptied when the next call starts.
    var delivered = false
    var ended = false

    init(file: FileReader, inflater: Inflater, chunkSize: Int, raw: ((UnsafeRawBufferPointer) -> Void)?) {
        self.file = file
        self.inflater = inflater
        self.raw = raw
        input = .allocate(capacity: max(chunkSize, 2))
        output = .allocate(capacity: chunkSize)
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }

    /// Moves unconsumed input to the front and reads more; sets `atEOF` when the file ends.
    func refill() throws(DecompressionError) {
        if inStart > 0 {
            let remaining = inEnd - inStart
            if remaining > 0 {
                UnsafeMutableRawPointer(input.baseAddress!)
                    .copyMemory(from: input.baseAddress! + inStart, byteCount: remaining)
            }
            inputOffset += inStart
            inEnd = remaining
            inStart = 0
        }
        guard inEnd < input.count else { return }
        let count = try file.read(into: input[inEnd...])
        if count == 0 {
            atEOF = true
            return
        }
        raw?(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: input[inEnd..<inEnd + count])))
        inEnd += count
    }

    /// Length of the gzip member header at `inStart`, or nil while it is not all in `input`.
    func headerLength() -> Int? {
        let header = UnsafeBufferPointer(rebasing: input[inStart..<inEnd])
        guard header.count >= 10 else { return nil }
        let flags = header[3]
        var end = 10
        if flags & 0x04 != 0 {  // FEXTRA: 2-byte little-endian length, then the field
            guard header.count >= end + 2 else { return nil }
            end += 2 + (Int(header[end]) | Int(header[end + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            guard end < header.count, let zero = header[end...].firstIndex(of: 0) else { return nil }
            end = zero + 1
        }
        if flags & 0x02 != 0 { end += 2 }  // FHCRC
        return header.count >= end ? end : nil
    }

    /// ISA-L 2.30 rejects a valid FHCRC header when it arrives over several `isal_inflate`
    /// calls (it checks the CRC16 of the last piece only), so before a member is started the
    /// whole header is brought into `input` (growing it for headers longer than a chunk,
    /// up to `maxHeaderBuffer`; longer headers are streamed as they come).
    func bufferWholeHeader() throws(DecompressionError) {
        while headerLength() == nil && !atEOF {
            if inStart == 0 && inEnd == input.count {
                guard input.count < ByteSource.maxHeaderBuffer else { return }
                let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: min(input.count * 2, ByteSource.maxHeaderBuffer))
                _ = larger.initialize(fromContentsOf: input)
                input.deallocate()
                input = larger
            }
            try refill()
        }
    }

    var filledOutput: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: output[0..<outFill]))
    }

    func next() throws(DecompressionError) -> UnsafeRawBufferPointer? {
        if delivered {
            outFill = 0
            delivered = false
        }
        if ended { return nil }
        while true {
            if atMemberStart {
                while inEnd - inStart < 2 && !atEOF { try refill() }
                let available = inEnd - inStart
                let position = inputOffset + inStart
                if available == 0 {
                    if member == 1 {
                        throw DecompressionError(
                            code: .truncated,
                            message:
                                "the .gz file is empty (0 bytes): the file was cut off in transfer or never written; ask the provider to resend it"
                        )
                    }
                    // Clean end after the last member: the rest of the content, if any.
                    ended = true
                    return outFill > 0 ? filledOutput : nil
                }
                let magicOK = input[inStart] == 0x1f && (available < 2 || input[inStart + 1] == 0x8b)
                if !magicOK {
                    let head = DecompressionError.hex(input[inStart..<inStart + min(available, 4)])
                    if member == 1 {
                        throw DecompressionError(
                            code: .notGzip,
                            message:
                                "named .gz but is not gzip data (starts with \(head), not 1f 8b); the provider may have sent an uncompressed or differently compressed file"
                        )
                    }
                    throw DecompressionError(
                        code: .corrupt,
                        message:
                            "after gzip member \(member - 1) ends at byte \(DecompressionError.grouped(position)) there are bytes that are not another gzip member (starting with \(head)): the file is damaged or padded; ask the provider to resend it"
                    )
                }
                if available < 2 {
                    throw ByteSource.truncated(after: position + available)
                }
                try bufferWholeHeader()
                if member > 1 {
                    do { try inflater.resetForNextMember() } catch { throw ByteSource.failure(error, at: position, member: member) }
                }
                atMemberStart = false
            }

            if inStart == inEnd && !atEOF { try refill() }

            let step = try step(
                UnsafeBufferPointer(rebasing: input[inStart..<inEnd]),
                UnsafeMutableBufferPointer(rebasing: output[outFill...]),
                position: inputOffset + inStart)
            inStart += step.consumed
            outFill += step.produced

            if step.memberEnded {
                member += 1
                atMemberStart = true
            }
            if outFill == output.count {
                // A full chunk (it took output, so the decoder made progress).
                delivered = true
                return filledOutput
            }
            if step.memberEnded { continue }
            if step.consumed == 0 && step.produced == 0 {
                // The decoder cannot continue with what it has: it needs more input.
                if !atEOF && (inStart > 0 || inEnd < input.count) {
                    try refill()
                } else if atEOF {
                    throw ByteSource.truncated(after: inputOffset + inEnd)
                } else {
                    throw DecompressionError(
                        code: .corrupt,
                        message:
                            "the gzip decoder stopped making progress at compressed byte \(DecompressionError.grouped(inputOffset + inStart)) (member \(member)): the data is damaged; ask the provider to resend it"
                    )
                }
            }
        }
    }

    /// One decoder call, with its failure turned into a `DecompressionError` at `position`.
    @inline(__always)
    func step(
        _ input: UnsafeBufferPointer<UInt8>, _ output: UnsafeMutableBufferPointer<UInt8>, position: Int
    ) throws(DecompressionError) -> InflateStep {
        do {
            return try inflater.inflate(input, into: output)
        } catch {
            throw ByteSource.failure(error, at: position, member: member)
        }
    }
}

/// A read-only POSIX file descriptor. Owned by one ``ByteSource/Reader``; closed when it is released.
private struct FileReader {
    let descriptor: Int32
    let path: String

    init(path: String) throws(DecompressionError) {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else {
            throw DecompressionError(code: .io, message: "cannot open \(path): \(Self.osError(errno))")
        }
        descriptor = fd
        self.path = path
    }

    /// Reads until `buffer` is full or the file ends; returns the byte count (0 at end of file).
    func read(into buffer: Slice<UnsafeMutableBufferPointer<UInt8>>) throws(DecompressionError) -> Int {
        let base = buffer.base.baseAddress! + buffer.startIndex
        var filled = 0
        while filled < buffer.count {
            let count = Glibc.read(descriptor, base + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw DecompressionError(code: .io, message: "cannot read \(path): \(Self.osError(errno))")
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    func close() {
        _ = Glibc.close(descriptor)
    }

    static func osError(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
