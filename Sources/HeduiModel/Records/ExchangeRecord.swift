/// Where a record came from: the input file (by its index in the batch's sorted file list)
/// and its position there, the physical line where a CSV record starts or the
/// 1-based index of an XML record. Every figure in a report traces back to one.
public struct RecordOrigin: Hashable, Comparable, Sendable {
    public var file: Int32
    public var position: Int64

    public init(file: Int32, position: Int64) {
        self.file = file
        self.position = position
    }

    public static func < (a: Self, b: Self) -> Bool { (a.file, a.position) < (b.file, b.position) }
}

/// A deposit or wealth-management account balance on a date (bank files).
public struct BankBalance: Hashable, Sendable {
    public var bankCode: String
    public var accountNumber: String
    public var accountType: AccountType
    /// As delivered, in the account's currency; may be negative (overdraft).
    public var balance: Fen
    /// ISO 4217, upper case; `CNY` when the file leaves it empty.
    public var currency: String
    public var asOf: Day

    public init(bankCode: String, accountNumber: String, accountType: AccountType, balance: Fen, currency: String, asOf: Day) {
        self.bankCode = bankCode
        self.accountNumber = accountNumber
        self.accountType = accountType
        self.balance = balance
        self.currency = currency
        self.asOf = asOf
    }

    /// The account number as it may appear in a report: its last 4 characters (outputs.md).
    public var maskedAccountNumber: String { "…" + String(accountNumber.suffix(4)) }
}

/// One month's income of one type for a taxpayer (tax files).
public struct TaxIncome: Hashable, Sendable {
    public var period: Month
    public var incomeType: IncomeType
    public var grossIncome: Fen
    public var taxPaid: Fen
    public var socialContribution: Fen
    public var withholder: String

    public init(period: Month, incomeType: IncomeType, grossIncome: Fen, taxPaid: Fen, socialContribution: Fen, withholder: String) {
        self.period = period
        self.incomeType = incomeType
        self.grossIncome = grossIncome
        self.taxPaid = taxPaid
        self.socialContribution = socialContribution
        self.withholder = withholder
    }

    /// gross − tax − social contributions (rules.md).
    public var netIncome: Fen { grossIncome - taxPaid - socialContribution }
}

/// A motor vehicle registered to an owner (vehicle files).
public struct VehicleRegistration: Hashable, Sendable {
    public var plate: String
    public var vehicleType: VehicleType
    public var registeredOn: Day
    public var assessedValue: Fen?
    public var status: VehicleStatus

    public init(plate: String, vehicleType: VehicleType, registeredOn: Day, assessedValue: Fen?, status: VehicleStatus) {
        self.plate = plate
        self.vehicleType = vehicleType
        self.registeredOn = registeredOn
        self.assessedValue = assessedValue
        self.status = status
    }
}

/// A real-estate certificate held by an owner (property files).
public struct PropertyRegistration: Hashable, Sendable {
    public var certificateNumber: String
    public var propertyType: PropertyType
    /// Floor area in hundredths of a square metre.
    public var floorArea: Int64
    /// The owner's share in ten-thousandths (1...10000).
    public var share: Int64
    public var registeredOn: Day
    public var status: PropertyStatus
    public var address: String

    public init(
        certificateNumber: String, propertyType: PropertyType, floorArea: Int64, share: Int64, registeredOn: Day, status: PropertyStatus,
        address: String
    ) {
        self.certificateNumber = certificateNumber
        self.propertyType = propertyType
        self.floorArea = floorArea
        self.share = share
        self.registeredOn = registeredOn
        self.status = status
        self.address = address
    }
}

/// What a bank, tax, vehicle or property record says.
public enum ExchangeFacts: Hashable, Sendable {
    case bank(BankBalance)
    case tax(TaxIncome)
    case vehicle(VehicleRegistration)
    case property(PropertyRegistration)

    public var source: SourceKind {
        switch self {
        case .bank: .bank
        case .tax: .tax
        case .vehicle: .vehicle
        case .property: .property
        }
    }
}

/// The person a record is about, as the provider identified them.
public enum RecordHolderID: Hashable, Sendable {
    /// A valid ID number.
    case valid(IDNumber)
    /// An ID whose only fault is its check character: quarantined, but possibly probable evidence.
    case checksumFailed(ChecksumFailedID)
}

/// A validated, normalized record of a bank, tax, vehicle or property file.
public struct ExchangeRecord: Sendable {
    public var holder: RecordHolderID
    /// Normalized (`TextNormalization.normalizedName`).
    public var holderName: String
    public var facts: ExchangeFacts
    public var origin: RecordOrigin

    public init(holder: RecordHolderID, holderName: String, facts: ExchangeFacts, origin: RecordOrigin) {
        self.holder = holder
        self.holderName = holderName
        self.facts = facts
        self.origin = origin
    }
}
