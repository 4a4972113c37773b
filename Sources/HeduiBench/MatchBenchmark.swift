import HeduiHouseholds
import HeduiModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `HeduiBench match [members=3000000] [records=50000000] [pool=1000000]`
///
/// Builds a roster of synthetic members (3 per household, valid IDs, 2-4 character names, 1%
/// long minority names), its `MemberIndex`, then matches `records` synthetic exchange records on
/// one thread, cycling through a pool of `pool` records: 90% certain, 4% same ID with another
/// name, 0.1% checksum-failed one substitution away, the rest unrelated IDs.
/// Prints build time, index bytes per member, ns per record and peak RSS (VmHWM).
func runMatchBenchmark(arguments: [String]) {
    let memberCount = arguments.count > 0 ? Int(arguments[0]) ?? 3_000_000 : 3_000_000
    let recordCount = arguments.count > 1 ? Int(arguments[1]) ?? 50_000_000 : 50_000_000
    let poolSize = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000

    var rng = SplitMix64(seed: 20240531)
    let asOf = Day(year: 2024, month: 5, day: 31)!
    let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
    let given = Array("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣佳")
    let longNames = ["阿卜杜热合曼·买买提", "古丽米拉·艾合买提江", "热依拉·阿不都克力木", "买买提明·吐尔逊托合提"]
    func randomName() -> String {
        let r = rng.next() % 100
        if r == 0 { return longNames[Int(rng.next() % UInt64(longNames.count))] }
        var s = String(surnames[Int(rng.next() % UInt64(surnames.count))])
        let length = r < 20 ? 1 : (r < 98 ? 2 : 3)
        for _ in 0..<length { s.append(given[Int(rng.next() % UInt64(given.count))]) }
        return s
    }
    let regions = [330902, 330903, 330921, 330922, 330101, 330102, 330105, 330106, 330108, 330109]
    // Member i: region i % 10, a birth date, sequence number: unique bodies, spread by the hash.
    func body(for i: Int) -> UInt64 {
        let region = UInt64(regions[i % regions.count])
        let k = i / regions.count
        let birth = Day(year: 1940, month: 1, day: 1)!.adding(days: k % 25_000).components
        let seq = UInt64(k / 25_000 * 7 % 1000)
        let date = UInt64(birth.year * 10_000 + birth.month * 100 + birth.day)
        return region * 100_000_000_000 + date * 1000 + seq
    }

    // Roster rows.
    var start = now()
    var rows: [RosterRow] = []
    rows.reserveCapacity(memberCount)
    var names: [String] = []
    names.reserveCapacity(memberCount)
    let address = "浙江省舟山市定海区环城南路1号"
    for i in 0..<memberCount {
        let id = IDNumber(body: body(for: i))
        let name = randomName()
        names.append(name)
        let member = RosterMember(
            id: id, idProblem: nil, idText: id.description, name: name, relation: i % 3 == 0 ? .applicant : .child,
            disabilityGrade: 0, employment: .employed, separateHousehold: false,
            declaredMonthlyIncome: Fen(0), rigidExpenseAnnual: Fen(0))
        rows.append(
            RosterRow(
                householdID: "HH" + String(i / 3), regionCode: RegionCode(regions[i % regions.count])!, areaType: .urban,
                applicationType: .dibao, currentStatus: .none, address: address, member: member,
                origin: RecordOrigin(file: 0, position: Int64(i + 2))))
    }
    let rowsTime = now() - start
    start = now()
    let roster = Roster(rows: rows, asOf: asOf)
    let rosterTime = now() - start
    rows = []
    start = now()
    let index = MemberIndex(roster: roster)
    let indexTime = now() - start

    // Record pool.
    var pool: [ExchangeRecord] = []
    pool.reserveCapacity(poolSize)
    let facts = ExchangeFacts.tax(
        TaxIncome(
            period: Month(year: 2024, month: 1)!, incomeType: .wage, grossIncome: Fen(500_000),
            taxPaid: Fen(0), socialContribution: Fen(0), withholder: ""))
    var expected = (certain: 0, probable: 0, unrelated: 0)
    for p in 0..<poolSize {
        let r = rng.next() % 1000
        let i = Int(rng.next() % UInt64(memberCount))
        let holder: RecordHolderID
        var name = names[i]
        if r < 900 {
            holder = .valid(IDNumber(body: body(for: i)))
            expected.certain += 1
        } else if r < 940 {
            holder = .valid(IDNumber(body: body(for: i)))
            name = randomName()
            if name == names[i] { name += "某" }
            expected.probable += 1
        } else if r < 941 {
            // The check character replaced by a wrong one: checksum-failed, one substitution away.
            let id = IDNumber(body: body(for: i))
            var digits = id.characters.map { $0 == UInt8(ascii: "X") ? UInt8(10) : $0 - UInt8(ascii: "0") }
            digits[17] = (digits[17] + 1) % 11
            holder = .checksumFailed(ChecksumFailedID(digits: digits))
            expected.probable += 1
        } else {
            // An ID of nobody on the roster (region 110101).
            holder = .valid(IDNumber(body: 110101_00000000_000 + body(for: i) % 100_000_000_000))
            expected.unrelated += 1
        }
        pool.append(
            ExchangeRecord(
                holder: holder, holderName: name, facts: facts,
                origin: RecordOrigin(file: 1, position: Int64(p + 2))))
    }

    // Match on one thread.
    var result: [RecordMatch] = []
    result.reserveCapacity(16)
    var certain = 0, probable = 0, unrelated = 0
    start = now()
    var p = 0
    for _ in 0..<recordCount {
        result.removeAll(keepingCapacity: true)
        index.matches(for: pool[p], into: &result)
        if result.isEmpty { unrelated += 1 }
        for m in result { if m.matchClass == .certain { certain += 1 } else { probable += 1 } }
        p += 1
        if p == poolSize { p = 0 }
    }
    let matchTime = now() - start

    // The same records through the batch API (chunks of 1,000, as an ingest worker would).
    var batchResult: [RecordMatch] = []
    var ends: [Int] = []
    var batchMatched = 0
    let chunk = 1000
    start = now()
    pool.withUnsafeBufferPointer { all in
        var done = 0
        var q = 0
        while done < recordCount {
            let n = min(chunk, recordCount - done, poolSize - q)
            batchResult.removeAll(keepingCapacity: true)
            index.matches(for: UnsafeBufferPointer(rebasing: all[q..<q + n]), into: &batchResult, ends: &ends)
            batchMatched += batchResult.count
            done += n
            q += n
            if q == poolSize { q = 0 }
        }
    }
    let batchTime = now() - start

    // As `hedui run` matches now (`MatchedFile`): a valid-ID record's ID body and name bytes are
    // read in place from its compact bytes (`CompactRecord`) and matched through the keys API,
    // 512 records at a time; a checksum-failed record (0.1% of the pool; quarantined, a probable
    // candidate) flushes the records before it and is matched on its own, through the record API.
    var compactBytes: [UInt8] = []
    var compactStarts: [Int] = []  // per pool record; -1: checksum-failed
    var writer = CompactRecordWriter()
    for record in pool {
        guard case .valid = record.holder else {
            compactStarts.append(-1)
            continue
        }
        CompactRecord.encode(record, into: &writer)
        compactStarts.append(compactBytes.count)
        compactBytes += writer.bytes
    }
    compactStarts.append(compactBytes.count)
    var nextStart = [Int](repeating: compactBytes.count, count: compactStarts.count)
    for k in stride(from: compactStarts.count - 2, through: 0, by: -1) {
        nextStart[k] = compactStarts[k + 1] >= 0 ? compactStarts[k + 1] : nextStart[k + 1]
    }
    var keyMatched = 0
    var singleTime = 0.0, singleCount = 0
    start = now()
    compactBytes.withUnsafeBytes { all in
        // Locals of this closure, no nested function capturing them (that would box them and
        // check exclusivity at run time on every access).
        var keys: [MemberIndex.Key] = []
        keys.reserveCapacity(MatchingGroup.size)
        var keyResult: [RecordMatch] = []
        var ends: [Int] = []
        var single: [RecordMatch] = []
        var matched = 0
        var q = 0
        for n in 0..<recordCount {
            let begin = compactStarts[q]
            if begin >= 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: all[begin..<nextStart[q]])
                keys.append(MemberIndex.Key(idBody: CompactRecord.validHolderBody(bytes)!, name: CompactRecord.holderName(bytes)))
            }
            if begin < 0 || keys.count == MatchingGroup.size || n == recordCount - 1, !keys.isEmpty {
                keyResult.removeAll(keepingCapacity: true)
                keys.withUnsafeBufferPointer { index.matches(forKeys: $0, into: &keyResult, ends: &ends) }
                matched += keyResult.count
                keys.removeAll(keepingCapacity: true)
            }
            if begin < 0 {
                let t0 = now()
                single.removeAll(keepingCapacity: true)
                index.matches(for: pool[q], into: &single)
                matched += single.count
                singleTime += now() - t0
                singleCount += 1
            }
            q += 1
            if q == poolSize { q = 0 }
        }
        keyMatched = matched
    }
    let keysTime = now() - start
    let footprint = index.memoryFootprint
    print("members: \(memberCount) in \(roster.households.count) households, \(roster.units.count) units")
    print("rows generated:     \(format(rowsTime)) s")
    print("roster build:       \(format(rosterTime)) s")
    print("index build:        \(format(indexTime)) s")
    print("index bytes:        \(footprint) (\(format(Double(footprint) / Double(memberCount))) bytes/member)")
    let probes = index.probeStatistics
    print("probe length:       mean \(format(probes.mean)), longest \(probes.longest)")
    print("records matched:    \(recordCount) in \(format(matchTime)) s = \(format(matchTime * 1e9 / Double(recordCount))) ns/record")
    print(
        "  certain \(certain), probable \(probable), unrelated \(unrelated) (pool: \(expected.certain) certain, \(expected.probable) probable, \(expected.unrelated) unrelated)"
    )
    print(
        "batch API:          \(format(batchTime * 1e9 / Double(recordCount))) ns/record (\(batchMatched) matches, per-record API: \(certain + probable))"
    )
    print(
        "as the run matches: \(format(keysTime * 1e9 / Double(recordCount))) ns/record (\(keyMatched) matches, per-record API: \(certain + probable); keys API from compact bytes, \(MatchingGroup.size) at a time, prefetched 32 ahead; checksum-failed records one by one)"
    )
    print(
        "  of which checksum-failed, one by one: \(singleCount) records, \(format(singleTime * 1e9 / Double(max(1, singleCount)))) ns each, \(format(singleTime * 1e9 / Double(recordCount))) ns/record on average"
    )
    print("peak RSS (VmHWM):   \(peakRSS())")
    withExtendedLifetime((roster, pool, names)) {}
}

private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

private func format(_ x: Double) -> String {
    let scaled = Int((x * 100).rounded())
    let frac = abs(scaled) % 100
    return "\(scaled / 100).\(frac < 10 ? "0" : "")\(frac)"
}

private func peakRSS() -> String {
    guard let file = fopen("/proc/self/status", "r") else { return "unknown" }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmHWM:") {
            return String(text.dropFirst(6).drop { $0 == " " || $0 == "\t" }.filter { $0 != "\n" })
        }
    }
    return "unknown"
}

/// Records handed to the keys API at once, as the run does (`MatchedFile.batch`).
private enum MatchingGroup { static let size = 512 }
