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
                var entries: [Entry] = []
                entries.reserveCapacity(count / partitions + 16)
                for i in 0..<count where !records[i].flags.contains(.quarantinedCandidate) {
                    // Accepted records have valid IDs (a checksum-failed one is only ever a quarantined candidate).
                    let body = CompactRecord.validHolderBody(records[i].bytes) ?? UInt64.max
                    guard Int(body % UInt64(partitions)) == part else { continue }
                    entries.append(Entry(fingerprint: fingerprint(records[i].bytes), index: UInt32(i)))
                }
                return markRepeats(entries, records)
            }
            var removed: [Int32: Int] = [:]
            for part in perPartition { removed.merge(part, uniquingKeysWith: +) }
            return removed
        }
    }

    /// A record to look up: its fingerprint and its index in `records`.
    struct Entry {
        var fingerprint: UInt64
        var index: UInt32
    }

    /// Looks `entries` (in `records` order) up in a table of the kept records, marking each whose
    /// bytes equal a kept record's as a duplicate and keeping the others.
    private static func markRepeats(_ entries: [Entry], _ records: UnsafeMutableBufferPointer<StoredRecord>) -> [Int32: Int] {
        var removed: [Int32: Int] = [:]
        guard !entries.isEmpty else { return removed }
        // Load ≤ 1/2; a slot is (fingerprint, index + 1), index 0 = empty.
        var capacity = 16
        while capacity < 2 * entries.count { capacity <<= 1 }
        let mask = capacity - 1
        let table = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        table.initialize(repeating: Entry(fingerprint: 0, index: 0), count: capacity)
        defer { table.deallocate() }
        // The fingerprint is well mixed: its low bits are the home slot. The slot of entry j + 16
        // is prefetched while entry j is looked up (the table is far larger than the caches).
        let distance = 16
        entries.withUnsafeBufferPointer { entries in
            for j in 0 ..< min(distance, entries.count) { hedui_prefetch(table + Int(truncatingIfNeeded: entries[j].fingerprint) & mask) }
            for j in entries.indices {
                if j + distance < entries.count {
                    hedui_prefetch(table + Int(truncatingIfNeeded: entries[j + distance].fingerprint) & mask)
                }
                let entry = entries[j]
                let bytes = records[Int(entry.index)].bytes
                var slot = Int(truncatingIfNeeded: entry.fingerprint) & mask
                var repeated = false
                while table[slot].index != 0 {
                    if table[slot].fingerprint == entry.fingerprint,
                       sameBytes(records[Int(table[slot].index - 1)].bytes, bytes) {
                        repeated = true
                        break
                    }
                    slot = (slot + 1) & mask
                }
                if repeated {
                    records[Int(entry.index)].flags.insert(.duplicate)
                    removed[records[Int(entry.index)].file, default: 0] += 1
                } else {
                    table[slot] = Entry(fingerprint: entry.fingerprint, index: entry.index + 1)
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
