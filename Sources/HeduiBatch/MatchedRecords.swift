import HeduiHouseholds
import HeduiIngest
import HeduiModel

/// The exchange records of a run that matched a member, kept compactly until their unit is
/// assessed: each record's fields as bytes in its file's `RecordArena` (about 60 bytes for a
/// bank record, against about 200 for an `ExchangeRecord` with its `String`s on the heap), a
/// 32-byte `StoredRecord` per record, and a 12-byte `Attachment` per (record, member) pair.
/// A unit's records become `ExchangeRecord`s again only on the worker that assesses it.
///
/// This is what keeps a run's memory at a few kilobytes per household (issue: performance).
struct MatchedRecords: Sendable {
    var records: [StoredRecord] = []
    var attachments: [Attachment] = []
    /// Keeps the bytes that `records` point into alive.
    var arenas: [RecordArena] = []

    init() {}

    /// The files' records and attachments in the order given, one file after another (attachments
    /// renumbered to the merged list), copied on `threads` workers: each takes a file out of its `Handover`,
    /// copies it into its place and frees it, so the copies' memory replaces the files' as it
    /// grows. (Appended one by one, the files of a 200,000-household run took about 0.2 s on one
    /// core while the other waited.)
    init(merging files: [Handover<MatchedFile>], counts: [(records: Int, attachments: Int)], threads: Int) {
        precondition(files.count == counts.count)
        var records = 0
        var attachments = 0
        var starts: [(records: Int, attachments: Int)] = []
        for count in counts {
            starts.append((records, attachments))
            records += count.records
            attachments += count.attachments
        }
        let fileStarts = starts
        var arenas: [RecordArena] = []
        var mergedAttachments: [Attachment] = []
        let mergedRecords = [StoredRecord](unsafeUninitializedCapacity: records) { recordMemory, recordCount in
            mergedAttachments = [Attachment](unsafeUninitializedCapacity: attachments) { attachmentMemory, attachmentCount in
                let target = MergeTarget(records: recordMemory, attachments: attachmentMemory)
                arenas = parallelMap(count: files.count, threads: threads) { f -> RecordArena in
                    // Every file is taken once, and fills exactly its counted ranges.
                    let file = files[f].take()!
                    precondition(file.records.count == counts[f].records && file.attachments.count == counts[f].attachments)
                    let base = fileStarts[f].records
                    _ = UnsafeMutableBufferPointer(rebasing: target.records[base..<(base + file.records.count)])
                        .initialize(from: file.records)
                    var a = target.attachments.baseAddress! + fileStarts[f].attachments
                    for var attachment in file.attachments {
                        attachment.record += UInt32(base)
                        a.initialize(to: attachment)
                        a += 1
                    }
                    return file.arena
                }
                attachmentCount = attachments
            }
            recordCount = records
        }
        self.records = mergedRecords
        self.attachments = mergedAttachments
        self.arenas = arenas
    }

    /// The record as the assessment reads it.
    func record(_ index: UInt32) -> ExchangeRecord {
        let stored = records[Int(index)]
        return CompactRecord.decode(stored.bytes, origin: RecordOrigin(file: stored.file, position: stored.position))
    }
}

/// The merged arrays while workers fill them (each worker its own files' ranges).
private struct MergeTarget: @unchecked Sendable {
    let records: UnsafeMutableBufferPointer<StoredRecord>
    let attachments: UnsafeMutableBufferPointer<Attachment>
}

/// Where a matched record's bytes are and where it came from (32 bytes).
struct StoredRecord: Sendable {
    /// Address of the encoded fields (`CompactRecord`) inside a `RecordArena`.
    var address: UInt
    var length: UInt32
    var file: Int32
    var position: Int64
    var flags: Flags

    struct Flags: OptionSet, Sendable {
        var rawValue: UInt8
        /// A checksum-failed record kept as probable evidence: quarantined, never de-duplicated.
        static let quarantinedCandidate = Flags(rawValue: 1)
        /// A bank record in a currency other than CNY (needs a rate in the unit's region).
        static let foreignCurrency = Flags(rawValue: 2)
        /// An exact duplicate of an earlier record (rules.md, point 14): not attached to anyone.
        static let duplicate = Flags(rawValue: 4)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: address), count: Int(length)) }
}

/// A record attached to one member (a co-owned record has one attachment per owner).
struct Attachment: Sendable {
    var record: UInt32
    var member: Int32
    var isProbable: Bool
}

/// Append-only byte storage in 4 MB blocks that never move, so a record's address stays valid
/// while the arena lives. Written by the one worker that reads its file, read-only afterwards.
///
/// `@unchecked Sendable`: `append` is called only by the ingesting worker before the arena is
/// handed over (the hand-over through `concurrentPerform`'s return orders the writes before
/// any read); after that nothing mutates it.
final class RecordArena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var used = 0
    private var capacity = 0
    static let blockSize = 4 << 20

    /// Copies `count` bytes from `scratch` and returns their address.
    func append(_ scratch: UnsafeRawBufferPointer) -> UInt {
        if used + scratch.count > capacity {
            let size = max(Self.blockSize, scratch.count)
            blocks.append(.allocate(byteCount: size, alignment: 8))
            used = 0
            capacity = size
        }
        let target = blocks[blocks.count - 1] + used
        if let base = scratch.baseAddress { target.copyMemory(from: base, byteCount: scratch.count) }
        used += scratch.count
        return UInt(bitPattern: target)
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}

