internal import CMemoryHints
import HeduiModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How sure a record's attribution to a member is (rules.md, "Matching records to members").
public enum MatchClass: UInt8, Sendable, Comparable {
    case certain, probable
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Why a match is only probable.
public enum ProbableBasis: Sendable, Hashable {
    /// Same valid ID, but the names differ after normalization.
    case nameDiffers
    /// The record's ID fails only its check character, and is one substituted character or one
    /// adjacent swap away from the member's ID; the names are equal.
    case idOneEditAway
}

/// A record attributed to a member.
public struct RecordMatch: Sendable, Hashable {
    public var member: MemberRef
    public var matchClass: MatchClass
    /// nil for a certain match.
    public var basis: ProbableBasis?

    public init(member: MemberRef, matchClass: MatchClass, basis: ProbableBasis?) {
        self.member = member
        self.matchClass = matchClass
        self.basis = basis
    }
}

/// A name as compared by the index, in 16 bytes.
///
/// A name of up to 15 UTF-8 bytes (every name of up to 5 CJK characters) is held exactly:
/// its bytes, zero padded, with the length in the last byte. A longer name is held as its
/// FNV-1a 64-bit hash (`lo`) and, in `hi`, a 0xFF marker byte, its length and (for a member)
/// its offset in the index's name arena, where its bytes are compared when hash and length agree.
@usableFromInline
struct NameKey: Sendable, Equatable {
    @usableFromInline var lo: UInt64
    @usableFromInline var hi: UInt64

    @usableFromInline static let longMarker: UInt64 = 0xFF << 56
    @usableFromInline static let lengthMask: UInt64 = 0x00FF_FFFF << 32

    @inlinable init(lo: UInt64, hi: UInt64) {
        self.lo = lo
        self.hi = hi
    }

    @inlinable var isLong: Bool { hi >> 56 == 0xFF }
    @inlinable var arenaOffset: Int { Int(hi & 0xFFFF_FFFF) }
    @inlinable var longLength: Int { Int((hi & NameKey.lengthMask) >> 32) }

