/// The first 16 bytes of a text's UTF-8, as two big-endian integers, zero-padded: for sorting texts
/// in byte order with integer comparisons.
///
/// Where two prefixes differ, their order is the texts' byte order. Where they are equal, the texts
/// may still differ (after 16 bytes, or by a zero byte against the end of the shorter one): compare
/// the whole texts then.
public struct BytePrefix: Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(_ text: String) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (j, byte) in text.utf8.prefix(16).enumerated() {
            if j < 8 { high |= UInt64(byte) << UInt64(56 - 8 * j) } else { low |= UInt64(byte) << UInt64(120 - 8 * j) }
        }
        self.high = high
        self.low = low
    }

    public static func < (a: BytePrefix, b: BytePrefix) -> Bool { a.high != b.high ? a.high < b.high : a.low < b.low }
}

extension BytePrefix {
    /// The indices `0..<count` ordered by the byte order of `key(i)`: their prefixes decide most
    /// comparisons; where two prefixes are equal, `precedes(a, b)` (which must order the keys by
    /// their bytes first), then the index.
    public static func order(count: Int, key: (Int) -> String, precedes: (Int, Int) -> Bool) -> [Int] {
        var entries: [(prefix: BytePrefix, index: Int)] = []
        entries.reserveCapacity(count)
        for i in 0..<count { entries.append((BytePrefix(key(i)), i)) }
        entries.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            if precedes(a.index, b.index) { return true }
            if precedes(b.index, a.index) { return false }
            return a.index < b.index
        }
        return entries.map(\.index)
    }
}
