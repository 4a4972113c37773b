/// A calendar day (proleptic Gregorian), stored as days since 1970-01-01.
///
/// Exchange files carry dates in several forms (`2024-05-31`, `2024/5/31`,
/// `20240531`, `2024年5月31日`); all become a `Day`. Comparison is by time.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before).
    public let daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// The day with this year, month and day, or nil when it is not a real date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Day.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.daysSinceEpoch = Int32(era * 146097 + doe - 719468)
    }

    /// Year, month (1-12) and day (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var month: Month { let c = components; return Month(year: c.year, month: c.month)! }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whole years from `birth` to this day: someone born 2006-05-31 is 18 on 2024-05-31 (rules.md, point 13).
    public func age(bornOn birth: Day) -> Int {
        let (y, m, d) = components
        let (by, bm, bd) = birth.components
        var years = y - by
        if (m, d) < (bm, bd) { years -= 1 }
        return years
    }

    public func adding(days: Int) -> Day { Day(daysSinceEpoch: daysSinceEpoch + Int32(days)) }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return Day.pad(y, 4) + "-" + Day.pad(m, 2) + "-" + Day.pad(d, 2) }
        // Written digit by digit into a small string (no intermediate strings): evidence has millions.
        return String(unsafeUninitializedCapacity: 10) { out in
            Day.writeDigits(y, 4, out, at: 0)
            out[4] = UInt8(ascii: "-")
            Day.writeDigits(m, 2, out, at: 5)
            out[7] = UInt8(ascii: "-")
            Day.writeDigits(d, 2, out, at: 8)
            return 10
        }
    }

    /// `value`'s last `width` decimal digits, zero padded, into `out[at...]`.
    @inline(__always)
    static func writeDigits(_ value: Int, _ width: Int, _ out: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = value
        for i in stride(from: start + width - 1, through: start, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    public static func < (a: Day, b: Day) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// A calendar month, e.g. a tax period; stored as `year × 12 + (month − 1)`.
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible, Strideable {
    public let index: Int32

    public init(index: Int32) { self.index = index }

    @inlinable
    public init?(year: Int, month: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        index = Int32(year * 12 + month - 1)
    }

    public var year: Int { Int(index) / 12 }
    public var month: Int { Int(index) % 12 + 1 }
    public var firstDay: Day { Day(year: year, month: month, day: 1)! }

    /// `YYYY-MM`.
    public var description: String {
        guard (0...9999).contains(year) else { return Day.pad(year, 4) + "-" + Day.pad(month, 2) }
        return String(unsafeUninitializedCapacity: 7) { out in
            Day.writeDigits(year, 4, out, at: 0)
            out[4] = UInt8(ascii: "-")
            Day.writeDigits(month, 2, out, at: 5)
            return 7
        }
    }

    public static func < (a: Month, b: Month) -> Bool { a.index < b.index }
    public func distance(to other: Month) -> Int32 { other.index - index }
    public func advanced(by n: Int32) -> Month { Month(index: index + n) }
}