    /// The key of a name's UTF-8 bytes; a long name gets arena offset 0.
    @inlinable @inline(__always)
    static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> NameKey {
        let n = bytes.count
        if n <= 15 {
            // Bytes 0-7 into lo, 8-14 into hi (little-endian order), the length in hi's top byte.
            // Read as (possibly overlapping) unaligned words that stay inside the n bytes: a copy
            // into a zeroed pair of words followed by word loads stalls on store forwarding.
            guard n > 0, let p = UnsafeRawPointer(bytes.baseAddress) else { return NameKey(lo: 0, hi: 0) }
            @inline(__always) func word(_ offset: Int) -> UInt64 {
                UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
            @inline(__always) func half(_ offset: Int) -> UInt64 {
                UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            }
            var lo: UInt64 = 0, hi: UInt64 = 0
            if n >= 8 {
                lo = word(0)
                if n > 8 { hi = word(n - 8) >> (8 * UInt64(16 - n)) }
            } else if n >= 4 {
                lo = half(0) | half(n - 4) << (8 * UInt64(n - 4))
            } else {
                lo = UInt64(bytes[0]) | UInt64(bytes[n / 2]) << (8 * UInt64(n / 2)) | UInt64(bytes[n - 1]) << (8 * UInt64(n - 1))
            }
            return NameKey(lo: lo, hi: hi | UInt64(n) << 56)
        }
        return NameKey(lo: fnv1a(bytes), hi: longMarker | (UInt64(min(n, 0xFF_FFFF)) << 32))
    }

    @inlinable
    static func make(_ name: String) -> NameKey {
        if let key = name.utf8.withContiguousStorageIfAvailable({ make($0) }) { return key }
        var copy = name
        return copy.withUTF8 { make($0) }
    }

    /// FNV-1a, 64 bits: deterministic across runs and machines (unlike `Hasher`).
    @inlinable
    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

/// One table slot: 32 bytes, so that the common lookup reads one cache line.
@usableFromInline
struct Slot {
    /// The ID body; 0 = empty (no valid ID has body 0). Bit 63 set: the ID is on several roster
    /// rows and `member` is a group index into the duplicate side table.
    @usableFromInline var key: UInt64
    @usableFromInline var name: NameKey
    @usableFromInline var member: UInt32
    @usableFromInline var spare: UInt32
}

/// The index's tables, allocated once and read-only afterwards (hence `@unchecked Sendable`).
@usableFromInline
final class MemberIndexStorage: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutablePointer<Slot>
    @usableFromInline let capacity: UInt64
    let slotBytes: Int
    /// Written by the batch lookup so that its prefetching loads are not optimized away.
    @usableFromInline var sink: UInt64 = 0
    /// Bytes of long names (> 15 bytes).
    @usableFromInline let arena: [UInt8]
    /// Duplicate groups: members `groupStart[g] ..< groupStart[g + 1]` of `groupMembers` / `groupNames`.
    @usableFromInline let groupStart: [UInt32]
    @usableFromInline let groupMembers: [Int32]
    @usableFromInline let groupNames: [NameKey]
    /// The most members one ID has (1 when every ID is on one roster row): the most matches a
    /// valid-ID record can have.
    @usableFromInline let largestGroup: Int

    init(roster: Roster) {
        // (body, member) of every valid ID, sorted: duplicates become runs.
        var pairs: [(body: UInt64, member: Int32)] = []
        pairs.reserveCapacity(roster.members.count)
        for m in roster.members {
            if let id = m.row.id { pairs.append((id.body, m.ref.index)) }
        }
        pairs.sort { $0.body != $1.body ? $0.body < $1.body : $0.member < $1.member }
        var distinct = 0
        for i in pairs.indices where i == 0 || pairs[i].body != pairs[i - 1].body { distinct += 1 }

        // Capacity: 1.5 × distinct IDs (+1), any size (the home slot uses multiply-high range
        // reduction, not a power-of-two mask): load ≤ 2/3 with linear probing.
        let capacity = max(8, distinct + distinct / 2 + 1)
        self.capacity = UInt64(capacity)
        let bytes = capacity * MemoryLayout<Slot>.stride
        slotBytes = bytes
        slots = MemberIndexStorage.allocateTable(bytes: bytes).bindMemory(to: Slot.self, capacity: capacity)

        var arena: [UInt8] = []
        func memberKey(_ member: Int32) -> NameKey {
            var key = NameKey.make(roster.members[Int(member)].row.name)
            if key.isLong {
                let offset = arena.count
                arena.append(contentsOf: roster.members[Int(member)].row.name.utf8)
                key.hi |= UInt64(UInt32(truncatingIfNeeded: offset))
            }
            return key
        }
        var groupStart: [UInt32] = [0]
        var groupMembers: [Int32] = []
        var groupNames: [NameKey] = []
        var i = 0
        while i < pairs.count {
            var j = i + 1
            while j < pairs.count, pairs[j].body == pairs[i].body { j += 1 }
            let body = pairs[i].body
            var slot: Slot
            if j - i == 1 {
                slot = Slot(key: body, name: memberKey(pairs[i].member), member: UInt32(pairs[i].member), spare: 0)
            } else {
                let group = UInt32(groupStart.count - 1)
                for k in i..<j {
                    groupMembers.append(pairs[k].member)
                    groupNames.append(memberKey(pairs[k].member))
                }
                groupStart.append(UInt32(groupMembers.count))
                slot = Slot(key: body | (1 << 63), name: NameKey(lo: 0, hi: 0), member: group, spare: 0)
            }
            var s = MemberIndexStorage.home(body, capacity: self.capacity)
            while slots[s].key != 0 {
                s += 1
                if s == capacity { s = 0 }
            }
            slots[s] = slot
            i = j
        }
        precondition(arena.count <= Int(UInt32.max), "name arena too large")
        self.arena = arena
        self.groupStart = groupStart
        self.groupMembers = groupMembers
        self.groupNames = groupNames
        largestGroup = zip(groupStart.dropFirst(), groupStart).map { Int($0 - $1) }.max() ?? 1
    }

    deinit { free(slots) }

    /// Zeroed memory for the table; large tables are 2 MiB aligned and advised for huge pages
    /// (fewer TLB misses on random probes).
    static func allocateTable(bytes: Int) -> UnsafeMutableRawPointer {
        let huge = 2 << 20
        var pointer: UnsafeMutableRawPointer?
        let alignment = bytes >= huge ? huge : 64
        let size = bytes >= huge ? (bytes + huge - 1) / huge * huge : bytes
        guard posix_memalign(&pointer, alignment, size) == 0, let pointer else {
            fatalError("MemberIndex: cannot allocate \(size) bytes")
        }
        #if os(Linux)
            if bytes >= huge { _ = madvise(pointer, size, 14 /* MADV_HUGEPAGE */) }
        #endif
        memset(pointer, 0, size)
        return pointer
    }

    /// Multiplicative (Fibonacci) hash, then multiply-high onto 0 ..< capacity.
    @inlinable @inline(__always)
    static func home(_ body: UInt64, capacity: UInt64) -> Int {
        Int(truncatingIfNeeded: (body &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: capacity).high)
    }

    /// The slot of `body`, or nil.
    @inlinable @inline(__always)
    func find(_ body: UInt64) -> UnsafeMutablePointer<Slot>? {
        var s = MemberIndexStorage.home(body, capacity: capacity)
        let end = Int(truncatingIfNeeded: capacity)
        while true {
            let p = slots + s
            let k = p.pointee.key
            if k & ~(1 << 63) == body { return p }
            if k == 0 { return nil }
            s += 1
            if s == end { s = 0 }
        }
    }

    /// Whether a member's stored name equals a record's name (`record` from `NameKey.make`).
    @inlinable @inline(__always)
    func namesEqual(member: NameKey, record: NameKey, recordName: String) -> Bool {
        if !member.isLong { return member == record }
        guard record.isLong, member.lo == record.lo, member.longLength == record.longLength else { return false }
        let offset = member.arenaOffset
        let length = member.longLength
        return arena.withUnsafeBufferPointer { a in
            let stored = UnsafeBufferPointer(rebasing: a[offset..<offset + length])
            return recordName.utf8.elementsEqual(stored)
        }
    }

    /// `namesEqual` for a record name given as bytes.
    @inlinable @inline(__always)
    func namesEqual(member: NameKey, record: NameKey, recordBytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if !member.isLong { return member == record }
        guard record.isLong, member.lo == record.lo, member.longLength == record.longLength else { return false }
        let offset = member.arenaOffset
        let length = member.longLength
        return arena.withUnsafeBufferPointer { a in
            UnsafeBufferPointer(rebasing: a[offset..<offset + length]).elementsEqual(recordBytes)
        }
    }

    /// Calls `body` with each member holding the ID and that member's name key, in member order.
    @inlinable @inline(__always)
    func forEachMember(_ idBody: UInt64, _ body: (Int32, NameKey) -> Void) {
        guard let p = find(idBody) else { return }
        let slot = p.pointee
        if slot.key >> 63 == 0 {
            body(Int32(bitPattern: slot.member), slot.name)
        } else {
            let g = Int(slot.member)
            for k in Int(groupStart[g])..<Int(groupStart[g + 1]) {
                body(groupMembers[k], groupNames[k])
            }
        }
    }
}

/// Normalized ID → members: compact, read-only after construction, shared by all ingest
/// workers. Matching follows rules.md ("Matching records to members", precise points 2, 7, 16).
///
/// Layout: one open-addressing table (linear probing, capacity 1.5 × distinct IDs, 32-byte
/// slots holding the ID body, the member and the member's name: exact for names up to 15
/// UTF-8 bytes, a hash plus arena offset for longer ones), a side table for IDs on several
/// roster rows, and an arena for long names. About 48 bytes per member.
public struct MemberIndex: Sendable {
    @usableFromInline let storage: MemberIndexStorage

