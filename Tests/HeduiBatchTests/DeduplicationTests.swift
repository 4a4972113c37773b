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
        var seed: UInt64 = 42
        func next(_ n: UInt64) -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (seed >> 33) % n
        }
        for i in 0..<3000 {
            let holder = IDNumber(body: 330902_19800101_000 + next(40))
            let record = ExchangeRecord(
                holder: .valid(holder), holderName: next(2) == 0 ? "张三" : "李四",
                facts: .tax(
                    TaxIncome(
                        period: Month(year: 2024, month: 1 + Int(next(3)))!, incomeType: .wage,
                        grossIncome: Fen(Int64(100_000 + next(4))), taxPaid: Fen(0),
                        socialContribution: Fen(0), withholder: "某公司")),
                origin: RecordOrigin(file: Int32(i / 1000), position: Int64(i % 1000 + 2)))
            CompactRecord.encode(record, into: &writer)
            let bytes = writer.bytes
            let address = bytes.withUnsafeBytes { arena.append($0) }
            records.append(
                StoredRecord(
                    address: address, length: UInt32(bytes.count), file: record.origin.file,
                    position: record.origin.position, flags: next(10) == 0 ? [.quarantinedCandidate] : []))
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
}
