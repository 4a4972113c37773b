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
    static func removeDuplicates(_ records: inout [MatchedRecord]) -> [Int32: Int] {
        // Equal records have equal holders: sort by holder, then origin, and compare within each holder's run.
        records.sort { a, b in
            let ka = holderKey(a.record.holder)
            let kb = holderKey(b.record.holder)
            if ka != kb { return ka < kb }
            return a.record.origin < b.record.origin
        }
        var removed: [Int32: Int] = [:]
        var kept: [MatchedRecord] = []
        kept.reserveCapacity(records.count)
        var start = 0
        while start < records.count {
            var end = start + 1
            let key = holderKey(records[start].record.holder)
            while end < records.count && holderKey(records[end].record.holder) == key { end += 1 }
            var seen = Set<Key>()
            for i in start..<end {
                let item = records[i]
                if item.isQuarantinedCandidate {
                    kept.append(item)
                    continue
                }
                let k = Key(holder: item.record.holder, name: item.record.holderName, facts: item.record.facts)
                if seen.insert(k).inserted {
                    kept.append(item)
                } else {
                    removed[item.record.origin.file, default: 0] += 1
                }
            }
            start = end
        }
        records = kept
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
