import Foundation
import HeduiIngest
import Testing

// MARK: - helpers

/// Fixture directory `Fixtures/gzip` inside the test bundle.
private func fixtureURL(_ name: String) throws -> URL {
    let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return root.appendingPathComponent("gzip").appendingPathComponent(name)
}

private func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixtureURL(name)))
}

/// A scratch directory, removed when the value is released.
private final class Scratch {
    let url: URL
    private var counter = 0

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hedui-inflate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to a new file and returns its path.
    func write(_ bytes: [UInt8], name: String = "file.gz") throws -> String {
        counter += 1
        let file = url.appendingPathComponent("\(counter)-\(name)")
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Compresses `bytes` with an external tool (`/bin/gzip`, `pigz`, `igzip`): `tool -c args file`.
    func compress(_ bytes: [UInt8], tool: String = "gzip", _ arguments: [String] = ["-6", "-n"]) throws -> [UInt8] {
        let input = try write(bytes, name: "input.txt")
        let output = input + ".out"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Shell redirection keeps this simple and free of pipe-buffer deadlocks.
        process.arguments = ["sh", "-c", "\"$0\" -c \"$@\" > '\(output)'", tool] + arguments + [input]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) failed")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }
}

/// Reads all content through `ByteSource`, also checking the chunk contract.
private func readAll(
    _ path: String, compressed: Bool = true, backend: DecompressionBackend,
    chunkSize: Int = 256 * 1024
) throws -> [UInt8] {
    var content: [UInt8] = []
    var sizes: [Int] = []
    let total = try ByteSource(path: path, compressed: compressed, backend: backend, chunkSize: chunkSize)
        .forEachChunk { chunk in
            content.append(contentsOf: chunk)
            sizes.append(chunk.count)
        }
    #expect(total == content.count)
    #expect(!sizes.contains(0), "no empty chunks")
    #expect(sizes.dropLast().allSatisfy { $0 == chunkSize }, "every chunk but the last is full")
    #expect((sizes.last ?? 0) <= chunkSize)
    return content
}

/// The `DecompressionError` thrown by reading `path`, or nil (recorded as a failure) if it returns normally.
private func readError(
    _ path: String, backend: DecompressionBackend, chunkSize: Int = 256 * 1024,
    sourceLocation: SourceLocation = #_sourceLocation
) -> DecompressionError? {
    do {
        let bytes = try readAll(path, backend: backend, chunkSize: chunkSize)
        Issue.record("expected an error, read \(bytes.count) bytes", sourceLocation: sourceLocation)
        return nil
    } catch let error as DecompressionError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Deterministic, not-too-compressible CSV text of about `approximateSize` bytes.
private func records(approximateSize: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    func next() -> UInt64 {  // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    let symbols = ["AAPL", "MSFT", "GOOG", "BRK.B", "TSLA", "NVDA", "7203.T", "VOD.L", "SAP.DE", "0700.HK"]
    var text = "id,symbol,price,qty,side,ts,note\n"
    var id = 0
    while text.utf8.count < approximateSize {
        id += 1
        let note = String((0..<Int(next() % 12)).map { _ in Character(Unicode.Scalar(UInt8(97 + next() % 26))) })
        text += "\(id),\(symbols[Int(next() % 10)]),\(next() % 1_000_000 / 100).\(next() % 100),\(next() % 50_000),"
        text += "\(next() % 2 == 0 ? "B" : "S"),1718\(next() % 1_000_000_000),\(note)\n"
    }
    return Array(text.utf8)
}

/// CRC-32 (IEEE), for crafting gzip headers with FHCRC.
private func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

private let backends = DecompressionBackend.allCases

// MARK: - fixtures and cross-checks

@Suite("Decompression")
struct DecompressionTests {
    static let gzipFixtures = ["records.csv.gz", "records-pigz.csv.gz", "records-igzip.csv.gz", "records-multi.csv.gz"]

    @Test("each fixture decodes to the original bytes", arguments: gzipFixtures, backends)
    func fixtureMatchesPlain(name: String, backend: DecompressionBackend) throws {
        let expected = try fixtureBytes("records.csv")
        let decoded = try readAll(fixtureURL(name).path, backend: backend)
        #expect(decoded == expected)
    }

    @Test("zlib and ISA-L agree on every fixture", arguments: gzipFixtures)
    func backendsAgree(name: String) throws {
        let path = try fixtureURL(name).path
        #expect(try readAll(path, backend: .zlib) == readAll(path, backend: .isal))
    }

    @Test("a gzip of empty content yields no chunks", arguments: backends)
    func emptyContent(backend: DecompressionBackend) throws {
        var calls = 0
        let total = try ByteSource(path: fixtureURL("empty-content.gz").path, compressed: true, backend: backend)
            .forEachChunk { _ in calls += 1 }
        #expect(total == 0)
        #expect(calls == 0)
    }

    @Test("plain files are passed through", arguments: [1, 7, 4096, 256 * 1024])
    func plain(chunkSize: Int) throws {
        let expected = try fixtureBytes("records.csv")
        let path = try fixtureURL("records.csv").path
        #expect(try readAll(path, compressed: false, backend: .isal, chunkSize: chunkSize) == expected)
        let scratch = try Scratch()
        #expect(try readAll(scratch.write([], name: "empty.csv"), compressed: false, backend: .isal) == [])
    }

    @Test func preferredIsISAL() {
        #expect(DecompressionBackend.preferred == .isal)
    }

    // MARK: multi-member

    @Test("concatenated members (gzip, empty, pigz, igzip) yield all content", arguments: backends)
    func multiMember(backend: DecompressionBackend) throws {
        let scratch = try Scratch()
        let a = records(approximateSize: 9_000, seed: 1)
        let b = records(approximateSize: 5_000, seed: 2)
        let c = records(approximateSize: 7_000, seed: 3)
        let file =
            try scratch.compress(a) + scratch.compress([]) + scratch.compress(b, tool: "pigz", ["-n"])
            + scratch.compress(c, tool: "igzip", ["-1"])
        for chunkSize in [1, 7, 4096, 256 * 1024] {
            let decoded = try readAll(scratch.write(file), backend: backend, chunkSize: chunkSize)
            #expect(decoded == a + b + c, "chunkSize \(chunkSize)")
        }
    }

    @Test("pigz output with many deflate blocks", arguments: backends)
    func pigzBlocks(backend: DecompressionBackend) throws {
        let scratch = try Scratch()
        let text = records(approximateSize: 300_000, seed: 4)
        // -b 32: 32 KiB blocks, compressed in parallel and joined inside one member.
        let file = try scratch.compress(text, tool: "pigz", ["-n", "-b", "32", "-p", "2"])
        #expect(try readAll(scratch.write(file), backend: backend) == text)
    }

    /// gzip member with every optional header field; ISA-L 2.30 needs the whole header in one
    /// call when FHCRC is set, which ByteSource guarantees.
    private func memberWithFullHeader(_ text: [UInt8], name: String, scratch: Scratch) throws -> [UInt8] {
        let plain = try scratch.compress(text)  // 10-byte header (flags 0) + deflate + trailer
        var header: [UInt8] = [0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]
        let extra = Array("XYhedui-extra-field".utf8)
        header += [UInt8(extra.count & 0xff), UInt8(extra.count >> 8)] + extra
        header += Array(name.utf8) + [0]
        header += Array("a comment that spans several input chunks".utf8) + [0]
        let headerCRC = crc32(header)
        header += [UInt8(headerCRC & 0xff), UInt8((headerCRC >> 8) & 0xff)]
        return header + plain[10...]
    }

    @Test(
        "headers with FEXTRA, FNAME, FCOMMENT and FHCRC are parsed in any chunking",
        arguments: backends, [1, 3, 64, 4096, 256 * 1024])
    func fullHeader(backend: DecompressionBackend, chunkSize: Int) throws {
        let scratch = try Scratch()
        let a = records(approximateSize: 3_000, seed: 5)
        let b = records(approximateSize: 2_000, seed: 6)
        let longName = String(repeating: "very-long-name-", count: 200) + ".csv"  // > ISA-L's 328-byte header buffer
        let file =
            try memberWithFullHeader(a, name: "records.csv", scratch: scratch)
            + memberWithFullHeader(b, name: longName, scratch: scratch)
        #expect(try readAll(scratch.write(file), backend: backend, chunkSize: chunkSize) == a + b)
        // Shift the second header across a chunk boundary at every position.
        if chunkSize == 64 {
            for pad in 1..<64 {
                let padded = try scratch.compress(Array(a.prefix(pad * 37))) + memberWithFullHeader(b, name: "n.csv", scratch: scratch)
                #expect(try readAll(scratch.write(padded), backend: backend, chunkSize: chunkSize) == Array(a.prefix(pad * 37)) + b)
            }
        }
    }

    // MARK: chunking and observers

    @Test("chunk sizes do not change the content", arguments: backends, [1, 7, 4096, 256 * 1024])
    func chunkSizes(backend: DecompressionBackend, chunkSize: Int) throws {
        let scratch = try Scratch()
        let text = records(approximateSize: 30_000)
        let path = try scratch.write(scratch.compress(text))
        #expect(try readAll(path, backend: backend, chunkSize: chunkSize) == text)
    }

    @Test("the raw observer sees exactly the file's bytes", arguments: backends, [1, 7, 4096, 256 * 1024])
    func rawObserver(backend: DecompressionBackend, chunkSize: Int) throws {
        for (name, compressed) in [("records-multi.csv.gz", true), ("records.csv", false)] {
            let path = try fixtureURL(name).path
            var raw: [UInt8] = []
            var content: [UInt8] = []
            try ByteSource(path: path, compressed: compressed, backend: backend, chunkSize: chunkSize)
                .forEachChunk(raw: { raw.append(contentsOf: $0) }) { content.append(contentsOf: $0) }
            #expect(raw == (try fixtureBytes(name)), "\(name)")
            #expect(content == (try fixtureBytes("records.csv")), "\(name)")
        }
    }

    struct Stop: Error, Equatable { let at: Int }

    @Test("errors from body propagate unchanged", arguments: backends)
    func bodyErrorPropagates(backend: DecompressionBackend) throws {
        let path = try fixtureURL("records.csv.gz").path
        var calls = 0
        #expect(throws: Stop(at: 3)) {
            try ByteSource(path: path, compressed: true, backend: backend, chunkSize: 100).forEachChunk { _ in
                calls += 1
                if calls == 3 { throw Stop(at: 3) }
            }
        }
        #expect(calls == 3)
    }

    @Test("open(raw:) pulls the same chunks and raw bytes; nil after the end, the same error after an error", arguments: backends)
    func pullReader(backend: DecompressionBackend) throws {
        for (name, compressed) in [("records-multi.csv.gz", true), ("records.csv", false)] {
            for chunkSize in [1, 7, 4096, 256 * 1024] {
                let source = ByteSource(path: try fixtureURL(name).path, compressed: compressed, backend: backend, chunkSize: chunkSize)
                var pushedRaw: [UInt8] = []
                var pushed: [[UInt8]] = []
                let total = try source.forEachChunk(raw: { pushedRaw += $0 }) { pushed.append(Array($0)) }
                var pulledRaw: [UInt8] = []
                var pulled: [[UInt8]] = []
                let reader = try source.open(raw: { pulledRaw += $0 })
                while let chunk = try reader.next() { pulled.append(Array(chunk)) }
                #expect(pulled == pushed && pulledRaw == pushedRaw, "\(name), chunk \(chunkSize)")
                #expect(reader.contentBytes == total)
                let after = try reader.next()
                let afterAgain = try reader.next()
                #expect(after == nil && afterAgain == nil)
            }
        }
        let scratch = try Scratch()
        let whole = try fixtureBytes("records-multi.csv.gz")
        let path = try scratch.write(Array(whole.dropLast(3)))
        let reader = try ByteSource(path: path, compressed: true, backend: backend, chunkSize: 100).open()
        func readToEnd() -> DecompressionError? {
            do {
                while try reader.next() != nil {}
                return nil
            } catch {
                return error
            }
        }
        let first = readToEnd()
        #expect(first?.code == .truncated)
        #expect(readToEnd() == first)
    }

    // MARK: errors
    // MARK: errors

    @Test("a file that is not gzip is NOT_GZIP", arguments: backends)
    func notGzip(backend: DecompressionBackend) throws {
        let scratch = try Scratch()
        let cases: [([UInt8], String)] = [
            (try fixtureBytes("records.csv"), "starts with 74 72 61 64"),
            ([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0], "starts with 50 4b 03 04"),  // zip
            ([0x1f, 0x9d, 0x90, 0x41], "starts with 1f 9d 90 41"),  // compress(1)
            ([0x00], "starts with 00"),
        ]
        for (bytes, expectedText) in cases {
            let error = readError(try scratch.write(bytes), backend: backend)
            #expect(error?.code == .notGzip)
            #expect(error?.message.contains(expectedText) == true, "\(error?.message ?? "-")")
            #expect(error?.description.hasPrefix("NOT_GZIP: named .gz but is not gzip data") == true)
        }
    }

    @Test("a damaged CRC32 or ISIZE trailer is GZIP_CORRUPT", arguments: backends, [8, 5, 4, 1])
    func trailerMismatch(backend: DecompressionBackend, fromEnd: Int) throws {
        let scratch = try Scratch()
        var file = try fixtureBytes("records.csv.gz")
        file[file.count - fromEnd] ^= 0x01
        let error = readError(try scratch.write(file), backend: backend)
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("CRC32 or length") == true, "\(error?.message ?? "-")")
    }

    @Test("garbage deflate data is GZIP_CORRUPT", arguments: backends)
    func garbageDeflate(backend: DecompressionBackend) throws {
        let scratch = try Scratch()
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        // BFINAL=1, BTYPE=11 (reserved) in the first byte.
        #expect(readError(try scratch.write(header + [UInt8](repeating: 0xff, count: 64)), backend: backend)?.code == .corrupt)
        // A stored block whose LEN and NLEN do not complement each other.
        #expect(
            readError(
                try scratch.write(header + [0x01, 0x10, 0x00, 0x10, 0x00] + [UInt8](repeating: 0x41, count: 32)),
                backend: backend)?.code == .corrupt)
        // Compression method other than deflate (CM = 7).
        #expect(readError(try scratch.write([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, 0x03, 0x00]), backend: backend)?.code == .corrupt)
    }

