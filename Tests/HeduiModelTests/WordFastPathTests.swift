import Testing

@testable import HeduiModel

/// The word-at-a-time fast paths (ID numbers, amounts, months, names, the compact cursor) against
/// the general paths, on edge inputs: every byte value at every position of the common forms.
@Suite("Word fast paths agree with the general paths")
struct WordFastPathTests {
    typealias Generator = FastPathTests.Generator

    /// `parseValid18` is nil or the general parser's ID; `parse` is the general parser's answer.
    static func checkID(_ chars: [UInt8]) -> Bool {
        chars.withUnsafeBytes { bytes in
            let general = IDNumber.parseGeneral(bytes)
            #expect(IDNumber.parse(bytes) == general, "\(String(decoding: chars, as: UTF8.self))")
            guard chars.count == 18 else { return false }
            if let fast = IDNumber.parseValid18(bytes) {
                #expect(general == .success(fast), "\(String(decoding: chars, as: UTF8.self))")
                return true
            }
            if case .success = general { Issue.record("\(String(decoding: chars, as: UTF8.self)) refused by the fast path") }
            return false
        }
    }

    @Test("IDs: every byte value at every position of valid IDs")
    func idEveryByte() {
        // Check characters X, 3, a leap day, the earliest year.
        let bodies: [UInt64] = [11_010_119_900_307_002, 32_048_119_790_215_001, 11_010_120_000_229_001, 44_030_118_000_101_001]
        for body in bodies {
            let base = IDNumber(body: body).characters
            #expect(Self.checkID(base))
            FastPathTests.forEachByteSubstitution(of: base) { chars, _, _ in _ = Self.checkID(chars) }
        }
        // Valid bodies with every check character and their lowercase x.
        var g = Generator(state: 5)
        var accepted = 0
        for _ in 0..<20_000 {
            let yyyymmdd = UInt64((1790 + g.below(240)) * 10_000 + g.below(14) * 100 + g.below(33))
            let body = UInt64(100_000 + g.below(900_000)) * 100_000_000_000 + yyyymmdd * 1000 + UInt64(g.below(1000))
            var chars = Array(String(body).utf8)
            guard chars.count == 17 else { continue }
            chars.append(Array("0123456789Xx".utf8)[g.below(12)])
            if Self.checkID(chars) { accepted += 1 }
        }
        #expect(accepted > 500)
    }

    @Test("IDs: full-width digits, spaces, 15 digits, bad dates, other lengths")
    func idOtherForms() {
        let valid = IDNumber(body: 11_010_119_900_307_002).description
        #expect(Self.checkID(Array(valid.utf8)))
        #expect(Self.checkID(Array(valid.lowercased().utf8)))
        // Full-width digits are folded before parsing: unfolded, they are refused by both.
        let fullWidth = String(valid.unicodeScalars.map { Character(Unicode.Scalar($0.value - 0x30 + 0xFF10)!) })
        #expect(!Self.checkID(Array(fullWidth.utf8)))
        #expect(IDNumber.parse(fullWidth) == .success(IDNumber(body: 11_010_119_900_307_002)))
        for text in [
            " " + valid.dropLast(1), "110101900307002", "110101900230002", "110101901301002", "11010119900230002X",
            "11010119901301002X", "11010117990101002X", "11010119900300002X", "11010119900132002X", "", "1",
            valid + "0", String(valid.dropLast()),
        ] {
            _ = Self.checkID(Array(text.utf8))
        }
    }

