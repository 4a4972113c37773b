import HeduiModel
import Testing

@testable import HeduiReport

@Suite struct HouseholdsWriterTests {
    @Test("A member written with its IDNumber is the member written with the number's description")
    func memberWithIDNumber() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            let id: IDNumber? = round % 10 == 0 ? nil : IDNumber(body: UInt64.random(in: 0..<100_000_000_000_000_000, using: &generator))
            let idText = round % 20 == 0 ? "33090219800101123\"" : "3309021980010112X"
            var fast = HouseholdsFile.Writer(capacity: 64)
            var general = HouseholdsFile.Writer(capacity: 64)
            fast.member(
                name: "张三", id: id, idText: idText, relation: "head", disabilityGrade: 0, employment: "",
                declaredMonthlyIncome: 1, rigidExpenseAnnual: 2)
            general.member(
                name: "张三", idNumber: id?.description ?? idText, relation: "head", disabilityGrade: 0, employment: "",
                declaredMonthlyIncome: 1, rigidExpenseAnnual: 2)
            #expect(fast.bytes == general.bytes, "\(String(describing: id))")
            if let id { #expect(id.withCharacters { Array($0) } == id.characters) }
        }
    }
}