    @Test("flipped bytes inside the deflate data are GZIP_CORRUPT for both backends", arguments: [300, 1000, 2000, 3000, 4000])
    func flippedDeflateByte(position: Int) throws {
        let scratch = try Scratch()
        var file = try fixtureBytes("records.csv.gz")
        file[position] ^= 0x5a
        let path = try scratch.write(file)
        for backend in backends {
            #expect(readError(path, backend: backend)?.code == .corrupt, "\(backend)")
        }
    }

    @Test("bytes after the last member must be another member", arguments: backends)
    func trailingBytes(backend: DecompressionBackend) throws {
        let scratch = try Scratch()
        let file = try fixtureBytes("records.csv.gz")
        for (tail, code) in [
            ([0, 0, 0, 0], DecompressionError.Code.corrupt), ([0x0a], .corrupt),
            ([0x1f, 0x00], .corrupt), ([0x1f], .truncated), ([0x1f, 0x8b], .truncated),
            ([0x1f, 0x8b, 0x08], .truncated),
        ] as [([UInt8], DecompressionError.Code)] {
            let error = readError(try scratch.write(file + tail), backend: backend)
            #expect(error?.code == code, "tail \(tail): \(error?.message ?? "-")")
        }
    }

    /// Every prefix of a valid gzip file is GZIP_TRUNCATED -- including the empty file and a cut
    /// inside the 2 magic bytes (a lone `1f` is the start of a gzip file, not non-gzip data).
    @Test("truncation anywhere is GZIP_TRUNCATED", arguments: backends, [256 * 1024, 7])
    func truncation(backend: DecompressionBackend, chunkSize: Int) throws {
        let scratch = try Scratch()
        let text = records(approximateSize: 30_000)
        let file = try scratch.compress(text)
        #expect(file.count > 8_000, "the test text must not be too compressible")
        var cuts = Set(0...40)
        cuts.formUnion(stride(from: 0, to: file.count, by: 97))
        cuts.formUnion((file.count - 8)...(file.count - 1))
        for cut in cuts.sorted() {
            let path = try scratch.write(Array(file[..<cut]))
            let error = readError(path, backend: backend, chunkSize: chunkSize)
            #expect(error?.code == .truncated, "cut at \(cut) of \(file.count): \(error?.description ?? "no error")")
            try FileManager.default.removeItem(atPath: path)
        }
        // The untruncated file still decodes.
        #expect(try readAll(scratch.write(file), backend: backend, chunkSize: chunkSize) == text)
    }

