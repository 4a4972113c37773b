/// An enumeration whose values appear in exchange files as lower-case English codes.
/// Matched case-insensitively after trimming; only these codes are accepted.
public protocol ExchangeCode: CaseIterable, RawRepresentable, Hashable, Sendable where RawValue == String {}

extension ExchangeCode {
    // Inlinable so that each enum's parse is specialized where records are validated.
    /// The value whose code equals `bytes` (ASCII, case-insensitive), or nil.
    @inlinable
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Self? {
        let n = bytes.count
        for candidate in allCases {
            // Compared on contiguous bytes: iterating `String.UTF8View` costs far more per byte.
            var code = candidate.rawValue
            guard code.utf8.count == n else { continue }
            let equal = code.withUTF8 { code in
                var i = 0
                while i < n {
                    let b = bytes[i]
                    if code[i] != (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) { return false }
                    i += 1
                }
                return true
            }
            if equal { return candidate }
        }
        return nil
    }

    /// `parse` for a string (folding full-width characters and trimming first).
    public static func parse(_ text: String) -> Self? {
        let folded = TextNormalization.foldedASCII(text)
        return folded.withUnsafeBytes { parse($0) }
    }

    /// The code's position in the declaration (= in `allCases`): 0, 1, 2…
    @inlinable
    public var caseNumber: Int { Int(CompactRecord.caseNumber(self)) }

    /// The accepted codes, for messages: `car, truck, motorcycle`.
    public static var codeList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

public enum AreaType: String, ExchangeCode, Comparable {
    case urban, rural
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a household applied for (申请类型).
public enum ApplicationType: String, ExchangeCode {
    case dibao
    case lowIncome = "low_income"
    case recheck
}

/// What a household receives today.
public enum BenefitStatus: String, ExchangeCode {
    case none
    case dibao
    case lowIncome = "low_income"
}

public enum Relation: String, ExchangeCode {
    case applicant = "self"
    case spouse, child, parent, sibling, grandparent, grandchild, other
}

public enum Employment: String, ExchangeCode {
    case employed, unemployed, student, retired, none
}

public enum AccountType: String, ExchangeCode {
    case demand, time, wealth, other
}

public enum IncomeType: String, ExchangeCode {
    case wage, labor, business, interest, property, pension, other
}

public enum VehicleType: String, ExchangeCode {
    case car, truck, motorcycle, disability, agricultural, other
}

public enum VehicleStatus: String, ExchangeCode {
    case normal, scrapped, cancelled, stolen, seized
}

public enum PropertyType: String, ExchangeCode {
    case residential, commercial, office, industrial, parking, land, other
}

public enum PropertyStatus: String, ExchangeCode {
    case valid, mortgaged, sealed, cancelled
}

/// The kind of an exchange file (exchange-formats.md, "The batch inbox").
public enum SourceKind: String, CaseIterable, Hashable, Comparable, Sendable, Codable {
    case roster, bank, tax, vehicle, property, inspectors
    public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
    var order: Int { Self.allCases.firstIndex(of: self)! }

    /// The four data sources whose absence or rejection makes a unit not fully verified.
    public static let verificationSources: [SourceKind] = [.bank, .tax, .vehicle, .property]
}

/// A 6-digit administrative division code (GB/T 2260), e.g. 330902.
public struct RegionCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int32
    public init?(_ value: Int) {
        guard (100_000...999_999).contains(value) else { return nil }
        self.value = Int32(value)
    }
    public init?(_ text: String) {
        guard text.utf8.count == 6, let v = Int(text) else { return nil }
        self.init(v)
    }
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> RegionCode? {
        guard bytes.count == 6, let v = ValueParsing.integer(bytes) else { return nil }
        return RegionCode(v)
    }
    public var description: String { String(value) }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}
