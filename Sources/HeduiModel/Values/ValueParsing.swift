/// Parsers for the value forms of the exchange formats. Input is normalized ASCII bytes
/// (full-width folded, trimmed; see `TextNormalization.foldASCII`) except where noted.
/// Messages never echo personal values (amounts, ID numbers, names).
public enum ValueParsing {
    static let zero = UInt8(ascii: "0")

    @inlinable
    static func digit(_ b: UInt8) -> Int? {
        let v = b &- 0x30
        return v <= 9 ? Int(v) : nil
    }

    /// Money in yuan, up to 2 decimals: `1234.5`, `1,234.50`, `¥1234.50`, `￥1234.50`, `1234.50元`.
    /// A minus sign only when `allowNegative` (bank balances).
    public static func fen(_ bytes: UnsafeRawBufferPointer, allowNegative: Bool) -> Result<Fen, FieldProblem> {
        var start = 0
        var end = bytes.count
        // Strip ¥ (C2 A5) and ￥ (EF BF A5) at the front, 元 (E5 85 83) at the end.
        if end - start >= 2, bytes[start] == 0xC2, bytes[start + 1] == 0xA5 {
            start += 2
        } else if end - start >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBF, bytes[start + 2] == 0xA5 {
            start += 3
        }
        if end - start >= 3, bytes[end - 3] == 0xE5, bytes[end - 2] == 0x85, bytes[end - 1] == 0x83 { end -= 3 }
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        var negative = false
        if start < end, bytes[start] == UInt8(ascii: "-") {
            negative = true
            start += 1
            // "-¥12.00" is also seen.
            if end - start >= 2, bytes[start] == 0xC2, bytes[start + 1] == 0xA5 {
                start += 2
            } else if end - start >= 3, bytes[start] == 0xEF, bytes[start + 1] == 0xBF, bytes[start + 2] == 0xA5 {
                start += 3
            }
        } else if start < end, bytes[start] == UInt8(ascii: "+") {
            start += 1
        }
        guard start < end else { return .failure(FieldProblem(.badAmount, "not an amount in yuan")) }
        var integer: Int64 = 0
        var intDigits = 0
        var groupDigits = 0
        var sawComma = false
        var i = start
        while i < end {
            let b = bytes[i]
            if let d = digit(b) {
                guard intDigits < 15 else { return .failure(FieldProblem(.badAmount, "amount too large")) }
                integer = integer * 10 + Int64(d)
                intDigits += 1
                groupDigits += 1
            } else if b == UInt8(ascii: ",") {
                guard intDigits > 0, (sawComma ? groupDigits == 3 : groupDigits <= 3) else {
                    return .failure(FieldProblem(.badAmount, "thousands separators in the wrong places"))
                }
                sawComma = true
                groupDigits = 0
            } else {
                break
            }
            i += 1
        }
        guard intDigits > 0 || (i < end && bytes[i] == UInt8(ascii: ".")) else {
            return .failure(FieldProblem(.badAmount, "not an amount in yuan"))
        }
        if sawComma && groupDigits != 3 {
            return .failure(FieldProblem(.badAmount, "thousands separators in the wrong places"))
        }
        var cents: Int64 = 0
        if i < end {
            guard bytes[i] == UInt8(ascii: ".") else { return .failure(FieldProblem(.badAmount, "not an amount in yuan")) }
            i += 1
            var places = 0
            while i < end, let d = digit(bytes[i]) {
                places += 1
                guard places <= 2 else { return .failure(FieldProblem(.badAmount, "more than 2 decimals (amounts are in yuan and fen)")) }
                cents = cents * 10 + Int64(d)
                i += 1
            }
            guard i == end, places > 0 || intDigits > 0 else { return .failure(FieldProblem(.badAmount, "not an amount in yuan")) }
            if places == 1 { cents *= 10 }
        }
        let value = integer * 100 + cents
        if negative && value != 0 {
            guard allowNegative else { return .failure(FieldProblem(.negativeAmount, "negative amount not allowed here")) }
            return .success(Fen(-value))
        }
        return .success(Fen(value))
    }

    /// The common money form, digits with one or two decimals or none (`1234.56`, `1234.5`, `1234`),
    /// in fen; nil for anything else (a sign, symbols, separators, more than 15 integer digits),
    /// which `fen` then reads. Where it gives a value, `fen` gives the same.
    @inlinable @inline(__always)
    public static func plainFen(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        if n >= 4, n <= 8, let value = plainFenWord(bytes) { return value }
        return plainFenBytes(bytes)
    }