    @Test func truncatedMessage() throws {
        let scratch = try Scratch()
        let file = try fixtureBytes("records.csv.gz")
        let error = readError(try scratch.write(Array(file[..<4000])), backend: .isal)
        #expect(
            error?.message
                == "the gzip stream ends early (after 4,000 compressed bytes): the file was cut off in transfer; ask the provider to resend it"
        )
        let empty = readError(try scratch.write([]), backend: .zlib)
        #expect(empty?.code == .truncated)
        #expect(empty?.message.contains("empty") == true)
    }

    @Test("open and read failures are IO_ERROR", arguments: backends, [true, false])
    func ioErrors(backend: DecompressionBackend, compressed: Bool) throws {
        let scratch = try Scratch()
        for (path, osText) in [
            (scratch.url.appendingPathComponent("missing.gz").path, "No such file or directory"),
            (scratch.url.path, "Is a directory"),
        ] {
            do {
                try ByteSource(path: path, compressed: compressed, backend: backend).forEachChunk { _ in }
                Issue.record("expected IO_ERROR for \(path)")
            } catch let error as DecompressionError {
                #expect(error.code == .io)
                #expect(error.message.contains(osText), "\(error.message)")
            }
        }
    }

    // MARK: benchmark (opt-in)

    /// `HEDUI_BENCH=/path/to/big.gz swift test -c release --filter benchmark`
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HEDUI_BENCH"] != nil), arguments: backends)
    func benchmark(backend: DecompressionBackend) throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment["HEDUI_BENCH"])
        let chunkSize = environment["HEDUI_BENCH_CHUNK"].flatMap { Int($0) } ?? 256 * 1024
        var checksum: UInt64 = 0
        let clock = ContinuousClock()
        var total = 0
        let elapsed = try clock.measure {
            total = try ByteSource(path: path, compressed: true, backend: backend, chunkSize: chunkSize).forEachChunk { chunk in
                checksum &+= UInt64(chunk.count) &+ UInt64(chunk.last ?? 0)
            }
        }
        print("BENCH \(backend) chunk \(chunkSize): \(total) bytes in \(elapsed) (checksum \(checksum))")
    }
}
