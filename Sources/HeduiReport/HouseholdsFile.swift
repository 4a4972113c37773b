import HeduiModel

/// `<out>/households.jsonl`: what the reports need of the roster and that the run's other files leave out.
///
/// One JSON object a line, one line per unit, sorted by `unit_id` like the other files of a run. Keys in this
/// order (the order `render` writes):
///
/// - `unit_id`, `household_id`, `region_code`, `region_name` (from the policy; empty when unknown),
///   `area_type`, `application_type`, `current_status`, `address` (may be empty)
/// - `members`: in unit order (the member indices of evidence.jsonl), each `name`, `id_number` (as on the
///   roster, normalized when valid), `relation`, `disability_grade` (0-4), `employment` (may be empty),
///   `declared_monthly_income` (fen), `rigid_expense_annual` (fen)
/// - `probable`: per probable evidence record, `member` (index), `file` (index into manifest.json's files),
///   `position` (CSV line or XML record, as in evidence.jsonl), `holder_name`, `holder_id` (as the provider
///   gave them, so the report can show which characters differ)
///
/// The file holds names and full ID numbers: it is written mode 0600 like every output file.
public enum HouseholdsFile {
    public static let fileName = "households.jsonl"

    public struct Member: Sendable, Equatable {
        public var name: String
        public var idNumber: String
        public var relation: String
        public var disabilityGrade: Int
        public var employment: String
        public var declaredMonthlyIncome: Int64
        public var rigidExpenseAnnual: Int64

        public init(
            name: String, idNumber: String, relation: String, disabilityGrade: Int, employment: String,
            declaredMonthlyIncome: Int64, rigidExpenseAnnual: Int64
        ) {
            self.name = name
            self.idNumber = idNumber
            self.relation = relation
            self.disabilityGrade = disabilityGrade
            self.employment = employment
            self.declaredMonthlyIncome = declaredMonthlyIncome
            self.rigidExpenseAnnual = rigidExpenseAnnual
        }
    }

    public struct ProbableHolder: Sendable, Equatable {
        public var member: Int
        public var file: Int
        public var position: Int
        public var holderName: String
        public var holderID: String

        public init(member: Int, file: Int, position: Int, holderName: String, holderID: String) {
            self.member = member
            self.file = file
            self.position = position
            self.holderName = holderName
            self.holderID = holderID
        }
    }

    public struct Line: Sendable, Equatable {
        public var unitID: String
        public var householdID: String
        public var regionCode: String
        public var regionName: String
        public var areaType: String
        public var applicationType: String
        public var currentStatus: String
        public var address: String
        public var members: [Member]
        public var probable: [ProbableHolder]

        public init(
            unitID: String, householdID: String, regionCode: String, regionName: String, areaType: String,
            applicationType: String, currentStatus: String, address: String, members: [Member],
            probable: [ProbableHolder] = []
        ) {
            self.unitID = unitID
            self.householdID = householdID
            self.regionCode = regionCode
            self.regionName = regionName
            self.areaType = areaType
            self.applicationType = applicationType
            self.currentStatus = currentStatus
            self.address = address
            self.members = members
            self.probable = probable
        }
    }

    /// The file's bytes: one line per unit in the order given (pass them sorted by `unitID`), LF after each.
    ///
    /// - Complexity: O(total characters).
    public static func render(_ lines: [Line]) -> [UInt8] {
        var writer = Writer()
        for line in lines {
            writer.beginLine(
                unitID: line.unitID, householdID: line.householdID, regionCode: line.regionCode, regionName: line.regionName,
                areaType: line.areaType, applicationType: line.applicationType, currentStatus: line.currentStatus,
                address: line.address)
            for member in line.members {
                writer.member(
                    name: member.name, idNumber: member.idNumber, relation: member.relation,
                    disabilityGrade: member.disabilityGrade, employment: member.employment,
                    declaredMonthlyIncome: member.declaredMonthlyIncome, rigidExpenseAnnual: member.rigidExpenseAnnual)
            }
            writer.endMembers()
            for holder in line.probable {
                writer.probable(
                    member: holder.member, file: holder.file, position: holder.position, holderName: holder.holderName,
                    holderID: holder.holderID)
            }
            writer.endLine()
        }
        return writer.bytes
    }

    /// Writes the file's lines piece by piece, in the key order above, without building `Line`s: the
    /// batch writes each unit's line straight from the roster. Call `beginLine`, `member` per member,
    /// `endMembers`, `probable` per probable holder, then `endLine`.
    public struct Writer {
        private var out: TextBuffer
        /// Whether the current array has an element already (a comma goes before the next).
        private var hasElement = false

        /// `capacity`: the bytes expected, so that the buffer need not grow (and copy) as lines are added.
        public init(capacity: Int = 1 << 16) { out = TextBuffer(capacity: capacity) }

        public var bytes: [UInt8] { out.bytes }
        /// The text written (shares this writer's memory: take it when done writing).
        public var buffer: TextBuffer { out }

        public mutating func beginLine(
            unitID: String, householdID: String, regionCode: String, regionName: String, areaType: String,
            applicationType: String, currentStatus: String, address: String
        ) {
            out.append("{\"unit_id\":"); out.appendJSONString(unitID)
            out.append(",\"household_id\":"); out.appendJSONString(householdID)
            out.append(",\"region_code\":"); out.appendJSONString(regionCode)
            out.append(",\"region_name\":"); out.appendJSONString(regionName)
            out.append(",\"area_type\":"); out.appendJSONString(areaType)
            out.append(",\"application_type\":"); out.appendJSONString(applicationType)
            out.append(",\"current_status\":"); out.appendJSONString(currentStatus)
            out.append(",\"address\":"); out.appendJSONString(address)
            out.append(",\"members\":[")
            hasElement = false
        }

