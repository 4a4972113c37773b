import HeduiModel

/// One dated entry of a region's `standards`: the monthly dibao standard per person from `from` on.
public struct DatedStandard: Hashable, Sendable {
    /// First day in force.
    public var from: Day
    /// Urban standard S: yuan × 100 rounded half-up to a fen (rules.md, point 5).
    public var urban: Fen
    /// Rural standard S, likewise.
    public var rural: Fen

    public init(from: Day, urban: Fen, rural: Fen) {
        self.from = from
        self.urban = urban
        self.rural = rural
    }

    /// S for an area type.
    public func standard(for area: AreaType) -> Fen {
        switch area {
        case .urban: urban
        case .rural: rural
        }
    }
}

/// A region of the policy file (`regions.<code>`).
public struct RegionPolicy: Hashable, Sendable {
    /// The 6-digit division code.
    public var code: RegionCode
    /// Its name (`name:`), e.g. 定海区; empty when the file gives none.
    public var name: String
    /// The dated standards, sorted by `from` (no two share a date).
    public var standards: [DatedStandard]
    /// `defaults` with this region's `overrides` applied.
    public var parameters: PolicyParameters
    /// The keys this region overrides, in `PolicyParameters.keys` order; a merged map's entries
    /// appear as `spot_check.rate` or `currency_rates.USD`.
    public var overriddenKeys: [String]

    public init(
        code: RegionCode, name: String, standards: [DatedStandard],
        parameters: PolicyParameters, overriddenKeys: [String]
    ) {
        self.code = code
        self.name = name
        self.standards = standards.sorted { $0.from < $1.from }
        self.parameters = parameters
        self.overriddenKeys = overriddenKeys
    }

    /// The entry in force on `day`: the one whose `from` is the latest on or before it; nil before the first.
    ///
    /// - Complexity: O(log k) for k standards.
    public func standard(on day: Day) -> DatedStandard? {
        var low = 0, high = standards.count  // first index with from > day
        while low < high {
            let mid = (low + high) / 2
            if standards[mid].from <= day { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : standards[low - 1]
    }
}

/// What applies to one region on one date.
public struct EffectivePolicy: Hashable, Sendable {
    public var region: RegionCode
    /// The region's name, nil when the region is not in the policy (or has no name).
    public var regionName: String?
    /// `defaults`, with the region's `overrides` when the region is in the policy (also when it has no standard in force).
    public var parameters: PolicyParameters
    /// nil → POLICY_MISSING (region absent, or no standard in force on the date).
    public var standard: DatedStandard?

    public init(region: RegionCode, regionName: String?, parameters: PolicyParameters, standard: DatedStandard?) {
        self.region = region
        self.regionName = regionName
        self.parameters = parameters
        self.standard = standard
    }

    /// Whether this is rules.md's `POLICY_MISSING` case.
    public var isMissing: Bool { standard == nil }

    /// S for the area type, nil when the policy is missing.
    public func standard(for area: AreaType) -> Fen? {
        standard?.standard(for: area)
    }

    /// L = round_half_up(S × low_income_multiplier), nil when the policy is missing.
    public func lowIncomeLine(for area: AreaType) -> Fen? {
        guard let s = standard(for: area) else { return nil }
        return Fen(parameters.lowIncomeMultiplier.applied(to: s.value))
    }
}
