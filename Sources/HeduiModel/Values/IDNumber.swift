/// A citizen ID number (公民身份号码, GB 11643-1999), valid and normalized to 18 characters.
///
/// Stored packed: the first 17 digits as one integer. The check character is
/// derived from them, so equality, hashing and ordering use the 64-bit value.
public struct IDNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 17 digits as an integer (< 10^17).
    public let body: UInt64

    /// Creates the ID number whose first 17 digits are `body`; the check character is computed.
    public init(body: UInt64) {
        precondition(body < 100_000_000_000_000_000)
        self.body = body
    }

    /// A body of 17 digits read from text (below 10^17 by construction).
    @inlinable @inline(__always)
    init(uncheckedBody body: UInt64) { self.body = body }

    /// The check character's value, 0...10 (10 is written `X`).
    public var checkValue: UInt8 { IDNumber.checkValue(forBody: body) }

    /// The 18-character form, upper-case `X`.
    public var description: String {
        String(unsafeUninitializedCapacity: 18) { write(into: $0) }
    }

    /// Calls `body` with the 18 ASCII characters, written on the stack (no `String` or array).
    public func withCharacters<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 18) { out in
            try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[..<write(into: out)]))
        }
    }

    /// The 18 ASCII characters.
    public var characters: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 18) { out, count in count = write(into: out) }
    }

    /// Writes the 18 characters into `out` (at least 18 long): digits and check in one pass.
    private func write(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var rest = body
        var sum: UInt64 = 0
        IDNumber.weights.withUnsafeBufferPointer { weights in
            for i in stride(from: 16, through: 0, by: -1) {
                let digit = rest % 10
                out[i] = UInt8(ascii: "0") + UInt8(digit)
                sum += digit * weights[i]
                rest /= 10
            }
        }
        out[17] = IDNumber.checkCharacter(IDNumber.checkTable[Int(sum % 11)])
        return 18
    }

    /// The birth date the number encodes (characters 7-14).
    public var birthDate: Day {
        let yyyymmdd = Int((body / 1_000) % 100_000_000)
        return Day(year: yyyymmdd / 10_000, month: yyyymmdd / 100 % 100, day: yyyymmdd % 100)!
    }

    /// The 6-digit region code of the registration (characters 1-6).
    public var regionPrefix: Int { Int(body / 100_000_000_000) }

    public static func < (a: IDNumber, b: IDNumber) -> Bool { a.body < b.body }

    @usableFromInline static let weights: [UInt64] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    @usableFromInline static let checkTable: [UInt8] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]

    /// The GB 11643 check value (0...10) of a 17-digit body.
    public static func checkValue(forBody body: UInt64) -> UInt8 {
        var rest = body
        var sum: UInt64 = 0
        for i in stride(from: 16, through: 0, by: -1) {
            sum += (rest % 10) * weights[i]
            rest /= 10
        }
        return checkTable[Int(sum % 11)]
    }

    static func checkCharacter(_ value: UInt8) -> UInt8 {
        value == 10 ? UInt8(ascii: "X") : UInt8(ascii: "0") + value
    }
}

/// An 18-character ID number whose only fault is its check character (its birth date is real).
///
/// Such a record is quarantined, but may still be probable evidence for a member
/// whose ID is one substituted character or one adjacent swap away (rules.md).
public struct ChecksumFailedID: Hashable, Sendable, CustomStringConvertible {
    /// The 18 characters as digit values 0...9, the last one 0...10 (X).
    public let digits: [UInt8]

    public init(digits: [UInt8]) { self.digits = digits }

    public var description: String {
        String(decoding: digits.map { IDNumber.checkCharacter($0) }, as: UTF8.self)
    }

