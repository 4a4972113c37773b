/// Byte tests and digit conversions on eight bytes at once (SWAR), the first byte of the text in
/// the low byte of the word (little-endian loads).
///
/// The tests are exact as a whole (whether any byte of the word passes), which is all their callers
/// ask; which bytes are flagged is not (a borrow can flag more).
@usableFromInline
enum ByteWords {
    /// Whether a byte of `w` is below `n` (n ≤ 128): (w − n·0x01…) & ~w & 0x80… is not zero.
    @inlinable @inline(__always)
    static func hasByte(in w: UInt64, below n: UInt8) -> Bool {
        (w &- 0x0101_0101_0101_0101 &* UInt64(n)) & ~w & 0x8080_8080_8080_8080 != 0
    }

    /// Whether a byte of `w` equals `c`: w ^ c·0x01… has a zero byte.
    @inlinable @inline(__always)
    static func hasByte(in w: UInt64, equalTo c: UInt8) -> Bool { zeroBytes(w ^ (0x0101_0101_0101_0101 &* UInt64(c))) != 0 }

    /// Not zero exactly when a byte of `w` is zero (high bits of some bytes set; OR several to test
    /// several conditions with one branch).
    @inlinable @inline(__always)
    static func zeroBytes(_ w: UInt64) -> UInt64 { (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 }

    /// Bytes equal to `c` give a zero byte here (for `zeroBytes`).
    @inlinable @inline(__always)
    static func matching(_ w: UInt64, _ c: UInt8) -> UInt64 { w ^ (0x0101_0101_0101_0101 &* UInt64(c)) }

    /// Whether every byte is an ASCII digit: each byte 0x30…0x39 has high nibble 3, and adding 6
    /// keeps it 3.
    @inlinable @inline(__always)
    static func isEightDigits(_ w: UInt64) -> Bool {
        (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
    }

    /// `isEightDigits` of two words, with one branch.
    @inlinable @inline(__always)
    static func areEightDigits(_ a: UInt64, _ b: UInt64) -> Bool {
        @inline(__always) func shape(_ w: UInt64) -> UInt64 {
            (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
        }
        return (shape(a) ^ 0x3333_3333_3333_3333) | (shape(b) ^ 0x3333_3333_3333_3333) == 0
    }

    /// The two-digit values of eight digit values (bytes 0…9): byte pairs (0, 1), (2, 3), (4, 5),
    /// (6, 7) as 10·a + b in the four 16-bit lanes, the first pair in the low lane.
    @inlinable @inline(__always)
    static func digitPairs(_ digits: UInt64) -> UInt64 { ((digits &* 2561) >> 8) & 0x00FF_00FF_00FF_00FF }

    /// The value of eight digits from their `digitPairs`.
    @inlinable @inline(__always)
    static func value(ofPairs pairs: UInt64) -> UInt64 {
        let quads = ((pairs &* 6_553_601) >> 16) & 0x0000_FFFF_0000_FFFF
        return (quads &* 42_949_672_960_001) >> 32
    }

    /// The value of eight ASCII digits, or nil when a byte is not a digit.
    @inlinable @inline(__always)
    static func eightDigits(_ w: UInt64) -> UInt64? {
        guard isEightDigits(w) else { return nil }
        return value(ofPairs: digitPairs(w & 0x0F0F_0F0F_0F0F_0F0F))
    }
}
