/// An amount of money in fen (分, 1/100 yuan). Never floating point.
public struct Fen: Hashable, Comparable, Sendable, CustomStringConvertible, AdditiveArithmetic {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }
    public init(yuan: Int64) { self.value = yuan * 100 }

    public static let zero = Fen(0)

    public static func + (a: Fen, b: Fen) -> Fen { Fen(a.value + b.value) }
    public static func - (a: Fen, b: Fen) -> Fen { Fen(a.value - b.value) }
    public static func < (a: Fen, b: Fen) -> Bool { a.value < b.value }

    /// Yuan with 2 decimals, no grouping: `1234.50`, `-0.05`.
    public var description: String { Fen.format(value, fractionDigits: 2) }

    /// Yuan with 2 decimals and thousands separators, for people: `1,234.50`.
    public var grouped: String {
        let plain = Fen.format(abs(value), fractionDigits: 2)
        let parts = plain.split(separator: ".")
        var intPart = String(parts[0])
        var out = ""
        while intPart.count > 3 {
            out = "," + intPart.suffix(3) + out
            intPart = String(intPart.dropLast(3))
        }
        return (value < 0 ? "-" : "") + intPart + out + "." + parts[1]
    }

    /// Whole yuan, rounded up (ceiling), as the suggested benefit is (rules.md).
    public var yuanRoundedUp: Int64 {
        value >= 0 ? (value + 99) / 100 : -((-value) / 100)
    }

    /// Formats a fixed-point integer with `fractionDigits` decimals.
    public static func format(_ scaled: Int64, fractionDigits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let negative = scaled < 0
        let magnitude = scaled.magnitude
        let intPart = magnitude / UInt64(scale)
        let frac = magnitude % UInt64(scale)
        var fracText = String(frac)
        if fracText.count < fractionDigits {
            fracText = String(repeating: "0", count: fractionDigits - fracText.count) + fracText
        }
        return (negative ? "-" : "") + String(intPart) + (fractionDigits > 0 ? "." + fracText : "")
    }
}

extension Int64 {
    /// `self × numerator / denominator`, rounded half up (away from zero for negatives), exactly.
    public func scaled(by numerator: Int64, dividedBy denominator: Int64) -> Int64 {
        let (high, low) = self.multipliedFullWidth(by: numerator)
        precondition(denominator > 0)
        // Work in magnitudes with 128-bit intermediate.
        let negative = (high < 0)
        var mag: (UInt64, UInt64)
        if negative {
            let neg = (~UInt64(bitPattern: high), ~low)
            let (l, o) = neg.1.addingReportingOverflow(1)
            mag = (neg.0 &+ (o ? 1 : 0), l)
        } else {
            mag = (UInt64(bitPattern: high), low)
        }
        let d = UInt64(denominator)
        let (q, r) = d.dividingFullWidth((mag.0 % d, mag.1))
        let qHigh = mag.0 / d
        precondition(qHigh == 0, "overflow in scaled(by:dividedBy:)")
        var result = Int64(q)
        if r * 2 >= d { result += 1 }
        return negative ? -result : result
    }

    /// `self / divisor`, rounded half up (for non-negative self).
    public func roundedHalfUp(dividedBy divisor: Int64) -> Int64 {
        scaled(by: 1, dividedBy: divisor)
    }
}

extension TextBuffer {
    /// `Fen.format(scaled, fractionDigits:)`, written in place (no `String`).
    @inlinable
    public mutating func appendFixedPoint(_ scaled: Int64, fractionDigits: Int) {
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        let magnitude = scaled.magnitude
        if scaled < 0 { append(UInt8(ascii: "-")) }
        let intPart = magnitude / scale
        // appendDecimal takes Int64: an integer part above Int64.max cannot occur (it is ≤ |Int64.min|).
        if intPart > UInt64(Int64.max) { append(String(intPart)) } else { appendDecimal(Int64(intPart)) }
        guard fractionDigits > 0 else { return }
        append(UInt8(ascii: "."))
        appendDigits(Int(magnitude % scale), fractionDigits)
    }
}
