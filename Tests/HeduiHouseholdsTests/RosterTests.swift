import HeduiModel
import Testing

@testable import HeduiHouseholds

@Suite("Households and units of assessment")
struct RosterTests {
    struct SeparateCase: CustomTestStringConvertible, Sendable {
        var label: String
        var born: Int
        var grade: Int
        var employment: Employment?
        var refusal: SeparateHouseholdRefusal?
        var testDescription: String { label }
    }

    static let separateCases: [SeparateCase] = [
        SeparateCase(label: "18 exactly on the as-of date", born: 20060531, grade: 1, employment: .unemployed, refusal: nil),
        SeparateCase(label: "17 (18 the day after)", born: 20060601, grade: 1, employment: .unemployed, refusal: .underAge(17)),
        SeparateCase(label: "grade 2", born: 19800101, grade: 2, employment: Employment.none, refusal: nil),
        SeparateCase(label: "grade 3", born: 19800101, grade: 3, employment: .unemployed, refusal: .disabilityGrade(3)),
        SeparateCase(label: "no disability", born: 19800101, grade: 0, employment: .unemployed, refusal: .disabilityGrade(0)),
        SeparateCase(label: "employed", born: 19800101, grade: 1, employment: .employed, refusal: .employment(.employed)),
        SeparateCase(label: "student", born: 19800101, grade: 1, employment: .student, refusal: .employment(.student)),
        SeparateCase(label: "employment not given", born: 19800101, grade: 1, employment: nil, refusal: .employment(nil)),
        SeparateCase(label: "unemployed", born: 19800101, grade: 1, employment: .unemployed, refusal: nil),
        SeparateCase(label: "none", born: 19800101, grade: 1, employment: Employment.none, refusal: nil),
    ]

    @Test(arguments: separateCases)
    func separateHousehold(_ c: SeparateCase) {
        let head = Fixture.id(born: 19600101, seq: 1)
        let applicant = Fixture.id(born: c.born, seq: 45)
        let roster = Roster(
            rows: [
                Fixture.row("HH001", head, name: "张一", line: 2),
                Fixture.row("HH001", applicant, name: "张二", line: 3, separate: true, grade: c.grade, employment: c.employment),
            ], asOf: Fixture.asOf)
        let m1 = MemberRef(1)
        if c.refusal == nil {
            #expect(roster.units.map(\.id) == ["HH001", "HH001/" + applicant.description])
            #expect(roster.units[0].members == [MemberRef(0)])
            #expect(roster.units[1].members == [m1])
            #expect(roster.units[1].isSeparate)
            #expect(roster.units[0].notes.isEmpty)
            #expect(roster.unitIndex(of: m1) == 1)
        } else {
            #expect(roster.units.map(\.id) == ["HH001"])
            #expect(roster.units[0].members == [MemberRef(0), m1])
            #expect(roster.units[0].notes == [.separateHouseholdInvalid(m1, why: c.refusal!)])
            #expect(roster.unitIndex(of: m1) == 0)
        }
    }

