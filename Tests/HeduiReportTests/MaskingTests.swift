import Testing

@testable import HeduiReport

@Suite struct MaskingTests {
    @Test(arguments: [
        ("张三", "张*"),
        ("李玮", "李*"),
        ("王小明", "王**"),
        ("秦玉兰", "秦**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳修", "欧阳*"),
        ("司马相如", "司马**"),
        ("张王李赵", "张***"),
        ("扎西·顿珠", "扎*·**"),
        ("热依汗古丽·艾买提", "热****·***"),
        ("买买提•艾力", "买**·**"),
        (" 陈国华 ", "陈**"),
        ("A", "A"),
        ("", ""),
    ])
    func names(_ name: String, _ masked: String) {
        #expect(Masking.name(name) == masked)
    }

    @Test func maskedNamesKeepOnlyTheSurname() {
        for name in ["张三", "王小明", "张王李赵", "扎西·顿珠"] {
            let masked = Masking.name(name)
            #expect(masked.count == name.count)
            #expect(masked.dropFirst().allSatisfy { $0 == "*" || $0 == "·" })
        }
    }

    @Test(arguments: [
        ("330902197101285018", "330902********5018"),
        ("33090219720805501X", "330902********501X"),
        ("110101199003074477", "110101********4477"),
        ("330902197101", "330902**7101"),
        ("1234567890", "**********"),
    ])
    func idNumbers(_ id: String, _ masked: String) {
        #expect(Masking.idNumber(id) == masked)
        if id.count == 18 {
            #expect(masked.count == 18)
            #expect(!masked.contains(String(id.dropFirst(6).prefix(8))))
        }
    }

    @Test func accountsShowTheirLastFourCharacters() {
        #expect(Masking.account("6222021234567891234") == "…1234")
    }
}
