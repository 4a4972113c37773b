import HeduiModel

/// Gives the raw bytes of a record's fields by layout field index (nil: absent).
public protocol FieldSource {
    func value(_ field: Int) -> UnsafeRawBufferPointer?

    /// `value`, and whether the bytes are known to hold only ASCII (false: not known, or not ASCII).
    func valueKnowingASCII(_ field: Int) -> (bytes: UnsafeRawBufferPointer, ascii: Bool)?
}

extension FieldSource {
    @inline(__always)
    public func valueKnowingASCII(_ field: Int) -> (bytes: UnsafeRawBufferPointer, ascii: Bool)? {
        value(field).map { ($0, false) }
    }
}

/// A record refused by validation: where, which field, a stable code and a message.
public struct QuarantinedRecord: Sendable {
    public var field: String
    public var problem: FieldProblem
    /// The record's ID number when it is valid: a quarantined record about a member
    /// marks that member's unit `RECORD_REJECTED` (rules.md).
    public var validID: IDNumber?
    /// The roster household a refused roster row names, when its household_id is readable.
    public var householdID: String?
    /// For an ID whose only fault is its check character, with every other field valid:
    /// the record, usable as probable evidence (rules.md, point 2).
    public var probableCandidate: ExchangeRecord?
}

/// What validation made of one record.
///
/// The rarer, larger payloads are boxed (`indirect`) so that the common case, an exchange record,
/// moves as a small value on the hot path.
public enum DecodedRecord: Sendable {
    case exchange(ExchangeRecord)
    indirect case roster(RosterRow)
    indirect case inspector(Inspector)
    indirect case quarantined(QuarantinedRecord)
}

/// Validates and normalizes records of one layout, field by field, per the layout's types
/// (exchange-formats.md, "Identifiers and values"). The first failing field quarantines the record.
public struct RecordDecoder {
    /// The layout (kept in `scratch`, so that the decoder is a few words: it is passed by copy per record).
    public var layout: RecordLayout { scratch.layout }
    public let kind: SourceKind
    /// Where fields are folded, and the layout's default values: memory owned by this reference
    /// so that the views handed out stay valid until the next field is read, without generic closures
    /// on the hot path.
    private final class Scratch {
        let layout: RecordLayout
        let plan: RecordDecoderPlan
        var buffer: UnsafeMutableRawBufferPointer
        /// Per layout field: what the hot path reads of `RecordLayout.Field`, as plain values in raw
        /// memory (reading `layout.fields[i]` copies a struct of strings: retains and releases).
        let info: UnsafeMutablePointer<FieldInfo>
        let fieldCount: Int
        /// The code keys of the enumeration fields, pointed to by `info`.
        let codeKeys: UnsafeMutablePointer<CodeKey>
        /// The same codes as `shortCodeKey`s (0 for a code longer than 7 bytes), pointed to by `info`.
        let shortCodeKeys: UnsafeMutablePointer<UInt64>
        /// Days of dates read (`date`): 64 entries.
        let dates: UnsafeMutablePointer<DateEntry>