/// The records of one source file that match members, with their attachments, matched in
/// batches through the member index's keys API once the index exists; unrelated records are
/// counted and left out. The records keep their bytes in the reading sink's arena.
struct MatchedFile: Sendable {
    let fileIndex: Int32
    let arena: RecordArena
    var records: [StoredRecord] = []
    var attachments: [Attachment] = []
    var unrelated = 0
    /// Records handed to the keys API at once (its prefetching overlaps their memory accesses).
    static let batch = 512

    /// Matches a file's records as read (`ReadingSink`), in file order: accepted records in
    /// batches, quarantined probable candidates one by one (probable matches only).
    init(matching read: ReadingSink, index: MemberIndex) {
        fileIndex = read.fileIndex
        arena = read.arena
        records.reserveCapacity(read.records.count)
        attachments.reserveCapacity(read.records.count + read.records.count / 8)
        var keys: [MemberIndex.Key] = []
        keys.reserveCapacity(Self.batch)
        var scratch: [RecordMatch] = []
        var ends: [Int] = []
        var i = 0
        let all = read.records
        while i < all.count {
            if all[i].flags.contains(.quarantinedCandidate) {
                // A checksum-failed holder: probable matches only, one by one.
                let stored = all[i]
                let candidate = CompactRecord.decode(stored.bytes, origin: RecordOrigin(file: stored.file, position: stored.position))
                scratch.removeAll(keepingCapacity: true)
                index.matches(for: candidate, into: &scratch)
                if !scratch.isEmpty {
                    store(
                        address: stored.address, length: Int(stored.length), position: stored.position,
                        flags: stored.flags, matches: scratch[...])
                }
                i += 1
                continue
            }
            // A batch of accepted records up to the next candidate, through the keys API.
            let start = i
            keys.removeAll(keepingCapacity: true)
            while i < all.count, keys.count < Self.batch, !all[i].flags.contains(.quarantinedCandidate) {
                let bytes = all[i].bytes
                keys.append(MemberIndex.Key(idBody: CompactRecord.validHolderBody(bytes)!, name: CompactRecord.holderName(bytes)))
                i += 1
            }
            scratch.removeAll(keepingCapacity: true)
            keys.withUnsafeBufferPointer { index.matches(forKeys: $0, into: &scratch, ends: &ends) }
            var from = 0
            for k in ends.indices {
                let end = ends[k]
                if end == from {
                    unrelated += 1
                } else {
                    let stored = all[start + k]
                    store(
                        address: stored.address, length: Int(stored.length), position: stored.position,
                        flags: stored.flags, matches: scratch[from..<end])
                }
                from = end
            }
        }
    }

    private mutating func store(
        address: UInt, length: Int, position: Int64, flags: StoredRecord.Flags,
        matches: ArraySlice<RecordMatch>
    ) {
        let number = UInt32(records.count)
        records.append(
            StoredRecord(
                address: address, length: UInt32(length), file: fileIndex, position: position,
                flags: flags))
        for match in matches {
            attachments.append(Attachment(record: number, member: match.member.index, isProbable: match.matchClass == .probable))
        }
    }
}

/// A source file's records as they are read, before the member index exists (the run reads the
/// sources while the roster is still being read and built): the compact bytes of every accepted
/// record with a valid holder, and of every quarantined record that may be probable evidence, in
/// file order. `MatchedFile(matching:index:)` matches them once the index is built.
struct ReadingSink: RecordSink, Sendable {
    let fileIndex: Int32
    let arena = RecordArena()
    var records: [StoredRecord] = []
    private var writer = CompactRecordWriter()

    static var takesCompactRecords: Bool { true }

    init(fileIndex: Int32) { self.fileIndex = fileIndex }

    mutating func acceptCompact(_ record: CompactRecordView) {
        guard CompactRecord.validHolderBody(record.bytes) != nil else { return }
        let address = arena.append(record.bytes)
        records.append(
            StoredRecord(
                address: address, length: UInt32(record.bytes.count), file: fileIndex, position: record.origin.position,
                flags: record.isForeignCurrency ? [.foreignCurrency] : []))
    }

    mutating func accept(_ decoded: DecodedRecord) {
        switch decoded {
        case .exchange(let record):
            CompactRecord.encode(record, into: &writer)
            var foreign = false
            if case .bank(let bank) = record.facts, bank.currency != "CNY" { foreign = true }
            let bytes = writer.bytes
            bytes.withUnsafeBytes { acceptCompact(CompactRecordView(bytes: $0, origin: record.origin, isForeignCurrency: foreign)) }
        case .quarantined(let refused):
            guard let candidate = refused.probableCandidate else { return }
            CompactRecord.encode(candidate, into: &writer)
            let bytes = writer.bytes
            let address = bytes.withUnsafeBytes { arena.append($0) }
            records.append(
                StoredRecord(
                    address: address, length: UInt32(bytes.count), file: fileIndex, position: candidate.origin.position,
                    flags: [.quarantinedCandidate]))
        default:
            break
        }
    }
}
