import HeduiIngest
import HeduiModel

/// Exact duplicates (rules.md, point 14): records of one source with all fields equal after
/// normalization count once, wherever they came from. The first occurrence in file order and
/// line order is kept; the others are counted as duplicates of their own file.
enum Deduplication {
    struct Key: Hashable {
        var holder: RecordHolderID
        var name: String
        var facts: ExchangeFacts
    }

    /// Removes duplicate accepted records; returns the number removed per file index.
    /// Quarantined probable candidates are never de-duplicated (they are not accepted).
    ///
    /// Sorts an index array, not the records, and compacts in place, so the only extra memory
    /// is a few bytes per record.
    static func removeDuplicates(_ records: inout [MatchedRecord]) -> [Int32: Int] {
        // Equal records have equal holders: order by holder, then by position in `records` (which is
        // file order, then line order), and compare within each holder's run. Plain integer pairs
        // sort fast; the records themselves never move.
        struct Slot: Comparable {
            var key: UInt64
            var index: Int32
            static func < (a: Slot, b: Slot) -> Bool { a.key != b.key ? a.key < b.key : a.index < b.index }
        }
        var slots = [Slot]()
        slots.reserveCapacity(records.count)
        for (i, item) in records.enumerated() {
            let (body, tag) = holderKey(item.record.holder)
            slots.append(Slot(key: body << 4 | UInt64(tag), index: Int32(i)))
        }
        slots.sort()
        let order = slots.map(\.index)
        let keys = slots.map(\.key)
        var removed: [Int32: Int] = [:]
        var duplicate = [Bool](repeating: false, count: records.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            let key = keys[start]
            while end < order.count && keys[end] == key { end += 1 }
            if end - start > 1 {
                var seen = Set<Key>()
                for k in start..<end {
                    let item = records[Int(order[k])]
                    if item.isQuarantinedCandidate { continue }
                    let fingerprint = Key(holder: item.record.holder, name: item.record.holderName, facts: item.record.facts)
                    if !seen.insert(fingerprint).inserted {
                        duplicate[Int(order[k])] = true
                        removed[item.record.origin.file, default: 0] += 1
                    }
                }
            }
            start = end
        }
        if !removed.isEmpty {
            var write = 0
            for read in records.indices where !duplicate[read] {
                if write != read { records.swapAt(write, read) }
                write += 1
            }
            records.removeLast(records.count - write)
        }
        return removed
    }

    /// A sortable key for the holder: valid IDs by their body; checksum-failed ones after them.
    static func holderKey(_ holder: RecordHolderID) -> (UInt64, UInt8) {
        switch holder {
        case .valid(let id): return (id.body, 0)
        case .checksumFailed(let failed):
            var body: UInt64 = 0
            for d in failed.digits.prefix(17) { body = body * 10 + UInt64(d) }
            return (body, 1 + failed.digits[17])
        }
    }
}
