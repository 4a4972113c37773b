import HeduiModel

/// Exact duplicates (rules.md, point 14): records of one source with all fields equal after
/// normalization count once, wherever they came from. The first occurrence in file order and
/// line order is kept; the others are counted as duplicates of their own file.
enum Deduplication {
    /// Marks duplicate accepted records (`StoredRecord.Flags.duplicate`); returns the number
    /// marked per file index. Quarantined probable candidates are never de-duplicated (they are
    /// not accepted).
    ///
    /// Sorts 24-byte slots, not the records: by holder ID, then by a fingerprint of the record's
    /// encoded bytes, then by position in `records` (file order, then line order). Records can
    /// only be duplicates within a run of equal holder and fingerprint, and there their bytes are
    /// compared, so a fingerprint collision never merges two different records. (The holder and
    /// the source are part of the bytes: equal bytes are equal records.)
    static func markDuplicates(_ store: inout MatchedRecords, threads: Int = 1) -> [Int32: Int] {
        // Records of one holder fall into one partition (by ID body), so partitions are
        // independent: each is sorted and scanned on its own worker. The result does not depend
        // on the partition count.
        let partitions = max(1, threads)
        let count = store.records.count
        return store.records.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedRecords(buffer)
            let perPartition = parallelMap(count: partitions, threads: threads) { part -> [Int32: Int] in
                var slots = [Slot]()
                slots.reserveCapacity(count / partitions + 16)
                let records = shared.records
                for i in 0..<count where !records[i].flags.contains(.quarantinedCandidate) {
                    // Accepted records have valid IDs (a checksum-failed one is only ever a quarantined candidate).
                    let body = CompactRecord.validHolderBody(records[i].bytes) ?? UInt64.max
                    guard Int(body % UInt64(partitions)) == part else { continue }
                    slots.append(Slot(key: body, fingerprint: fingerprint(records[i].bytes), index: UInt32(i)))
                }
                slots.sort()
                return markRuns(slots, records)
            }
            var removed: [Int32: Int] = [:]
            for part in perPartition { removed.merge(part, uniquingKeysWith: +) }
            return removed
        }
    }

    struct Slot: Comparable {
        var key: UInt64
        var fingerprint: UInt64
        var index: UInt32
        static func < (a: Slot, b: Slot) -> Bool {
            a.key != b.key ? a.key < b.key : a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint : a.index < b.index
        }
    }

    /// The records' buffer, shared by the partition workers.
    ///
    /// `@unchecked Sendable`: each worker writes the flags of records of its own partition only
    /// (a record's partition is fixed by its holder), and reads bytes that nobody writes.
    struct SharedRecords: @unchecked Sendable {
        let records: UnsafeMutableBufferPointer<StoredRecord>
        init(_ records: UnsafeMutableBufferPointer<StoredRecord>) { self.records = records }
    }

    /// Marks the duplicates within runs of equal holder and fingerprint of sorted `slots`.
    private static func markRuns(_ slots: [Slot], _ records: UnsafeMutableBufferPointer<StoredRecord>) -> [Int32: Int] {
        var removed: [Int32: Int] = [:]
        var start = 0
        while start < slots.count {
            var end = start + 1
            while end < slots.count && slots[end].key == slots[start].key && slots[end].fingerprint == slots[start].fingerprint {
                end += 1
            }
            // Usually one record; otherwise keep the first of each set of equal records.
            if end - start > 1 {
                for k in (start + 1)..<end {
                    let candidate = records[Int(slots[k].index)]
                    let repeated = (start..<k).contains { j in
                        let earlier = records[Int(slots[j].index)]
                        return !earlier.flags.contains(.duplicate) && earlier.bytes.elementsEqual(candidate.bytes)
                    }
                    if repeated {
                        records[Int(slots[k].index)].flags.insert(.duplicate)
                        removed[candidate.file, default: 0] += 1
                    }
                }
            }
            start = end
        }
        return removed
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