    public init(roster: Roster) {
        storage = MemberIndexStorage(roster: roster)
    }

    /// Appends the members `record` matches, sorted by member: usually 0 or 1; several when its
    /// ID is on several roster rows, or when a checksum-failed ID is one edit away from several
    /// members' IDs (precise point 16). No allocation for a valid-ID record once `result` has
    /// capacity.
    @inlinable
    public func matches(for record: ExchangeRecord, into result: inout [RecordMatch]) {
        switch record.holder {
        case .valid(let id):
            let name = NameKey.make(record.holderName)
            let storage = self.storage
            storage.forEachMember(id.body) { member, memberName in
                let equal = storage.namesEqual(member: memberName, record: name, recordName: record.holderName)
                result.append(
                    RecordMatch(
                        member: MemberRef(index: member), matchClass: equal ? .certain : .probable,
                        basis: equal ? nil : .nameDiffers))
            }
        case .checksumFailed(let bad):
            probableMatches(bad, name: record.holderName, into: &result)
        }
    }

    /// Matches a batch of records: appends each record's matches (as `matches(for:into:)`) to
    /// `result`, and `ends[i]` = `result.count` after record i (`ends` is cleared first).
    ///
    /// Same results as one call per record, but faster on a large roster: the table slots of
    /// 32 records are loaded together, so their cache misses overlap instead of queuing (16: 135 ns a
    /// record, 32: 98 ns, 64: 118 ns on the 3-million-member benchmark), and records are read in place.
    public func matches(for records: UnsafeBufferPointer<ExchangeRecord>, into result: inout [RecordMatch], ends: inout [Int]) {
        ends.removeAll(keepingCapacity: true)
        ends.reserveCapacity(records.count)
        let storage = self.storage
        let group = 32
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: group) { firstKeys in
            var start = 0
            while start < records.count {
                let end = min(start + group, records.count)
                // Pass 1: independent loads of each record's home slot.
                for i in start..<end {
                    if case .valid(let id) = records[i].holder {
                        let s = MemberIndexStorage.home(id.body, capacity: storage.capacity)
                        firstKeys[i - start] = storage.slots[s].key
                    }
                }
                // Pass 2: the slots are in cache now. Records are read in place through a pointer:
                // passing `records[i]` by value would copy it, retaining each of its strings.
                var touched: UInt64 = 0
                let base = records.baseAddress!
                for i in start..<end {
                    touched |= firstKeys[i - start]
                    let record = base + i
                    if case .valid(let id) = record.pointee.holder {
                        let name = NameKey.make(record.pointee.holderName)
                        storage.forEachMember(id.body) { member, memberName in
                            let equal = storage.namesEqual(member: memberName, record: name, recordName: record.pointee.holderName)
                            result.append(
                                RecordMatch(
                                    member: MemberRef(index: member), matchClass: equal ? .certain : .probable,
                                    basis: equal ? nil : .nameDiffers))
                        }
                    } else {
                        matches(for: record.pointee, into: &result)
                    }
                    ends.append(result.count)
                }
                storage.sink = touched
                start = end
            }
        }
    }

