import HeduiAssess
import HeduiModel
import HeduiSample

/// Feeds the assessed units and the inspectors to the spot-check draw.
enum SpotCheckDraw {
    /// What the draw needs of an assessed unit.
    static func samplingUnit(_ a: Assessment) -> SamplingUnit {
        SamplingUnit(
            unitID: a.unit.unitID, regionCode: a.unit.regionCode, status: a.status.rawValue,
            monthlyIncome: a.measures.monthlyIncome, members: a.unit.members.count,
            standard: a.standard, lowIncomeLine: a.lowIncomeLine, reasons: a.reasons.map(\.rawValue))
    }

    /// The draw's inputs, as `spotcheck-inputs.json` records them (so that `hedui sample verify` can re-derive the draw).
    static func inputs(units: [SamplingUnit], inspectors: [Inspector], seed: String, policy: PolicyTable, asOf: Day) -> SpotCheckInputs {
        let available = inspectors.map { InspectorInfo(inspectorID: $0.inspectorID, homeRegion: $0.homeRegion, capacity: $0.capacity) }
        var parameters: [RegionCode: SamplingParameters] = [:]
        for unit in units where parameters[unit.regionCode] == nil {
            let p = policy.effective(for: unit.regionCode, on: asOf).parameters.spotCheck
            parameters[unit.regionCode] = SamplingParameters(
                rateUnits: p.rate.units, rateScale: p.rate.scale, minPerStratum: p.minPerStratum,
                bandUnits: p.borderlineBand.units, bandScale: p.borderlineBand.scale, riskWeight: p.riskWeight)
        }
        return SpotCheckInputs(seed: seed, parameters: parameters, units: units, inspectors: available)
    }
}
