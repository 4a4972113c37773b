/// What a compact record says (`CompactRecord`), read in place: numbers, dates and codes as
/// values, texts as views of the record's bytes. This is how the assessment reads a record: no
/// `String` is made for it (decoding every record into an `ExchangeRecord` was a fifth of the
/// assessment's time). The text views are valid while the bytes they were read from are.
public enum CompactFacts {
    case bank(Bank)
    case tax(Tax)
    case vehicle(Vehicle)
    case property(Property)

    /// A bank balance (`BankBalance`).
    public struct Bank {
        public var bankCode: UnsafeRawBufferPointer
        public var accountNumber: UnsafeRawBufferPointer
        public var accountType: AccountType
        public var balance: Fen
        /// ISO 4217, upper case.
        public var currency: UnsafeRawBufferPointer
        public var asOf: Day

        /// Whether the balance is in yuan (`CNY`).
        public var isCNY: Bool {
            currency.count == 3 && currency[0] == UInt8(ascii: "C") && currency[1] == UInt8(ascii: "N")
                && currency[2] == UInt8(ascii: "Y")
        }
    }

    /// A month's income (`TaxIncome`).
    public struct Tax {
        public var period: Month
        public var incomeType: IncomeType
        public var grossIncome: Fen
        public var taxPaid: Fen
        public var socialContribution: Fen
        public var withholder: UnsafeRawBufferPointer

        /// gross − tax − social contributions (rules.md).
        public var netIncome: Fen { grossIncome - taxPaid - socialContribution }
    }

    /// A vehicle registration (`VehicleRegistration`).
    public struct Vehicle {
        public var plate: UnsafeRawBufferPointer
        public var vehicleType: VehicleType
        public var registeredOn: Day
        public var assessedValue: Fen?
        public var status: VehicleStatus
    }

    /// A real-estate certificate (`PropertyRegistration`).
    public struct Property {
        public var certificateNumber: UnsafeRawBufferPointer
        public var propertyType: PropertyType
        /// Hundredths of a square metre.
        public var floorArea: Int64
        /// Ten-thousandths (1...10000).
        public var share: Int64
        public var registeredOn: Day
        public var status: PropertyStatus
        public var address: UnsafeRawBufferPointer
    }

    /// The facts of the compact record in `bytes` (its holder and name skipped).
    public init(_ bytes: UnsafeRawBufferPointer) {
        var reader = CompactRecord.Reader(bytes: bytes)
        reader.offset = bytes[0] == 0 ? CompactRecord.validHolderSize : 19
        _ = reader.textBytes()
        switch reader.byte() {
        case 1:
            self = .bank(
                Bank(
                    bankCode: reader.textBytes(), accountNumber: reader.textBytes(), accountType: reader.code(),
                    balance: Fen(reader.integer()), currency: reader.textBytes(), asOf: Day(daysSinceEpoch: reader.integer())))
        case 2:
            self = .tax(
                Tax(
                    period: Month(index: reader.integer()), incomeType: reader.code(), grossIncome: Fen(reader.integer()),
                    taxPaid: Fen(reader.integer()), socialContribution: Fen(reader.integer()), withholder: reader.textBytes()))
        case 3:
            let plate = reader.textBytes()
            let type: VehicleType = reader.code()
            let registered = Day(daysSinceEpoch: reader.integer())
            let value: Fen? = reader.byte() == 1 ? Fen(reader.integer()) : nil
            self = .vehicle(Vehicle(plate: plate, vehicleType: type, registeredOn: registered, assessedValue: value, status: reader.code()))
        default:
            self = .property(
                Property(
                    certificateNumber: reader.textBytes(), propertyType: reader.code(), floorArea: reader.integer(),
                    share: reader.integer(), registeredOn: Day(daysSinceEpoch: reader.integer()), status: reader.code(),
                    address: reader.textBytes()))
        }
    }

    public var source: SourceKind {
        switch self {
        case .bank: .bank
        case .tax: .tax
        case .vehicle: .vehicle
        case .property: .property
        }
    }

    /// Whether two texts (or records) hold the same bytes.
    public static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var i = 0
        while i + 8 <= a.count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < a.count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// The compact records of one unit (or one record), copied into memory of their own so that
/// the views the assessment takes of them stay valid as long as a record that refers to them.
/// Immutable once made.
public final class CompactRecordStorage: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let count: Int

    /// Storage of `count` bytes, filled by `initialize` before anyone else sees it.
    public init(count: Int, initialize: (UnsafeMutableRawBufferPointer) -> Void) {
        base = .allocate(byteCount: max(count, 1), alignment: 8)
        self.count = count
        initialize(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// Storage holding one record's bytes.
    public convenience init(_ record: ExchangeRecord) {
        var writer = CompactRecordWriter()
        CompactRecord.encode(record, into: &writer)
        self.init(count: writer.count) { buffer in
            writer.withBytes { buffer.copyMemory(from: $0) }
        }
    }

    deinit { base.deallocate() }
}
