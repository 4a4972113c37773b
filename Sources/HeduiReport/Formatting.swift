/// Number forms of the reports: yuan with thousands separators and 2 decimals, areas, counts.
enum Formatting {
    /// `123456789` fen → `1,234,567.89`.
    static func yuan(_ fen: Int64) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        let whole = grouped(String(magnitude / 100))
        let cents = magnitude % 100
        return (negative ? "-" : "") + whole + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// Whole yuan with thousands separators.
    static func wholeYuan(_ yuan: Int64) -> String { (yuan < 0 ? "-" : "") + grouped(String(yuan.magnitude)) }

    /// Millionths of a square metre (`m2e-6`) → m² with 2 decimals, rounded half up.
    static func area(micro: Int64) -> String {
        let hundredths = (micro + (micro >= 0 ? 5_000 : -5_000)) / 10_000
        return yuan(hundredths)
    }

    /// `a / b` rounded half up (b > 0).
    static func divideRounded(_ a: Int64, by b: Int64) -> Int64 {
        guard b > 0 else { return a }
        return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b)
    }

    /// Parses yuan text of the run's CSV (`1234.56`, `-3.5`, `12`) into fen; nil when empty or malformed.
    static func fen(fromYuan text: String) -> Int64? {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty else { return nil }
        var negative = false
        var body = Substring(trimmed)
        if body.first == "-" { negative = true; body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let fraction = String(parts[1].prefix(2))
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCII), let value = Int64(fraction) else { return nil }
            cents = fraction.count == 1 ? value * 10 : value
        }
        let fen = whole * 100 + cents
        return negative ? -fen : fen
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
