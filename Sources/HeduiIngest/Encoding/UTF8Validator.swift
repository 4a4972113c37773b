/// Checks a byte stream for valid UTF-8 incrementally (sequences may span chunks).
///
/// A CSV file that is not valid UTF-8 is read as GB18030 (exchange-formats.md);
/// this decides which. ASCII runs are skipped eight bytes at a time.
struct UTF8Validator {
    private var pending = 0  // continuation bytes still expected
    private var lowerBound: UInt8 = 0x80
    private var upperBound: UInt8 = 0xBF
    private(set) var sawNonASCII = false

    /// Returns false at the first byte that cannot be UTF-8.
    mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return true }
        var i = 0
        while i < n {
            if pending == 0 {
                // Fast path over ASCII, 8 bytes at a time.
                while i + 8 <= n {
                    let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 != 0 { break }
                    i += 8
                }
                guard i < n else { break }
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                i += 1
                if b < 0x80 { continue }
                guard begin(b) else { return false }
            } else {
                guard follow(base.load(fromByteOffset: i, as: UInt8.self)) else { return false }
                i += 1
            }
        }
        return true
    }

    /// `validate` for bytes whose non-ASCII bytes are marked in `high` (bit i of word i / 64 set when
    /// byte i >= 0x80, as `hedui_csv_classify` makes it): ASCII runs are skipped by the bitmap.
    mutating func validate(_ bytes: UnsafeRawBufferPointer, high: UnsafePointer<UInt64>) -> Bool {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return true }
        let words = (n + 63) >> 6
        var i = 0
        while i < n {
            if pending == 0 {
                // The next non-ASCII byte, from the bitmap.
                var w = i >> 6
                var m = high[w] & (~0 << UInt64(i & 63))
                while m == 0 {
                    w += 1
                    if w == words { return true }
                    m = high[w]
                }
                i = w << 6 &+ m.trailingZeroBitCount
                // A run of the common 3-byte characters (most CJK) without the bitmap: two at a time,
                // then one; whatever else comes next goes round again (ASCII by the bitmap, other
                // sequences byte by byte). Checking eight at a time (three words) did not pay: most
                // runs are names of two to four characters.
                let runStart = i
                while i &+ 8 <= n, Self.twoCommonCharacters(base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i &+= 6 }
                if i &+ 4 <= n, Self.commonCharacter(base.loadUnaligned(fromByteOffset: i, as: UInt32.self)) { i &+= 3 }
                if i != runStart {
                    sawNonASCII = true
                    continue
                }
                let b = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                // Most CJK characters (lead E1–EC, EE–EF, any continuation bytes): both at once.
                if (0xE1...0xEC).contains(b) || b == 0xEE || b == 0xEF, i &+ 1 < n,
                    base.load(fromByteOffset: i, as: UInt8.self) & 0xC0 == 0x80,
                    base.load(fromByteOffset: i &+ 1, as: UInt8.self) & 0xC0 == 0x80
                {
                    sawNonASCII = true
                    i &+= 2
                    continue
                }
                guard begin(b) else { return false }
            } else {
                guard follow(base.load(fromByteOffset: i, as: UInt8.self)) else { return false }
                i += 1
            }
        }
        return true
    }

    /// Whether the first three bytes of `w` (first byte low) are a character with lead E1–EC or
    /// EE–EF and two continuation bytes: valid UTF-8 whatever the continuation bytes (E0 and ED
    /// limit them, and are left to `begin`).
    @inline(__always)
    static func commonCharacter(_ w: UInt32) -> Bool {
        let lead = w & 0x0F
        return w & 0x00C0_C0F0 == 0x0080_80E0 && lead != 0 && lead != 0x0D
    }

    /// `commonCharacter` for the first six bytes of `w`: two such characters.
    @inline(__always)
    static func twoCommonCharacters(_ w: UInt64) -> Bool {
        let first = w & 0x0F
        let second = (w >> 24) & 0x0F
        return w & 0x0000_C0C0_F0C0_C0F0 == 0x0000_8080_E080_80E0 && first != 0 && first != 0x0D && second != 0
            && second != 0x0D
    }

    /// A non-ASCII lead byte: how many continuation bytes follow and their range; false when no
    /// character starts with it.
    @inline(__always)
    private mutating func begin(_ b: UInt8) -> Bool {
        sawNonASCII = true
        lowerBound = 0x80
        upperBound = 0xBF
        switch b {
        case 0xC2...0xDF: pending = 1
        case 0xE0: pending = 2; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: pending = 2
        case 0xED: pending = 2; upperBound = 0x9F
        case 0xF0: pending = 3; lowerBound = 0x90
        case 0xF1...0xF3: pending = 3
        case 0xF4: pending = 3; upperBound = 0x8F
        default: return false
        }
        return true
    }

    /// A continuation byte: false when it is out of the range the lead byte allows.
    @inline(__always)
    private mutating func follow(_ b: UInt8) -> Bool {
        guard b >= lowerBound && b <= upperBound else { return false }
        lowerBound = 0x80
        upperBound = 0xBF
        pending -= 1
        return true
    }

    /// Whether the input ended on a complete character.
    var isComplete: Bool { pending == 0 }
}