    /// Every valid ID number one substituted character or one swap of adjacent characters away,
    /// in ascending order, without duplicates.
    ///
    /// - Complexity: O(1): 17 × 9 substitutions of a digit, 1 of the check character, 17 swaps.
    public func neighbours() -> [IDNumber] {
        var found = Set<UInt64>()
        func consider(_ d: [UInt8]) {
            guard d[17] <= 10, d[0..<17].allSatisfy({ $0 <= 9 }) else { return }
            var body: UInt64 = 0
            for i in 0..<17 { body = body * 10 + UInt64(d[i]) }
            guard IDNumber.checkValue(forBody: body) == d[17], IDNumber.hasRealBirthDate(body: body) else { return }
            found.insert(body)
        }
        var d = digits
        for i in 0..<17 {
            let original = d[i]
            for v in 0...9 where UInt8(v) != original {
                d[i] = UInt8(v)
                consider(d)
            }
            d[i] = original
        }
        // The check character substituted: the body with its correct check.
        var body: UInt64 = 0
        for i in 0..<17 { body = body * 10 + UInt64(digits[i]) }
        if IDNumber.hasRealBirthDate(body: body) { found.insert(body) }
        for i in 0..<17 where d[i] != d[i + 1] {
            d.swapAt(i, i + 1)
            consider(d)
            d.swapAt(i, i + 1)
        }
        return found.sorted().map(IDNumber.init(body:))
    }
}

/// Why an ID number text is not a valid ID number.
public enum IDNumberProblem: Sendable, Equatable {
    /// Wrong length or characters.
    case format
    /// The birth date part is not a real date.
    case birthDate
    /// The check character is wrong; everything else is well formed.
    case checksum(ChecksumFailedID)
}

extension IDNumber {
    /// Parses an ID number from normalized ASCII bytes (full-width already folded, trimmed).
    ///
    /// Accepts 18 characters (lower-case `x` too) and legacy 15-digit numbers, which are
    /// converted by inserting `19` before the year and computing the check character.
    @inlinable @inline(__always)
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<IDNumber, IDNumberProblemError> {
        if bytes.count == 18, let id = parseValid18(bytes) { return .success(id) }
        return parseGeneral(bytes)
    }

    /// The common case: 18 characters making a valid ID number, read as two words of eight digits
    /// and the last two bytes; nil for anything else (which `parseGeneral` then reads, with the
    /// reason). Inlinable: the ingest hot path takes it without a call.
    ///
    /// The check sum is taken over the words: the even and the odd digits of a word, spread to
    /// 16-bit lanes, times a constant holding their weights, sum in the top lane (at most
    /// 4 × 9 × 10 per lane: no carry between lanes).
    @inlinable @inline(__always)
    public static func parseValid18(_ bytes: UnsafeRawBufferPointer) -> IDNumber? {
        let low = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        let high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let tail = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        let d16 = UInt64(truncatingIfNeeded: tail & 0xFF) &- 0x30
        guard ByteWords.areEightDigits(low, high), d16 <= 9 else { return nil }
        let lowDigits = low & 0x0F0F_0F0F_0F0F_0F0F
        let highDigits = high & 0x0F0F_0F0F_0F0F_0F0F
        // GB 11643 weights 7 9 10 5 8 4 2 1 | 6 3 7 9 10 5 8 4 | 2: lane k of a product gathers
        // digit lane i times constant lane 3 - i, so each constant lists its weights backwards.
        let even: UInt64 = 0x00FF_00FF_00FF_00FF
        let sum =
            ((lowDigits & even) &* 0x0007_000A_0008_0002
                &+ ((lowDigits >> 8) & even) &* 0x0009_0005_0004_0001
                &+ (highDigits & even) &* 0x0006_0007_000A_0008
                &+ ((highDigits >> 8) & even) &* 0x0003_0009_0005_0004) >> 48 &+ d16 &* 2
        // With the check character's value (weight 1), the weighted sum is 1 modulo 11.
        let last = UInt64(truncatingIfNeeded: tail >> 8)
        let check = last &- 0x30 <= 9 ? last &- 0x30 : (last | 0x20 == UInt64(UInt8(ascii: "x")) ? 10 : 99)
        guard check <= 10, (sum &+ check) % 11 == 1 else { return nil }
        // The birth date (characters 7-14) from the digit pairs, without dividing the body.
        let lowPairs = ByteWords.digitPairs(lowDigits)
        let highPairs = ByteWords.digitPairs(highDigits)
        let year = Int(truncatingIfNeeded: lowPairs >> 48) &* 100 &+ Int(truncatingIfNeeded: highPairs & 0xFF)
        let month = Int(truncatingIfNeeded: (highPairs >> 16) & 0xFF)
        let day = Int(truncatingIfNeeded: (highPairs >> 32) & 0xFF)
        guard year >= 1800, month >= 1, month <= 12, day >= 1, day <= 28 || day <= Day.daysInMonth(year: year, month: month) else {
            return nil
        }
        let body = ByteWords.value(ofPairs: lowPairs) &* 1_000_000_000 &+ ByteWords.value(ofPairs: highPairs) &* 10 &+ d16
        return IDNumber(uncheckedBody: body)
    }

