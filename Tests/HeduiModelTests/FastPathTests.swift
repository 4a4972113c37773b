import Testing

@testable import HeduiModel

/// The fast paths of the ingest hot path give what the full parsers give, on random texts
/// near the common forms.
@Suite("Fast paths agree with the full parsers")
struct FastPathTests {
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

    /// Calls `body` with `base` with one byte replaced, for every position and every byte value.
    static func forEachByteSubstitution(of base: [UInt8], _ body: (_ text: [UInt8], _ position: Int, _ value: UInt8) -> Void) {
        for position in base.indices {
            for value in UInt8.min...UInt8.max {
                var text = base
                text[position] = value
                body(text, position, value)
            }
        }
    }

    @Test("plainFen gives nil or what fen gives")
    func plainFen() {
        var g = Generator(state: 7)
        let alphabet = Array("0123456789012345678901234567890123456789..-+, x".utf8)
        var accepted = 0
        for _ in 0..<200_000 {
            let text = (0..<g.below(20)).map { _ in alphabet[g.below(alphabet.count)] }
            text.withUnsafeBytes { bytes in
                guard let value = ValueParsing.plainFen(bytes) else { return }
                accepted += 1
                for negative in [false, true] {
                    #expect(
                        (try? ValueParsing.fen(bytes, allowNegative: negative).get()) == Fen(value),
                        "\(String(decoding: text, as: UTF8.self))")
                }
            }
        }
        #expect(accepted > 10_000)
        for text in ["1234.56", "0.5", "7", "000012.30", "999999999999999.99"] {
            Array(text.utf8).withUnsafeBytes { #expect(ValueParsing.plainFen($0) != nil, "\(text)") }
        }
        for text in ["", ".5", "1.", "1.234", "-1.00", "1,234.00", "1234567890123456"] {
            Array(text.utf8).withUnsafeBytes { #expect(ValueParsing.plainFen($0) == nil, "\(text)") }
        }
    }

    @Test("18-character IDs: the eight-digit reader accepts exactly the valid ones")
    func idNumbers() {
        var g = Generator(state: 11)
        var valid = 0
        for _ in 0..<200_000 {
            // A valid ID, often changed in one character.
            let yyyymmdd = UInt64((1900 + g.below(120)) * 10_000 + (1 + g.below(12)) * 100 + 1 + g.below(31))
            let body = 110_101 * 100_000_000_000 + yyyymmdd * 1000 + UInt64(g.below(1000))
            var chars = IDNumber(body: body).characters
            if g.below(3) == 0 { chars[g.below(18)] = Array("0123456789Xx /:a".utf8)[g.below(16)] }
            if g.below(10) == 0 { chars[6..<14] = ArraySlice(Array("1990\(g.below(2))\(g.below(10))\(g.below(4))\(g.below(10))".utf8)) }
            chars.withUnsafeBytes { bytes in
                let fast = IDNumber.parseValid18(bytes)
                let general = IDNumber.parseGeneral(bytes)
                if let fast {
                    valid += 1
                    #expect(general == .success(fast))
                } else {
                    if case .success = general { Issue.record("\(String(decoding: chars, as: UTF8.self)) refused by the fast path") }
                }
                #expect(IDNumber.parse(bytes) == general)
            }
        }
        #expect(valid > 50_000)
    }

    @Test("isFolded holds exactly where foldASCII changes nothing and no folded form is present")
    func isFolded() {
        var g = Generator(state: 11)
        // Pieces near what folding looks at: spaces, full-width forms and their neighbours, the
        // ideographic space and other U+30xx punctuation, a BOM, CJK, ASCII.
        let pieces: [[UInt8]] = ["a", "7", " ", "\t", "张", "号", "Ａ", "ｘ", "　", "、", "\u{FEFF}", "·", "é", ",", "-"].map {
            Array($0.utf8)
        }
        var folded = 0
        var output: [UInt8] = []
        for _ in 0..<100_000 {
            var text: [UInt8] = []
            for _ in 0..<g.below(14) { text += pieces[g.below(pieces.count)] }
            text.withUnsafeBytes { bytes in
                TextNormalization.foldASCII(bytes, into: &output)
                let expected =
                    output == text && !text.contains(0xEF) && !text.contains(0xE3)
                    && !(text.first.map(TextNormalization.isSpace) ?? false) && !(text.last.map(TextNormalization.isSpace) ?? false)
                if TextNormalization.isFolded(bytes) { folded += 1 }
                #expect(TextNormalization.isFolded(bytes) == expected, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(folded > 10_000)
    }
}
