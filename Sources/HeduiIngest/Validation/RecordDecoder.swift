import HeduiModel

/// Gives the raw bytes of a record's fields by layout field index (nil: absent).
public protocol FieldSource {
    func value(_ field: Int) -> UnsafeRawBufferPointer?
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
public enum DecodedRecord: Sendable {
    case exchange(ExchangeRecord)
    case roster(RosterRow)
    case inspector(Inspector)
    case quarantined(QuarantinedRecord)
}

/// Validates and normalizes records of one layout, field by field, per the layout's types
/// (exchange-formats.md, "Identifiers and values"). The first failing field quarantines the record.
public struct RecordDecoder {
    public let layout: RecordLayout
    public let kind: SourceKind
    let plan: RecordDecoderPlan
    /// The buffer fields are folded into; a reference so that decoding methods stay non-mutating
    /// while closures read the layout.
    private final class Scratch {
        var bytes: [UInt8] = []
        init() { bytes.reserveCapacity(256) }
    }
    private let scratch = Scratch()
    private var fileIndex: Int32

    public init(layout: RecordLayout, fileIndex: Int32) throws {
        guard let kind = layout.kind else { throw SchemaError(file: layout.layout, message: "unknown layout") }
        self.layout = layout
        self.kind = kind
        self.plan = try RecordDecoderPlan(layout: layout, kind: kind)
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
        if let idField = plan.idNumber, let bytes = source.value(idField) {
            record.validID = withFolded(bytes) { if case .success(let id) = IDNumber.parse($0) { id } else { nil } }
        }
        if let hh = plan.householdID, let bytes = source.value(hh) {
            record.householdID = try? identifier(hh, bytes)
        }
        return record
    }

    private func field(_ index: Int) -> RecordLayout.Field { layout.fields[index] }

    private func refuse(_ index: Int, _ code: QuarantineCode, _ message: String) -> Refusal {
        Refusal(field: index, problem: FieldProblem(code, "\(layout.fields[index].name): \(message)"))
    }

    // MARK: Field access

    /// Calls `body` with the field folded (full-width to ASCII, trimmed); nil when absent or empty,
    /// after applying the layout's default.
    private func withFolded<R>(_ raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if TextNormalization.isPlainASCII(raw) { return try body(raw) }
        TextNormalization.foldASCII(raw, into: &scratch.bytes)
        return try scratch.bytes.withUnsafeBytes { try body($0) }
    }

