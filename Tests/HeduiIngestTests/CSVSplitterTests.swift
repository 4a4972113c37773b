import Testing

@testable import HeduiIngest

/// The in-place `CSVParser` against the reference splitter (the one it replaced) on random,
/// often malformed CSV texts: quotes, `""`, CR, CRLF, BOM, blank lines, CJK and invalid UTF-8,
/// fed whole, cut in two at every position, and in small random chunks.
@Suite("CSV splitter against the reference")
struct CSVSplitterTests {
    struct Outcome: Equatable, CustomStringConvertible {
        var rows: [(line: Int, fields: [[UInt8]], ascii: [Bool])] = []
        var unterminated: Int?
        var count: Int { rows.count }
        var description: String {
            rows.map { "\($0.line): \($0.fields.map { String(decoding: $0, as: UTF8.self) })" }.joined(separator: "\n")
                + (unterminated.map { "\nunterminated at \($0)" } ?? "")
        }
        static func == (a: Outcome, b: Outcome) -> Bool {
            a.unterminated == b.unterminated && a.rows.count == b.rows.count
                && zip(a.rows, b.rows).allSatisfy { $0.line == $1.line && $0.fields == $1.fields && $0.ascii == $1.ascii }
        }
    }

    static func reference(_ bytes: [UInt8]) -> Outcome {
        var parser = ReferenceCSVParser()
        var outcome = Outcome()
        let collect: (ReferenceCSVParser.Row) -> Void = { row in
            let fields = (0..<row.count).map { Array(row.field($0)) }
            outcome.rows.append((row.line, fields, fields.map { $0.allSatisfy { $0 < 0x80 } }))
        }
        do {
            try bytes.withUnsafeBytes { try parser.feed($0, collect) }
            try parser.finish(collect)
        } catch let error as ReferenceCSVParser.UnterminatedQuote {
            outcome.unterminated = error.line
        } catch {
            Issue.record("unexpected \(error)")
        }
        return outcome
    }

    /// `bytes` through `CSVParser` in chunks ending at `cuts`; also checks UTF-8 like the reader.
    static func split(_ bytes: [UInt8], cuts: [Int], validating: Bool) -> (Outcome, Bool) {
        var parser = CSVParser()
        var validator = UTF8Validator()
        var outcome = Outcome()
        var valid = true
        let collect: (CSVParser.Row) -> Void = { row in
            outcome.rows.append(
                (row.line, (0..<row.count).map { Array(row.field($0)) }, (0..<row.count).map { row.isASCII($0) }))
        }
        do {
            var start = 0
            for end in cuts + [bytes.count] where end > start {
                try bytes[start..<end].withUnsafeBytes { chunk in
                    if validating {
                        if valid { valid = try parser.feed(chunk, validating: &validator, collect) }
                    } else {
                        try parser.feed(chunk, collect)
                    }
                }
                start = end
            }
            if !valid { return (outcome, false) }
            try parser.finish(collect)
        } catch let error as CSVParser.UnterminatedQuote {
            outcome.unterminated = error.line
        } catch {
            Issue.record("unexpected \(error)")
        }
        return (outcome, valid && validator.isComplete)
    }

    static func isUTF8(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8Validator()
        return bytes.withUnsafeBytes { validator.validate($0) } && validator.isComplete
    }

    static func randomText(_ g: inout CSVRoundTripTests.Generator) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("Z9".utf8), Array(" ".utf8), Array(",".utf8), Array(",".utf8), Array("\"".utf8),
            Array("\"\"".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8), Array("\t".utf8),
            Array("张".utf8), Array("·".utf8), Array("￥".utf8), Array("1234.56".utf8), Array("320481197902150013".utf8),
            [0xE5], [0x80], [0xFF], [0xEF, 0xBB, 0xBF],
        ]
        var text: [UInt8] = []
        if g.below(4) == 0 { text += [0xEF, 0xBB, 0xBF] }
        let n = g.below(60)
        for _ in 0..<n {
            // Mostly valid UTF-8: the invalid pieces are rare.
            var k = g.below(pieces.count)
            if k >= 16 && g.below(8) != 0 { k = g.below(16) }
            text += pieces[k]
        }
        return text
    }

    @Test("random texts, every cut in two, small chunks", arguments: 0..<8)
    func againstReference(seed: Int) {
        var g = CSVRoundTripTests.Generator(state: UInt64(seed) &* 7919 &+ 17)
        for _ in 0..<150 {
            let text = Self.randomText(&g)
            let expected = Self.reference(text)
            let utf8 = Self.isUTF8(text)
            var cutsList: [[Int]] = [[]]
            for cut in 0...text.count { cutsList.append([cut]) }
            var small: [Int] = []
            var p = 0
            while p < text.count {
                p = min(text.count, p + 1 + g.below(7))
                small.append(p)
            }
            cutsList.append(small)
            cutsList.append(Array(0..<text.count))
            for cuts in cutsList {
                let (plain, _) = Self.split(text, cuts: cuts, validating: false)
                #expect(plain == expected, "text \(text) cuts \(cuts)\n\(plain)\nexpected\n\(expected)")
                let (checked, valid) = Self.split(text, cuts: cuts, validating: true)
                #expect(valid == utf8, "text \(text) cuts \(cuts)")
                if valid { #expect(checked == expected, "text \(text) cuts \(cuts)") }
                if plain != expected || valid != utf8 { return }
            }
        }
    }

    @Test("long texts across many 64-byte blocks and chunk sizes")
    func longTexts() {
        var g = CSVRoundTripTests.Generator(state: 42)
        for _ in 0..<20 {
            var text: [UInt8] = []
            for _ in 0..<40 { text += Self.randomText(&g) }
            let expected = Self.reference(text)
            for chunk in [1, 3, 63, 64, 65, 100, 257, 4096] {
                let cuts = Array(stride(from: chunk, to: text.count, by: chunk))
                let (plain, _) = Self.split(text, cuts: cuts, validating: false)
                #expect(plain == expected, "chunk \(chunk)")
                let (checked, valid) = Self.split(text, cuts: cuts, validating: true)
                #expect(valid == Self.isUTF8(text))
                if valid { #expect(checked == expected, "chunk \(chunk)") }
            }
        }
    }
}
