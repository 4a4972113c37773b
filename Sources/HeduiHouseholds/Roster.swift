import HeduiModel

/// A roster member, by its index into `Roster.members`. Members are numbered household by
/// household (households in id order), and in roster order within a household.
public struct MemberRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int32
    public init(index: Int32) { self.index = index }
    public init(_ index: Int) { self.index = Int32(index) }
    public static func < (a: MemberRef, b: MemberRef) -> Bool { a.index < b.index }
    public var description: String { "m\(index)" }
}

/// One roster row as a member of its household.
public struct Member: Sendable {
    public var ref: MemberRef
    /// Index into `Roster.households`.
    public var household: Int32
    public var row: RosterMember
    public var origin: RecordOrigin

    public init(ref: MemberRef, household: Int32, row: RosterMember, origin: RecordOrigin) {
        self.ref = ref
        self.household = household
        self.row = row
        self.origin = origin
    }
}

/// A roster household (keyed by `household_id` alone; rules.md, point 8). Its fields come from its first row.
public struct Household: Sendable {
    public var id: String
    public var regionCode: RegionCode
    public var areaType: AreaType
    public var applicationType: ApplicationType
    public var currentStatus: BenefitStatus
    /// The first non-empty address of its rows ("" when every row leaves it empty).
    public var address: String
    /// In roster order (file order, then line).
    public var members: [MemberRef]
    /// Its first row.
    public var origin: RecordOrigin
}

/// A later roster row that disagrees with its household's first row (rules.md, point 8):
/// the row is kept (its member belongs to the household), and the disagreement is reported.
///
/// `field` is one of `region_code`, `area_type`, `application_type`, `current_status`, `address`.
/// For `address`, an empty address never conflicts (the first non-empty one counts); a
/// non-empty address that differs from the household's (first non-empty) address does.
public struct RosterConflict: Sendable, Hashable {
    public var householdID: String
    public var field: String
    /// The disagreeing row.
    public var origin: RecordOrigin

    public init(householdID: String, field: String, origin: RecordOrigin) {
        self.householdID = householdID
        self.field = field
        self.origin = origin
    }
}

/// Why a member's `separate_household = 1` was refused (the member stays in the household).
/// When several conditions fail, the first in this order is given: `invalidID`, `underAge`,
/// `disabilityGrade`, `employment`, `duplicateID`.
public enum SeparateHouseholdRefusal: Hashable, Sendable {
    /// Age in whole years on the as-of date, below 18.
    case underAge(Int)
    /// Grade other than 1 or 2 (0 = no disability).
    case disabilityGrade(Int)
    /// Employment other than `unemployed` or `none` (nil: not given).
    case employment(Employment?)
    /// The member's roster ID is invalid: the age cannot be known, and the unit id needs the ID.
    case invalidID
    /// An earlier row of the same household with the same ID already formed the separate unit
    /// `<household_id>/<id>` (the ID is twice in the household; it also gets `duplicateMembership`).
    case duplicateID

    var rank: Int {
        switch self {
        case .invalidID: 0
        case .underAge: 1
        case .disabilityGrade: 2
        case .employment: 3
        case .duplicateID: 4
        }
    }

    var detail: Int {
        switch self {
        case .underAge(let a): a
        case .disabilityGrade(let g): g
        case .employment(let e): e.map { Employment.allCases.firstIndex(of: $0)! } ?? -1
        case .invalidID, .duplicateID: 0
        }
    }
}

/// Review facts found while forming units; the assess stage turns them into reason codes.
/// Ordered by kind (in the order of their reason codes), then member.
public enum UnitNote: Hashable, Sendable, Comparable {
    /// `DUPLICATE_MEMBERSHIP`: the member's valid ID is on more than one roster row (any
    /// household, any region, or twice in this household). `others`: the other rows' members, sorted.
    case duplicateMembership(MemberRef, others: [MemberRef])
    /// `MEMBER_ID_INVALID`: the member's roster ID is invalid (the member still counts in n).
    case memberIDInvalid(MemberRef)
    /// `SEPARATE_HOUSEHOLD_INVALID`: the member asked to be a separate unit and may not be.
    case separateHouseholdInvalid(MemberRef, why: SeparateHouseholdRefusal)

    public var member: MemberRef {
        switch self {
        case .duplicateMembership(let m, _), .memberIDInvalid(let m), .separateHouseholdInvalid(let m, _): m
        }
    }

