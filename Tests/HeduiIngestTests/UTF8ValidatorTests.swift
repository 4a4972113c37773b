import Testing

@testable import HeduiIngest

/// The validator's bitmap path (runs of 3-byte characters read by the word) against the
/// byte-by-byte path and the standard library, on texts near its edges.
@Suite("UTF-8 validation")
struct UTF8ValidatorTests {
    /// `validate(_:high:)` on `bytes` cut into chunks at `cuts`, with the bitmap built here.
    static func viaBitmap(_ bytes: [UInt8], cuts: [Int]) -> Bool {
        var validator = UTF8Validator()
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            let chunk = Array(bytes[start..<end])
            var high = [UInt64](repeating: 0, count: chunk.count / 64 + 1)
            for (i, b) in chunk.enumerated() where b >= 0x80 { high[i >> 6] |= 1 << UInt64(i & 63) }
            let ok = chunk.withUnsafeBytes { raw in high.withUnsafeBufferPointer { validator.validate(raw, high: $0.baseAddress!) } }
            if !ok { return false }
            start = end
        }
        return validator.isComplete
    }

    static func bytewise(_ bytes: [UInt8]) -> Bool {
        var validator = UTF8Validator()
        return bytes.withUnsafeBytes { validator.validate($0) } && validator.isComplete
    }

    @Test("random texts of CJK, edge sequences and broken bytes, cut anywhere", arguments: 0..<4)
    func random(seed: Int) {
        var g = CSVRoundTripTests.Generator(state: UInt64(seed) &* 104_729 &+ 3)
        let pieces: [[UInt8]] = [
            Array("张".utf8), Array("侯杰".utf8), Array("江苏上上电缆集团有限公司".utf8), Array("a,1".utf8), Array("·".utf8),
            Array("\u{E000}".utf8), Array("\u{FFFD}".utf8), Array("\u{0800}".utf8), Array("\u{D7FF}".utf8),
            Array("\u{1F600}".utf8), Array("\u{1000}".utf8), Array("\u{C000}".utf8),
            [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xE4, 0xB8], [0xE4, 0x38, 0x80], [0xE4, 0xB8, 0x38], [0x80], [0xC0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xFF],
        ]
        var invalid = 0
        for _ in 0..<4_000 {
            var text: [UInt8] = []
            for _ in 0..<g.below(40) {
                var k = g.below(pieces.count)
                if k >= 12 && g.below(6) != 0 { k = g.below(12) }
                text += pieces[k]
            }
            let expected = String(validating: text, as: UTF8.self) != nil
            if !expected { invalid += 1 }
            #expect(Self.bytewise(text) == expected)
            #expect(Self.viaBitmap(text, cuts: []) == expected, "\(text)")
            let cut = text.isEmpty ? 0 : g.below(text.count + 1)
            #expect(Self.viaBitmap(text, cuts: [cut]) == expected, "\(text) cut at \(cut)")
        }
        #expect(invalid > 100)
    }

    @Test("every byte value at every position of a run of 3-byte characters")
    func everyByte() {
        let base = Array("a江苏上上电缆集团有限公司b".utf8)
        for position in 0..<base.count {
            for value in 0...255 {
                var text = base
                text[position] = UInt8(value)
                let expected = String(validating: text, as: UTF8.self) != nil
                #expect(Self.viaBitmap(text, cuts: []) == expected, "\(text)")
            }
        }
    }
}
