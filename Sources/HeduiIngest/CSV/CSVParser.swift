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
/// (`hedui_csv_classify`) marks the commas, line feeds and non-ASCII bytes of the chunk in
/// bitmaps, and fields are cut at the marked separators. Only the record cut by the chunk's end
/// is copied (into `carry`) and completed with the start of the next chunk. The same bitmaps tell,
/// per field, whether it is plain ASCII, and let the UTF-8 check look at non-ASCII bytes only.
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
        /// A quoted field holding `""`, unescaped once its record is complete.
        var escaped: Bool
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
        /// Separator bitmap words, then as many non-ASCII bitmap words.
        var masks: UnsafeMutablePointer<UInt64>
        var maskWords: Int
        var spans: UnsafeMutablePointer<FieldSpan>
        var spanCapacity: Int
        /// Where `""` escapes are undone.
        var unescaped: UnsafeMutableRawPointer
        var unescapedCapacity: Int

        init() {
            carryCapacity = 1 << 12
            carry = .allocate(byteCount: carryCapacity, alignment: 16)
            maskWords = 1 << 12
            masks = .allocate(capacity: 2 * maskWords)
            spanCapacity = 64
            spans = .allocate(capacity: spanCapacity)
            unescapedCapacity = 1 << 10
            unescaped = .allocate(byteCount: unescapedCapacity, alignment: 16)
        }

        deinit {
            carry.deallocate()
            masks.deallocate()
            spans.deallocate()
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
            storage.masks = .allocate(capacity: 2 * storage.maskWords)
        }
        hedui_csv_classify(base.assumingMemoryBound(to: UInt8.self), count, storage.masks, storage.masks + storage.maskWords)
    }

    /// Parses a chunk whose bitmaps are filled.
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
        // The separator bitmap of this chunk is filled: the first marked byte that is a line feed.
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
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * words)
        defer { masks.deallocate() }
        let carry = storage.carry
        hedui_csv_classify(carry.assumingMemoryBound(to: UInt8.self), count, masks, masks + words)
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

    /// Parses the complete records of `base[from..<count)` (`masks`: its separator bitmap words,
    /// then its non-ASCII ones, `maskWords` each); returns the offset after the last one.
    private mutating func parse(
        _ base: UnsafeRawPointer, from: Int, count: Int, masks: UnsafePointer<UInt64>, maskWords: Int, final: Bool,
        _ onRow: (borrowing Row) throws -> Void
    ) throws -> Int {
        let separators = masks
        let high = masks + maskWords
        let words = (count + 63) >> 6
        var consumed = from
        var currentLine = line
        var recordCount = self.recordCount
        var spans = storage.spans
        var spanCapacity = storage.spanCapacity
        defer {
            line = currentLine
            self.recordCount = recordCount
            storage.spans = spans
            storage.spanCapacity = spanCapacity
        }
        @inline(__always) func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }
        /// The next comma or line feed at or after `i`, or `count`.
        @inline(__always) func nextSeparator(_ i: Int) -> Int {
            var w = i >> 6
            guard w < words else { return count }
            var m = separators[w] & (~0 << UInt64(i & 63))
            while m == 0 {
                w &+= 1
                if w == words { return count }
                m = separators[w]
            }
            return w << 6 &+ m.trailingZeroBitCount
        }
        /// The next byte >= 0x80 at or after `i`, or `count`.
        @inline(__always) func nextHigh(_ i: Int) -> Int {
            var w = i >> 6
            guard w < words else { return count }
            var m = high[w] & (~0 << UInt64(i & 63))
            while m == 0 {
                w &+= 1
                if w == words { return count }
                m = high[w]
            }
            return w << 6 &+ m.trailingZeroBitCount
        }
        // The first non-ASCII byte at or after the current field's start (fields move forward only).
        var high0 = nextHigh(from)
        /// Whether `start..<end` holds a byte >= 0x80 (`start` at or after the previous call's).
        @inline(__always) func hasHigh(_ start: Int, _ end: Int) -> Bool {
            if high0 < start { high0 = nextHigh(start) }
            return high0 < end
        }
        var pos = from
        recordLoop: while pos < count {
            let recordStart = pos
            let recordLine = currentLine
            var fieldCount = 0
            var linesInRecord = 0
            var anyEscaped = false
            var quotedStart = false
            fieldLoop: while true {
                if fieldCount == spanCapacity {
                    let larger = UnsafeMutablePointer<FieldSpan>.allocate(capacity: spanCapacity * 2)
                    larger.moveInitialize(from: spans, count: fieldCount)
                    spans.deallocate()
                    spans = larger
                    spanCapacity *= 2
                }
                if pos < count && byte(pos) == UInt8(ascii: "\"") {
                    // Quoted field. `""` is unescaped only once the record is complete,
                    // because an incomplete record is parsed again with the next chunk.
                    if fieldCount == 0 { quotedStart = true }
                    pos += 1
                    let start = pos
                    var escaped = false
                    while true {
                        guard pos < count else {
                            if final { throw UnterminatedQuote(line: recordLine) }
                            break recordLoop
                        }
                        let b = byte(pos)
                        if b == UInt8(ascii: "\"") {
                            if pos + 1 < count && byte(pos + 1) == UInt8(ascii: "\"") {
                                escaped = true
                                pos += 2
                                continue
                            }
                            if pos + 1 >= count && !final { break recordLoop }
                            pos += 1
                            break
                        }
                        if b == 0x0A { linesInRecord += 1 }
                        pos += 1
                    }
                    let end = pos - 1
                    anyEscaped = anyEscaped || escaped
                    (spans + fieldCount).initialize(
                        to: FieldSpan(
                            start: base + start, count: Int32(truncatingIfNeeded: end &- start), ascii: !hasHigh(start, end),
                            escaped: escaped))
                    fieldCount &+= 1
                    // After the closing quote: skip anything up to the separator (lenient on `"a" ,`).
                    pos = nextSeparator(pos)
                    guard pos < count else {
                        if !final { break recordLoop }
                        break fieldLoop
                    }
                    if byte(pos) == UInt8(ascii: ",") {
                        pos += 1
                        if pos == count && !final { break recordLoop }
                        continue fieldLoop
                    }
                    // Line feed ends the record.
                    pos += 1
                    linesInRecord += 1
                    break fieldLoop
                }
                // Unquoted fields, one after another while a comma ends them and no quote opens the next.
                var start = pos
                while true {
                    pos = nextSeparator(start)
                    if pos < count && byte(pos) == UInt8(ascii: ",") {
                        (spans + fieldCount).initialize(
                            to: FieldSpan(
                                start: base + start, count: Int32(truncatingIfNeeded: pos &- start), ascii: !hasHigh(start, pos),
                                escaped: false))
                        fieldCount &+= 1
                        pos &+= 1
                        if pos == count && !final { break recordLoop }
                        if fieldCount == spanCapacity || (pos < count && byte(pos) == UInt8(ascii: "\"")) { continue fieldLoop }
                        start = pos
                        continue
                    }
                    // The last field: a line feed or the end of the input follows.
                    var end = pos
                    // A carriage return before the line feed (or the end of the input) is not data.
                    if (pos < count || final) && end > start && byte(end - 1) == 0x0D { end -= 1 }
                    (spans + fieldCount).initialize(
                        to: FieldSpan(
                            start: base + start, count: Int32(truncatingIfNeeded: end &- start), ascii: !hasHigh(start, end),
                            escaped: false))
                    fieldCount &+= 1
                    break
                }
                guard pos < count else {
                    if !final { break recordLoop }
                    break fieldLoop
                }
                // Line feed ends the record.
                pos += 1
                linesInRecord += 1
                break fieldLoop
            }
            currentLine = recordLine + linesInRecord
            consumed = pos
            if fieldCount == 1 && !spans[0].escaped && !quotedStart && Self.isBlank(spans[0]) {
                if pos == count && final && recordStart == pos { break }
                continue recordLoop
            }
            recordCount += 1
            if anyEscaped { unescape(spans, fieldCount, recordBytes: pos - recordStart) }
            try onRow(Row(fields: UnsafeBufferPointer(start: spans, count: fieldCount), line: recordLine))
        }
        return consumed
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
            spans[k].count = Int32(write - fieldStart)
        }
    }
}
