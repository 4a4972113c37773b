import HeduiHouseholds
import HeduiIngest
import HeduiModel
import Testing

@testable import HeduiBatch

@Suite("Sources read before the member index exists, matched afterwards")
struct DeferredMatchingTests {
    /// Every source file of SampleData through both sinks: matching while reading (`MatchingSink`)
    /// and reading first, matching afterwards (`ReadingSink` → `MatchingSink(matching:index:)`), as
    /// the run does now. The stored records (bytes, origin, flags), their attachments and the
    /// unrelated count must be the same.
    @Test("the same records, attachments and unrelated counts as matching while reading, for every SampleData source file")
    func sameAsMatchingWhileReading() throws {
        let ingestion = InboxIngestion(inbox: try Inbox(directory: sampleInbox), threads: 2)
        var rows: [RosterRow] = []
        let rosterResults = ingestion.readAll(only: [.roster], makeSink: { _ in RosterSink() })
        for (_, sink) in rosterResults { rows += sink?.rows ?? [] }
        let roster = Roster(rows: rows, asOf: Day(year: 2024, month: 5, day: 31)!)
        let index = MemberIndex(roster: roster)
        let sources = Set(SourceKind.verificationSources)
        let streamed = ingestion.readAll(only: sources) { file in MatchingSink(index: index, fileIndex: file.index) }
        let read = ingestion.readAll(only: sources) { file in ReadingSink(fileIndex: file.index) }
        #expect(streamed.count == read.count)
        #expect(streamed.count >= 4)
        var candidates = 0, attached = 0, unrelated = 0
        for (a, b) in zip(streamed, read) {
            #expect(a.0.file.name == b.0.file.name)
            guard var live = a.1, let reading = b.1 else {
                #expect(a.1 == nil && b.1 == nil)
                continue
            }
            live.flush()
            let later = MatchingSink(matching: reading, index: index)
            #expect(later.records.count == live.records.count, "\(a.0.file.name)")
            #expect(later.unrelated == live.unrelated, "\(a.0.file.name)")
            for (x, y) in zip(live.records, later.records) {
                #expect(Array(x.bytes) == Array(y.bytes) && x.file == y.file && x.position == y.position && x.flags == y.flags)
            }
            #expect(
                live.attachments.map { [Int($0.record), Int($0.member), $0.isProbable ? 1 : 0] }
                    == later.attachments.map { [Int($0.record), Int($0.member), $0.isProbable ? 1 : 0] })
            candidates += live.records.filter { $0.flags.contains(.quarantinedCandidate) }.count
            attached += live.attachments.count
            unrelated += live.unrelated
        }
        // The sample covers each path: matched records, unrelated ones and probable candidates.
        #expect(attached > 100)
        #expect(unrelated > 0)
        #expect(candidates > 0)
    }
}
