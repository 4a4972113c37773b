import HeduiModel
import Testing

@testable import HeduiBatch

@Suite("De-duplication of exact duplicate records (rules.md, point 14)")
struct DeduplicationTests {
    /// Records of a few holders, many of them repeated (within a file and across files), some
    /// differing from another in one field only, and quarantined candidates equal to accepted
    /// records (never de-duplicated); the marks must be what a pairwise comparison in record order
    /// gives, for any thread count.
    @Test("the first of every set of equal records is kept, the others are marked, for 1, 2 and 3 threads")
    func marksAgainstPairwiseReference() {
        let arena = RecordArena()
        var writer = CompactRecordWriter()
        var records: [StoredRecord] = []
        for (i, record) in Self.taxRecords(count: 3000).enumerated() {
            CompactRecord.encode(record, into: &writer)
            let bytes = writer.bytes
            let address = bytes.withUnsafeBytes { arena.append($0) }
            records.append(
                StoredRecord(
                    address: address, length: UInt32(bytes.count), file: record.origin.file,
                    position: record.origin.position, flags: i % 10 == 3 ? [.quarantinedCandidate] : []))
        }
        // The reference: a record is a duplicate when an earlier accepted, kept record has its bytes.
        var expected = [Bool](repeating: false, count: records.count)
        var expectedCounts: [Int32: Int] = [:]
        for i in records.indices where !records[i].flags.contains(.quarantinedCandidate) {
            let earlier = (0..<i).contains { j in
                !records[j].flags.contains(.quarantinedCandidate) && !expected[j] && records[j].bytes.elementsEqual(records[i].bytes)
            }
            if earlier {
                expected[i] = true
                expectedCounts[records[i].file, default: 0] += 1
            }
        }
        #expect(expected.filter { $0 }.count > 500, "the data has many duplicates")
        for threads in [1, 2, 3] {
            var store = MatchedRecords()
            store.records = records
            store.arenas = [arena]
            let counts = Deduplication.markDuplicates(&store, threads: threads)
            #expect(store.records.map { $0.flags.contains(.duplicate) } == expected, "threads: \(threads)")
            #expect(counts == expectedCounts, "threads: \(threads)")
        }
    }

    /// `hedui validate` counts duplicates by fingerprints of the compact bytes, the run by the bytes
    /// themselves: two records must share a fingerprint exactly when they share their bytes, and a
    /// record must give the same fingerprint whether it arrives as bytes or as an `ExchangeRecord`.
    @Test("validate's fingerprints tell records apart exactly as their compact bytes do, either way in")
    func fingerprintsFollowBytes() {
        var writer = CompactRecordWriter()
        var viaBytes = FingerprintSink()
        var viaRecords = FingerprintSink()
        var printOfBytes: [[UInt8]: RecordFingerprint] = [:]
        var bytesOfPrint: [RecordFingerprint: [UInt8]] = [:]
        for record in Self.taxRecords(count: 3000) {
            CompactRecord.encode(record, into: &writer)
            let bytes = writer.bytes
            bytes.withUnsafeBytes { viaBytes.acceptCompact(CompactRecordView(bytes: $0, origin: record.origin, isForeignCurrency: false)) }
            viaRecords.accept(.exchange(record))
            let print = viaBytes.fingerprints.last!
            #expect(printOfBytes[bytes, default: print] == print)
            #expect(bytesOfPrint[print, default: bytes] == bytes)
            printOfBytes[bytes] = print
            bytesOfPrint[print] = bytes
        }
        #expect(viaRecords.fingerprints == viaBytes.fingerprints)
        #expect(printOfBytes.count > 100 && printOfBytes.count < 2500, "many distinct records, many repeated")
    }

    /// Tax records of 40 holders with two names, three months and four amounts: many repeated
    /// (within a "file" of 1,000 and across), many differing from another in one field only.
    static func taxRecords(count: Int) -> [ExchangeRecord] {
        var seed: UInt64 = 42
        func next(_ n: UInt64) -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (seed >> 33) % n
        }
        return (0..<count).map { i in
            ExchangeRecord(
                holder: .valid(IDNumber(body: 330902_19800101_000 + next(40))), holderName: next(2) == 0 ? "张三" : "李四",
                facts: .tax(
                    TaxIncome(
                        period: Month(year: 2024, month: 1 + Int(next(3)))!, incomeType: .wage,
                        grossIncome: Fen(Int64(100_000 + next(4))), taxPaid: Fen(0),
                        socialContribution: Fen(0), withholder: "某公司")),
                origin: RecordOrigin(file: Int32(i / 1000), position: Int64(i % 1000 + 2)))
        }
    }
}
