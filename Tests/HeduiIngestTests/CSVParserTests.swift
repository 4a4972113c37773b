import Testing

@testable import HeduiIngest

/// Parses `text` fed in chunks of `chunk` bytes; returns (line, fields) per record.
func parseCSV(_ bytes: [UInt8], chunk: Int) throws -> [(Int, [String])] {
    var parser = CSVParser()
    var rows: [(Int, [String])] = []
    let collect: (CSVParser.Row) -> Void = { row in
        rows.append((row.line, (0..<row.count).map { String(decoding: row.field($0), as: UTF8.self) }))
    }
    var offset = 0
    while offset < bytes.count {
        let end = min(bytes.count, offset + chunk)
        try bytes[offset..<end].withUnsafeBytes { try parser.feed($0, collect) }
        offset = end
    }
    try parser.finish(collect)
    return rows
}

@Suite("CSV per RFC 4180")
struct CSVParserTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 1 << 16]

    @Test(arguments: chunkSizes)
    func quotingAndLineBreaks(chunk: Int) throws {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"line one\nline two\",z\n3,,\"\"\n4,last,no-newline"
        let rows = try parseCSV(Array(text.utf8), chunk: chunk)
        #expect(rows.map(\.0) == [1, 2, 4, 6, 7])
        #expect(rows[1].1 == ["1", "x, y", "say \"hi\""])
        #expect(rows[2].1 == ["2", "line one\nline two", "z"])
        #expect(rows[3].1 == ["3", "", ""])
        #expect(rows[4].1 == ["4", "last", "no-newline"])
    }

    @Test(arguments: chunkSizes)
    func byteOrderMarkAndBlankLines(chunk: Int) throws {
        let text = "\u{FEFF}id,name\n\n   \n1,张三\n\n"
        let rows = try parseCSV(Array(text.utf8), chunk: chunk)
        #expect(rows.map(\.0) == [1, 4])
        #expect(rows[0].1 == ["id", "name"])
        #expect(rows[1].1 == ["1", "张三"])
    }

    @Test func quotedFieldEndingAChunk() throws {
        // The `""` escape split across chunks must not be unescaped twice.
        let text = "a\n\"x\"\"y\"\"z\"\n"
        for chunk in 1...text.utf8.count {
            let rows = try parseCSV(Array(text.utf8), chunk: chunk)
            #expect(rows.map(\.1) == [["a"], ["x\"y\"z"]], "chunk \(chunk)")
        }
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: CSVParser.UnterminatedQuote.self) {
            _ = try parseCSV(Array("a,b\n1,\"open\n2,3\n".utf8), chunk: 4)
        }
    }

    @Test func crlfAndFinalCarriageReturn() throws {
        let rows = try parseCSV(Array("a,b\r\n1,2\r\n".utf8), chunk: 3)
        #expect(rows.map(\.1) == [["a", "b"], ["1", "2"]])
    }
}

@Suite("CSV round trip on generated text")
struct CSVRoundTripTests {
    /// A deterministic generator (SplitMix64), so a failure can be reproduced.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476C_E1E5_B9B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    @Test("Fields with commas, quotes, line breaks, CJK and long runs survive any chunking", arguments: [1, 2, 3, 5, 8, 13, 64, 4096])
    func roundTrip(seed: Int) throws {
        var g = Generator(state: UInt64(seed))
        let alphabet: [String] = ["a", "Z", "0", "9", " ", ",", "\"", "\n", "张", "·", "-", "x", "\r\n", "¥"]
        var expected: [[String]] = []
        var text = ""
        for _ in 0..<300 {
            let fieldCount = 1 + g.below(9)
            var row: [String] = []
            for _ in 0..<fieldCount {
                var field = ""
                for _ in 0..<g.below(25) { field += alphabet[g.below(alphabet.count)] }
                row.append(field)
            }
            // A lone empty or blank field would be an empty line, which the parser skips by design.
            if row.count == 1 && row[0].allSatisfy({ $0 == " " }) { row[0] = "q" + row[0] }
            expected.append(row)
            text +=
                row.map { field in
                    field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
                        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
                }.joined(separator: ",") + (g.below(2) == 0 ? "\n" : "\r\n")
        }
        let rows = try parseCSV(Array(text.utf8), chunk: 1 + g.below(97))
        #expect(rows.map(\.1) == expected)
        let rows2 = try parseCSV(Array(text.utf8), chunk: seed)
        #expect(rows2.map(\.1) == expected)
    }
}
