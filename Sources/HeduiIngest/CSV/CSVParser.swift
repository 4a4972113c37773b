import CCSVScan

/// A streaming RFC 4180 parser: comma separator, `"` quoting with `""` escapes, line breaks
/// inside quotes, LF or CRLF line ends, a missing final line end, a leading UTF-8 BOM.
///
/// Bytes are pushed in chunks of any size; each complete record is handed to the
/// callback with the physical line on which it starts (1-based). Empty lines (and lines
/// holding only spaces) are skipped but counted. Memory holds one chunk's structural index
/// plus one partial record, whatever the file's size.
///
/// Records are split in place in the chunk handed to `feed`: one vectorized pass
/// (`hedui_csv_classify`) marks the events of the chunk (commas, line feeds, and quotes that open
/// a field) and its non-ASCII bytes in bitmaps. Records without a quoted field are cut at the
/// events in batches by `hedui_csv_split`, which also takes each field's `ascii` flag from the
/// bitmaps; a record with a quoted field (or cut by the end of the input) takes the general path,
/// `parseRecord`. Only the record cut by the chunk's end is copied (into `carry`) and completed
/// with the start of the next chunk. The non-ASCII bitmap also lets the UTF-8 check look at
/// non-ASCII bytes only.
public struct CSVParser {
    /// One parsed record; the field views are valid only during the callback.
    public struct Row {
        @usableFromInline let fields: UnsafeBufferPointer<FieldSpan>
        /// The physical line where the record starts (the header is line 1).
        public let line: Int

        @inlinable
        init(fields: UnsafeBufferPointer<FieldSpan>, line: Int) {
            self.fields = fields
            self.line = line
        }

        public var count: Int { fields.count }

        /// The bytes of field `i` (quotes removed, `""` unescaped).
        @inlinable @inline(__always)
        public func field(_ i: Int) -> UnsafeRawBufferPointer {
            let f = fields[i]
            return UnsafeRawBufferPointer(start: f.start, count: Int(f.count))
        }

        /// Whether field `i` holds only ASCII bytes (< 0x80).
        @inlinable @inline(__always)
        public func isASCII(_ i: Int) -> Bool { fields[i].ascii }
    }

    public struct FieldSpan {
        @usableFromInline var start: UnsafeRawPointer
        @usableFromInline var count: Int32
        /// No byte >= 0x80.
        @usableFromInline var ascii: Bool
        /// A quoted field holding `""`, unescaped once its record is complete (`parseRecord`; the
        /// fields `hedui_csv_split` cuts hold no `""`).
        var escaped: Bool

        /// What span memory is initialized with.
        static var unused: FieldSpan {
            FieldSpan(start: UnsafeRawPointer(bitPattern: 1)!, count: 0, ascii: true, escaped: false)
        }
    }

    /// A quote left open at the end of the input.
    public struct UnterminatedQuote: Error, Sendable {
        public let line: Int
    }

    /// Memory reused from chunk to chunk (freed with the parser).
    private final class Storage {
        /// The start of a record cut by the end of a chunk (or, at the start of the input and in
        /// the rare cases below, whole chunks).
        var carry: UnsafeMutableRawPointer
        var carryCapacity: Int
        /// Event bitmap words, then as many non-ASCII and as many quote bitmap words (see
        /// `hedui_csv_classify`).
        var masks: UnsafeMutablePointer<UInt64>
        var maskWords: Int
        /// The fields of a batch of records (or of one record, which may need more).
        var spans: UnsafeMutablePointer<FieldSpan>
        var spanCapacity: Int
        /// The end of each record of a batch (an index into `spans`).
        let recordEnds: UnsafeMutablePointer<UInt32>
        /// The fields of one batch of `hedui_csv_split`: at most as many records.
        static let batchCapacity = 2048
        /// Where `""` escapes are undone.
        var unescaped: UnsafeMutableRawPointer
        var unescapedCapacity: Int