    var rank: Int {
        switch self {
        case .duplicateMembership: 0
        case .memberIDInvalid: 1
        case .separateHouseholdInvalid: 2
        }
    }

    public static func < (a: UnitNote, b: UnitNote) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if a.member != b.member { return a.member < b.member }
        switch (a, b) {
        case (.duplicateMembership(_, let x), .duplicateMembership(_, let y)):
            return x.lexicographicallyPrecedes(y)
        case (.separateHouseholdInvalid(_, let x), .separateHouseholdInvalid(_, let y)):
            return (x.rank, x.detail) < (y.rank, y.detail)
        default:
            return false
        }
    }
}

/// A unit of assessment: a household without its validly separate members, or one such
/// separate member (单独立户).
public struct AssessmentUnit: Sendable {
    /// `household_id`, or `<household_id>/<18-character ID, upper-case X>` for a separate unit.
    public var id: String
    /// Index into `Roster.households`.
    public var household: Int32
    /// In roster order. n = members.count (a member with an invalid ID counts).
    public var members: [MemberRef]
    public var isSeparate: Bool
    /// Sorted.
    public var notes: [UnitNote]

    public var n: Int { members.count }
}

/// The households and units of assessment of a batch's roster.
public struct Roster: Sendable {
    /// Sorted by id (byte order).
    public var households: [Household]
    /// Household by household (in `households` order), roster order within a household.
    public var members: [Member]
    /// Sorted by unit id (byte order). A household whose members all left as separate units
    /// has no unit (rules.md, point 4).
    public var units: [AssessmentUnit]
    /// Sorted by household id (byte order), then row origin, then field (in the order
    /// region_code, area_type, application_type, current_status, address).
    public var conflicts: [RosterConflict]
    /// Unit index of every member.
    var unitOfMember: [Int32]