    @Test("plainFen: every byte value at every position of the word forms")
    func plainFenEveryByte() {
        for text in ["0.00", "1.25", "988.96", "1745.20", "99999.99", "12345.6", "1234.56", "12.5"] {
            FastPathTests.forEachByteSubstitution(of: Array(text.utf8)) { chars, _, _ in
                chars.withUnsafeBytes { bytes in
                    let word = bytes.count >= 4 && bytes.count <= 8 ? ValueParsing.plainFenWord(bytes) : nil
                    let scalar = ValueParsing.plainFenBytes(bytes)
                    if let word { #expect(word == scalar, "\(chars)") }
                    #expect(ValueParsing.plainFen(bytes) == scalar, "\(chars)")
                    if let scalar {
                        #expect((try? ValueParsing.fen(bytes, allowNegative: false).get()) == Fen(scalar), "\(chars)")
                    }
                }
            }
        }
    }

    @Test("plainMonth gives nil or what month gives, every byte at every position")
    func plainMonth() {
        for text in ["2023-03", "1999-12", "0000-01", "2023-13", "2023-00"] {
            FastPathTests.forEachByteSubstitution(of: Array(text.utf8)) { chars, _, _ in
                chars.withUnsafeBytes { bytes in
                    let general = ValueParsing.generalMonth(bytes)
                    #expect(ValueParsing.month(bytes) == general)
                    if let fast = ValueParsing.plainMonth(bytes) { #expect(general == .success(fast)) }
                }
            }
        }
        #expect(ValueParsing.plainMonth(UnsafeRawBufferPointer(start: nil, count: 0)) == nil)
    }

    @Test("isPlainName holds exactly where normalizedName changes nothing")
    func isPlainName() {
        var g = Generator(state: 23)
        let pieces: [[UInt8]] = ["张", "伟", "欧阳", "·", "•", "．", "　", " ", "\t", "a", "é", "â", "Ｘ", "\u{2019}", "\u{3001}"].map {
            Array($0.utf8)
        }
        var plain = 0
        for _ in 0..<100_000 {
            var text: [UInt8] = []
            for _ in 0..<g.below(12) { text += pieces[g.below(pieces.count)] }
            text.withUnsafeBytes { bytes in
                let expected =
                    !text.isEmpty && Array(TextNormalization.normalizedName(bytes).utf8) == text
                    && !text.contains(where: { [0xE3, 0xE2, 0xEF, 0xC2, 0x20].contains($0) })
                    && !TextNormalization.isSpace(text[0]) && !TextNormalization.isSpace(text[text.count - 1])
                if TextNormalization.isPlainName(bytes) { plain += 1 }
                #expect(TextNormalization.isPlainName(bytes) == expected, "\(String(decoding: text, as: UTF8.self))")
            }
        }
        #expect(plain > 3_000)
    }

    @Test("The compact cursor writes what the writer writes, texts of every length to 300")
    func cursor() {
        var g = Generator(state: 31)
        for length in 0...300 {
            let text = (0..<length).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            let name = Array(["张三", " 李四 ", "欧阳•娜娜", "　", "Ａｌｉ"][length % 5].utf8)
            let id = IDNumber(body: 11_010_119_900_307_002)
            var reference = CompactRecordWriter()
            reference.reset()
            reference.holder(id)
            name.withUnsafeBytes { reference.name($0) }
            reference.byte(7)
            text.withUnsafeBytes { reference.text($0) }
            reference.integer(Int64(-length))
            reference.optionalAmount(Fen(Int64(length)))
            reference.code(AccountType.wealth)

            var writer = CompactRecordWriter()
            var cursor = writer.startRecord(reserving: 64 + name.count)
            cursor.holder(id)
            let named = name.withUnsafeBytes { cursor.name($0) }
            cursor.byte(7)
            if length > 16 { writer.makeRoom(length + 64, for: &cursor) }
            text.withUnsafeBytes { cursor.text($0) }
            cursor.integer(Int64(-length))
            cursor.optionalAmount(Fen(Int64(length)))
            cursor.code(AccountType.wealth)
            writer.finishRecord(cursor)
            let blank = reference.withBytes { $0[CompactRecord.validHolderSize] == 0 }
            #expect(named == !blank)
            if named {
                #expect(writer.withBytes { Array($0) } == reference.withBytes { Array($0) }, "length \(length)")
            }
        }
    }
}
