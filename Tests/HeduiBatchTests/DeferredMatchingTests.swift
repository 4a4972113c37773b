import HeduiHouseholds
import HeduiIngest
import HeduiModel
import Testing

@testable import HeduiBatch

@Suite("Sources read before the member index exists, matched afterwards")
struct DeferredMatchingTests {
    /// Every source file of SampleData read into a `ReadingSink`, then matched in batches by
    /// `MatchedFile(matching:index:)`, as the run does; the reference is the one-call-per-record
    /// API on each record as read, in file order: a record with matches is kept with them, an
    /// accepted one without is unrelated, a quarantined candidate without is dropped.
    @Test("batched matching keeps the records, attachments and unrelated counts of matching one record at a time")
    func sameAsOneRecordAtATime() throws {
        let ingestion = InboxIngestion(inbox: try Inbox(directory: sampleInbox), threads: 2)
        var rows: [RosterRow] = []
        let rosterResults = ingestion.readAll(only: [.roster], makeSink: { _ in RosterSink() })
        for (_, sink) in rosterResults { rows += sink?.rows ?? [] }
        let index = MemberIndex(roster: Roster(rows: rows, asOf: Day(year: 2024, month: 5, day: 31)!))
        let read = ingestion.readAll(only: Set(SourceKind.verificationSources)) { file in ReadingSink(fileIndex: file.index) }
        #expect(read.count >= 4)
        var candidates = 0, attached = 0, unrelated = 0
        for (report, sink) in read {
            guard let reading = sink else { continue }
            var expectedRecords: [StoredRecord] = []
            var expectedAttachments: [[Int]] = []
            var expectedUnrelated = 0
            var matches: [RecordMatch] = []
            for stored in reading.records {
                matches.removeAll()
                let record = CompactRecord.decode(stored.bytes, origin: RecordOrigin(file: stored.file, position: stored.position))
                index.matches(for: record, into: &matches)
                if matches.isEmpty {
                    if !stored.flags.contains(.quarantinedCandidate) { expectedUnrelated += 1 }
                    continue
                }
                for m in matches {
                    expectedAttachments.append([expectedRecords.count, Int(m.member.index), m.matchClass == .probable ? 1 : 0])
                }
                expectedRecords.append(stored)
            }
            let matched = MatchedFile(matching: reading, index: index)
            #expect(matched.unrelated == expectedUnrelated, "\(report.file.name)")
            #expect(matched.records.count == expectedRecords.count, "\(report.file.name)")
            for (x, y) in zip(expectedRecords, matched.records) {
                #expect(Array(x.bytes) == Array(y.bytes) && x.file == y.file && x.position == y.position && x.flags == y.flags)
            }
            #expect(matched.attachments.map { [Int($0.record), Int($0.member), $0.isProbable ? 1 : 0] } == expectedAttachments)
            candidates += matched.records.filter { $0.flags.contains(.quarantinedCandidate) }.count
            attached += matched.attachments.count
            unrelated += matched.unrelated
        }
        // The sample covers each path: matched records, unrelated ones and probable candidates.
        #expect(attached > 100)
        #expect(unrelated > 0)
        #expect(candidates > 0)
    }

    /// The run's merge of the matched files (parallel, each file copied into its place) against
    /// appending them one after another, for 1 to 3 workers.
    @Test("merging matched files in parallel gives the records and attachments of appending them in order")
    func mergeSameAsAppending() throws {
        let ingestion = InboxIngestion(inbox: try Inbox(directory: sampleInbox), threads: 2)
        var rows: [RosterRow] = []
        for (_, sink) in ingestion.readAll(only: [.roster], makeSink: { _ in RosterSink() }) { rows += sink?.rows ?? [] }
        let index = MemberIndex(roster: Roster(rows: rows, asOf: Day(year: 2024, month: 5, day: 31)!))
        let read = ingestion.readAll(only: Set(SourceKind.verificationSources)) { file in ReadingSink(fileIndex: file.index) }
        let files = read.compactMap { $0.1.map { MatchedFile(matching: $0, index: index) } }
        #expect(files.count >= 4)
        var expectedRecords: [StoredRecord] = []
        var expectedAttachments: [[Int]] = []
        for file in files {
            let base = expectedRecords.count
            expectedRecords += file.records
            expectedAttachments += file.attachments.map { [Int($0.record) + base, Int($0.member), $0.isProbable ? 1 : 0] }
        }
        for threads in 1...3 {
            let merged = MatchedRecords(
                merging: files.map { Handover($0) }, counts: files.map { ($0.records.count, $0.attachments.count) }, threads: threads)
            #expect(merged.records.count == expectedRecords.count)
            for (x, y) in zip(expectedRecords, merged.records) {
                #expect(
                    x.address == y.address && x.length == y.length && x.file == y.file && x.position == y.position && x.flags == y.flags)
            }
            #expect(merged.attachments.map { [Int($0.record), Int($0.member), $0.isProbable ? 1 : 0] } == expectedAttachments)
            #expect(merged.arenas.count == files.count)
        }
    }
}
