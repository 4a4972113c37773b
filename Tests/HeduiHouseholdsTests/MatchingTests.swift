import HeduiModel
import Testing

@testable import HeduiHouseholds

@Suite("Matching records to members")
struct MatchingTests {
    static let member = Fixture.id(born: 20060531)
    static let other = Fixture.id(born: 19800101, seq: 123)
    static let longName = "阿卜杜热合曼·买买提"  // > 15 UTF-8 bytes: stored in the arena

    /// Roster: HH001 = 张三 (member), 李四 (other), long-named member; HH002 (another region) has
    /// `other` again under another name.
    static func roster() -> Roster {
        Roster(
            rows: [
                Fixture.row("HH001", member, name: "张三", line: 2),
                Fixture.row("HH001", other, name: "李四", line: 3),
                Fixture.row("HH001", Fixture.id(born: 19700202, seq: 7), name: longName, line: 4),
                Fixture.row("HH002", other, name: "李四", line: 5, region: 330903),
            ], asOf: Fixture.asOf)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var idText: String
        var name: String
        var expected: [(Int32, MatchClass, ProbableBasis?)]
        var testDescription: String { label }
    }

    static var cases: [Case] {
        let id = member.description
        let seqDigit = id[id.index(id.startIndex, offsetBy: 15)]
        let changed: Character = seqDigit == "9" ? "8" : "9"
        var twoChanges = Fixture.replacing(id, at: 15, with: changed)
        twoChanges = Fixture.replacing(twoChanges, at: 16, with: id[id.index(id.startIndex, offsetBy: 16)] == "9" ? "8" : "9")
        return [
            Case(label: "same ID, same name: certain", idText: id, name: "张三", expected: [(0, .certain, nil)]),
            Case(
                label: "lower-case x and spaces normalized", idText: " " + id.lowercased() + " ", name: " 张三　",
                expected: [(0, .certain, nil)]),
            Case(label: "full-width ID", idText: Fixture.fullWidth(id), name: "张三", expected: [(0, .certain, nil)]),
            Case(label: "same ID, other name: probable", idText: id, name: "张叁", expected: [(0, .probable, .nameDiffers)]),
            Case(
                label: "one substituted digit: probable", idText: Fixture.replacing(id, at: 15, with: changed), name: "张三",
                expected: [(0, .probable, .idOneEditAway)]),
            Case(
                label: "one substituted digit, other name: none", idText: Fixture.replacing(id, at: 15, with: changed), name: "张叁",
                expected: []),
            Case(
                label: "two adjacent digits swapped: probable", idText: swappedDistinct(id), name: "张三",
                expected: [(0, .probable, .idOneEditAway)]),
            Case(
                label: "wrong check character: probable", idText: wrongCheck(id), name: "张三",
                expected: [(0, .probable, .idOneEditAway)]),
            Case(label: "two substitutions: none", idText: twoChanges, name: "张三", expected: []),
            Case(label: "unrelated ID: none", idText: Fixture.id(born: 19991231).description, name: "张三", expected: []),
            Case(
                label: "ID on two roster rows: both", idText: other.description, name: "李四",
                expected: [(1, .certain, nil), (3, .certain, nil)]),
            Case(
                label: "ID on two roster rows, other name: both probable", idText: other.description, name: "王五",
                expected: [(1, .probable, .nameDiffers), (3, .probable, .nameDiffers)]),
            Case(
                label: "long name equal: certain", idText: Fixture.id(born: 19700202, seq: 7).description, name: longName,
                expected: [(2, .certain, nil)]),
            Case(
                label: "long name with another dot form: certain", idText: Fixture.id(born: 19700202, seq: 7).description,
                name: "阿卜杜热合曼•买买提", expected: [(2, .certain, nil)]),
            Case(
                label: "long name differing: probable", idText: Fixture.id(born: 19700202, seq: 7).description,
                name: "阿卜杜热合曼·买买江", expected: [(2, .probable, .nameDiffers)]),
        ]
    }

    /// The ID with two adjacent distinct sequence digits swapped (a checksum failure).
    static func swappedDistinct(_ id: String) -> String {
        let chars = Array(id)
        for p in 14..<16 where chars[p] != chars[p + 1] { return Fixture.swapping(id, at: p) }
        return Fixture.swapping(id, at: 13)
    }

    static func wrongCheck(_ id: String) -> String {
        Fixture.replacing(id, at: 17, with: id.last == "0" ? "1" : "0")
    }

