/// The CSV splitter as it was before the in-place one (commit 97ff07d), kept as the reference the
/// new `CSVParser` is checked against: a growing buffer, one byte or eight at a time.

/// A streaming RFC 4180 parser: comma separator, `"` quoting with `""` escapes, line breaks
/// inside quotes, LF or CRLF line ends, a missing final line end, a leading UTF-8 BOM.
///
/// Bytes are pushed in chunks of any size; each complete record is handed to the
/// callback with the physical line on which it starts (1-based). Empty lines (and lines
/// holding only spaces) are skipped but counted. Memory holds one chunk plus one
/// partial record, whatever the file's size.
struct ReferenceCSVParser {
    /// One parsed record; the field views are valid only during the callback.
    struct Row {
        let buffer: UnsafeRawBufferPointer
        let fields: UnsafeBufferPointer<FieldSpan>
        /// The physical line where the record starts (the header is line 1).
        let line: Int

        init(buffer: UnsafeRawBufferPointer, fields: UnsafeBufferPointer<FieldSpan>, line: Int) {
            self.buffer = buffer
            self.fields = fields
            self.line = line
        }

        var count: Int { fields.count }

        /// The bytes of field `i` (quotes removed, `""` unescaped).
        func field(_ i: Int) -> UnsafeRawBufferPointer {
            let f = fields[i]
            return UnsafeRawBufferPointer(rebasing: buffer[Int(f.start)..<Int(f.end)])
        }
    }

    struct FieldSpan {
        var start: Int32
        var end: Int32
        /// A quoted field holding `""`, unescaped once its record is complete.
        var escaped: Bool = false
    }

    /// A quote left open at the end of the input.
    struct UnterminatedQuote: Error, Sendable {
        let line: Int
    }

    private var buffer: [UInt8] = []
    private var spans: [FieldSpan] = []
    private var line = 1
    private var atStart = true
    /// Records handed out so far (empty lines excluded).
    private(set) var recordCount = 0

    init() {
        buffer.reserveCapacity(1 << 18)
        spans.reserveCapacity(32)
    }

    /// Parses the records completed by `chunk`.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ onRow: (borrowing Row) throws -> Void) throws {
        buffer.append(contentsOf: chunk)
        try parse(final: false, onRow)
    }

    /// Parses what is left at the end of the input.
    mutating func finish(_ onRow: (borrowing Row) throws -> Void) throws {
        try parse(final: true, onRow)
    }

    /// Whether a lone unquoted field holds only spaces, tabs or carriage returns (an empty line).
    private static func isBlank(_ base: UnsafeMutablePointer<UInt8>, _ span: FieldSpan, quoted: Bool) -> Bool {
        if quoted { return false }
        for i in Int(span.start)..<Int(span.end) where base[i] != 0x20 && base[i] != 0x0D && base[i] != 0x09 { return false }
        return true
    }

    private mutating func parse(final: Bool, _ onRow: (borrowing Row) throws -> Void) throws {
        if atStart {
            if buffer.count < 3 && !final { return }
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                buffer.removeFirst(3)
            }
            atStart = false
        }
        var consumed = 0
        var currentLine = line
        let count = buffer.count
        // Locals, not stored properties, inside the loop: no dynamic exclusivity checks per record.
        var spans = self.spans
        self.spans = []
        var recordCount = self.recordCount
        defer {
            self.spans = spans
            self.recordCount = recordCount
        }
        try buffer.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var pos = 0
            recordLoop: while pos < count {
                let recordStart = pos
                let recordLine = currentLine
                spans.removeAll(keepingCapacity: true)
                var linesInRecord = 0
                fieldLoop: while true {
                    if pos < count && base[pos] == UInt8(ascii: "\"") {
                        // Quoted field. `""` is unescaped only once the record is complete,
                        // because an incomplete record is parsed again with the next chunk.
                        pos += 1
                        let start = pos
                        var escaped = false
                        while true {
                            guard pos < count else {
                                if final { throw UnterminatedQuote(line: recordLine) }
                                break recordLoop
                            }
                            let b = base[pos]
                            if b == UInt8(ascii: "\"") {
                                if pos + 1 < count && base[pos + 1] == UInt8(ascii: "\"") {
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
                        let write = pos - 1
                        spans.append(FieldSpan(start: Int32(start), end: Int32(write), escaped: escaped))
                        // After the closing quote: skip anything up to the separator (lenient on `"a" ,`).
                        while pos < count && base[pos] != UInt8(ascii: ",") && base[pos] != 0x0A { pos += 1 }
                    } else {
                        let start = pos
                        // Eight bytes at a time to the next comma or line feed (SWAR: a byte of
                        // w ^ pattern is zero where w holds that character).
                        while pos + 8 <= count {
                            let w = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
                            let commas = w ^ 0x2C2C_2C2C_2C2C_2C2C
                            let feeds = w ^ 0x0A0A_0A0A_0A0A_0A0A
                            let hit =
                                ((commas &- 0x0101_0101_0101_0101) & ~commas | (feeds &- 0x0101_0101_0101_0101) & ~feeds)
                                & 0x8080_8080_8080_8080
                            if hit != 0 {
                                pos += hit.trailingZeroBitCount >> 3
                                break
                            }
                            pos += 8
                        }
                        while pos < count {
                            let b = base[pos]
                            if b == UInt8(ascii: ",") || b == 0x0A { break }
                            pos += 1
                        }
                        var end = pos
                        if pos < count || final {
                            if end > start && base[end - 1] == 0x0D && (pos == count || base[pos] == 0x0A) { end -= 1 }
                        }
                        spans.append(FieldSpan(start: Int32(start), end: Int32(end)))
                    }
                    guard pos < count else {
                        if !final { break recordLoop }
                        break fieldLoop
                    }
                    if base[pos] == UInt8(ascii: ",") {
                        pos += 1
                        if pos == count && !final { break recordLoop }
                        continue fieldLoop
                    }
                    // Line feed ends the record.
                    pos += 1
                    linesInRecord += 1
                    break fieldLoop
                }
                currentLine = recordLine + linesInRecord
                consumed = pos
                if spans.count == 1 && !spans[0].escaped && Self.isBlank(base, spans[0], quoted: base[recordStart] == UInt8(ascii: "\"")) {
                    if pos == count && final && recordStart == pos { break }
                    continue recordLoop
                }
                recordCount += 1
                for k in spans.indices where spans[k].escaped {
                    var read = Int(spans[k].start)
                    var write = read
                    let end = Int(spans[k].end)
                    while read < end {
                        base[write] = base[read]
                        read += base[read] == UInt8(ascii: "\"") ? 2 : 1
                        write += 1
                    }
                    spans[k].end = Int32(write)
                }
                try spans.withUnsafeBufferPointer { fields in
                    let row = Row(buffer: UnsafeRawBufferPointer(raw), fields: fields, line: recordLine)
                    try onRow(row)
                }
            }
        }
        line = currentLine
        if consumed > 0 { buffer.removeFirst(consumed) }
    }
}