    /// `plainFen` of 4 to 8 bytes with two decimals (`0.00` … `99999.99`), as one word: the text
    /// right-aligned in the word, the point taken out, the space before it filled with zeros,
    /// then eight digits at once. Nil for anything else.
    @inlinable @inline(__always)
    static func plainFenWord(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        // Two overlapping loads cover the n bytes; the text ends in the top byte once shifted.
        let text =
            (UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
                | UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))) &<< UInt64(8 &* (n &- 4)))
            &<< UInt64(8 &* (8 &- n))
        guard (text >> 40) & 0xFF == UInt64(UInt8(ascii: ".")) else { return nil }
        let digits =
            (text & 0x0000_00FF_FFFF_FFFF) << 8 | (text & 0xFFFF_0000_0000_0000)
            | 0x3030_3030_3030_3030 &>> UInt64(8 &* (n &- 1))
        guard let value = ByteWords.eightDigits(digits) else { return nil }
        return Int64(truncatingIfNeeded: value)
    }

    /// `plainFen`, byte by byte.
    @inlinable
    static func plainFenBytes(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n >= 1, n <= 18 else { return nil }
        var value: Int64 = 0
        var i = 0
        while i < n {
            let d = bytes[i] &- 0x30
            if d > 9 { break }
            value = value &* 10 &+ Int64(d)
            i += 1
        }
        guard i >= 1, i <= 15 else { return nil }
        if i == n { return value &* 100 }
        guard bytes[i] == UInt8(ascii: ".") else { return nil }
        switch n - i {
        case 2:
            let d = bytes[i + 1] &- 0x30
            guard d <= 9 else { return nil }
            return value &* 100 &+ Int64(d) &* 10
        case 3:
            let d0 = bytes[i + 1] &- 0x30
            let d1 = bytes[i + 2] &- 0x30
            guard d0 <= 9, d1 <= 9 else { return nil }
            return value &* 100 &+ Int64(d0) &* 10 &+ Int64(d1)
        default:
            return nil
        }
    }

    /// A date: `YYYY-MM-DD`, `YYYY/MM/DD` (1- or 2-digit month and day), `YYYYMMDD`, `YYYY年M月D日`.
    /// Input is UTF-8 (the 年月日 characters are not folded).
    public static func day(_ bytes: UnsafeRawBufferPointer) -> Result<Day, FieldProblem> {
        // The common form, YYYY-MM-DD, without the scanner (any other input takes the general path).
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            let y0 = bytes[0] &- zero, y1 = bytes[1] &- zero, y2 = bytes[2] &- zero, y3 = bytes[3] &- zero
            let m0 = bytes[5] &- zero, m1 = bytes[6] &- zero, d0 = bytes[8] &- zero, d1 = bytes[9] &- zero
            if y0 <= 9 && y1 <= 9 && y2 <= 9 && y3 <= 9 && m0 <= 9 && m1 <= 9 && d0 <= 9 && d1 <= 9 {
                let y = Int(y0) * 1000 + Int(y1) * 100 + Int(y2) * 10 + Int(y3)
                guard let day = Day(year: y, month: Int(m0) * 10 + Int(m1), day: Int(d0) * 10 + Int(d1)) else {
                    return .failure(FieldProblem(.badDate, "not a real date"))
                }
                return .success(day)
            }
        }
        guard let (y, m, d) = dateParts(bytes) else {
            return .failure(FieldProblem(.badDate, "not a date (use YYYY-MM-DD)"))
        }
        guard let day = Day(year: y, month: m, day: d) else {
            return .failure(FieldProblem(.badDate, "not a real date"))
        }
        return .success(day)
    }

    /// A month: `YYYY-MM`, `YYYY/MM`, `YYYYMM`, `YYYY年M月`.
    public static func month(_ bytes: UnsafeRawBufferPointer) -> Result<Month, FieldProblem> {
        if let value = plainMonth(bytes) { return .success(value) }
        return generalMonth(bytes)
    }

    /// The common month form, `YYYY-MM`, when it is a real month; nil for anything else, which
    /// `month` then reads. Where it gives a value, `month` gives the same.
    @inlinable @inline(__always)
    public static func plainMonth(_ bytes: UnsafeRawBufferPointer) -> Month? {
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        let y0 = bytes[0] &- 0x30, y1 = bytes[1] &- 0x30, y2 = bytes[2] &- 0x30, y3 = bytes[3] &- 0x30
        let m0 = bytes[5] &- 0x30, m1 = bytes[6] &- 0x30
        guard y0 <= 9, y1 <= 9, y2 <= 9, y3 <= 9, m0 <= 9, m1 <= 9 else { return nil }
        let year = Int(y0) &* 1000 &+ Int(y1) &* 100 &+ Int(y2) &* 10 &+ Int(y3)
        return Month(year: year, month: Int(m0) &* 10 &+ Int(m1))
    }

    static func generalMonth(_ bytes: UnsafeRawBufferPointer) -> Result<Month, FieldProblem> {
        var s = Scanner(bytes)
        guard let y = s.number(exactly: 4) else { return .failure(FieldProblem(.badMonth, "not a month (use YYYY-MM)")) }
        var m: Int?
        if s.atEnd {
            m = nil
        } else if s.take(UInt8(ascii: "-")) || s.take(UInt8(ascii: "/")) {
            m = s.number(min: 1, max: 2)
        } else if s.takeUTF8([0xE5, 0xB9, 0xB4]) {  // 年
            m = s.number(min: 1, max: 2)
            guard m != nil, s.takeUTF8([0xE6, 0x9C, 0x88]) else { return .failure(FieldProblem(.badMonth, "not a month (use YYYY-MM)")) }  // 月
        } else {
            m = s.number(exactly: 2)
        }
        guard let month = m, s.atEnd else { return .failure(FieldProblem(.badMonth, "not a month (use YYYY-MM)")) }
        guard let value = Month(year: y, month: month) else { return .failure(FieldProblem(.badMonth, "not a real month")) }
        return .success(value)
    }

    static func dateParts(_ bytes: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
        var s = Scanner(bytes)
        guard let y = s.number(exactly: 4) else { return nil }
        if s.take(UInt8(ascii: "-")) {
            guard let m = s.number(min: 1, max: 2), s.take(UInt8(ascii: "-")), let d = s.number(min: 1, max: 2), s.atEnd else { return nil }
            return (y, m, d)
        }
        if s.take(UInt8(ascii: "/")) {
            guard let m = s.number(min: 1, max: 2), s.take(UInt8(ascii: "/")), let d = s.number(min: 1, max: 2), s.atEnd else { return nil }
            return (y, m, d)
        }
        if s.takeUTF8([0xE5, 0xB9, 0xB4]) {  // 年
            guard let m = s.number(min: 1, max: 2), s.takeUTF8([0xE6, 0x9C, 0x88]),  // 月
                let d = s.number(min: 1, max: 2), s.takeUTF8([0xE6, 0x97, 0xA5]), s.atEnd
            else { return nil }  // 日
            return (y, m, d)
        }
        guard let m = s.number(exactly: 2), let d = s.number(exactly: 2), s.atEnd else { return nil }
        return (y, m, d)
    }

    /// A non-negative decimal with at most `places` decimals, as an integer scaled by 10^places.
    public static func fixedPoint(_ bytes: UnsafeRawBufferPointer, places: Int) -> Int64? {
        var value: Int64 = 0
        var i = 0
        var intDigits = 0
        while i < bytes.count, let d = digit(bytes[i]) {
            guard intDigits < 12 else { return nil }
            value = value * 10 + Int64(d)
            intDigits += 1
            i += 1
        }
        var frac = 0
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "."), places > 0 else { return nil }
            i += 1
            while i < bytes.count, let d = digit(bytes[i]) {
                frac += 1
                guard frac <= places else { return nil }
                value = value * 10 + Int64(d)
                i += 1
            }
            guard frac > 0 || intDigits > 0 else { return nil }
        }
        guard i == bytes.count, intDigits + frac > 0 else { return nil }
        for _ in frac..<places { value *= 10 }
        return value
    }

    /// A small non-negative integer.
    public static func integer(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var v = 0
        for b in bytes {
            guard let d = digit(b) else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// Byte scanner for the date forms.
    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0
        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
        var atEnd: Bool { i == bytes.count }
        mutating func take(_ b: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }
        mutating func takeUTF8(_ seq: [UInt8]) -> Bool {
            guard bytes.count - i >= seq.count else { return false }
            for (k, b) in seq.enumerated() where bytes[i + k] != b { return false }
            i += seq.count
            return true
        }
        mutating func number(exactly n: Int) -> Int? {
            guard bytes.count - i >= n else { return nil }
            var v = 0
            for k in 0..<n {
                guard let d = ValueParsing.digit(bytes[i + k]) else { return nil }
                v = v * 10 + d
            }
            i += n
            return v
        }
        mutating func number(min: Int, max: Int) -> Int? {
            var v = 0
            var count = 0
            while count < max, i < bytes.count, let d = ValueParsing.digit(bytes[i]) {
                v = v * 10 + d
                count += 1
                i += 1
            }
            return count >= min ? v : nil
        }
    }
}