        public mutating func member(
            name: String, idNumber: String, relation: String, disabilityGrade: Int, employment: String,
            declaredMonthlyIncome: Int64, rigidExpenseAnnual: Int64
        ) {
            out.append(hasElement ? ",{\"name\":" : "{\"name\":"); out.appendJSONString(name)
            out.append(",\"id_number\":"); out.appendJSONString(idNumber)
            memberRest(
                relation: relation, disabilityGrade: disabilityGrade, employment: employment,
                declaredMonthlyIncome: declaredMonthlyIncome, rigidExpenseAnnual: rigidExpenseAnnual)
        }

        /// `member` with the ID number as the roster has it: a valid number written from its digits
        /// (`IDNumber.description` made a `String` per member), otherwise the text as given.
        public mutating func member(
            name: String, id: IDNumber?, idText: String, relation: String, disabilityGrade: Int, employment: String,
            declaredMonthlyIncome: Int64, rigidExpenseAnnual: Int64
        ) {
            out.append(hasElement ? ",{\"name\":" : "{\"name\":"); out.appendJSONString(name)
            out.append(",\"id_number\":")
            if let id {
                out.append(UInt8(ascii: "\""))
                id.withCharacters { out.appendJSONStringContent($0) }
                out.append(UInt8(ascii: "\""))
            } else {
                out.appendJSONString(idText)
            }
            memberRest(
                relation: relation, disabilityGrade: disabilityGrade, employment: employment,
                declaredMonthlyIncome: declaredMonthlyIncome, rigidExpenseAnnual: rigidExpenseAnnual)
        }

        /// A member's fields after `id_number`.
        private mutating func memberRest(
            relation: String, disabilityGrade: Int, employment: String, declaredMonthlyIncome: Int64, rigidExpenseAnnual: Int64
        ) {
            out.append(",\"relation\":"); out.appendJSONString(relation)
            out.append(",\"disability_grade\":"); out.appendDecimal(Int64(disabilityGrade))
            out.append(",\"employment\":"); out.appendJSONString(employment)
            out.append(",\"declared_monthly_income\":"); out.appendDecimal(declaredMonthlyIncome)
            out.append(",\"rigid_expense_annual\":"); out.appendDecimal(rigidExpenseAnnual)
            out.append(UInt8(ascii: "}"))
            hasElement = true
        }

        public mutating func endMembers() {
            out.append("],\"probable\":[")
            hasElement = false
        }

        public mutating func probable(member: Int, file: Int, position: Int, holderName: String, holderID: String) {
            out.append(hasElement ? ",{\"member\":" : "{\"member\":"); out.appendDecimal(Int64(member))
            out.append(",\"file\":"); out.appendDecimal(Int64(file))
            out.append(",\"position\":"); out.appendDecimal(Int64(position))
            out.append(",\"holder_name\":"); out.appendJSONString(holderName)
            out.append(",\"holder_id\":"); out.appendJSONString(holderID)
            out.append(UInt8(ascii: "}"))
            hasElement = true
        }

        public mutating func endLine() {
            out.append("]}\n")
        }
    }

    /// Reads the file's lines (the reports' side).
    ///
    /// - Throws: `ReportError` with the line number when a line is not such an object.
    public static func parse(_ bytes: [UInt8], fileName: String = fileName) throws -> [Line] {
        var lines: [Line] = []
        var lineNumber = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if raw.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            guard let object = JSONValue.parse(Array(raw))?.object else {
                throw ReportError(.malformedInput, "\(fileName) line \(lineNumber): not a JSON object")
            }
            let members = (object["members"]?.array ?? []).map { value in
                let m = value.object ?? [:]
                return Member(
                    name: m["name"]?.string ?? "", idNumber: m["id_number"]?.string ?? "",
                    relation: m["relation"]?.string ?? "", disabilityGrade: Int(m["disability_grade"]?.int ?? 0),
                    employment: m["employment"]?.string ?? "",
                    declaredMonthlyIncome: m["declared_monthly_income"]?.int ?? 0,
                    rigidExpenseAnnual: m["rigid_expense_annual"]?.int ?? 0)
            }
            let probable = (object["probable"]?.array ?? []).map { value in
                let p = value.object ?? [:]
                return ProbableHolder(
                    member: Int(p["member"]?.int ?? -1), file: Int(p["file"]?.int ?? -1),
                    position: Int(p["position"]?.int ?? -1), holderName: p["holder_name"]?.string ?? "",
                    holderID: p["holder_id"]?.string ?? "")
            }
            guard let unitID = object["unit_id"]?.string else {
                throw ReportError(.malformedInput, "\(fileName) line \(lineNumber): no unit_id")
            }
            lines.append(
                Line(
                    unitID: unitID, householdID: object["household_id"]?.string ?? "",
                    regionCode: object["region_code"]?.string ?? "", regionName: object["region_name"]?.string ?? "",
                    areaType: object["area_type"]?.string ?? "", applicationType: object["application_type"]?.string ?? "",
                    currentStatus: object["current_status"]?.string ?? "", address: object["address"]?.string ?? "",
                    members: members, probable: probable))
        }
        return lines
    }
}
