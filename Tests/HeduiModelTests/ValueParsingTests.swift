import HeduiModel
import Testing

private func fen(_ text: String, negative: Bool = false) -> Result<Fen, FieldProblem> {
    var folded = TextNormalization.foldedASCII(text)
    return folded.withUnsafeMutableBytes { ValueParsing.fen(UnsafeRawBufferPointer($0), allowNegative: negative) }
}

private func day(_ text: String) -> Day? {
    let folded = TextNormalization.foldedASCII(text)
    return try? folded.withUnsafeBytes { ValueParsing.day($0) }.get()
}

private func month(_ text: String) -> Month? {
    let folded = TextNormalization.foldedASCII(text)
    return try? folded.withUnsafeBytes { ValueParsing.month($0) }.get()
}

@Suite("Money: every form of exchange-formats.md is integer fen")
struct MoneyTests {
    @Test(
        arguments: [
            ("1234.5", 123450), ("1,234.50", 123450), ("¥1234.50", 123450), ("1234.50元", 123450),
            ("￥1,234.50", 123450), ("１２３４．５０", 123450), (" 1234.50 ", 123450), ("0", 0), ("0.01", 1),
            ("12,345,678.9", 1_234_567_890), ("1234.", 123400), (".5", 50), ("１，２３４．５元", 123450),
        ] as [(String, Int64)])
    func accepted(text: String, expected: Int64) throws {
        #expect(try fen(text).get() == Fen(expected))
    }

    @Test(arguments: ["12.345", "1,23.00", "12,3456", "abc", "", "1 234", "1.2.3", "--5", "¥", "1e5", ",123"])
    func refused(text: String) {
        guard case .failure(let problem) = fen(text) else { Issue.record("accepted \(text)"); return }
        #expect(problem.code == .badAmount)
    }

    @Test func negativeOnlyWhereAllowed() throws {
        #expect(try fen("-12.50", negative: true).get() == Fen(-1250))
        #expect(try fen("-¥1,000", negative: true).get() == Fen(-100_000))
        guard case .failure(let problem) = fen("-12.50") else { Issue.record("accepted"); return }
        #expect(problem.code == .negativeAmount)
        #expect(try fen("-0.00").get() == Fen(0))
    }

    @Test func formatting() {
        #expect(Fen(123450).description == "1234.50")
        #expect(Fen(-5).description == "-0.05")
        #expect(Fen(123_456_789).grouped == "1,234,567.89")
        #expect(Fen(101).yuanRoundedUp == 2)
        #expect(Fen(100).yuanRoundedUp == 1)
        #expect(Fen(0).yuanRoundedUp == 0)
    }

    @Test(
        arguments: [
            (113_333, 15, 10, 170_000), (3, 1, 2, 2), (5, 1, 2, 3), (1, 1, 3, 0), (2, 1, 3, 1), (-5, 1, 2, -3),
        ] as [(Int64, Int64, Int64, Int64)])
    func exactScaling(value: Int64, numerator: Int64, denominator: Int64, expected: Int64) {
        #expect(value.scaled(by: numerator, dividedBy: denominator) == expected)
    }
}

@Suite("Dates and months")
struct DateTests {
    @Test(arguments: ["2024-05-31", "2024/05/31", "2024/5/31", "20240531", "2024年5月31日", "2024年05月31日", "２０２４－０５－３１"])
    func dayForms(text: String) {
        #expect(day(text) == Day(year: 2024, month: 5, day: 31))
    }

    @Test(arguments: ["2024-02-30", "2023-02-29", "2024-13-01", "2024-5-", "24-05-31", "2024053", "31/05/2024", "2024年5月31", ""])
    func badDays(text: String) {
        #expect(day(text) == nil)
    }

    @Test func leapDay() {
        #expect(day("2024-02-29") == Day(year: 2024, month: 2, day: 29))
        #expect(day("2000-02-29") != nil)
        #expect(day("1900-02-29") == nil)
    }

    @Test(arguments: ["2024-04", "202404", "2024年4月", "2024年04月", "2024/04"])
    func monthForms(text: String) {
        #expect(month(text) == Month(year: 2024, month: 4))
    }

    @Test(arguments: ["2024-13", "2024-4-1", "24-04", "2024年4", "2024"])
    func badMonths(text: String) {
        #expect(month(text) == nil)
    }

    @Test func calendarRoundTrip() {
        for offset in stride(from: -40_000, through: 40_000, by: 37) {
            let d = Day(daysSinceEpoch: Int32(offset))
            let (y, m, dd) = d.components
            #expect(Day(year: y, month: m, day: dd) == d)
        }
        #expect(Day(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(Day(year: 2024, month: 5, day: 31)?.description == "2024-05-31")
    }

    @Test("rules.md point 13: born 2006-05-31 is 18 on 2024-05-31, born 2006-06-01 is 17")
    func age() {
        let asOf = Day(year: 2024, month: 5, day: 31)!
        #expect(asOf.age(bornOn: Day(year: 2006, month: 5, day: 31)!) == 18)
        #expect(asOf.age(bornOn: Day(year: 2006, month: 6, day: 1)!) == 17)
        #expect(Day(year: 2024, month: 2, day: 28)!.age(bornOn: Day(year: 2004, month: 2, day: 29)!) == 19)
    }
}

@Suite("Names and full-width text")
struct NameTests {
    @Test(arguments: [
        ("张三", "张三"), (" 张三 ", "张三"), ("张\u{3000}三", "张三"), ("\u{3000}欧阳娜娜\u{3000}", "欧阳娜娜"),
        ("买买提•艾力", "买买提·艾力"), ("买买提．艾力", "买买提·艾力"), ("买买提·艾力", "买买提·艾力"),
        ("ＡＢＣ", "ＡＢＣ"),
    ])
    func normalizedName(raw: String, expected: String) {
        #expect(TextNormalization.normalizedName(raw) == expected)
    }

    @Test func foldedASCII() {
        #expect(String(decoding: TextNormalization.foldedASCII("　３３０９０２　"), as: UTF8.self) == "330902")
        #expect(String(decoding: TextNormalization.foldedASCII("ＵＲＢＡＮ"), as: UTF8.self) == "URBAN")
    }

    @Test func codesAreCaseInsensitive() {
        #expect(VehicleType.parse(" Car ") == .car)
        #expect(ApplicationType.parse("LOW_INCOME") == .lowIncome)
        #expect(Relation.parse("self") == .applicant)
        #expect(VehicleType.parse("汽车") == nil)
        #expect(VehicleType.parse("bus") == nil)
    }
}
