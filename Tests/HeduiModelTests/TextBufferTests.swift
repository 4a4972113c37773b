import Testing

@testable import HeduiModel

@Suite struct TextBufferTests {
    /// The byte-by-byte definition the word-at-a-time check must agree with.
    private static func needsEscapeReference(_ bytes: [UInt8]) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    @Test func escapeCheckAgreesWithTheByteLoop() {
        // Every byte value at every position of texts 0–24 bytes long, in a background of bytes that
        // sit next to the special ones (0x1F–0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF), so a borrow or
        // a neighbouring byte that wrongly counts would show.
        let backgrounds: [UInt8] = [0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xE4, 0xFF, 0x20, 0x41]
        var checked = 0
        var mismatches: [String] = []
        for length in 0...24 {
            for background in backgrounds {
                let plain = [UInt8](repeating: background, count: length)
                #expect(plain.withUnsafeBytes { TextBuffer.needsJSONEscape($0) } == Self.needsEscapeReference(plain))
                FastPathTests.forEachByteSubstitution(of: plain) { text, position, value in
                    let fast = text.withUnsafeBytes { TextBuffer.needsJSONEscape($0) }
                    checked += 1
                    if fast != Self.needsEscapeReference(text) {
                        mismatches.append("length \(length) position \(position) byte \(value)")
                    }
                }
            }
        }
        #expect(checked == 768_000)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func jsonStringsAreEscapedOnlyWhereNeeded() {
        var out = TextBuffer()
        out.appendJSONString("张三 \"quoted\" back\\slash\ttab\u{1}end 一二三四五六七八")
        #expect(String(decoding: out.bytes, as: UTF8.self) == #""张三 \"quoted\" back\\slash\ttab\u0001end 一二三四五六七八""#)
        var plain = TextBuffer()
        plain.appendJSONString("浙江省杭州市西湖区文三路90号 A-12")
        #expect(String(decoding: plain.bytes, as: UTF8.self) == "\"浙江省杭州市西湖区文三路90号 A-12\"")
    }

    @Test func decimalsAreWrittenAsStringDoes() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 65_536, Int64.max, Int64.min, Int64.min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power, -(power - 1)]
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            values.append(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0..<63, using: &generator))
        }
        var buffer = TextBuffer(capacity: 64)
        var expected = ""
        for value in values {
            buffer.appendDecimal(value)
            buffer.append(UInt8(ascii: ","))
            expected += "\(value),"
        }
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected)
    }

    @Test func fixedPointsAreWrittenAsFenFormatDoes() {
        var values: [Int64] = [0, 1, -1, 5, -5, 99, 100, 101, -100, 10_000, 10_001, Int64.max, Int64.min, Int64.min + 1]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            values.append(Int64.random(in: Int64.min...Int64.max, using: &generator) >> Int64.random(in: 0..<63, using: &generator))
        }
        for digits in 0...4 {
            var buffer = TextBuffer(capacity: 64)
            var expected = ""
            for value in values {
                buffer.appendFixedPoint(value, fractionDigits: digits)
                buffer.append(UInt8(ascii: ","))
                expected += Fen.format(value, fractionDigits: digits) + ","
            }
            #expect(String(decoding: buffer.bytes, as: UTF8.self) == expected, "\(digits) digits")
        }
    }
}