    @usableFromInline
    static func parseGeneral(_ bytes: UnsafeRawBufferPointer) -> Result<IDNumber, IDNumberProblemError> {
        let zero = UInt8(ascii: "0")
        if bytes.count == 15 {
            var body: UInt64 = 0
            for (i, b) in bytes.enumerated() {
                guard b &- zero <= 9 else { return .failure(.init(.format)) }
                body = body * 10 + UInt64(b - zero)
                if i == 5 { body = body * 100 + 19 }
            }
            guard hasRealBirthDate(body: body) else { return .failure(.init(.birthDate)) }
            return .success(IDNumber(body: body))
        }
        guard bytes.count == 18 else { return .failure(.init(.format)) }
        var body: UInt64 = 0
        // The GB 11643 weights are 2^(17-i) mod 11, so sum(v[i] * weights[i]) ≡ 2 * h (mod 11)
        // with h = sum(v[i] * 2^(16-i)), computed Horner-style (no table lookups).
        var h: UInt64 = 0
        for i in 0..<17 {
            let v = bytes[i] &- zero
            guard v <= 9 else { return .failure(.init(.format)) }
            body = body &* 10 &+ UInt64(v)
            h = h &* 2 &+ UInt64(v)
        }
        let weighted = h &* 2
        let last = bytes[17]
        let check: UInt8
        if last &- zero <= 9 {
            check = last - zero
        } else if last == UInt8(ascii: "X") || last == UInt8(ascii: "x") {
            check = 10
        } else {
            return .failure(.init(.format))
        }
        guard hasRealBirthDate(body: body) else { return .failure(.init(.birthDate)) }
        guard checkTable[Int(weighted % 11)] == check else {
            var digits = [UInt8](repeating: 0, count: 18)
            for i in 0..<17 { digits[i] = bytes[i] - zero }
            digits[17] = check
            return .failure(.init(.checksum(ChecksumFailedID(digits: digits))))
        }
        return .success(IDNumber(body: body))
    }

    /// Parses an ID number from a string (normalizing full-width characters and spaces first).
    public static func parse(_ text: String) -> Result<IDNumber, IDNumberProblemError> {
        let folded = TextNormalization.foldedASCII(text)
        return folded.withUnsafeBytes { parse($0) }
    }

    static func hasRealBirthDate(body: UInt64) -> Bool {
        let yyyymmdd = Int((body / 1_000) % 100_000_000)
        let year = yyyymmdd / 10_000
        guard year >= 1800 else { return false }
        // `Day(year:month:day:) != nil` without computing the day.
        let month = yyyymmdd / 100 % 100
        let day = yyyymmdd % 100
        return year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= Day.daysInMonth(year: year, month: month)
    }
}

/// `IDNumberProblem` as an `Error`, so that parsing can return a `Result`.
public struct IDNumberProblemError: Error, Sendable, Equatable {
    public let problem: IDNumberProblem
    public init(_ problem: IDNumberProblem) { self.problem = problem }
}
