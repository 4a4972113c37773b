import HeduiModel

/// The field positions a layout gives to the record builders, resolved once per layout,
/// and the check that a layout file declares what the engine needs with the right types.
struct RecordDecoderPlan {
    struct Bank { var bankCode = 0, accountNumber = 0, accountType = 0, balance = 0, currency = 0, asOf = 0 }
    struct Tax { var period = 0, incomeType = 0, grossIncome = 0, taxPaid = 0, socialContribution = 0, withholder = 0 }
    struct Vehicle { var plate = 0, vehicleType = 0, registeredOn = 0, assessedValue = 0, status = 0 }
    struct Property { var certificateNumber = 0, propertyType = 0, floorArea = 0, share = 0, registeredOn = 0, status = 0, address = 0 }
    struct Roster {
        var householdID = 0, regionCode = 0, areaType = 0, applicationType = 0, currentStatus = 0, address = 0
        var relation = 0, disabilityGrade = 0, employment = 0, separateHousehold = 0, declaredMonthlyIncome = 0, rigidExpenseAnnual = 0
    }
    struct Inspectors { var inspectorID = 0, name = 0, homeRegion = 0, capacity = 0 }

    var idNumber: Int?
    var name: Int?
    var householdID: Int?
    var bank = Bank()
    var tax = Tax()
    var vehicle = Vehicle()
    var property = Property()
    var roster = Roster()
    var inspectors = Inspectors()
    /// Decimal bounds scaled to the field's places.
    var decimalBounds: [Int: (minExclusive: Int64?, max: Int64?)] = [:]

    typealias Need = (name: String, type: RecordLayout.FieldType, codes: [String]?)

    /// What each kind's record builder reads, with the type it expects.
    static func needs(_ kind: SourceKind) -> [Need] {
        let holder: [Need] = [("id_number", .idNumber, nil), ("name", .name, nil)]
        switch kind {
        case .bank:
            return holder + [
                ("bank_code", .text, nil), ("account_no", .text, nil),
                ("account_type", .enumeration, AccountType.allCases.map(\.rawValue)),
                ("balance", .money, nil), ("currency", .currency, nil), ("as_of", .date, nil),
            ]
        case .tax:
            return holder + [
                ("period", .month, nil), ("income_type", .enumeration, IncomeType.allCases.map(\.rawValue)),
                ("gross_income", .money, nil), ("tax_paid", .money, nil),
                ("social_contrib", .money, nil), ("withholder", .text, nil),
            ]
        case .vehicle:
            return holder + [
                ("plate", .text, nil), ("vehicle_type", .enumeration, VehicleType.allCases.map(\.rawValue)),
                ("registered_on", .date, nil), ("assessed_value", .money, nil),
                ("status", .enumeration, VehicleStatus.allCases.map(\.rawValue)),
            ]
        case .property:
            return holder + [
                ("cert_no", .text, nil), ("property_type", .enumeration, PropertyType.allCases.map(\.rawValue)),
                ("floor_area", .decimal, nil), ("share", .decimal, nil), ("registered_on", .date, nil),
                ("status", .enumeration, PropertyStatus.allCases.map(\.rawValue)), ("address", .text, nil),
            ]
        case .roster:
            return [
                ("household_id", .identifier, nil), ("region_code", .regionCode, nil),
                ("area_type", .enumeration, AreaType.allCases.map(\.rawValue)),
                ("application_type", .enumeration, ApplicationType.allCases.map(\.rawValue)),
                ("current_status", .enumeration, BenefitStatus.allCases.map(\.rawValue)),
                ("address", .text, nil),
            ] + holder + [
                ("relation", .enumeration, Relation.allCases.map(\.rawValue)), ("disability_grade", .integer, nil),
                ("employment", .enumeration, Employment.allCases.map(\.rawValue)), ("separate_household", .flag, nil),
                ("declared_monthly_income", .money, nil), ("rigid_expense_annual", .money, nil),
            ]
        case .inspectors:
            return [
                ("inspector_id", .identifier, nil), ("name", .name, nil), ("home_region", .regionCode, nil),
                ("capacity", .integer, nil),
            ]
        }
    }

    /// Checks that `layout` declares every field the engine reads for `kind`, with the expected
    /// type and exactly the engine's enumeration codes.
    static func check(_ layout: RecordLayout, kind: SourceKind, file: String) throws {
        _ = try RecordDecoderPlan(layout: layout, kind: kind, file: file)
    }

    init(layout: RecordLayout, kind: SourceKind, file: String? = nil) throws {
        let file = file ?? layout.layout
        var found: [String: Int] = [:]
        for need in Self.needs(kind) {
            guard let index = layout.index(of: need.name) else {
                throw SchemaError(file: file, message: "field '\(need.name)' is missing")
            }
            let field = layout.fields[index]
            guard field.type == need.type else {
                throw SchemaError(file: file, message: "field '\(need.name)' must have type \(need.type.rawValue)")
            }
            if let codes = need.codes, Set(field.values ?? []) != Set(codes) {
                throw SchemaError(file: file, message: "field '\(need.name)' must list the values \(codes.joined(separator: ", "))")
            }
            if field.type == .decimal {
                let places = field.places ?? 0
                func scaled(_ text: String?) throws -> Int64? {
                    guard let text else { return nil }
                    var copy = text
                    guard let v = copy.withUTF8({ ValueParsing.fixedPoint(UnsafeRawBufferPointer($0), places: places) }) else {
                        throw SchemaError(file: file, message: "field '\(need.name)': bound '\(text)' is not a number")
                    }
                    return v
                }
                decimalBounds[index] = (try scaled(field.minExclusive), try scaled(field.max))
            }
            found[need.name] = index
        }
        let f = { (name: String) in found[name]! }
        idNumber = found["id_number"]
        name = found["name"]
        householdID = found["household_id"]
        switch kind {
        case .bank:
            bank = Bank(
                bankCode: f("bank_code"), accountNumber: f("account_no"), accountType: f("account_type"),
                balance: f("balance"), currency: f("currency"), asOf: f("as_of"))
        case .tax:
            tax = Tax(
                period: f("period"), incomeType: f("income_type"), grossIncome: f("gross_income"),
                taxPaid: f("tax_paid"), socialContribution: f("social_contrib"), withholder: f("withholder"))
        case .vehicle:
            vehicle = Vehicle(
                plate: f("plate"), vehicleType: f("vehicle_type"), registeredOn: f("registered_on"),
                assessedValue: f("assessed_value"), status: f("status"))
        case .property:
            property = Property(
                certificateNumber: f("cert_no"), propertyType: f("property_type"), floorArea: f("floor_area"),
                share: f("share"), registeredOn: f("registered_on"), status: f("status"), address: f("address"))
        case .roster:
            roster = Roster(
                householdID: f("household_id"), regionCode: f("region_code"), areaType: f("area_type"),
                applicationType: f("application_type"), currentStatus: f("current_status"), address: f("address"),
                relation: f("relation"), disabilityGrade: f("disability_grade"), employment: f("employment"),
                separateHousehold: f("separate_household"), declaredMonthlyIncome: f("declared_monthly_income"),
                rigidExpenseAnnual: f("rigid_expense_annual"))
        case .inspectors:
            inspectors = Inspectors(
                inspectorID: f("inspector_id"), name: f("name"), homeRegion: f("home_region"),
                capacity: f("capacity"))
        }
    }
}
