import HeduiModel

@testable import HeduiHouseholds

/// Builders for roster rows and exchange records in tests.
enum Fixture {
    static let asOf = Day(year: 2024, month: 5, day: 31)!

    /// A valid ID: region, birth date `yyyymmdd`, sequence; the check character computed.
    static func id(region: Int = 330911, born: Int, seq: Int = 45) -> IDNumber {
        IDNumber(body: UInt64(region) * 100_000_000_000 + UInt64(born) * 1000 + UInt64(seq))
    }

    /// Parses an ID text as the ingest stage does.
    static func parse(_ text: String) -> (IDNumber?, IDNumberProblem?) {
        switch IDNumber.parse(text) {
        case .success(let id): (id, nil)
        case .failure(let error): (nil, error.problem)
        }
    }

    static func row(
        _ household: String, _ idText: String, name: String = "张三", line: Int64, file: Int32 = 0,
        region: Int = 330902, area: AreaType = .urban, application: ApplicationType = .dibao,
        status: BenefitStatus = .none, address: String = "", separate: Bool = false,
        grade: Int = 0, employment: Employment? = .unemployed
    ) -> RosterRow {
        let (id, problem) = parse(idText)
        let member = RosterMember(
            id: id, idProblem: problem, idText: idText, name: TextNormalization.normalizedName(name), relation: .applicant,
            disabilityGrade: grade, employment: employment, separateHousehold: separate,
            declaredMonthlyIncome: .zero, rigidExpenseAnnual: .zero)
        return RosterRow(
            householdID: household, regionCode: RegionCode(region)!, areaType: area, applicationType: application,
            currentStatus: status, address: address, member: member, origin: RecordOrigin(file: file, position: line))
    }

    static func row(
        _ household: String, _ id: IDNumber, name: String = "张三", line: Int64, file: Int32 = 0,
        region: Int = 330902, separate: Bool = false, grade: Int = 0,
        employment: Employment? = .unemployed
    ) -> RosterRow {
        row(
            household, id.description, name: name, line: line, file: file, region: region,
            separate: separate, grade: grade, employment: employment)
    }

    static let facts = ExchangeFacts.vehicle(
        VehicleRegistration(
            plate: "浙L12345", vehicleType: .car, registeredOn: Day(year: 2020, month: 1, day: 1)!,
            assessedValue: nil, status: .normal))

    /// A record as the ingest stage would make it from `idText` (nil when the ID is neither
    /// valid nor checksum-failed: such a record is quarantined and never matched).
    static func record(_ idText: String, name: String, facts: ExchangeFacts = facts, line: Int64 = 2) -> ExchangeRecord? {
        let holder: RecordHolderID
        switch IDNumber.parse(idText) {
        case .success(let id): holder = .valid(id)
        case .failure(let error):
            guard case .checksum(let bad) = error.problem else { return nil }
            holder = .checksumFailed(bad)
        }
        return ExchangeRecord(
            holder: holder, holderName: TextNormalization.normalizedName(name), facts: facts,
            origin: RecordOrigin(file: 1, position: line))
    }

    static func matches(_ index: MemberIndex, _ record: ExchangeRecord?) -> [RecordMatch] {
        guard let record else { return [] }
        var out: [RecordMatch] = []
        index.matches(for: record, into: &out)
        return out
    }

    /// `text` with the character at `position` replaced by `character`.
    static func replacing(_ text: String, at position: Int, with character: Character) -> String {
        var chars = Array(text)
        chars[position] = character
        return String(chars)
    }

    static func swapping(_ text: String, at position: Int) -> String {
        var chars = Array(text)
        chars.swapAt(position, position + 1)
        return String(chars)
    }

    /// Full-width form of an ASCII ID text.
    static func fullWidth(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
    }
}
