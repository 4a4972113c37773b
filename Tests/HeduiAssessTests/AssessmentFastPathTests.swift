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

    @Test("Codes written into evidence.jsonl without the escape check have nothing to escape")
    func codesNeedNoEscape() {
        var codes: [String] = []
        codes += AssessmentReason.allCases.map(\.rawValue) + AssessmentStatus.allCases.map(\.rawValue)
        codes += [Figure.Unit.fen, .count, .squareMetreMillionths].map(\.rawValue) + SourceKind.allCases.map(\.rawValue)
        codes += AccountType.allCases.map(\.rawValue) + IncomeType.allCases.map(\.rawValue)
        codes += VehicleType.allCases.map(\.rawValue) + VehicleStatus.allCases.map(\.rawValue)
        codes += PropertyType.allCases.map(\.rawValue) + PropertyStatus.allCases.map(\.rawValue)
        for code in codes {
            var text = code
            #expect(!text.withUTF8 { TextBuffer.needsJSONEscape(UnsafeRawBufferPointer($0)) }, "\(code)")
        }
    }

    @Test("A property's label, written piece by piece, is the String it was made as")
    func propertyLabel() {
        var random = Generator(state: 5)
        let certificates = ["浙(2015)舟山市不动产权第0001234号", "CERT-1", "", "a\"b\\c", "tab\there", "ＡＢ１２"]
        for round in 0..<2000 {
            let certificate = certificates[round % certificates.count]
            let area = Int64.random(in: -100_000...10_000_000, using: &random) / (round % 3 == 0 ? 1 : 1000)
            let share = Int64.random(in: 1...10_000, using: &random)
            let type = PropertyType.allCases.randomElement(using: &random)!
            let status = PropertyStatus.allCases.randomElement(using: &random)!
            let attached = AttachedRecord(
                record: ExchangeRecord(
                    holder: .valid(IDNumber(body: 33090219800101123)), holderName: "张三",
                    facts: .property(
                        PropertyRegistration(
                            certificateNumber: certificate, propertyType: type, floorArea: area, share: share,
                            registeredOn: Day(year: 2015, month: 1, day: 1)!, status: status, address: "")),
                    origin: RecordOrigin(file: 0, position: 2)),
                isProbable: false)
            var expected = TextBuffer()
            expected.appendJSONString(
                "\(certificate) \(type.rawValue) \(Fen.format(area, fractionDigits: 2))m² × \(Fen.format(share, fractionDigits: 4)) \(status.rawValue)"
            )
            var written = TextBuffer()
            EvidenceRecord(attached, member: 0, amount: nil, counted: true).appendLabel(asJSONTo: &written)
            #expect(written.bytes == expected.bytes, "\(certificate) \(area) \(share)")
        }
    }

    @Test("Reasons sharing one list of records write the line that separate equal lists write")
    func sharedRecordLists() {
        let policy = try! PolicyTable(
            yaml: """
                version: 1
                defaults: { income_window_months: 12, declared_income_tolerance: 0.2 }
                regions:
                  "330902":
                    standards:
                      - { from: 2024-01-01, urban: 1000, rural: 800 }
                """, fileName: "test.yaml")
        var random = Generator(state: 3)
        for round in 0..<200 {
            // Income above both lines with little declared: three reasons share the income records.
            var members: [MemberFacts] = []
            var position: Int64 = 2
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                var records: [AttachedRecord] = []
                for month in 1...Int.random(in: 1...12, using: &random) {
                    position += Int64.random(in: 1...5, using: &random)
                    records.append(
                        AttachedRecord(
                            record: ExchangeRecord(
                                holder: .valid(IDNumber(body: 33090219800101123)), holderName: "张三",
                                facts: .tax(
                                    TaxIncome(
                                        period: Month(year: 2023, month: month)!, incomeType: .wage,
                                        grossIncome: Fen(Int64.random(in: 0...2_000_000, using: &random)), taxPaid: .zero,
                                        socialContribution: .zero, withholder: "某公司")),
                                origin: RecordOrigin(file: Int32.random(in: 0...1, using: &random), position: position)),
                            isProbable: false))
                }
                members.append(MemberFacts(declaredMonthlyIncome: .zero, rigidExpenseAnnual: .zero, records: records))
            }
            let unit = UnitFacts(
                unitID: "HH\(round)", householdID: "HH\(round)", regionCode: RegionCode(330902)!, areaType: .urban,
                applicationType: .dibao, currentStatus: .none, members: members, reviewFacts: [])
            let shared = UnitAssessor(policy: policy, asOf: Day(year: 2024, month: 5, day: 31)!).assess(unit)
            var separate = shared
            for r in separate.evidence.indices {
                // A copy in a buffer of its own.
                separate.evidence[r].records = Array(separate.evidence[r].records) + []
                separate.evidence[r].records.reserveCapacity(separate.evidence[r].records.count + 1)
            }
            var a = EvidenceJSON(), b = EvidenceJSON()
            a.appendLine(shared)
            b.appendLine(separate)
            #expect(a.buffer.bytes == b.buffer.bytes, "round \(round)")
        }
    }
}