        init() {
            carryCapacity = 1 << 12
            carry = .allocate(byteCount: carryCapacity, alignment: 16)
            maskWords = 1 << 12
            masks = .allocate(capacity: 3 * maskWords)
            // `hedui_csv_split` writes `FieldSpan`s as `hedui_csv_field`s.
            precondition(
                MemoryLayout<FieldSpan>.stride == MemoryLayout<hedui_csv_field>.stride
                    && MemoryLayout<FieldSpan>.offset(of: \.count) == MemoryLayout<hedui_csv_field>.offset(of: \.count)
                    && MemoryLayout<FieldSpan>.offset(of: \.ascii) == MemoryLayout<hedui_csv_field>.offset(of: \.ascii)
                    && MemoryLayout<FieldSpan>.offset(of: \.escaped) == MemoryLayout<hedui_csv_field>.offset(of: \.escaped))
            spanCapacity = Self.batchCapacity
            spans = .allocate(capacity: spanCapacity)
            spans.initialize(repeating: .unused, count: spanCapacity)
            recordEnds = .allocate(capacity: Self.batchCapacity)
            unescapedCapacity = 1 << 10
            unescaped = .allocate(byteCount: unescapedCapacity, alignment: 16)
        }

        deinit {
            carry.deallocate()
            masks.deallocate()
            spans.deallocate()
            recordEnds.deallocate()
            unescaped.deallocate()
        }
    }

    private let storage = Storage()
    private var carryCount = 0
    private var line = 1
    private var atStart = true
    /// Records handed out so far (empty lines excluded).
    public private(set) var recordCount = 0

    public init() {}