        init(layout: RecordLayout, kind: SourceKind, plan: RecordDecoderPlan) {
            self.layout = layout
            self.plan = plan
            buffer = .allocate(byteCount: 4096, alignment: 8)
            fieldCount = layout.fields.count
            info = .allocate(capacity: max(1, fieldCount))
            var codes: [Int: [String]] = [:]
            for need in RecordDecoderPlan.needs(kind) {
                if let values = need.codes, let index = layout.index(of: need.name) { codes[index] = values }
            }
            let keyCount = codes.values.reduce(0) { $0 + $1.count }
            codeKeys = .allocate(capacity: max(1, keyCount))
            shortCodeKeys = .allocate(capacity: max(1, keyCount))
            var nextKey = 0
            for (index, field) in layout.fields.enumerated() {
                var defaultValue: UnsafeRawBufferPointer?
                if let text = field.defaultValue {
                    let bytes = Array(text.utf8)
                    let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                    storage.copyBytes(from: bytes)
                    defaultValue = UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count])
                }
                var keys: UnsafePointer<CodeKey>?
                var shortKeys: UnsafePointer<UInt64>?
                var keyTotal = 0
                if let values = codes[index] {
                    keys = UnsafePointer(codeKeys + nextKey)
                    shortKeys = UnsafePointer(shortCodeKeys + nextKey)
                    for value in values {
                        var copy = value
                        (codeKeys + nextKey).initialize(
                            to: copy.withUTF8 { CodeKey(UnsafeRawBufferPointer($0)) } ?? CodeKey(low: 0, high: 0, length: -1))
                        (shortCodeKeys + nextKey).initialize(
                            to: copy.withUTF8 { $0.count <= 7 ? RecordDecoder.shortCodeKey(UnsafeRawBufferPointer($0)) : 0 })
                        nextKey += 1
                    }
                    keyTotal = values.count
                }
                (info + index).initialize(
                    to: FieldInfo(
                        maxLength: field.maxLength ?? Int.max, required: field.required,
                        negativeAllowed: field.negativeAllowed ?? false, defaultValue: defaultValue,
                        codes: keys, shortCodes: shortKeys, codeCount: keyTotal))
            }
            // True entries to start with: 1970-01-01 is day 0.
            dates = .allocate(capacity: 64)
            dates.initialize(
                repeating: DateEntry(low: UInt64(littleEndian: 0x2D31_302D_3037_3931), high: UInt16(littleEndian: 0x3130), day: 0),
                count: 64)
        }

        deinit {
            buffer.deallocate()
            for i in 0..<fieldCount { info[i].defaultValue?.deallocate() }
            info.deallocate()
            codeKeys.deallocate()
            shortCodeKeys.deallocate()
            dates.deallocate()
        }

        /// Folds `raw` into the buffer (the result is never longer than the input).
        func fold(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            if buffer.count < raw.count {
                buffer.deallocate()
                buffer = .allocate(byteCount: raw.count * 2, alignment: 8)
            }
            let n = TextNormalization.foldASCII(raw, into: buffer)
            return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        }
    }
    private let scratch: Scratch
    /// `scratch.info`, kept here so that the hot path reads it without touching the class.
    private let info: UnsafeMutablePointer<FieldInfo>
    private let dates: UnsafeMutablePointer<DateEntry>
    private var fileIndex: Int32

    /// What the hot path needs of a layout field.
    struct FieldInfo {
        /// `Int.max` when the field has no maximal length.
        var maxLength: Int
        var required: Bool
        var negativeAllowed: Bool
        var defaultValue: UnsafeRawBufferPointer?
        /// For an enumeration: its codes in declaration order (the type's case numbers).
        var codes: UnsafePointer<CodeKey>?
        /// The same as `shortCodeKey`s.
        var shortCodes: UnsafePointer<UInt64>?
        var codeCount: Int

        /// At most how many bytes the field gives when it is absent or blank: its default's.
        var defaultCount: Int { defaultValue?.count ?? 0 }
    }

    /// A code of 1 to 7 bytes as one word: the bytes (first byte low) and the length in the top
    /// byte, so that no two texts of 1-7 bytes share a key (0 is no text's key). Two overlapping loads.
    @inline(__always)
    static func shortCodeKey(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let n = bytes.count
        let word: UInt64
        if n >= 4 {
            word =
                UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
                | UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))) &<< UInt64(8 &* (n &- 4))
        } else {
            word =
                UInt64(bytes[0]) | UInt64(bytes[n &>> 1]) &<< UInt64(8 &* (n &>> 1))
                | UInt64(bytes[n &- 1]) &<< UInt64(8 &* (n &- 1))
        }
        return word | UInt64(n) &<< 56
    }

    /// A date of 10 bytes read, and its day.
    struct DateEntry {
        var low: UInt64
        var high: UInt16
        var day: Int32
    }

    /// A code of at most 16 bytes, lower case, packed into two words (zero padded) with its length.
    struct CodeKey: Equatable {
        var low: UInt64
        var high: UInt64
        var length: Int

        init(low: UInt64, high: UInt64, length: Int) {
            self.low = low
            self.high = high
            self.length = length
        }

        /// The key of `bytes` as they are, or nil when they are longer than 16 bytes. Codes are
        /// lower case: a key equal to a code's is that code; other bytes (capitals too) go to
        /// `ExchangeCode.parse`. Overlapping loads inside the bytes, no byte loop.
        @inline(__always)
        init?(_ bytes: UnsafeRawBufferPointer) {
            let n = bytes.count
            guard n <= 16, let p = bytes.baseAddress else {
                if bytes.isEmpty { self.init(low: 0, high: 0, length: 0); return }
                return nil
            }
            var low: UInt64 = 0
            var high: UInt64 = 0
            if n >= 8 {
                low = p.loadUnaligned(as: UInt64.self)
                if n > 8 { high = p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> UInt64(8 * (16 - n)) }
            } else if n >= 4 {
                low =
                    UInt64(p.loadUnaligned(as: UInt32.self))
                    | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << UInt64(8 * (n - 4))
            } else {
                for i in 0..<n { low |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
            }
            self.init(low: low, high: high, length: n)
        }
    }

    public init(layout: RecordLayout, fileIndex: Int32) throws {
        guard let kind = layout.kind else { throw SchemaError(file: layout.layout, message: "unknown layout") }
        self.kind = kind
        self.scratch = Scratch(layout: layout, kind: kind, plan: try RecordDecoderPlan(layout: layout, kind: kind))
        self.info = scratch.info
        self.dates = scratch.dates
        self.fileIndex = fileIndex
    }

    /// A field failed: carries the field index and the problem.
    struct Refusal: Error {
        var field: Int
        var problem: FieldProblem
    }

    /// Validates one record.
    public func decode(_ source: some FieldSource, position: Int64) -> DecodedRecord {
        let origin = RecordOrigin(file: fileIndex, position: position)
        do {
            switch kind {
            case .roster: return try decodeRoster(source, origin: origin)
            case .inspectors: return try decodeInspector(source)
            default: return try decodeExchange(source, origin: origin)
            }
        } catch let refusal as Refusal {
            return .quarantined(quarantine(refusal, source))
        } catch {
            preconditionFailure("record decoding throws only refusals: \(error)")
        }
    }

    private func quarantine(_ refusal: Refusal, _ source: some FieldSource) -> QuarantinedRecord {
        var record = QuarantinedRecord(field: layout.fields[refusal.field].name, problem: refusal.problem)
        if let idField = scratch.plan.idNumber, let bytes = source.value(idField) {
            if case .success(let id) = IDNumber.parse(folded(bytes)) { record.validID = id }
        }
        if let hh = scratch.plan.householdID, let bytes = source.value(hh) {
            record.householdID = try? identifier(hh, folded(bytes))
        }
        return record
    }

    private func field(_ index: Int) -> RecordLayout.Field { layout.fields[index] }

    private func refuse(_ index: Int, _ code: QuarantineCode, _ message: String) -> Refusal {
        Refusal(field: index, problem: FieldProblem(code, "\(layout.fields[index].name): \(message)"))
    }

    // MARK: Field access

    /// The field folded (full-width to ASCII, trimmed), valid until the next field is read.
    @inline(__always)
    private func folded(_ raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        TextNormalization.isFolded(raw) ? raw : scratch.fold(raw)
    }

    /// A field's folded bytes; when absent or blank its default; nil when it has none
    /// (an error for a required field).
    @inline(__always)
    private func optional(_ index: Int, _ source: some FieldSource) throws -> UnsafeRawBufferPointer? {
        if let (raw, ascii) = source.valueKnowingASCII(index) {
            // Known ASCII with no white space at either end: nothing to fold or trim.
            if ascii, let first = raw.first, Self.isNotSpace(first), Self.isNotSpace(raw[raw.count &- 1]) {
                return raw
            }
            let bytes = folded(raw)
            if !bytes.isEmpty { return bytes }
        }
        return try absent(index)
    }

    /// `!TextNormalization.isSpace(b)`, testing the common case (a printable byte) first.
    @inline(__always)
    private static func isNotSpace(_ b: UInt8) -> Bool { b > 0x20 || !TextNormalization.isSpace(b) }

    /// A field absent or blank: its default, nil, or a refusal when it is required.
    private func absent(_ index: Int) throws -> UnsafeRawBufferPointer? {
        if let fallback = info[index].defaultValue { return fallback }
        if info[index].required { throw refuse(index, .missingField, "required but empty") }
        return nil
    }

    @inline(__always)
    private func required(_ index: Int, _ source: some FieldSource) throws -> UnsafeRawBufferPointer {
        guard let bytes = try optional(index, source) else { throw refuse(index, .missingField, "required but empty") }
        return bytes
    }

    // MARK: Types

    private func idNumber(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> RecordHolderID {
        switch IDNumber.parse(bytes) {
        case .success(let id): return .valid(id)
        case .failure(let error):
            switch error.problem {
            case .checksum(let failed): return .checksumFailed(failed)
            case .format: throw refuse(index, .idFormat, Self.idFormatMessage)
            case .birthDate: throw refuse(index, .idBirthDate, "the birth date inside the ID number is not a real date")
            }
        }
    }

    static let idFormatMessage = "not an ID number (18 characters: 17 digits and a check digit or X; or a legacy 15-digit number)"
    static let idChecksumMessage = "the check character does not match the other 17 digits (GB 11643): the number was probably mistyped"

    private func name(_ index: Int, _ source: some FieldSource) throws -> String {
        guard let raw = source.value(index) else { throw refuse(index, .missingField, "required but empty") }
        let name = TextNormalization.normalizedName(raw)
        if name.isEmpty { throw refuse(index, .missingField, "required but empty") }
        if raw.count > 40, Self.scalarCount(raw) > 40 { throw refuse(index, .badName, "longer than 40 characters") }
        return name
    }

    private func text(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> String {
        if let max = field(index).maxLength, bytes.count > max, Self.scalarCount(bytes) > max {
            throw refuse(index, .tooLong, "longer than \(max) characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Characters (Unicode scalars) in valid UTF-8: the bytes that do not continue a sequence.
    static func scalarCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for b in bytes where b & 0xC0 != 0x80 { count += 1 }
        return count
    }

    private func identifier(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> String {
        for b in bytes where !((b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A)) {
            throw refuse(index, .badIdentifier, "only letters and digits are allowed")
        }
        if let max = field(index).maxLength, bytes.count > max {
            throw refuse(index, .tooLong, "longer than \(max) characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    private func code<C: ExchangeCode>(_ index: Int, _ bytes: UnsafeRawBufferPointer, as: C.Type) throws -> C {
        if let value = shortCode(index, bytes, as: C.self) { return value }
        return try anyCode(index, bytes, as: C.self)
    }

    /// A code of 1-7 bytes written as declared (the common case), with one word compare per code;
    /// nil for anything else. The layout's codes are the type's, in its order (checked by the
    /// plan): a match is a case number.
    @inline(__always)
    private func shortCode<C: ExchangeCode>(_ index: Int, _ bytes: UnsafeRawBufferPointer, as: C.Type) -> C? {
        shortCaseNumber(index, bytes).map { unsafeBitCast($0, to: C.self) }
    }

    /// `shortCode` as the case number.
    @inline(__always)
    private func shortCaseNumber(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> UInt8? {
        let n = bytes.count
        guard n >= 1, n <= 7, let keys = info[index].shortCodes else { return nil }
        let key = Self.shortCodeKey(bytes)
        let count = info[index].codeCount
        var k = 0
        while k < count {
            if keys[k] == key { return UInt8(truncatingIfNeeded: k) }
            k &+= 1
        }
        return nil
    }

    /// `code` for longer codes, other spellings (capitals) and refusals.
    @inline(never)
    private func anyCode<C: ExchangeCode>(_ index: Int, _ bytes: UnsafeRawBufferPointer, as: C.Type) throws -> C {
        if let codes = info[index].codes, let key = CodeKey(bytes) {
            for k in 0..<info[index].codeCount where codes[k] == key {
                return unsafeBitCast(UInt8(k), to: C.self)
            }
        }
        if let value = C.parse(bytes) { return value }
        // Echo the value only when it cannot be personal data: a short word of letters, as codes are.
        let shown =
            bytes.count <= 20 && bytes.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || $0 == 0x5F || $0 == 0x20 }
            ? "'\(String(decoding: bytes, as: UTF8.self))' is" : "value is"
        throw refuse(index, .badCode, "\(shown) not one of \(C.codeList)")
    }

    @inline(__always)
    private func money(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Fen {
        if let value = ValueParsing.plainFen(bytes) { return Fen(value) }
        return try anyMoney(index, bytes)
    }

    /// `money` in the forms `plainFen` leaves (signs, symbols, separators) and refusals.
    @inline(never)
    private func anyMoney(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Fen {
        switch ValueParsing.fen(bytes, allowNegative: info[index].negativeAllowed) {
        case .success(let fen): return fen
        case .failure(let problem): throw refuse(index, problem.code, problem.message)
        }
    }

    @inline(__always)
    private func date(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Day {
        if let day = cachedDate(bytes) { return Day(daysSinceEpoch: day) }
        return try anyDate(index, bytes)
    }

    /// Dates repeat: the day of a date read lately, by its 10 bytes (only dates that `date`
    /// accepted are kept: ASCII without white space).
    @inline(__always)
    private func cachedDate(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard bytes.count == 10 else { return nil }
        let low = bytes.loadUnaligned(as: UInt64.self)
        let high = bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let slot = dateSlot(low, high)
        return slot.pointee.low == low && slot.pointee.high == high ? slot.pointee.day : nil
    }

    /// The cache entry for a date's 10 bytes.
    @inline(__always)
    private func dateSlot(_ low: UInt64, _ high: UInt16) -> UnsafeMutablePointer<DateEntry> {
        dates + Int(truncatingIfNeeded: ((low ^ UInt64(high) &* 0x9E37_79B9) &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// `date` for a date not in the cache: read, and cached when it has 10 bytes.
    @inline(never)
    private func anyDate(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Day {
        switch ValueParsing.day(bytes) {
        case .success(let day):
            if bytes.count == 10 {
                let low = bytes.loadUnaligned(as: UInt64.self)
                let high = bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
                dateSlot(low, high).pointee = DateEntry(low: low, high: high, day: day.daysSinceEpoch)
            }
            return day
        case .failure(let problem): throw refuse(index, problem.code, problem.message)
        }
    }

    @inline(__always)
    private func month(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Month {
        if let value = ValueParsing.plainMonth(bytes) { return value }
        return try anyMonth(index, bytes)
    }

    @inline(never)
    private func anyMonth(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Month {
        switch ValueParsing.month(bytes) {
        case .success(let month): return month
        case .failure(let problem): throw refuse(index, problem.code, problem.message)
        }
    }

    private func decimal(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        let spec = field(index)
        let places = spec.places ?? 0
        if bytes.first == UInt8(ascii: "-") {
            throw refuse(index, .outOfRange, "must be greater than \(spec.minExclusive ?? "0")")
        }
        guard let value = ValueParsing.fixedPoint(bytes, places: places) else {
            throw refuse(index, .badNumber, "not a number with at most \(places) decimals")
        }
        if let lower = scratch.plan.decimalBounds[index]?.minExclusive, value <= lower {
            throw refuse(index, .outOfRange, "must be greater than \(spec.minExclusive ?? "0")")
        }
        if let upper = scratch.plan.decimalBounds[index]?.max, value > upper {
            throw refuse(index, .outOfRange, "must be at most \(spec.max ?? "")")
        }
        return value
    }

    private func integer(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Int {
        let spec = field(index)
        guard let value = ValueParsing.integer(bytes) else { throw refuse(index, .badNumber, "not a whole number") }
        if let min = spec.min, value < min { throw refuse(index, .outOfRange, "must be at least \(min)") }
        if let max = spec.max.flatMap({ Int($0) }), value > max { throw refuse(index, .outOfRange, "must be at most \(max)") }
        return value
    }

    private func flag(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Bool {
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "1") { return true }
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "0") { return false }
        throw refuse(index, .badCode, "must be 1 or 0")
    }

    private func region(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> RegionCode {
        guard let code = RegionCode.parse(bytes) else { throw refuse(index, .badRegion, "not a 6-digit region code (GB/T 2260)") }
        return code
    }

    private func currency(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> String {
        // The common case without building a string from bytes.
        if bytes.count == 3, (bytes[0] | 0x20) == UInt8(ascii: "c"), (bytes[1] | 0x20) == UInt8(ascii: "n"),
            (bytes[2] | 0x20) == UInt8(ascii: "y")
        {
            return "CNY"
        }
        guard bytes.count == 3, bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else {
            throw refuse(index, .badCode, "not a 3-letter ISO 4217 currency code")
        }
        return String(decoding: bytes.map { $0 & ~0x20 }, as: UTF8.self)
    }

    // MARK: Records

    private func decodeExchange(_ s: some FieldSource, origin: RecordOrigin) throws -> DecodedRecord {
        let p = scratch.plan
        let idIndex = p.idNumber!
        let holder = try idNumber(idIndex, required(idIndex, s))
        let holderName = try name(p.name!, s)
        let facts: ExchangeFacts
        switch kind {
        case .bank:
            let i = p.bank
            facts = .bank(
                BankBalance(
                    bankCode: try text(i.bankCode, required(i.bankCode, s)),
                    accountNumber: try text(i.accountNumber, required(i.accountNumber, s)),
                    accountType: try code(i.accountType, required(i.accountType, s), as: AccountType.self),
                    balance: try money(i.balance, required(i.balance, s)),
                    currency: try optional(i.currency, s).map { try currency(i.currency, $0) } ?? "CNY",
                    asOf: try date(i.asOf, required(i.asOf, s))))
        case .tax:
            let i = p.tax
            facts = .tax(
                TaxIncome(
                    period: try month(i.period, required(i.period, s)),
                    incomeType: try code(i.incomeType, required(i.incomeType, s), as: IncomeType.self),
                    grossIncome: try money(i.grossIncome, required(i.grossIncome, s)),
                    taxPaid: try optional(i.taxPaid, s).map { try money(i.taxPaid, $0) } ?? .zero,
                    socialContribution: try optional(i.socialContribution, s).map { try money(i.socialContribution, $0) } ?? .zero,
                    withholder: try optional(i.withholder, s).map { try text(i.withholder, $0) } ?? ""))
        case .vehicle:
            let i = p.vehicle
            facts = .vehicle(
                VehicleRegistration(
                    plate: try text(i.plate, required(i.plate, s)),
                    vehicleType: try code(i.vehicleType, required(i.vehicleType, s), as: VehicleType.self),
                    registeredOn: try date(i.registeredOn, required(i.registeredOn, s)),
                    assessedValue: try optional(i.assessedValue, s).map { try money(i.assessedValue, $0) },
                    status: try code(i.status, required(i.status, s), as: VehicleStatus.self)))
        default:
            let i = p.property
            facts = .property(
                PropertyRegistration(
                    certificateNumber: try text(i.certificateNumber, required(i.certificateNumber, s)),
                    propertyType: try code(i.propertyType, required(i.propertyType, s), as: PropertyType.self),
                    floorArea: try decimal(i.floorArea, required(i.floorArea, s)),
                    share: try optional(i.share, s).map { try decimal(i.share, $0) } ?? 10_000,
                    registeredOn: try date(i.registeredOn, required(i.registeredOn, s)),
                    status: try code(i.status, required(i.status, s), as: PropertyStatus.self),
                    address: try optional(i.address, s).map { try text(i.address, $0) } ?? ""))
        }
        let record = ExchangeRecord(holder: holder, holderName: holderName, facts: facts, origin: origin)
        if case .checksumFailed = holder {
            var refused = QuarantinedRecord(
                field: field(idIndex).name,
                problem: FieldProblem(.idChecksum, "\(field(idIndex).name): \(Self.idChecksumMessage)"))
            refused.probableCandidate = record
            return .quarantined(refused)
        }
        return .exchange(record)
    }

    /// Whether the layout's records are exchange records (bank, tax, vehicle, property), which
    /// `decodeCompact` can decode.
    public var decodesExchangeRecords: Bool { kind != .roster && kind != .inspectors }

    /// Validates an exchange record like `decode`, but writes its normalized fields into `w` as a
    /// `CompactRecord` instead of building an `ExchangeRecord` (no `String`s): the hot path of
    /// a run. Returns false, with `w` in an unspecified state, whenever `decode` would not
    /// return `.exchange` (a refused field, or an ID that fails its check character); `decode`
    /// then says why. `foreignCurrency` is set for a bank balance not in CNY.
    @inline(__always)
    public func decodeCompact(_ s: some FieldSource, into w: inout CompactRecordWriter, foreignCurrency: inout Bool) -> Bool {
        foreignCurrency = false
        do {
            // One function per kind: the whole of it in one function was too large for the inliner
            // (byte loads and counts of buffer pointers were left as calls).
            switch kind {
            case .bank: return try compactBank(s, &w, &foreignCurrency)
            case .tax: return try compactTax(s, &w)
            case .vehicle: return try compactVehicle(s, &w)
            default: return try compactProperty(s, &w)
            }
        } catch {
            return false
        }
    }

    // MARK: Compact records
    //
    // The fields with a strict common form (ID, codes, amounts, dates, months, currency) are first
    // read from their raw bytes by the fast parsers: what they accept is ASCII without white space,
    // which folding and trimming leave as it is. Anything else takes the full path (`required`,
    // `optional` and the type's reader), which accepts or refuses exactly as `decode` does.

    /// Starts the compact record: reads the holder's ID and name, reserves the record's bytes,
    /// writes the holder. Nil for a record `decode` must refuse (it then says why).
    ///
    /// The bytes are reserved once per record (`CompactRecordCursor`): `fixed` for the fields after
    /// the name, and `textSlot` bytes for each of its `texts` (a longer text makes room for itself,
    /// `compactText`).
    @inline(__always)
    private func startCompact(
        _ s: some FieldSource, _ w: inout CompactRecordWriter, fixed: Int, texts: Int
    ) throws -> CompactRecordCursor? {
        let idIndex = scratch.plan.idNumber!
        let id: IDNumber
        if let raw = s.value(idIndex), raw.count == 18, let common = IDNumber.parseValid18(raw) {
            id = common
        } else {
            guard case .success(let other) = IDNumber.parse(try required(idIndex, s)) else { return nil }
            id = other
        }
        guard let rawName = s.value(scratch.plan.name!) else { return nil }
        if rawName.count > 40, Self.scalarCount(rawName) > 40 { return nil }
        var c = w.startRecord(
            reserving: CompactRecord.validHolderSize &+ 5 &+ rawName.count &+ fixed &+ texts &* Self.textSlot)
        c.holder(id)
        guard c.name(rawName) else { return nil }  // blank name
        return c
    }

    /// Bytes reserved per text field of a compact record: its length and up to 64 bytes.
    private static let textSlot = 5 + 64

    /// The case number of a required code. Its common case is not generic: the inliner keeps it.
    @inline(__always)
    private func requiredCode<C: ExchangeCode>(_ index: Int, _ s: some FieldSource, as: C.Type) throws -> UInt8 {
        if let raw = s.value(index), let value = shortCaseNumber(index, raw) { return value }
        return try anyRequiredCode(index, s, as: C.self)
    }

    @inline(never)
    private func anyRequiredCode<C: ExchangeCode>(_ index: Int, _ s: some FieldSource, as: C.Type) throws -> UInt8 {
        UInt8(truncatingIfNeeded: try code(index, required(index, s), as: C.self).caseNumber)
    }

    @inline(__always)
    private func requiredMoney(_ index: Int, _ s: some FieldSource) throws -> Int64 {
        if let raw = s.value(index), let value = ValueParsing.plainFen(raw) { return value }
        return try anyRequiredMoney(index, s)
    }

    @inline(never)
    private func anyRequiredMoney(_ index: Int, _ s: some FieldSource) throws -> Int64 {
        try money(index, required(index, s)).value
    }

    /// An optional amount; 0 when absent.
    @inline(__always)
    private func optionalMoney(_ index: Int, _ s: some FieldSource) throws -> Int64 {
        if let raw = s.value(index), let value = ValueParsing.plainFen(raw) { return value }
        return try anyOptionalMoney(index, s)
    }

    @inline(never)
    private func anyOptionalMoney(_ index: Int, _ s: some FieldSource) throws -> Int64 {
        try optional(index, s).map { try money(index, $0).value } ?? 0
    }

    @inline(__always)
    private func requiredDate(_ index: Int, _ s: some FieldSource) throws -> Int32 {
        if let raw = s.value(index), let day = cachedDate(raw) { return day }
        return try anyRequiredDate(index, s)
    }

    @inline(never)
    private func anyRequiredDate(_ index: Int, _ s: some FieldSource) throws -> Int32 {
        try date(index, required(index, s)).daysSinceEpoch
    }

    @inline(__always)
    private func requiredMonth(_ index: Int, _ s: some FieldSource) throws -> Int32 {
        if let raw = s.value(index), let month = ValueParsing.plainMonth(raw) { return month.index }
        return try anyRequiredMonth(index, s)
    }

    @inline(never)
    private func anyRequiredMonth(_ index: Int, _ s: some FieldSource) throws -> Int32 {
        try month(index, required(index, s)).index
    }

    @inline(never)
    private func compactBank(_ s: some FieldSource, _ w: inout CompactRecordWriter, _ foreignCurrency: inout Bool) throws -> Bool {
        let i = scratch.plan.bank
        // tag, code, balance, currency (a text of 3), date
        guard var c = try startCompact(s, &w, fixed: 1 + 1 + 8 + 4 + 4, texts: 2) else { return false }
        c.byte(1)
        try compactText(i.bankCode, required(i.bankCode, s), &c, &w)
        try compactText(i.accountNumber, required(i.accountNumber, s), &c, &w)
        c.byte(try requiredCode(i.accountType, s, as: AccountType.self))
        c.integer(try requiredMoney(i.balance, s))
        c.textLength(3)
        if let raw = s.value(i.currency), raw.count == 3, Self.isCNY(raw) {
            writeCNY(&c)
        } else if let bytes = try optional(i.currency, s) {
            if bytes.count == 3, Self.isCNY(bytes) {
                writeCNY(&c)
            } else {
                guard bytes.count == 3, bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return false }
                for b in bytes { c.byte(b & ~0x20) }
                foreignCurrency = true
            }
        } else {
            writeCNY(&c)
        }
        c.integer(try requiredDate(i.asOf, s))
        w.finishRecord(c)
        return true
    }

    /// Whether 3 bytes are "cny", any case.
    @inline(__always)
    private static func isCNY(_ bytes: UnsafeRawBufferPointer) -> Bool {
        (UInt32(bytes.loadUnaligned(as: UInt16.self)) | UInt32(bytes.load(fromByteOffset: 2, as: UInt8.self)) << 16)
            | 0x20_2020 == 0x79_6E63
    }

    @inline(never)
    private func compactTax(_ s: some FieldSource, _ w: inout CompactRecordWriter) throws -> Bool {
        let i = scratch.plan.tax
        // tag, month, code, three amounts
        guard var c = try startCompact(s, &w, fixed: 1 + 4 + 1 + 3 * 8, texts: 1) else { return false }
        c.byte(2)
        c.integer(try requiredMonth(i.period, s))
        c.byte(try requiredCode(i.incomeType, s, as: IncomeType.self))
        c.integer(try requiredMoney(i.grossIncome, s))
        c.integer(try optionalMoney(i.taxPaid, s))
        c.integer(try optionalMoney(i.socialContribution, s))
        try compactOptionalText(i.withholder, s, &c, &w)
        w.finishRecord(c)
        return true
    }

    @inline(never)
    private func compactVehicle(_ s: some FieldSource, _ w: inout CompactRecordWriter) throws -> Bool {
        let i = scratch.plan.vehicle
        // tag, code, date, optional amount, code
        guard var c = try startCompact(s, &w, fixed: 1 + 1 + 4 + 9 + 1, texts: 1) else { return false }
        c.byte(3)
        try compactText(i.plate, required(i.plate, s), &c, &w)
        c.byte(try requiredCode(i.vehicleType, s, as: VehicleType.self))
        c.integer(try requiredDate(i.registeredOn, s))
        c.optionalAmount(try optional(i.assessedValue, s).map { try money(i.assessedValue, $0) })
        c.byte(try requiredCode(i.status, s, as: VehicleStatus.self))
        w.finishRecord(c)
        return true
    }

    @inline(never)
    private func compactProperty(_ s: some FieldSource, _ w: inout CompactRecordWriter) throws -> Bool {
        let i = scratch.plan.property
        // tag, code, two decimals, date, code
        guard var c = try startCompact(s, &w, fixed: 1 + 1 + 8 + 8 + 4 + 1, texts: 2) else { return false }
        c.byte(4)
        try compactText(i.certificateNumber, required(i.certificateNumber, s), &c, &w)
        c.byte(try requiredCode(i.propertyType, s, as: PropertyType.self))
        c.integer(try decimal(i.floorArea, required(i.floorArea, s)))
        c.integer(try optional(i.share, s).map { try decimal(i.share, $0) } ?? 10_000)
        c.integer(try requiredDate(i.registeredOn, s))
        c.byte(try requiredCode(i.status, s, as: PropertyStatus.self))
        try compactOptionalText(i.address, s, &c, &w)
        w.finishRecord(c)
        return true
    }

    @inline(__always)
    private func writeCNY(_ c: inout CompactRecordCursor) {
        c.byte(UInt8(ascii: "C")); c.byte(UInt8(ascii: "N")); c.byte(UInt8(ascii: "Y"))
    }

    /// `compactText` of an optional field; empty text when it is absent.
    @inline(__always)
    private func compactOptionalText(
        _ index: Int, _ s: some FieldSource, _ c: inout CompactRecordCursor, _ w: inout CompactRecordWriter
    ) throws {
        if let bytes = try optional(index, s) {
            try compactText(index, bytes, &c, &w)
        } else {
            c.textLength(0)
        }
    }

    /// `text` without the `String`: checks the length, writes the bytes. A text longer than its
    /// slot (`textSlot`) first makes room for itself and what may follow it.
    @inline(__always)
    private func compactText(
        _ index: Int, _ bytes: UnsafeRawBufferPointer, _ c: inout CompactRecordCursor, _ w: inout CompactRecordWriter
    ) throws {
        let max = info[index].maxLength
        if bytes.count > max, Self.scalarCount(bytes) > max {
            throw refuse(index, .tooLong, "longer than \(max) characters")
        }
        if bytes.count > Self.textSlot - 5 { w.makeRoom(bytes.count &+ 256, for: &c) }
        c.text(bytes)
    }

    private func decodeRoster(_ s: some FieldSource, origin: RecordOrigin) throws -> DecodedRecord {
        let i = scratch.plan.roster
        let householdID = try identifier(i.householdID, required(i.householdID, s))
        let regionCode = try region(i.regionCode, required(i.regionCode, s))
        let areaType = try code(i.areaType, required(i.areaType, s), as: AreaType.self)
        let applicationType = try code(i.applicationType, required(i.applicationType, s), as: ApplicationType.self)
        let currentStatus = try code(i.currentStatus, required(i.currentStatus, s), as: BenefitStatus.self)
        let address = try optional(i.address, s).map { try text(i.address, $0) } ?? ""
        // An invalid member ID is not a reason to refuse the row (rules.md, point 7).
        let idIndex = scratch.plan.idNumber!
        let idBytes = try required(idIndex, s)
        let id: IDNumber?, idProblem: IDNumberProblem?, idText: String
        switch IDNumber.parse(idBytes) {
        case .success(let valid): (id, idProblem, idText) = (valid, nil, valid.description)
        case .failure(let error): (id, idProblem, idText) = (nil, error.problem, String(decoding: idBytes, as: UTF8.self))
        }
        let memberName = try name(scratch.plan.name!, s)
        let member = RosterMember(
            id: id, idProblem: idProblem, idText: idText, name: memberName,
            relation: try code(i.relation, required(i.relation, s), as: Relation.self),
            disabilityGrade: try optional(i.disabilityGrade, s).map { try integer(i.disabilityGrade, $0) } ?? 0,
            employment: try optional(i.employment, s).map { try code(i.employment, $0, as: Employment.self) },
            separateHousehold: try optional(i.separateHousehold, s).map { try flag(i.separateHousehold, $0) } ?? false,
            declaredMonthlyIncome: try optional(i.declaredMonthlyIncome, s).map { try money(i.declaredMonthlyIncome, $0) } ?? .zero,
            rigidExpenseAnnual: try optional(i.rigidExpenseAnnual, s).map { try money(i.rigidExpenseAnnual, $0) } ?? .zero)
        return .roster(
            RosterRow(
                householdID: householdID, regionCode: regionCode, areaType: areaType, applicationType: applicationType,
                currentStatus: currentStatus, address: address, member: member, origin: origin))
    }

    private func decodeInspector(_ s: some FieldSource) throws -> DecodedRecord {
        let i = scratch.plan.inspectors
        return .inspector(
            Inspector(
                inspectorID: try identifier(i.inspectorID, required(i.inspectorID, s)),
                name: try name(i.name, s),
                homeRegion: try region(i.homeRegion, required(i.homeRegion, s)),
                capacity: try optional(i.capacity, s).map { try integer(i.capacity, $0) }))
    }
}
