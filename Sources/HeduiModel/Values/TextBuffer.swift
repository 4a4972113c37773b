/// A growable byte buffer for writing output text (JSON lines, CSV rows) and compact records fast: raw memory, no
/// uniqueness check per byte as `[UInt8].append` has, inlinable so that each call compiles to
/// a few instructions in the module that writes.
///
/// Copies share the buffer: keep one per writer and do not copy it.
public struct TextBuffer: @unchecked Sendable {
    @usableFromInline final class Storage {
        @usableFromInline var base: UnsafeMutableRawPointer
        @usableFromInline var capacity: Int

        @usableFromInline init(capacity: Int) {
            base = .allocate(byteCount: capacity, alignment: 8)
            self.capacity = capacity
        }

        @usableFromInline func grow(toHold needed: Int, keeping count: Int) {
            var size = capacity * 2
            while size < needed { size *= 2 }
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            bigger.copyMemory(from: base, byteCount: count)
            base.deallocate()
            base = bigger
            capacity = size
        }

        deinit { base.deallocate() }
    }

    @usableFromInline let storage: Storage
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var written = 0

    public init(capacity: Int = 4096) {
        storage = Storage(capacity: max(64, capacity))
        base = storage.base
        self.capacity = storage.capacity
    }

    /// Number of bytes written.
    @inlinable public var count: Int { written }

    /// Calls `body` with the bytes written.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: written))
    }

    /// The bytes written, as an array.
    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: written)) }

    @inlinable @inline(__always)
    public mutating func reserve(_ extra: Int) {
        if written + extra > capacity {
            storage.grow(toHold: written + extra, keeping: written)
            base = storage.base
            capacity = storage.capacity
        }
    }

    /// Forgets the bytes written; keeps the memory.
    @inlinable @inline(__always)
    public mutating func removeAll() { written = 0 }

    /// The byte at `offset` (< count).
    @inlinable @inline(__always)
    public subscript(offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

    /// The integer's bytes, little-endian, unaligned.
    @inlinable @inline(__always)
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: value.littleEndian, toByteOffset: written, as: T.self)
        written += MemoryLayout<T>.size
    }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
        written += 1
    }

    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        reserve(max(n, 32))
        let target = base + written
        if n <= 32 {
            // Most pieces are short (keys, codes, numbers' text, account numbers): overlapping words
            // or a few bytes, inline, instead of a call to memmove.
            if n > 16 {
                target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
                (target + 8).storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), as: UInt64.self)
                (target + n - 16).storeBytes(of: source.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self), as: UInt64.self)
                (target + n - 8).storeBytes(of: source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), as: UInt64.self)
            } else if n >= 8 {
                target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
                (target + n - 8).storeBytes(of: source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), as: UInt64.self)
            } else {
                for i in 0..<n { target.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
            }
        } else {
            target.copyMemory(from: source, byteCount: n)
        }
        written += n
    }

    @inlinable @inline(__always)
    public mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Disfavored so that a literal (`out.append("null")`) takes the `StaticString` overload: Swift
    /// prefers a literal's default type, `String`, which costs a retain and a release per call.
    @inlinable @_disfavoredOverload
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Decimal digits of `value`.
    @inlinable
    public mutating func appendDecimal(_ value: Int64) {
        reserve(20)
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            // File and member indices, counts, flags: most numbers of the output files.
            base.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude), toByteOffset: written, as: UInt8.self)
            written += 1
            return
        }
        var digits = 2
        var probe = magnitude / 100
        while probe > 0 {
            probe /= 10
            digits += 1
        }
        // Two digits per division, from the right, through the table of the pairs "00"..."99".
        let pairs = Self.digitPairs.utf8Start
        var i = written + digits
        while magnitude >= 10 {
            let pair = Int(truncatingIfNeeded: magnitude % 100)
            magnitude /= 100
            i -= 2
            base.storeBytes(of: pairs[2 * pair], toByteOffset: i, as: UInt8.self)
            base.storeBytes(of: pairs[2 * pair + 1], toByteOffset: i + 1, as: UInt8.self)
        }
        if i > written {
            base.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude), toByteOffset: written, as: UInt8.self)
        }
        written += digits
    }

    @usableFromInline
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// A JSON string: quoted, `"` and `\` escaped, control characters as \u00XX, other UTF-8 as is.
    @inlinable
    public mutating func appendJSONString(_ text: String) {
        append(UInt8(ascii: "\""))
        appendJSONStringContent(text)
        append(UInt8(ascii: "\""))
    }

    /// The inside of a JSON string, escaped as `appendJSONString` does: a string written in
    /// pieces between two quotes has the bytes of the whole written at once (escaping is per byte).
    @inlinable
    public mutating func appendJSONStringContent(_ text: String) {
        var text = text
        text.withUTF8 { appendJSONStringContent(UnsafeRawBufferPointer($0)) }
    }

    /// `appendJSONStringContent` for UTF-8 bytes.
    @inlinable
    public mutating func appendJSONStringContent(_ utf8: UnsafeRawBufferPointer) {
        if !Self.needsJSONEscape(utf8) {
            append(utf8)
            return
        }
        let hex: StaticString = "0123456789abcdef"
        for b in utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                append(UInt8(ascii: "\\"))
                append(b)
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                append("\\u00")
                append(hex.utf8Start[Int(b >> 4)])
                append(hex.utf8Start[Int(b & 0xF)])
            default: append(b)
            }
        }
    }

    /// Whether any byte is a control character, `"` or `\\`: eight bytes at a time (`ByteWords`).
    @inlinable
    public static func needsJSONEscape(_ utf8: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = utf8.count
        while i + 8 <= n {
            let w = utf8.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if ByteWords.hasByte(in: w, below: 0x20) || ByteWords.hasByte(in: w, equalTo: UInt8(ascii: "\""))
                || ByteWords.hasByte(in: w, equalTo: UInt8(ascii: "\\"))
            {
                return true
            }
            i += 8
        }
        while i < n {
            let b = utf8[i]
            if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return true }
            i += 1
        }
        return false
    }

    /// `day.description` (`YYYY-MM-DD`), digit by digit.
    @inlinable
    public mutating func append(_ day: Day) {
        let (y, m, d) = day.components
        guard (0...9999).contains(y) else { return append(day.description) }
        reserve(10)
        appendDigits(y, 4)
        append(UInt8(ascii: "-"))
        appendDigits(m, 2)
        append(UInt8(ascii: "-"))
        appendDigits(d, 2)
    }

    /// `month.description` (`YYYY-MM`), digit by digit.
    @inlinable
    public mutating func append(_ month: Month) {
        let y = month.year
        guard (0...9999).contains(y) else { return append(month.description) }
        reserve(7)
        appendDigits(y, 4)
        append(UInt8(ascii: "-"))
        appendDigits(month.month, 2)
    }

    /// `value`'s last `width` decimal digits, zero padded (`value` ≥ 0).
    @inlinable @inline(__always)
    public mutating func appendDigits(_ value: Int, _ width: Int) {
        reserve(width)
        var rest = value
        var i = written + width - 1
        while i >= written {
            base.storeBytes(of: UInt8(ascii: "0") + UInt8(rest % 10), toByteOffset: i, as: UInt8.self)
            rest /= 10
            i -= 1
        }
        written += width
    }
}