    /// Parses the records completed by `chunk`.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ onRow: (borrowing Row) throws -> Void) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        classify(base, chunk.count)
        try parseChunk(base, chunk.count, onRow)
    }

    /// Checks `chunk` with `validator` (as `UTF8Validator.validate` would), then, when it is valid
    /// UTF-8 so far, parses the records it completes. Returns false, without parsing, when it is not.
    /// (Inlined so that `onRow` is inlined into the loop over a batch's records.)
    @inline(__always)
    mutating func feed(
        _ chunk: UnsafeRawBufferPointer, validating validator: inout UTF8Validator, _ onRow: (borrowing Row) throws -> Void
    ) throws -> Bool {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return true }
        classify(base, chunk.count)
        guard validator.validate(chunk, high: UnsafePointer(storage.masks + storage.maskWords)) else { return false }
        try parseChunk(base, chunk.count, onRow)
        return true
    }

    /// Parses what is left at the end of the input.
    public mutating func finish(_ onRow: (borrowing Row) throws -> Void) throws {
        if atStart {
            stripByteOrderMark()
            atStart = false
        }
        guard carryCount > 0 else { return }
        _ = try parseCarry(final: true, onRow)
    }

    // MARK: Chunks

    /// Fills the bitmaps for `base[0..<count)`.
    private func classify(_ base: UnsafeRawPointer, _ count: Int) {
        let words = (count + 63) >> 6
        if words > storage.maskWords {
            storage.masks.deallocate()
            storage.maskWords = max(words, 2 * storage.maskWords)
            storage.masks = .allocate(capacity: 3 * storage.maskWords)
        }
        let masks = storage.masks
        let capacity = storage.maskWords
        hedui_csv_classify(base.assumingMemoryBound(to: UInt8.self), count, masks, masks + capacity, masks + 2 * capacity)
    }

    /// Parses a chunk whose bitmaps are filled. (Inlined, with `parse` and `emit`, into `feed`.)
    @inline(__always)
    private mutating func parseChunk(_ base: UnsafeRawPointer, _ count: Int, _ onRow: (borrowing Row) throws -> Void) throws {
        var from = 0
        if atStart {
            // The byte order mark may be cut by chunk ends: the start goes through the carry.
            appendCarry(base, count)
            if carryCount < 3 { return }
            stripByteOrderMark()
            atStart = false
            _ = try parseCarry(final: false, onRow)
            return
        }
        if carryCount > 0 {
            // Complete the cut record with the chunk up to its first line feed.
            guard let feed = memchrLineFeed(base, count) else {
                appendCarry(base, count)
                return
            }
            from = feed + 1
            appendCarry(base, from)
            _ = try parseCarry(final: false, onRow)
            if carryCount > 0 {
                // Still open (a quoted field holding a line break, or a closing quote or comma
                // at the end): the rest of the chunk is parsed in the carry, as a whole.
                appendCarry(base + from, count - from)
                _ = try parseCarry(final: false, onRow)
                return
            }
        }
        let consumed = try parse(
            base, from: from, count: count, masks: storage.masks, maskWords: storage.maskWords, final: false, onRow)
        if consumed < count { appendCarry(base + consumed, count - consumed) }
    }

    private func memchrLineFeed(_ base: UnsafeRawPointer, _ count: Int) -> Int? {
        // The event bitmap of this chunk is filled: the first marked byte that is a line feed.
        let masks = storage.masks
        let words = (count + 63) >> 6
        for w in 0..<words {
            var m = masks[w]
            while m != 0 {
                let i = w << 6 + m.trailingZeroBitCount
                if base.load(fromByteOffset: i, as: UInt8.self) == 0x0A { return i }
                m &= m &- 1
            }
        }
        return nil
    }

    private mutating func appendCarry(_ bytes: UnsafeRawPointer, _ count: Int) {
        guard count > 0 else { return }
        if carryCount + count > storage.carryCapacity {
            var capacity = storage.carryCapacity * 2
            while capacity < carryCount + count { capacity *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            larger.copyMemory(from: storage.carry, byteCount: carryCount)
            storage.carry.deallocate()
            storage.carry = larger
            storage.carryCapacity = capacity
        }
        (storage.carry + carryCount).copyMemory(from: bytes, byteCount: count)
        carryCount += count
    }

    private mutating func stripByteOrderMark() {
        let c = storage.carry
        if carryCount >= 3, c.load(as: UInt8.self) == 0xEF, c.load(fromByteOffset: 1, as: UInt8.self) == 0xBB,
            c.load(fromByteOffset: 2, as: UInt8.self) == 0xBF
        {
            c.copyMemory(from: c + 3, byteCount: carryCount - 3)
            carryCount -= 3
        }
    }

    /// Parses the carry (with its own bitmaps) and keeps what is not consumed.
    private mutating func parseCarry(final: Bool, _ onRow: (borrowing Row) throws -> Void) throws -> Int {
        let count = carryCount
        guard count > 0 else { return 0 }
        let words = (count + 63) >> 6
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: 3 * words)
        defer { masks.deallocate() }
        let carry = storage.carry
        hedui_csv_classify(carry.assumingMemoryBound(to: UInt8.self), count, masks, masks + words, masks + 2 * words)
        let consumed = try parse(UnsafeRawPointer(carry), from: 0, count: count, masks: masks, maskWords: words, final: final, onRow)
        if consumed > 0 {
            carry.copyMemory(from: carry + consumed, byteCount: count - consumed)
            carryCount = count - consumed
        }
        return consumed
    }

    // MARK: Records

    /// Whether a lone unquoted field holds only spaces, tabs or carriage returns (an empty line).
    private static func isBlank(_ span: FieldSpan) -> Bool {
        for i in 0..<Int(span.count) {
            let b = span.start.load(fromByteOffset: i, as: UInt8.self)
            if b != 0x20 && b != 0x0D && b != 0x09 { return false }
        }
        return true
    }

    /// The walk over the set bits of one chunk's event bitmap (see `hedui_csv_classify`): the word
    /// at `event`, which covers the bytes from `word` on, its events not yet taken (`m`), and its
    /// non-ASCII bits from the current field's start on (`h`, whose bit 0 also stands for non-ASCII
    /// bytes of the field in earlier words).
    private struct Walk {
        let base: UnsafeRawPointer
        let events: UnsafePointer<UInt64>
        let high: UnsafePointer<UInt64>
        /// The last word of the event bitmap.
        let last: UnsafePointer<UInt64>
        var event: UnsafePointer<UInt64>
        var word: UnsafeRawPointer
        var m: UInt64 = 0
        var h: UInt64 = 0

        init(_ base: UnsafeRawPointer, count: Int, masks: UnsafePointer<UInt64>, maskWords: Int) {
            self.base = base
            events = masks
            high = masks + maskWords
            last = masks + ((count + 63) >> 6 - 1)
            event = masks
            word = base
        }

        /// Moves to `p`, the start of a field (or what follows a closing quote).
        mutating func seek(_ p: UnsafeRawPointer) {
            let offset = p - base
            event = events + offset >> 6
            if event <= last {
                word = base + offset & ~63
                let from: UInt64 = ~0 << UInt64(offset & 63)
                m = event.pointee & from
                h = high[event - events] & from
            } else {
                event = last
                m = 0
                h = 0
            }
        }

        /// Loads the next word holding an event (`m` is empty); false at the end of the input.
        @inline(__always)
        mutating func refill() -> Bool {
            repeat {
                guard event != last else { return false }
                let carried: UInt64 = h != 0 ? 1 : 0
                event += 1
                word += 64
                m = event.pointee
                h = high[event - events] | carried
            } while m == 0
            return true
        }

        /// Takes the next event (`m` is not empty): where it is, and whether a non-ASCII byte comes
        /// before it since the previous one (or the last `seek`).
        @inline(__always)
        mutating func take() -> (at: UnsafeRawPointer, high: Bool) {
            let below = m &- 1
            let upTo = m ^ below
            let at = word + m.trailingZeroBitCount
            m &= below
            let fieldHigh = h & upTo
            h ^= fieldHigh
            return (at, fieldHigh != 0)
        }

        /// Whether `start..<end` holds a byte >= 0x80.
        func hasHigh(_ start: UnsafeRawPointer, _ end: UnsafeRawPointer) -> Bool {
            var i = start - base
            let end = end - base
            while i < end {
                let k = i >> 6
                let bits = high[k] & (~0 << UInt64(i & 63))
                if bits != 0 { return k << 6 &+ bits.trailingZeroBitCount < end }
                i = (k &+ 1) << 6
            }
            return false
        }
    }

    /// The spans of the record being split: `next` is where its next field goes. There is room for
    /// 65 spans past `limit` (the events of one bitmap word and a last field), so fields are stored
    /// with one capacity check per word.
    private struct Spans {
        var first: UnsafeMutablePointer<FieldSpan>
        var next: UnsafeMutablePointer<FieldSpan>
        var capacity: Int
        var limit: UnsafeMutablePointer<FieldSpan>

        init(_ first: UnsafeMutablePointer<FieldSpan>, capacity: Int) {
            self.first = first
            next = first
            self.capacity = capacity
            limit = first + (capacity - 65)
        }

        var count: Int {
            Int(UInt(bitPattern: next) &- UInt(bitPattern: first)) / MemoryLayout<FieldSpan>.stride
        }

        @inline(__always)
        mutating func append(_ start: UnsafeRawPointer, _ end: UnsafeRawPointer, ascii: Bool, escaped: Bool = false) {
            next.initialize(
                to: FieldSpan(start: start, count: Int32(truncatingIfNeeded: end - start), ascii: ascii, escaped: escaped))
            next += 1
        }

        /// Makes room for 65 more spans.
        @inline(__always)
        mutating func reserve() {
            if next > limit { grow() }
        }

        @inline(never)
        mutating func grow() {
            let used = next - first
            let larger = UnsafeMutablePointer<FieldSpan>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: first, count: used)
            (larger + used).initialize(repeating: .unused, count: capacity * 2 - used)
            first.deallocate()
            first = larger
            next = larger + used
            capacity *= 2
            limit = first + (capacity - 65)
        }
    }

    /// Parses the complete records of `base[from..<count)` (`masks`: its event bitmap words, then its
    /// non-ASCII ones and its quote ones, `maskWords` each, as `hedui_csv_classify` fills them);
    /// returns the offset after the last one.
    ///
    /// Records go through `hedui_csv_split` in batches (one walk over the set bits of the event
    /// bitmap); the record where a batch stops (one with a quoted field other than `"text"`, or that
    /// the input ends inside) goes through `parseRecord`, then batches resume.
    ///
    /// - Complexity: O(`count` / 64) words plus O(1) per field outside quotes; quoted fields O(length).
    @inline(__always)
    private mutating func parse(
        _ base: UnsafeRawPointer, from: Int, count: Int, masks: UnsafePointer<UInt64>, maskWords: Int, final: Bool,
        _ onRow: (borrowing Row) throws -> Void
    ) throws -> Int {
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let high = masks + maskWords
        let quotes = masks + 2 * maskWords
        var pos = from
        while pos < count {
            var stop = 0
            var full = false
            let spans = storage.spans
            let ends = storage.recordEnds
            let records = hedui_csv_split(
                bytes, count, masks, high, quotes, pos, UnsafeMutableRawPointer(spans), Storage.batchCapacity, ends, &stop,
                &full)
            if records > 0 { try emit(records, spans, ends, onRow) }
            pos = stop
            if full && records > 0 { continue }
            guard pos < count,
                let next = try parseRecord(base, at: pos, count: count, masks: masks, maskWords: maskWords, final: final, onRow)
            else { break }
            pos = next
        }
        return pos
    }

    /// Hands out the `records` records split by `hedui_csv_split` (each on one line).
    @inline(__always)
    private mutating func emit(
        _ records: Int, _ spans: UnsafeMutablePointer<FieldSpan>, _ ends: UnsafeMutablePointer<UInt32>,
        _ onRow: (borrowing Row) throws -> Void
    ) throws {
        var currentLine = line
        var recordCount = self.recordCount
        defer {
            line = currentLine
            self.recordCount = recordCount
        }
        var first = 0
        for k in 0..<records {
            let end = Int(ends[k])
            let fields = spans + first
            let fieldCount = end &- first
            first = end
            let recordLine = currentLine
            currentLine &+= 1
            if fieldCount == 1 && Self.isBlank(fields[0]) { continue }
            recordCount &+= 1
            try onRow(Row(fields: UnsafeBufferPointer(start: fields, count: fieldCount), line: recordLine))
        }
    }

    /// Parses the one record (or empty line) at `at`, the general way: one walk over the set bits of the
    /// event bitmap, where a comma ends a field, a line feed the record, and a marked quote opens a
    /// quoted field, scanned byte by byte before the walk resumes after it. Hands the record to `onRow`
    /// (unless it is blank) and returns the offset after it; nil when the input ends inside it (and
    /// more may come).
    private mutating func parseRecord(
        _ base: UnsafeRawPointer, at: Int, count: Int, masks: UnsafePointer<UInt64>, maskWords: Int, final: Bool,
        _ onRow: (borrowing Row) throws -> Void
    ) throws -> Int? {
        var spans = Spans(storage.spans, capacity: storage.spanCapacity)
        defer {
            storage.spans = spans.first
            storage.spanCapacity = spans.capacity
        }
        let end = base + count
        let quote = UInt8(ascii: "\"")
        var walk = Walk(base, count: count, masks: masks, maskWords: maskWords)
        let recordStart = base + at
        let recordLine = line
        var lines = 0
        var anyEscaped = false
        var quotedStart = false
        var start = recordStart
        var pos = recordStart
        walk.seek(start)
        spans.reserve()
        fieldLoop: while true {
            if walk.m == 0 {
                guard walk.refill() else {
                    // The last field runs to the end of the input.
                    guard final else { return nil }
                    var fieldEnd = end
                    if fieldEnd > start && fieldEnd.load(fromByteOffset: -1, as: UInt8.self) == 0x0D { fieldEnd -= 1 }
                    spans.append(start, fieldEnd, ascii: walk.h == 0)
                    pos = end
                    break fieldLoop
                }
                spans.reserve()
            }
            let (separator, fieldHigh) = walk.take()
            let b = separator.load(as: UInt8.self)
            if b == UInt8(ascii: ",") {
                spans.append(start, separator, ascii: !fieldHigh)
                start = separator + 1
                continue
            }
            if b == 0x0A {
                // A carriage return before the line feed is not data.
                var fieldEnd = separator
                if fieldEnd > start && fieldEnd.load(fromByteOffset: -1, as: UInt8.self) == 0x0D { fieldEnd -= 1 }
                spans.append(start, fieldEnd, ascii: !fieldHigh)
                lines += 1
                pos = separator + 1
                break fieldLoop
            }
            // A quote at the field's start (`separator == start`): a quoted field. `""` is unescaped
            // only once the record is complete, because an incomplete record is parsed again with the
            // next chunk.
            if spans.next == spans.first { quotedStart = true }
            let fieldStart = separator + 1
            var p = fieldStart
            var escaped = false
            while true {
                guard p < end else {
                    if final { throw UnterminatedQuote(line: recordLine) }
                    return nil
                }
                let c = p.load(as: UInt8.self)
                if c == quote {
                    if p + 1 < end && p.load(fromByteOffset: 1, as: UInt8.self) == quote {
                        escaped = true
                        p += 2
                        continue
                    }
                    if p + 1 >= end && !final { return nil }
                    p += 1
                    break
                }
                if c == 0x0A { lines += 1 }
                p += 1
            }
            anyEscaped = anyEscaped || escaped
            spans.append(fieldStart, p - 1, ascii: !walk.hasHigh(fieldStart, p - 1), escaped: escaped)
            // Skip anything after the closing quote up to the next comma or line feed (lenient on
            // `"a" ,`); no quote there is marked, as none follows a separator.
            walk.seek(p)
            spans.reserve()
            guard walk.m != 0 || walk.refill() else {
                guard final else { return nil }
                pos = end
                break fieldLoop
            }
            spans.reserve()
            let (next, _) = walk.take()
            if next.load(as: UInt8.self) == UInt8(ascii: ",") {
                start = next + 1
                continue
            }
            lines += 1
            pos = next + 1
            break fieldLoop
        }
        line = recordLine + lines
        let fieldCount = spans.count
        if fieldCount == 1 && !quotedStart && Self.isBlank(spans.first[0]) { return pos - base }
        recordCount += 1
        if anyEscaped { unescape(spans.first, fieldCount, recordBytes: pos - recordStart) }
        try onRow(Row(fields: UnsafeBufferPointer(start: spans.first, count: fieldCount), line: recordLine))
        return pos - base
    }

    /// Undoes the `""` escapes of the record's quoted fields, into `storage.unescaped`.
    private func unescape(_ spans: UnsafeMutablePointer<FieldSpan>, _ fieldCount: Int, recordBytes: Int) {
        if storage.unescapedCapacity < recordBytes {
            storage.unescaped.deallocate()
            storage.unescapedCapacity = max(recordBytes, 2 * storage.unescapedCapacity)
            storage.unescaped = .allocate(byteCount: storage.unescapedCapacity, alignment: 16)
        }
        var write = storage.unescaped
        for k in 0..<fieldCount where spans[k].escaped {
            let source = spans[k].start
            let end = Int(spans[k].count)
            let fieldStart = write
            var read = 0
            while read < end {
                let b = source.load(fromByteOffset: read, as: UInt8.self)
                write.storeBytes(of: b, as: UInt8.self)
                read += b == UInt8(ascii: "\"") ? 2 : 1
                write += 1
            }
            spans[k].start = UnsafeRawPointer(fieldStart)
            spans[k].count = Int32(truncatingIfNeeded: write - fieldStart)
        }
    }
}
