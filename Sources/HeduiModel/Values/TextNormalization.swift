/// The text rules of the exchange formats: trimming, full-width folding, names.
public enum TextNormalization {
    /// Folds full-width forms U+FF01–U+FF5E to ASCII and the ideographic space U+3000 to a space,
    /// then trims ASCII white space, writing the result into `output` (cleared first).
    ///
    /// Everything but names goes through this (exchange-formats.md, precise points).
    @inlinable
    public static func foldASCII(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            if b < 0x80 {
                output.append(b)
                i += 1
            } else if b == 0xEF, i + 2 < n, input[i + 1] == 0xBC, (0x81...0xBF).contains(input[i + 2]) {
                // U+FF01...U+FF3F
                output.append(input[i + 2] - 0x81 + 0x21)
                i += 3
            } else if b == 0xEF, i + 2 < n, input[i + 1] == 0xBD, (0x80...0x9E).contains(input[i + 2]) {
                // U+FF40...U+FF5E
                output.append(input[i + 2] - 0x80 + 0x60)
                i += 3
            } else if b == 0xE3, i + 2 < n, input[i + 1] == 0x80, input[i + 2] == 0x80 {
                output.append(0x20)
                i += 3
            } else {
                output.append(b)
                i += 1
            }
        }
        trim(&output)
    }

    /// `foldASCII` into raw memory of at least `input.count` bytes (the output is never longer).
    /// - Returns: the number of bytes written.
    @inlinable
    public static func foldASCII(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        var i = 0
        var n = 0
        let count = input.count
        while i < count {
            let b = input[i]
            if b == 0xEF, i + 2 < count, input[i + 1] == 0xBC, (0x81...0xBF).contains(input[i + 2]) {
                output[n] = input[i + 2] - 0x81 + 0x21
                i += 3
            } else if b == 0xEF, i + 2 < count, input[i + 1] == 0xBD, (0x80...0x9E).contains(input[i + 2]) {
                output[n] = input[i + 2] - 0x80 + 0x60
                i += 3
            } else if b == 0xE3, i + 2 < count, input[i + 1] == 0x80, input[i + 2] == 0x80 {
                output[n] = 0x20
                i += 3
            } else {
                output[n] = b
                i += 1
            }
            n += 1
        }
        var start = 0
        while start < n, isSpace(output[start]) { start += 1 }
        while n > start, isSpace(output[n - 1]) { n -= 1 }
        if start > 0 {
            for k in start..<n { output[k - start] = output[k] }
            n -= start
        }
        return n
    }

    /// `foldASCII` for a string.
    public static func foldedASCII(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var copy = text
        copy.withUTF8 { foldASCII(UnsafeRawBufferPointer($0), into: &out) }
        return out
    }

    @inlinable
    public static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }

    @inlinable
    static func trim(_ bytes: inout [UInt8]) {
        var end = bytes.count
        while end > 0, isSpace(bytes[end - 1]) { end -= 1 }
        var start = 0
        while start < end, isSpace(bytes[start]) { start += 1 }
        if start > 0 || end < bytes.count {
            if start == 0 { bytes.removeLast(bytes.count - end) } else { bytes = Array(bytes[start..<end]) }
        }
    }

    /// Whether `foldASCII` would return the bytes unchanged: no white space at either end and no
    /// lead byte of a form it folds (0xEF: full-width forms; 0xE3: the ideographic space). Most
    /// non-ASCII fields (Chinese names of withholders, addresses) pass, and are then not copied.
    /// Eight bytes at a time (`ByteWords`).
    @inlinable
    public static func isFolded(_ input: UnsafeRawBufferPointer) -> Bool {
        let n = input.count
        guard n > 0 else { return true }
        if isSpace(input[0]) || isSpace(input[n - 1]) { return false }
        @inline(__always) func flags(_ w: UInt64) -> UInt64 {
            ByteWords.zeroBytes(ByteWords.matching(w, 0xEF)) | ByteWords.zeroBytes(ByteWords.matching(w, 0xE3))
        }
        guard n >= 8 else {
            for b in input where b == 0xEF || b == 0xE3 { return false }
            return true
        }
        // The last word overlaps the one before it.
        var found = flags(input.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
        var i = 0
        while i &+ 8 < n {
            found |= flags(input.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i &+= 8
        }
        return found == 0
    }

    /// A person's name as compared and shown: trimmed, full-width spaces removed,
    /// the middle dot forms `·` `•` `．` normalized to `·` (U+00B7). Nothing else changes.
    public static func normalizedName(_ input: UnsafeRawBufferPointer) -> String {
        // Fast path: 2-4 CJK characters, nothing to change.
        var needsWork = false
        var i = 0
        let n = input.count
        if n == 0 { return "" }
        if isSpace(input[0]) || isSpace(input[n - 1]) { needsWork = true }
        while i < n && !needsWork {
            let b = input[i]
            if b == 0xE3 || b == 0xE2 || b == 0xEF || b == 0xC2 || b == 0x20 { needsWork = true }
            i += 1
        }
        if !needsWork { return String(decoding: input, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(n)
        i = 0
        while i < n {
            let b = input[i]
            if b == 0xE3, i + 2 < n, input[i + 1] == 0x80, input[i + 2] == 0x80 {
                i += 3  // U+3000 removed
            } else if b == 0xE2, i + 2 < n, input[i + 1] == 0x80, input[i + 2] == 0xA2 {
                out.append(0xC2); out.append(0xB7); i += 3  // U+2022 •
            } else if b == 0xEF, i + 2 < n, input[i + 1] == 0xBC, input[i + 2] == 0x8E {
                out.append(0xC2); out.append(0xB7); i += 3  // U+FF0E ．
            } else {
                out.append(b); i += 1
            }
        }
        trim(&out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `normalizedName` for a string.
    /// Whether `normalizedName` would return the bytes unchanged (the common case: no white
    /// space at the ends, no full-width space, no dot form to unify).
    ///
    /// Eight bytes at a time (`ByteWords`), the last word overlapping the one before; a name of
    /// 2-4 Chinese characters is one or two words.
    @inlinable @inline(__always)
    public static func isPlainName(_ input: UnsafeRawBufferPointer) -> Bool {
        let n = input.count
        guard n > 0 else { return false }
        // A space anywhere is refused below, so only the other white space is tested at the ends.
        let first = input[0]
        let last = input[n &- 1]
        guard first &- 0x09 > 4, last &- 0x09 > 4 else { return false }
        @inline(__always) func flags(_ w: UInt64) -> UInt64 {
            // 0xE2 and 0xE3 are one test with the low bit set.
            ByteWords.zeroBytes(ByteWords.matching(w | 0x0101_0101_0101_0101, 0xE3))
                | ByteWords.zeroBytes(ByteWords.matching(w, 0xEF)) | ByteWords.zeroBytes(ByteWords.matching(w, 0xC2))
                | ByteWords.zeroBytes(ByteWords.matching(w, 0x20))
        }
        if n >= 8 {
            var found =
                flags(input.loadUnaligned(as: UInt64.self)) | flags(input.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))
            var i = 8
            while i &+ 8 < n {
                found |= flags(input.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i &+= 8
            }
            return found == 0
        }
        // 1-7 bytes: two overlapping 4-byte loads, or the first, middle and last byte; the bytes
        // left zero match nothing.
        let word: UInt64
        if n >= 4 {
            word =
                UInt64(input.loadUnaligned(as: UInt32.self))
                | UInt64(input.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)) &<< 32
        } else {
            word = UInt64(first) | UInt64(input[n &>> 1]) &<< 8 | UInt64(last) &<< 16
        }
        return flags(word) == 0
    }

    public static func normalizedName(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { normalizedName(UnsafeRawBufferPointer($0)) }
    }
}
