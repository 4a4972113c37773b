/// One member row of a roster file (申请/在保家庭), with its household's fields.
public struct RosterRow: Sendable {
    public var householdID: String
    public var regionCode: RegionCode
    public var areaType: AreaType
    public var applicationType: ApplicationType
    public var currentStatus: BenefitStatus
    public var address: String
    public var member: RosterMember
    public var origin: RecordOrigin

    public init(
        householdID: String, regionCode: RegionCode, areaType: AreaType, applicationType: ApplicationType,
        currentStatus: BenefitStatus, address: String, member: RosterMember, origin: RecordOrigin
    ) {
        self.householdID = householdID
        self.regionCode = regionCode
        self.areaType = areaType
        self.applicationType = applicationType
        self.currentStatus = currentStatus
        self.address = address
        self.member = member
        self.origin = origin
    }
}

/// A household member as the roster lists them.
public struct RosterMember: Sendable {
    /// The member's ID number when it is valid. An invalid one is kept in `idProblem` and
    /// `idText`: the member still counts (rules.md, point 7) and gets `MEMBER_ID_INVALID`.
    public var id: IDNumber?
    public var idProblem: IDNumberProblem?
    /// The ID as written (after folding full-width characters), for the caseworker's report.
    public var idText: String
    public var name: String
    public var relation: Relation
    public var disabilityGrade: Int
    public var employment: Employment?
    public var separateHousehold: Bool
    public var declaredMonthlyIncome: Fen
    public var rigidExpenseAnnual: Fen

    public init(
        id: IDNumber?, idProblem: IDNumberProblem?, idText: String, name: String, relation: Relation,
        disabilityGrade: Int, employment: Employment?, separateHousehold: Bool,
        declaredMonthlyIncome: Fen, rigidExpenseAnnual: Fen
    ) {
        self.id = id
        self.idProblem = idProblem
        self.idText = idText
        self.name = name
        self.relation = relation
        self.disabilityGrade = disabilityGrade
        self.employment = employment
        self.separateHousehold = separateHousehold
        self.declaredMonthlyIncome = declaredMonthlyIncome
        self.rigidExpenseAnnual = rigidExpenseAnnual
    }
}

/// An inspector available for spot checks (inspectors.csv).
public struct Inspector: Hashable, Sendable {
    public var inspectorID: String
    public var name: String
    public var homeRegion: RegionCode
    /// nil: unlimited.
    public var capacity: Int?

    public init(inspectorID: String, name: String, homeRegion: RegionCode, capacity: Int?) {
        self.inspectorID = inspectorID
        self.name = name
        self.homeRegion = homeRegion
        self.capacity = capacity
    }
}