    @Test("orderByBytes orders as bytesPrecede does, equal keys in index order")
    func orderByBytesMatchesByteOrder() {
        // Keys that share 16-byte prefixes, are prefixes of each other, hold zero bytes, or repeat.
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x2D, 0x2F, 0x30, 0x31, 0x41, 0x48, 0x7A, 0xE4]
        let shared = "HH00000000000001"
        var keys: [String] = ["", "a", "a\u{0}", "a\u{0}b", shared, shared + "/", shared + "-A", shared + "\u{0}", "HH0", "HH0"]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...24, using: &generator)
            var bytes = Int.random(in: 0..<3, using: &generator) == 0 ? Array(shared.utf8.prefix(length)) : []
            while bytes.count < length { bytes.append(alphabet.randomElement(using: &generator)!) }
            keys.append(String(decoding: bytes, as: UTF8.self))
        }
        let expected = keys.indices.sorted { a, b in
            if Roster.bytesPrecede(keys[a], keys[b]) { return true }
            if Roster.bytesPrecede(keys[b], keys[a]) { return false }
            return a < b
        }
        #expect(Roster.orderByBytes(count: keys.count) { keys[$0] } == expected)
    }

    @Test("a separate unit's id uses the normalized 18-character ID, upper-case X")
    func separateUnitID() throws {
        // Find a birth date/sequence whose check character is X, and write it lower-case and full-width.
        var xID: IDNumber?
        for seq in 0..<1000 where Fixture.id(born: 20060531, seq: seq).checkValue == 10 {
            xID = Fixture.id(born: 20060531, seq: seq)
            break
        }
        let id = try #require(xID)
        #expect(id.description.hasSuffix("X"))
        let written = Fixture.fullWidth(id.description.lowercased())
        let roster = Roster(
            rows: [
                Fixture.row("HH001", written, name: "张二", line: 2, separate: true, grade: 1, employment: .unemployed)
            ], asOf: Fixture.asOf)
        #expect(roster.units.map(\.id) == ["HH001/" + id.description])
    }

    @Test("an invalid-ID member cannot form a separate unit, counts in n, and is flagged")
    func invalidIDMember() {
        let roster = Roster(
            rows: [
                Fixture.row("HH001", Fixture.id(born: 19600101, seq: 1), name: "张一", line: 2),
                Fixture.row("HH001", "3309112006053104", name: "张二", line: 3, separate: true, grade: 1),  // 16 characters
                Fixture.row("HH001", "330911200602300451", name: "张三", line: 4),  // Feb 30
            ], asOf: Fixture.asOf)
        #expect(roster.units.count == 1)
        let unit = roster.units[0]
        #expect(unit.n == 3)
        #expect(
            unit.notes == [
                .memberIDInvalid(MemberRef(1)), .memberIDInvalid(MemberRef(2)),
                .separateHouseholdInvalid(MemberRef(1), why: .invalidID),
            ])
    }

    @Test("a member in two households of different regions: DUPLICATE_MEMBERSHIP on both units")
    func duplicateAcrossHouseholds() {
        let shared = Fixture.id(born: 19700101, seq: 5)
        let roster = Roster(
            rows: [
                Fixture.row("HH002", shared, name: "李四", line: 2, region: 330903),
                Fixture.row("HH001", Fixture.id(born: 19710101, seq: 6), name: "王五", line: 3),
                Fixture.row("HH001", shared, name: "李四", line: 4),
            ], asOf: Fixture.asOf)
        // Households sorted by id: HH001 (members 0, 1), HH002 (member 2).
        #expect(roster.households.map(\.id) == ["HH001", "HH002"])
        #expect(roster.units.map(\.id) == ["HH001", "HH002"])
        #expect(roster.units[0].notes == [.duplicateMembership(MemberRef(1), others: [MemberRef(2)])])
        #expect(roster.units[1].notes == [.duplicateMembership(MemberRef(2), others: [MemberRef(1)])])
        #expect(roster.households[1].regionCode == RegionCode(330903))
    }

    @Test("the same ID twice in one household")
    func duplicateWithinHousehold() {
        let id = Fixture.id(born: 19700101, seq: 5)
        let roster = Roster(
            rows: [
                Fixture.row("HH001", id, name: "李四", line: 2),
                Fixture.row("HH001", id, name: "李四", line: 3),
            ], asOf: Fixture.asOf)
        #expect(roster.units.count == 1)
        #expect(roster.units[0].n == 2)
        #expect(
            roster.units[0].notes == [
                .duplicateMembership(MemberRef(0), others: [MemberRef(1)]),
                .duplicateMembership(MemberRef(1), others: [MemberRef(0)]),
            ])
    }

    @Test("the same ID twice in one household, both asking to be separate: one separate unit")
    func duplicateSeparate() {
        let id = Fixture.id(born: 19700101, seq: 5)
        let roster = Roster(
            rows: [
                Fixture.row("HH001", id, name: "李四", line: 2, separate: true, grade: 1),
                Fixture.row("HH001", id, name: "李四", line: 3, separate: true, grade: 1),
            ], asOf: Fixture.asOf)
        #expect(roster.units.map(\.id) == ["HH001", "HH001/" + id.description])
        #expect(roster.units[0].members == [MemberRef(1)])
        #expect(
            roster.units[0].notes == [
                .duplicateMembership(MemberRef(1), others: [MemberRef(0)]),
                .separateHouseholdInvalid(MemberRef(1), why: .duplicateID),
            ])
        #expect(roster.units[1].notes == [.duplicateMembership(MemberRef(0), others: [MemberRef(1)])])
    }

    @Test("unit ids and order; a household whose members all left has no unit")
    func unitOrder() {
        let a = Fixture.id(born: 19800101, seq: 1), b = Fixture.id(born: 19800101, seq: 2)
        let c = Fixture.id(born: 19800101, seq: 3), d = Fixture.id(born: 19800101, seq: 4)
        let roster = Roster(
            rows: [
                Fixture.row("HH002", c, name: "丙", line: 2),
                Fixture.row("HH001", b, name: "乙", line: 3, separate: true, grade: 2),
                Fixture.row("HH001", a, name: "甲", line: 4),
                Fixture.row("HH003", d, name: "丁", line: 5, separate: true, grade: 1, employment: Employment.none),
                Fixture.row("HH001-A", Fixture.id(born: 19800101, seq: 5), name: "戊", line: 6),
            ], asOf: Fixture.asOf)
        #expect(roster.households.map(\.id) == ["HH001", "HH001-A", "HH002", "HH003"])
        // '-' (0x2D) < '/' (0x2F): byte order puts HH001-A before HH001/….
        #expect(roster.units.map(\.id) == ["HH001", "HH001-A", "HH001/" + b.description, "HH002", "HH003/" + d.description])
        #expect(!roster.units.contains { $0.id == "HH003" })
        #expect(roster.households[0].members == [MemberRef(0), MemberRef(1)])  // roster order: b (line 3), a (line 4)
        #expect(roster.members[0].row.name == "乙")
        for (u, unit) in roster.units.enumerated() {
            for m in unit.members { #expect(roster.unitIndex(of: m) == Int32(u)) }
        }
        let assigned = roster.units.flatMap(\.members).sorted()
        #expect(assigned == roster.members.map(\.ref))
    }

    @Test("rows in several files: file order, then line; fields from the first row; conflicts reported")
    func conflicts() {
        let a = Fixture.id(born: 19800101, seq: 1), b = Fixture.id(born: 19800101, seq: 2), c = Fixture.id(born: 19800101, seq: 3)
        let rows = [
            Fixture.row("HH001", b.description, name: "乙", line: 2, file: 1, region: 330903, status: .dibao, address: "地址二"),
            Fixture.row("HH001", a.description, name: "甲", line: 9, file: 0, address: ""),
            Fixture.row("HH001", c.description, name: "丙", line: 10, file: 0, area: .rural, application: .recheck, address: "地址一"),
        ]
        let roster = Roster(rows: rows, asOf: Fixture.asOf)
        let h = roster.households[0]
        #expect(h.members == [MemberRef(0), MemberRef(1), MemberRef(2)])
        #expect(roster.members.map(\.row.name) == ["甲", "丙", "乙"])
        #expect(h.origin == RecordOrigin(file: 0, position: 9))
        #expect(h.regionCode == RegionCode(330902))
        #expect(h.areaType == .urban)
        #expect(h.address == "地址一")  // the first non-empty
        #expect(
            roster.conflicts == [
                RosterConflict(householdID: "HH001", field: "area_type", origin: RecordOrigin(file: 0, position: 10)),
                RosterConflict(householdID: "HH001", field: "application_type", origin: RecordOrigin(file: 0, position: 10)),
                RosterConflict(householdID: "HH001", field: "region_code", origin: RecordOrigin(file: 1, position: 2)),
                RosterConflict(householdID: "HH001", field: "current_status", origin: RecordOrigin(file: 1, position: 2)),
                RosterConflict(householdID: "HH001", field: "address", origin: RecordOrigin(file: 1, position: 2)),
            ])
    }

    @Test("determinism: the same rows give the same households, units and notes")
    func determinism() {
        var rows: [RosterRow] = []
        var state: UInt64 = 7
        for i in 0..<600 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let seq = Int(state >> 40) % 300  // repeats: duplicate memberships
            rows.append(
                Fixture.row(
                    "HH\(Int(state >> 50) % 150)", Fixture.id(born: 19500101 + (Int(state >> 33) % 60) * 10_000, seq: seq),
                    name: "张三", line: Int64(i + 2), region: 330902 + Int(state >> 60),
                    separate: state & 1 == 0, grade: Int(state >> 20) % 4))
        }
        func summary(_ r: Roster) -> [String] {
            r.units.map { "\($0.id) \($0.members) \($0.notes)" } + r.conflicts.map { "\($0)" }
        }
        let first = Roster(rows: rows, asOf: Fixture.asOf)
        let second = Roster(rows: rows, asOf: Fixture.asOf)
        #expect(summary(first) == summary(second))
        #expect(first.units.map(\.id) == first.units.map(\.id).sorted { Roster.bytesPrecede($0, $1) })
        #expect(first.units.contains { !$0.notes.isEmpty })
        // Rows given in another order (same origins) give the same result.
        let shuffled = Roster(rows: rows.reversed(), asOf: Fixture.asOf)
        #expect(summary(shuffled) == summary(first))
        for unit in first.units { #expect(unit.notes == unit.notes.sorted()) }
    }
}
