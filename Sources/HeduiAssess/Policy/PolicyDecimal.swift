import HeduiModel

/// An exact non-negative decimal from the YAML text, e.g. 1.5, 0.05, 7.10, 1133.333: value = units / 10^scale, no floating point.
///
/// The value is kept normalized (trailing zeros after the point dropped), so `7.10` and `7.1`
/// are the same value: `units == 71, scale == 1`. Equality, hashing and ordering are by value.
public struct PolicyDecimal: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value times 10^scale.
    public let units: Int64
    /// Digits after the point (0...`maxScale`), trailing zeros removed.
    public let scale: Int

    /// The most digits after the point a policy decimal may have.
    public static let maxScale = 9
    /// The most significant digits a policy decimal may have (keeps every product with an amount in fen far from overflow).
    public static let maxDigits = 15

    /// `units / 10^scale`, normalized.
    ///
    /// - Precondition: `units >= 0` and `0 <= scale <= maxScale`.
    public init(units: Int64, scale: Int) {
        precondition(units >= 0 && (0...Self.maxScale).contains(scale), "PolicyDecimal out of range")
        var u = units
        var s = scale
        while s > 0, u % 10 == 0 {
            u /= 10
            s -= 1
        }
        self.units = u
        self.scale = s
    }

    /// A whole number.
    public init(_ integer: Int64) { self.init(units: integer, scale: 0) }

    /// Parses `digits[.digits]` exactly (no sign, no exponent, no grouping); nil for anything else.
    public init?(_ text: String) {
        guard case .value(let d) = Self.parse(text) else { return nil }
        self = d
    }

    /// `round_half_up(amount × self)`, exactly (128-bit intermediate; half away from zero for a negative amount).
    public func applied(to amount: Int64) -> Int64 {
        amount.scaled(by: units, dividedBy: Self.powerOfTen(scale))
    }

    /// The whole part and the fraction in units of 10^-maxScale, for exact comparisons.
    var wholeAndFraction: (whole: Int64, fraction: Int64) {
        let p = Self.powerOfTen(scale)
        return (units / p, (units % p) * Self.powerOfTen(Self.maxScale - scale))
    }

    public static func < (a: PolicyDecimal, b: PolicyDecimal) -> Bool {
        let x = a.wholeAndFraction, y = b.wholeAndFraction
        return x.whole != y.whole ? x.whole < y.whole : x.fraction < y.fraction
    }

    /// The shortest exact text: `1.5`, `0.05`, `1133.333`, `860`.
    public var description: String { Fen.format(units, fractionDigits: scale) }

    static func powerOfTen(_ n: Int) -> Int64 {
        var p: Int64 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// Why a text is not a policy decimal.
    enum ParseOutcome: Equatable {
        case value(PolicyDecimal)
        /// Digits with a leading minus sign.
        case negative
        /// More than `maxDigits` digits, or more than `maxScale` after the point (after dropping trailing zeros).
        case tooManyDigits
        case notANumber
    }

    static func parse(_ text: String) -> ParseOutcome {
        var bytes = Array(text.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        let point = bytes.firstIndex(of: UInt8(ascii: ".")) ?? bytes.count
        let whole = bytes[..<point]
        var fraction = point < bytes.count ? Array(bytes[(point + 1)...]) : []
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard !whole.isEmpty, whole.allSatisfy(isDigit),
            point == bytes.count || (!fraction.isEmpty && fraction.allSatisfy(isDigit))
        else { return .notANumber }
        if negative { return .negative }
        while fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        let significantWhole = whole.drop { $0 == UInt8(ascii: "0") }
        guard fraction.count <= maxScale, significantWhole.count + fraction.count <= maxDigits else { return .tooManyDigits }
        var units: Int64 = 0
        for b in significantWhole { units = units * 10 + Int64(b - 0x30) }
        for b in fraction { units = units * 10 + Int64(b - 0x30) }
        return .value(PolicyDecimal(units: units, scale: fraction.count))
    }
}