    /// Builds from rows in file order (rows from several roster files, concatenated in
    /// file-name order). Rows are taken in `origin` order (ties: the order given), so the result
    /// depends only on the rows and the as-of date. Single-threaded and deterministic.
    public init(rows: [RosterRow], asOf: Day) {
        // 1. Rows in origin order.
        let order = rows.indices.sorted { a, b in
            let oa = rows[a].origin, ob = rows[b].origin
            return oa != ob ? oa < ob : a < b
        }

        // 2. Group by household id (first appearance), then sort households by id bytes.
        var groupOf: [String: Int] = [:]
        groupOf.reserveCapacity(rows.count / 2)
        var groups: [[Int]] = []
        for r in order {
            let key = rows[r].householdID
            if let g = groupOf[key] {
                groups[g].append(r)
            } else {
                groupOf[key] = groups.count
                groups.append([r])
            }
        }
        groupOf = [:]
        let groupOrder = Roster.orderByBytes(count: groups.count) { rows[groups[$0][0]].householdID }

        // 3. Households and members.
        var households: [Household] = []
        households.reserveCapacity(groups.count)
        var members: [Member] = []
        members.reserveCapacity(rows.count)
        var conflicts: [RosterConflict] = []
        for g in groupOrder {
            let rowIndices = groups[g]
            let first = rows[rowIndices[0]]
            let h = Int32(households.count)
            var household = Household(
                id: first.householdID, regionCode: first.regionCode, areaType: first.areaType,
                applicationType: first.applicationType, currentStatus: first.currentStatus,
                address: first.address, members: [], origin: first.origin)
            household.members.reserveCapacity(rowIndices.count)
            for r in rowIndices {
                let row = rows[r]
                let ref = MemberRef(members.count)
                members.append(Member(ref: ref, household: h, row: row.member, origin: row.origin))
                household.members.append(ref)
                guard r != rowIndices[0] else { continue }
                func conflict(_ field: String) {
                    conflicts.append(RosterConflict(householdID: household.id, field: field, origin: row.origin))
                }
                if row.regionCode != first.regionCode { conflict("region_code") }
                if row.areaType != first.areaType { conflict("area_type") }
                if row.applicationType != first.applicationType { conflict("application_type") }
                if row.currentStatus != first.currentStatus { conflict("current_status") }
                if !row.address.isEmpty {
                    if household.address.isEmpty {
                        household.address = row.address
                    } else if row.address != household.address {
                        conflict("address")
                    }
                }
            }
            households.append(household)
        }
        groups = []

        // 4. Duplicate membership: a valid ID on more than one row.
        var byID: [(body: UInt64, ref: Int32)] = []
        byID.reserveCapacity(members.count)
        for m in members {
            if let id = m.row.id { byID.append((id.body, m.ref.index)) }
        }
        byID.sort { $0.body != $1.body ? $0.body < $1.body : $0.ref < $1.ref }
        var duplicates: [Int32: [MemberRef]] = [:]  // member → its group (sorted, itself included)
        var i = 0
        while i < byID.count {
            var j = i + 1
            while j < byID.count, byID[j].body == byID[i].body { j += 1 }
            if j - i > 1 {
                let group = byID[i..<j].map { MemberRef(index: $0.ref) }
                for k in i..<j { duplicates[byID[k].ref] = group }
            }
            i = j
        }
        byID = []

        // 5. Units.
        var units: [AssessmentUnit] = []
        units.reserveCapacity(households.count)
        var unitOfMember = [Int32](repeating: -1, count: members.count)
        func notes(for ref: MemberRef) -> [UnitNote] {
            var out: [UnitNote] = []
            if let group = duplicates[ref.index] {
                out.append(.duplicateMembership(ref, others: group.filter { $0 != ref }))
            }
            if members[Int(ref.index)].row.id == nil { out.append(.memberIDInvalid(ref)) }
            return out
        }
        for (h, household) in households.enumerated() {
            var stays: [MemberRef] = []
            var stayNotes: [UnitNote] = []
            var separate: [AssessmentUnit] = []
            var separateIDs = Set<UInt64>()
            for ref in household.members {
                let row = members[Int(ref.index)].row
                if row.separateHousehold {
                    var refusal = Roster.separateHouseholdRefusal(row, asOf: asOf)
                    if refusal == nil, let id = row.id, !separateIDs.insert(id.body).inserted {
                        refusal = .duplicateID
                    }
                    if let refusal {
                        stayNotes.append(.separateHouseholdInvalid(ref, why: refusal))
                    } else {
                        let id = row.id!
                        separate.append(
                            AssessmentUnit(
                                id: household.id + "/" + id.description, household: Int32(h), members: [ref],
                                isSeparate: true, notes: notes(for: ref).sorted()))
                        continue
                    }
                }
                stays.append(ref)
                stayNotes.append(contentsOf: notes(for: ref))
            }
            if !stays.isEmpty {
                units.append(
                    AssessmentUnit(
                        id: household.id, household: Int32(h), members: stays, isSeparate: false, notes: stayNotes.sorted()))
            }
            units.append(contentsOf: separate)
        }
        // Households are in id order, but "HH001/…" > "HH001-A" ('/' = 0x2F > '-' = 0x2D): sort all.
        units = Roster.orderByBytes(count: units.count) { units[$0].id }.map { units[$0] }
        for (u, unit) in units.enumerated() {
            for ref in unit.members { unitOfMember[Int(ref.index)] = Int32(u) }
        }

        self.households = households
        self.members = members
        self.units = units
        self.conflicts = conflicts
        self.unitOfMember = unitOfMember
    }

    /// The unit a member is assessed in (index into `units`).
    public func unitIndex(of member: MemberRef) -> Int32 { unitOfMember[Int(member.index)] }

    public subscript(member: MemberRef) -> Member { members[Int(member.index)] }

    /// Why the member may not form a separate unit on `asOf`, or nil when they may
    /// (age ≥ 18, disability grade 1 or 2, `unemployed` or `none`; rules.md "Units of assessment").
    public static func separateHouseholdRefusal(_ member: RosterMember, asOf: Day) -> SeparateHouseholdRefusal? {
        guard let id = member.id else { return .invalidID }
        let age = asOf.age(bornOn: id.birthDate)
        if age < 18 { return .underAge(age) }
        if member.disabilityGrade != 1 && member.disabilityGrade != 2 { return .disabilityGrade(member.disabilityGrade) }
        switch member.employment {
        case .some(.unemployed), .some(.none): return nil
        default: return .employment(member.employment)
        }
    }

    /// Byte (UTF-8) order, independent of Unicode normalization.
    @inlinable
    public static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The indices `0..<count` in the `bytesPrecede` order of `key(i)`, equal keys in index order,
    /// through their `BytePrefix`es (sorting 200,000 household IDs with `bytesPrecede` alone was
    /// about a sixth of building the roster, perf).
    static func orderByBytes(count: Int, key: (Int) -> String) -> [Int] {
        BytePrefix.order(count: count, key: key) { bytesPrecede(key($0), key($1)) }
    }
}