    /// What matching needs of a record with a valid ID: the ID's body and the normalized name's
    /// UTF-8 bytes (e.g. read from a `CompactRecord`).
    public struct Key {
        public var idBody: UInt64
        public var name: UnsafeRawBufferPointer

        public init(idBody: UInt64, name: UnsafeRawBufferPointer) {
            self.idBody = idBody
            self.name = name
        }
    }

    /// The batch API for records given by `Key`s: the same results as `matches(for:into:ends:)`
    /// for valid-ID records with these IDs and names, without any `String`.
    ///
    /// Software-pipelined: the table slots of key i + 32 are prefetched while key i is worked on,
    /// so the cache misses of a large table overlap each other and the work in between. Pass a
    /// few hundred keys at a time (the run's matching sink passes 512). `result` and `ends` are
    /// sized once for the batch and written in place (no per-match `append`).
    public func matches(forKeys keys: UnsafeBufferPointer<Key>, into result: inout [RecordMatch], ends: inout [Int]) {
        ends.removeAll(keepingCapacity: true)
        guard !keys.isEmpty else { return }
        ends.append(contentsOf: repeatElement(0, count: keys.count))
        let storage = self.storage
        // Each key adds at most `largestGroup` matches: room for all of them, trimmed afterwards.
        let first = result.count
        result.append(
            contentsOf: repeatElement(
                RecordMatch(member: MemberRef(index: 0), matchClass: .certain, basis: nil),
                count: keys.count * storage.largestGroup))
        let distance = 32
        let slots = storage.slots
        let capacity = storage.capacity
        // The home slot's cache line and the next one (a slot is half a line; probes run on).
        @inline(__always) func prefetch(_ body: UInt64) {
            let home = slots + MemberIndexStorage.home(body, capacity: capacity)
            hedui_prefetch(home)
            hedui_prefetch(home + 1)
        }
        let used = result.withUnsafeMutableBufferPointer { out in
            ends.withUnsafeMutableBufferPointer { endsOut in
                for i in 0..<min(distance, keys.count) {
                    prefetch(keys[i].idBody)
                }
                var used = first
                for i in 0..<keys.count {
                    if i + distance < keys.count {
                        prefetch(keys[i + distance].idBody)
                    }
                    let key = keys[i]
                    let bytes = UnsafeBufferPointer(
                        start: key.name.baseAddress?.assumingMemoryBound(to: UInt8.self), count: key.name.count)
                    let name = NameKey.make(bytes)
                    storage.forEachMember(key.idBody) { member, memberName in
                        let equal = storage.namesEqual(member: memberName, record: name, recordBytes: bytes)
                        out[used] = RecordMatch(
                            member: MemberRef(index: member), matchClass: equal ? .certain : .probable,
                            basis: equal ? nil : .nameDiffers)
                        used += 1
                    }
                    endsOut[i] = used
                }
                return used
            }
        }
        result.removeLast(result.count - used)
    }

