import CMemoryHints
import HeduiModel

#if canImport(Glibc)
    import Glibc
#endif

/// Exact duplicates (rules.md, point 14): records of one source with all fields equal after
/// normalization count once, wherever they came from. The first occurrence in file order and
/// line order is kept; the others are counted as duplicates of their own file.
enum Deduplication {
    /// Marks duplicate accepted records (`StoredRecord.Flags.duplicate`); returns the number
    /// marked per file index. Quarantined probable candidates are never de-duplicated (they are
    /// not accepted).
    ///
    /// One pass in `records` order (file order, then line order) per partition, through an
    /// open-addressing table of the kept records keyed by a fingerprint of their encoded bytes:
    /// a record whose bytes equal a kept record's is a duplicate, any other is kept. Equal
    /// fingerprints are only a hint; the bytes are compared, so a collision never merges two
    /// different records. (The holder and the source are part of the bytes: equal bytes are equal
    /// records.) Linear in the records, where sorting them was not: 6.1 s at 1,000,000 households.
    static func markDuplicates(_ store: inout MatchedRecords, threads: Int = 1) -> [Int32: Int] {
        // Records of one holder fall into one partition (by ID body), so partitions are
        // independent: each is scanned on its own worker. The result does not depend on the
        // partition count: in every set of equal records the first in `records` order is kept.
        let partitions = max(1, threads)
        let count = store.records.count
        return store.records.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedRecords(buffer)
            let perPartition = parallelMap(count: partitions, threads: threads) { part -> [Int32: Int] in
                let records = shared.records
                var members: [UInt32] = []
                members.reserveCapacity(count / partitions + 16)
                for i in 0..<count where !records[i].flags.contains(.quarantinedCandidate) {
                    // Accepted records have valid IDs (a checksum-failed one is only ever a quarantined candidate).
                    let body = CompactRecord.validHolderBody(records[i].bytes) ?? UInt64.max
                    guard Int(body % UInt64(partitions)) == part else { continue }
                    members.append(UInt32(i))
                }
                return markRepeats(members, records)
            }
            var removed: [Int32: Int] = [:]
            for part in perPartition { removed.merge(part, uniquingKeysWith: +) }
            return removed
        }
    }

    /// A kept record in the table: 32 bits of its fingerprint and its index in `records` + 1
    /// (0 = empty slot). 8 bytes, so the table costs 16 bytes per record at load 1/2.
    struct Slot {
        var tag: UInt32
        var index: UInt32
    }

    /// Looks `members` (indices into `records`, ascending) up in a table of the kept records,
    /// marking each whose bytes equal a kept record's as a duplicate and keeping the others.
    private static func markRepeats(_ members: [UInt32], _ records: UnsafeMutableBufferPointer<StoredRecord>) -> [Int32: Int] {
        var removed: [Int32: Int] = [:]
        guard !members.isEmpty else { return removed }
        // Load ≤ 1/2, any capacity: the home slot is the fingerprint's high bits scaled onto it
        // (multiply-high), the tag its low 32 bits.
        let capacity = 2 * members.count + 1
        let table = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        table.initialize(repeating: Slot(tag: 0, index: 0), count: capacity)
        defer { table.deallocate() }
        @inline(__always) func home(_ fingerprint: UInt64) -> Int {
            Int(truncatingIfNeeded: fingerprint.multipliedFullWidth(by: UInt64(capacity)).high)
        }
        // The fingerprints of the next `distance` members are kept in a ring, and the home slot
        // of member j + distance is prefetched while member j is looked up (the table is far larger
        // than the caches).
        let distance = 16
        var ring = [UInt64](repeating: 0, count: distance)
        members.withUnsafeBufferPointer { members in
            for j in 0..<min(distance, members.count) {
                ring[j] = fingerprint(records[Int(members[j])].bytes)
                hedui_prefetch(table + home(ring[j]))
            }
            for j in members.indices {
                let print = ring[j % distance]
                if j + distance < members.count {
                    let ahead = fingerprint(records[Int(members[j + distance])].bytes)
                    ring[j % distance] = ahead
                    hedui_prefetch(table + home(ahead))
                }
                let index = members[j]
                let bytes = records[Int(index)].bytes
                let tag = UInt32(truncatingIfNeeded: print)
                var slot = home(print)
                var repeated = false
                while table[slot].index != 0 {
                    if table[slot].tag == tag, sameBytes(records[Int(table[slot].index - 1)].bytes, bytes) {
                        repeated = true
                        break
                    }
                    slot += 1
                    if slot == capacity { slot = 0 }
                }
                if repeated {
                    records[Int(index)].flags.insert(.duplicate)
                    removed[records[Int(index)].file, default: 0] += 1
                } else {
                    table[slot] = Slot(tag: tag, index: index + 1)
                }
            }
        }
        return removed
    }

    /// The records' buffer, shared by the partition workers.
    ///
    /// `@unchecked Sendable`: each worker writes the flags of records of its own partition only
    /// (a record's partition is fixed by its holder), and reads bytes that nobody writes.
    struct SharedRecords: @unchecked Sendable {
        let records: UnsafeMutableBufferPointer<StoredRecord>
        init(_ records: UnsafeMutableBufferPointer<StoredRecord>) { self.records = records }
    }

    private static func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    /// A 64-bit hash of the bytes, 8 at a time (no seed: the same on every run).
    static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            i += 8
        }
        var tail: UInt64 = 0
        while i < bytes.count {
            tail = tail << 8 | UInt64(bytes[i])
            i += 1
        }
        hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 29)
    }
}
