import HeduiModel
import Testing

@testable import HeduiAssess

/// The assessment's fast paths against the general code they replace, on many inputs.
@Suite struct AssessmentFastPathTests {
    /// A fixed-seed generator (SplitMix64): the same inputs on every run.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    private static func record(file: Int32, position: Int64) -> AttachedRecord {
        AttachedRecord(
            record: ExchangeRecord(
                holder: .valid(IDNumber(body: 33090219800101123)), holderName: "张三",
                facts: .tax(
                    TaxIncome(
                        period: Month(year: 2024, month: 1)!, incomeType: .wage, grossIncome: Fen(100), taxPaid: .zero,
                        socialContribution: .zero, withholder: "某公司")),
                origin: RecordOrigin(file: file, position: position)),
            isProbable: false)
    }

    @Test("sortByOrigin orders as sort(by: precedesByOrigin), stably, in order or not")
    func sortByOriginAgreesWithSort() {
        var random = Generator(state: 42)
        for round in 0..<3000 {
            let count = Int.random(in: 0...40, using: &random)
            // Few files, positions and members, so that equal keys (kept in order by the amount) are common;
            // every tenth list starts sorted, as one member's records do.
            let spread = Int64.random(in: 1...30, using: &random)
            var records = (0..<count).map { k in
                EvidenceRecord(
                    Self.record(file: Int32.random(in: 0...2, using: &random), position: Int64.random(in: 0..<spread, using: &random)),
                    member: Int.random(in: 0...3, using: &random), amount: Int64(k), counted: true)
            }
            if round % 10 == 0 { records.sort(by: EvidenceRecord.precedesByOrigin) }
            let expected = records.sorted(by: EvidenceRecord.precedesByOrigin)
            EvidenceRecord.sortByOrigin(&records)
            #expect(records.map(\.amount) == expected.map(\.amount), "round \(round)")
            #expect(records == expected, "round \(round)")
        }
    }

    @Test("ReasonSet.sorted lists the codes as Set.sorted() does")
    func reasonSetOrder() {
        var random = Generator(state: 7)
        let all = AssessmentReason.allCases
        #expect(all.count <= 32)
        #expect(AssessmentReason.asciiOrder == all.sorted { $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8) })
        for _ in 0..<2000 {
            let codes = Set(all.filter { _ in Bool.random(using: &random) })
            let set = ReasonSet(codes)
            #expect(set.sorted == codes.sorted())
            for code in all { #expect(set.contains(code) == codes.contains(code)) }
            #expect(set.intersects(.disqualifying) == codes.contains { $0.kind == .disqualifying })
            #expect(set.intersects(.level) == codes.contains { $0.kind == .level })
            #expect(set.intersects(.review) == codes.contains { $0.kind == .review })
            #expect(set.subtracting(.needingPolicy).sorted == codes.filter { !$0.needsPolicy }.sorted())
        }
    }

    @Test("ReasonEvidenceTable keeps one entry per code, the last set, listed in code order")
    func evidenceTable() {
        var random = Generator(state: 11)
        let all = AssessmentReason.allCases
        for _ in 0..<1000 {
            var table = ReasonEvidenceTable()
            var dictionary: [AssessmentReason: ReasonEvidence] = [:]
            for step in 0..<Int.random(in: 0...12, using: &random) {
                let code = all.randomElement(using: &random)!
                if Bool.random(using: &random) {
                    let evidence = ReasonEvidence(code: code, note: "set \(step)")
                    table.set(evidence)
                    dictionary[code] = evidence
                } else {
                    table.update(code) { $0.members.append(step) }
                    dictionary[code, default: ReasonEvidence(code: code)].members.append(step)
                }
            }
            let codes = Set(dictionary.keys)
            #expect(table.codes == ReasonSet(codes))
            #expect(table.ordered(table.codes) == codes.sorted().map { dictionary[$0]! })
            let kept = table.codes.subtracting(.needingPolicy)
            #expect(table.ordered(kept) == codes.filter { !$0.needsPolicy }.sorted().map { dictionary[$0]! })
        }
    }
}