    /// Present and non-blank → folded bytes passed to `body`; otherwise the default value, or nil.
    private func folded<R>(_ index: Int, _ source: some FieldSource, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        if let raw = source.value(index) {
            let result: R? = try withFolded(raw) { bytes in bytes.isEmpty ? nil : try body(bytes) }
            if let result { return result }
        }
        let spec = field(index)
        if let fallback = spec.defaultValue {
            var copy = fallback
            return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
        if spec.required { throw refuse(index, .missingField, "required but empty") }
        return nil
    }

    private func required<R>(_ index: Int, _ source: some FieldSource, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let value = try folded(index, source, body) else { throw refuse(index, .missingField, "required but empty") }
        return value
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
        if name.unicodeScalars.count > 40 { throw refuse(index, .badName, "longer than 40 characters") }
        return name
    }

    private func text(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> String {
        let value = String(decoding: bytes, as: UTF8.self)
        if let max = field(index).maxLength, value.unicodeScalars.count > max {
            throw refuse(index, .tooLong, "longer than \(max) characters")
        }
        return value
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

    private func code<C: ExchangeCode>(_ index: Int, _ bytes: UnsafeRawBufferPointer, as: C.Type) throws -> C {
        if let value = C.parse(bytes) { return value }
        let shown = bytes.count <= 20 && bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            ? "'\(String(decoding: bytes, as: UTF8.self))' is" : "value is"
        throw refuse(index, .badCode, "\(shown) not one of \(C.codeList)")
    }

    private func money(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Fen {
        switch ValueParsing.fen(bytes, allowNegative: field(index).negativeAllowed ?? false) {
        case .success(let fen): return fen
        case .failure(let problem): throw refuse(index, problem.code, problem.message)
        }
    }

    private func date(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Day {
        switch ValueParsing.day(bytes) {
        case .success(let day): return day
        case .failure(let problem): throw refuse(index, problem.code, problem.message)
        }
    }

    private func month(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Month {
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
        if let lower = plan.decimalBounds[index]?.minExclusive, value <= lower {
            throw refuse(index, .outOfRange, "must be greater than \(spec.minExclusive ?? "0")")
        }
        if let upper = plan.decimalBounds[index]?.max, value > upper {
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
        guard bytes.count == 3, bytes.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else {
            throw refuse(index, .badCode, "not a 3-letter ISO 4217 currency code")
        }
        return String(decoding: bytes.map { $0 & ~0x20 }, as: UTF8.self)
    }

    // MARK: Records

    private func decodeExchange(_ s: some FieldSource, origin: RecordOrigin) throws -> DecodedRecord {
        let p = plan
        let idIndex = p.idNumber!
        let holder = try required(idIndex, s) { try idNumber(idIndex, $0) }
        let holderName = try name(p.name!, s)
        let facts: ExchangeFacts
        switch kind {
        case .bank:
            let i = p.bank
            facts = .bank(BankBalance(
                bankCode: try required(i.bankCode, s) { try text(i.bankCode, $0) },
                accountNumber: try required(i.accountNumber, s) { try text(i.accountNumber, $0) },
                accountType: try required(i.accountType, s) { try code(i.accountType, $0, as: AccountType.self) },
                balance: try required(i.balance, s) { try money(i.balance, $0) },
                currency: try folded(i.currency, s) { try currency(i.currency, $0) } ?? "CNY",
                asOf: try required(i.asOf, s) { try date(i.asOf, $0) }))
        case .tax:
            let i = p.tax
            facts = .tax(TaxIncome(
                period: try required(i.period, s) { try month(i.period, $0) },
                incomeType: try required(i.incomeType, s) { try code(i.incomeType, $0, as: IncomeType.self) },
                grossIncome: try required(i.grossIncome, s) { try money(i.grossIncome, $0) },
                taxPaid: try folded(i.taxPaid, s) { try money(i.taxPaid, $0) } ?? .zero,
                socialContribution: try folded(i.socialContribution, s) { try money(i.socialContribution, $0) } ?? .zero,
                withholder: try folded(i.withholder, s) { try text(i.withholder, $0) } ?? ""))
        case .vehicle:
            let i = p.vehicle
            facts = .vehicle(VehicleRegistration(
                plate: try required(i.plate, s) { try text(i.plate, $0) },
                vehicleType: try required(i.vehicleType, s) { try code(i.vehicleType, $0, as: VehicleType.self) },
                registeredOn: try required(i.registeredOn, s) { try date(i.registeredOn, $0) },
                assessedValue: try folded(i.assessedValue, s) { try money(i.assessedValue, $0) },
                status: try required(i.status, s) { try code(i.status, $0, as: VehicleStatus.self) }))
        default:
            let i = p.property
            facts = .property(PropertyRegistration(
                certificateNumber: try required(i.certificateNumber, s) { try text(i.certificateNumber, $0) },
                propertyType: try required(i.propertyType, s) { try code(i.propertyType, $0, as: PropertyType.self) },
                floorArea: try required(i.floorArea, s) { try decimal(i.floorArea, $0) },
                share: try folded(i.share, s) { try decimal(i.share, $0) } ?? 10_000,
                registeredOn: try required(i.registeredOn, s) { try date(i.registeredOn, $0) },
                status: try required(i.status, s) { try code(i.status, $0, as: PropertyStatus.self) },
                address: try folded(i.address, s) { try text(i.address, $0) } ?? ""))
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

    private func decodeRoster(_ s: some FieldSource, origin: RecordOrigin) throws -> DecodedRecord {
        let i = plan.roster
        let householdID = try required(i.householdID, s) { try identifier(i.householdID, $0) }
        let regionCode = try required(i.regionCode, s) { try region(i.regionCode, $0) }
        let areaType = try required(i.areaType, s) { try code(i.areaType, $0, as: AreaType.self) }
        let applicationType = try required(i.applicationType, s) { try code(i.applicationType, $0, as: ApplicationType.self) }
        let currentStatus = try required(i.currentStatus, s) { try code(i.currentStatus, $0, as: BenefitStatus.self) }
        let address = try folded(i.address, s) { try text(i.address, $0) } ?? ""
        // An invalid member ID is not a reason to refuse the row (rules.md, point 7).
        let idIndex = plan.idNumber!
        let (id, idProblem, idText): (IDNumber?, IDNumberProblem?, String) = try required(idIndex, s) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            switch IDNumber.parse(bytes) {
            case .success(let id): return (id, nil, id.description)
            case .failure(let error): return (nil, error.problem, text)
            }
        }
        let memberName = try name(plan.name!, s)
        let member = RosterMember(
            id: id, idProblem: idProblem, idText: idText, name: memberName,
            relation: try required(i.relation, s) { try code(i.relation, $0, as: Relation.self) },
            disabilityGrade: try folded(i.disabilityGrade, s) { try integer(i.disabilityGrade, $0) } ?? 0,
            employment: try folded(i.employment, s) { try code(i.employment, $0, as: Employment.self) },
            separateHousehold: try folded(i.separateHousehold, s) { try flag(i.separateHousehold, $0) } ?? false,
            declaredMonthlyIncome: try folded(i.declaredMonthlyIncome, s) { try money(i.declaredMonthlyIncome, $0) } ?? .zero,
            rigidExpenseAnnual: try folded(i.rigidExpenseAnnual, s) { try money(i.rigidExpenseAnnual, $0) } ?? .zero)
        return .roster(RosterRow(
            householdID: householdID, regionCode: regionCode, areaType: areaType, applicationType: applicationType,
            currentStatus: currentStatus, address: address, member: member, origin: origin))
    }

    private func decodeInspector(_ s: some FieldSource) throws -> DecodedRecord {
        let i = plan.inspectors
        return .inspector(Inspector(
            inspectorID: try required(i.inspectorID, s) { try identifier(i.inspectorID, $0) },
            name: try name(i.name, s),
            homeRegion: try required(i.homeRegion, s) { try region(i.homeRegion, $0) },
            capacity: try folded(i.capacity, s) { try integer(i.capacity, $0) }))
    }
}