    @Test(arguments: cases)
    func match(_ c: Case) {
        let roster = Self.roster()
        let index = MemberIndex(roster: roster)
        // Member numbering: HH001's three rows, then HH002's.
        #expect(roster.members.map { $0.row.name } == ["张三", "李四", Self.longName, "李四"])
        let record = Fixture.record(c.idText, name: c.name)
        let got = Fixture.matches(index, record)
        let expected = c.expected.map { RecordMatch(member: MemberRef(index: $0.0), matchClass: $0.1, basis: $0.2) }
        #expect(got == expected, "\(c.label)")
    }

    @Test("the test IDs fail the way the cases say")
    func idShapes() {
        let id = Self.member.description
        for text in [
            Fixture.replacing(id, at: 15, with: id[id.index(id.startIndex, offsetBy: 15)] == "9" ? "8" : "9"),
            Self.swappedDistinct(id), Self.wrongCheck(id),
        ] {
            guard case .failure(let error) = IDNumber.parse(text), case .checksum = error.problem else {
                Issue.record("\(text) should fail only its check character")
                continue
            }
        }
    }

    @Test("a 15-digit legacy ID matches its 18-digit form")
    func legacy() throws {
        let full = Fixture.id(born: 19650314, seq: 321)
        let text = full.description
        let legacy = String(text.prefix(6)) + String(text.dropFirst(8).prefix(9))
        #expect(legacy.count == 15)
        let parsed = try IDNumber.parse(legacy).get()
        #expect(parsed == full)
        let roster = Roster(rows: [Fixture.row("HH001", legacy, name: "赵六", line: 2)], asOf: Fixture.asOf)
        let index = MemberIndex(roster: roster)
        #expect(
            Fixture.matches(index, Fixture.record(text, name: "赵六")) == [
                RecordMatch(member: MemberRef(0), matchClass: .certain, basis: nil)
            ])
        // And the other way round.
        let roster2 = Roster(rows: [Fixture.row("HH001", text, name: "赵六", line: 2)], asOf: Fixture.asOf)
        #expect(Fixture.matches(MemberIndex(roster: roster2), Fixture.record(legacy, name: "赵六")).map(\.matchClass) == [.certain])
    }

    @Test("a certificate co-owned by two members: one record per owner, each matching its owner")
    func coOwnedProperty() {
        let a = Fixture.id(born: 19700101, seq: 11), b = Fixture.id(born: 19720202, seq: 22)
        let roster = Roster(
            rows: [Fixture.row("HH001", a, name: "张三", line: 2), Fixture.row("HH001", b, name: "李四", line: 3)],
            asOf: Fixture.asOf)
        let index = MemberIndex(roster: roster)
        func property(share: Int64) -> ExchangeFacts {
            .property(
                PropertyRegistration(
                    certificateNumber: "浙(2020)定海区不动产权第0001234号", propertyType: .residential,
                    floorArea: 8_000, share: share, registeredOn: Day(year: 2020, month: 1, day: 1)!,
                    status: .valid, address: ""))
        }
        let ra = Fixture.record(a.description, name: "张三", facts: property(share: 5000), line: 2)
        let rb = Fixture.record(b.description, name: "李四", facts: property(share: 5000), line: 3)
        #expect(Fixture.matches(index, ra) == [RecordMatch(member: MemberRef(0), matchClass: .certain, basis: nil)])
        #expect(Fixture.matches(index, rb) == [RecordMatch(member: MemberRef(1), matchClass: .certain, basis: nil)])
    }

    @Test("a checksum-failed ID one edit away from two members is evidence for both (point 16)")
    func nearTwoMembers() throws {
        // Two members whose IDs differ in one sequence digit; a record that matches neither
        // exactly but is one substitution from each.
        var found: (IDNumber, IDNumber, String)?
        search: for s1 in 100..<200 {
            let a = Fixture.id(born: 19800101, seq: s1)
            for s2 in (s1 + 1)..<200 {
                let b = Fixture.id(born: 19800101, seq: s2)
                // record = a's body with one digit changed toward b, with b's check or a's check.
                let ta = Array(a.description), tb = Array(b.description)
                let differing = (0..<17).filter { ta[$0] != tb[$0] }
                guard differing.count == 1 else { continue }
                // a's body, b's check character: one substitution (check) from a, one (body digit) from b.
                var r = ta
                r[17] = tb[17]
                let text = String(r)
                if case .failure(let e) = IDNumber.parse(text), case .checksum = e.problem {
                    found = (a, b, text)
                    break search
                }
            }
        }
        let (a, b, text) = try #require(found)
        let roster = Roster(
            rows: [Fixture.row("HH002", b, name: "王五", line: 2), Fixture.row("HH001", a, name: "王五", line: 3)],
            asOf: Fixture.asOf)
        let index = MemberIndex(roster: roster)
        let got = Fixture.matches(index, Fixture.record(text, name: "王五"))
        #expect(
            got == [
                RecordMatch(member: MemberRef(0), matchClass: .probable, basis: .idOneEditAway),
                RecordMatch(member: MemberRef(1), matchClass: .probable, basis: .idOneEditAway),
            ])
    }

    @Test("invalid-ID members are in no match; quarantined-format records match nothing")
    func invalidMember() {
        let roster = Roster(rows: [Fixture.row("HH001", "33091120060531045", name: "张三", line: 2)], asOf: Fixture.asOf)
        let index = MemberIndex(roster: roster)
        #expect(roster.members[0].row.id == nil)
        #expect(Fixture.record("33091120060531045", name: "张三") == nil)
        var refs: [MemberRef] = []
        index.members(withID: Self.member, into: &refs)
        #expect(refs.isEmpty)
    }

    @Test("the allocation-free neighbour walk finds exactly ChecksumFailedID.neighbours()")
    func neighbourWalk() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        var checked = 0
        while checked < 300 {
            let id = Fixture.id(
                region: 330902 + Int(next() % 20), born: 19000101 + Int(next() % 1000) * 10_000 + Int(next() % 12) * 100 + Int(next() % 28),
                seq: Int(next() % 1000))
            var digits = id.characters.map { $0 == UInt8(ascii: "X") ? UInt8(10) : $0 - UInt8(ascii: "0") }
            let p = Int(next() % 18)
            if p == 17 {
                digits[17] = (digits[17] + 1 + UInt8(next() % 10)) % 11
            } else {
                digits[p] = (digits[p] + 1 + UInt8(next() % 9)) % 10
            }
            if next() % 2 == 0 { digits.swapAt(14, 15) }
            let bad = ChecksumFailedID(digits: digits)
            var body: UInt64 = 0
            for i in 0..<17 { body = body * 10 + UInt64(digits[i]) }
            guard IDNumber.checkValue(forBody: body) != digits[17] else { continue }
            let yyyymmdd = Int(body / 1000 % 100_000_000)
            guard yyyymmdd / 10_000 >= 1800, Day(year: yyyymmdd / 10_000, month: yyyymmdd / 100 % 100, day: yyyymmdd % 100) != nil else {
                continue
            }
            var walked: [UInt64] = []
            MemberIndex.forEachNeighbour(of: bad) { walked.append($0) }
            let realDate = walked.filter { b in
                let d = Int(b / 1000 % 100_000_000)
                return d / 10_000 >= 1800 && Day(year: d / 10_000, month: d / 100 % 100, day: d % 100) != nil
            }
            #expect(realDate.sorted() == bad.neighbours().map(\.body))
            #expect(Set(walked).count == walked.count)
            checked += 1
        }
    }

    @Test("batch API gives the same matches as one call per record")
    func batch() {
        let roster = Self.roster()
        let index = MemberIndex(roster: roster)
        let records = Self.cases.compactMap { Fixture.record($0.idText, name: $0.name) }
        var single: [RecordMatch] = []
        var singleEnds: [Int] = []
        for r in records {
            index.matches(for: r, into: &single)
            singleEnds.append(single.count)
        }
        var batched: [RecordMatch] = []
        var ends: [Int] = []
        records.withUnsafeBufferPointer { index.matches(for: $0, into: &batched, ends: &ends) }
        #expect(batched == single)
        #expect(ends == singleEnds)
    }

    @Test("keys API (ID body and name bytes, as read from compact records) gives the same matches for valid IDs")
    func keys() {
        let roster = Self.roster()
        let index = MemberIndex(roster: roster)
        // Valid-ID records only (checksum-failed ones never take this path), and a long name (> 15 bytes).
        var records = Self.cases.compactMap { Fixture.record($0.idText, name: $0.name) }.filter {
            if case .valid = $0.holder { true } else { false }
        }
        records += records.map { record -> ExchangeRecord in
            guard case .valid(let id) = record.holder else { fatalError() }
            return Fixture.record(id.description, name: record.holderName + "·阿卜杜热合曼买买提")!
        }
        #expect(records.count >= 6)
        var single: [RecordMatch] = []
        var singleEnds: [Int] = []
        for r in records {
            index.matches(for: r, into: &single)
            singleEnds.append(single.count)
        }
        let names = records.map { Array($0.holderName.utf8) }
        var keyed: [RecordMatch] = []
        var ends: [Int] = []
        withExtendedLifetime(names) {
            let pointers = names.map { name in
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, name.count), alignment: 1)
                copy.copyBytes(from: name)
                return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<name.count])
            }
            defer { pointers.forEach { UnsafeMutableRawPointer(mutating: $0.baseAddress!).deallocate() } }
            let keys = zip(records, pointers).map { record, name -> MemberIndex.Key in
                guard case .valid(let id) = record.holder else { fatalError() }
                return MemberIndex.Key(idBody: id.body, name: name)
            }
            keys.withUnsafeBufferPointer { index.matches(forKeys: $0, into: &keyed, ends: &ends) }
        }
        #expect(keyed == single)
        #expect(ends == singleEnds)
        #expect(single.contains { $0.matchClass == .certain })
    }

    @Test("a short name's key holds its bytes in order and its length, for every length up to 15")
    func nameKeyLayout() {
        var seed: UInt64 = 0x1234_5678
        for n in 0...15 {
            for _ in 0..<20 {
                var bytes: [UInt8] = []
                for _ in 0..<n {
                    seed = seed &* 6364136223846793005 &+ 1442695040888963407
                    bytes.append(UInt8(truncatingIfNeeded: seed >> 33) | 1)  // never 0: padding must differ
                }
                // The reference layout: byte i at bits 8i of lo (i < 8) or 8(i - 8) of hi, length on top.
                var lo: UInt64 = 0, hi = UInt64(n) << 56
                for (i, b) in bytes.enumerated() {
                    if i < 8 { lo |= UInt64(b) << (8 * UInt64(i)) } else { hi |= UInt64(b) << (8 * UInt64(i - 8)) }
                }
                let key = bytes.withUnsafeBufferPointer { NameKey.make($0) }
                #expect(key == NameKey(lo: lo, hi: hi), "length \(n)")
                // Bytes beyond the name (as in a compact record) must not leak into the key.
                let padded = (bytes + [0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE, 0xEE]).withUnsafeBufferPointer {
                    NameKey.make(UnsafeBufferPointer(rebasing: $0[0..<n]))
                }
                #expect(padded == key, "length \(n), followed by other bytes")
            }
        }
    }

    @Test("keys API appends after what the result already holds; ends count from its start")
    func keysAppend() {
        let index = MemberIndex(roster: Self.roster())
        let prefix = [RecordMatch(member: MemberRef(index: 9), matchClass: .probable, basis: .nameDiffers)]
        let names = [Array("李四".utf8), Array("张三".utf8), Array("王五".utf8)]
        let bodies = [Self.other.body, Self.member.body, Fixture.id(born: 19990909, seq: 1).body]
        var result = prefix
        var ends: [Int] = [42]
        names[0].withUnsafeBytes { n0 in
            names[1].withUnsafeBytes { n1 in
                names[2].withUnsafeBytes { n2 in
                    let keys = [
                        MemberIndex.Key(idBody: bodies[0], name: n0), MemberIndex.Key(idBody: bodies[1], name: n1),
                        MemberIndex.Key(idBody: bodies[2], name: n2),
                    ]
                    keys.withUnsafeBufferPointer { index.matches(forKeys: $0, into: &result, ends: &ends) }
                }
            }
        }
        // `other` is on two rows (two households): two certain matches; `member` one; nobody for the third.
        #expect(result.count == 4)
        #expect(result.first == prefix[0])
        #expect(result.dropFirst().allSatisfy { $0.matchClass == .certain })
        #expect(ends == [3, 4, 4])
    }

    @Test("memory footprint stays under 64 bytes per member")
    func footprint() {
        var rows: [RosterRow] = []
        for i in 0..<10_000 {
            rows.append(
                Fixture.row("HH\(i / 3)", Fixture.id(born: 19500101 + (i % 50) * 10_000, seq: i / 50), name: "张三", line: Int64(i + 2)))
        }
        let index = MemberIndex(roster: Roster(rows: rows, asOf: Fixture.asOf))
        #expect(index.memoryFootprint <= 64 * 10_000)
        #expect(index.memoryFootprint >= 32 * 10_000)
    }
}