    /// Matches for an ID that fails only its check character: every member whose ID is one
    /// substitution or adjacent swap away (`ChecksumFailedID.neighbours()`) and whose name is equal.
    @usableFromInline
    func probableMatches(_ bad: ChecksumFailedID, name recordName: String, into result: inout [RecordMatch]) {
        let name = NameKey.make(recordName)
        let start = result.count
        // At most 35 candidates: all their slots are requested first, so their cache misses overlap.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 40) { candidates in
            var count = 0
            MemberIndex.forEachNeighbour(of: bad) { candidate in
                guard count < candidates.count else { return }
                candidates[count] = candidate
                count += 1
                hedui_prefetch(storage.slots + MemberIndexStorage.home(candidate, capacity: storage.capacity))
            }
            for candidate in candidates[0..<count] {
                storage.forEachMember(candidate) { member, memberName in
                    if storage.namesEqual(member: memberName, record: name, recordName: recordName) {
                        result.append(RecordMatch(member: MemberRef(index: member), matchClass: .probable, basis: .idOneEditAway))
                    }
                }
            }
        }
        if result.count - start > 1 { result[start...].sort { $0.member < $1.member } }
    }

    static let weights: [Int] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkTable: [UInt8] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    static let powers: [UInt64] = (0..<17).map { i in (0..<(16 - i)).reduce(1) { r, _ in r * 10 } }

    /// The bodies of the IDs with a correct check character one substituted character or one
    /// adjacent swap away from `bad`: the same set as `bad.neighbours()` minus the birth-date test
    /// (a body found in the index is a valid member ID anyway), without allocating. At most 35:
    /// per digit position at most one substitution fixes the weighted sum (every weight is
    /// invertible mod 11), plus the body itself (check character replaced), plus 17 swaps.
    static func forEachNeighbour(of bad: ChecksumFailedID, _ visit: (UInt64) -> Void) {
        func mod11(_ x: Int) -> Int { ((x % 11) + 11) % 11 }
        let d = bad.digits
        guard d.count == 18 else { return }
        var body: UInt64 = 0
        var sum = 0
        for i in 0..<17 {
            guard d[i] <= 9 else { return }
            body = body * 10 + UInt64(d[i])
            sum += Int(d[i]) * weights[i]
        }
        let check = d[17]
        // The residue the weighted sum must have for `check` to be right.
        guard let target = checkTable.firstIndex(of: check) else { return }
        // One character substituted: a body digit (the check stays)…
        for i in 0..<17 {
            for v in 0...9 where v != Int(d[i]) {
                if mod11(sum + (v - Int(d[i])) * weights[i]) == target {
                    visit(v > Int(d[i]) ? body + UInt64(v - Int(d[i])) * powers[i] : body - UInt64(Int(d[i]) - v) * powers[i])
                }
            }
        }
        // …or the check character: the body with its correct check.
        visit(body)
        // Adjacent swaps of distinct characters.
        for i in 0..<16 where d[i] != d[i + 1] {
            let a = Int(d[i]), b = Int(d[i + 1])
            if mod11(sum + (b - a) * weights[i] + (a - b) * weights[i + 1]) == target {
                visit(body + UInt64(b) * powers[i] + UInt64(a) * powers[i + 1] - UInt64(a) * powers[i] - UInt64(b) * powers[i + 1])
            }
        }
        // Swap of the last body digit with the check character.
        if check <= 9, check != d[16] {
            let a = Int(d[16]), b = Int(check)
            let swapped = body - UInt64(a) + UInt64(b)
            if mod11(sum + (b - a) * weights[16]) == Int(checkTable.firstIndex(of: d[16])!) { visit(swapped) }
        }
    }

    /// The members whose roster ID is `id` (e.g. to find the units a quarantined record with a
    /// valid ID concerns: `RECORD_REJECTED`), appended in member order.
    public func members(withID id: IDNumber, into result: inout [MemberRef]) {
        storage.forEachMember(id.body) { member, _ in result.append(MemberRef(index: member)) }
    }

    /// Diagnostics: mean and longest probe sequence of the stored IDs (1 = found in its home slot).
    public var probeStatistics: (mean: Double, longest: Int) {
        let cap = Int(storage.capacity)
        var total = 0, count = 0, longest = 0
        for s in 0..<cap {
            let key = storage.slots[s].key
            guard key != 0 else { continue }
            let home = MemberIndexStorage.home(key & ~(1 << 63), capacity: storage.capacity)
            let length = (s - home + cap) % cap + 1
            total += length
            count += 1
            longest = max(longest, length)
        }
        return (count == 0 ? 0 : Double(total) / Double(count), longest)
    }

    /// Bytes used by the index's tables (slots, duplicate side table, long-name arena).
    public var memoryFootprint: Int {
        storage.slotBytes + storage.arena.capacity
            + storage.groupStart.capacity * MemoryLayout<UInt32>.stride
            + storage.groupMembers.capacity * MemoryLayout<Int32>.stride
            + storage.groupNames.capacity * MemoryLayout<NameKey>.stride
    }
}
