import HeduiAssess
import HeduiModel
import HeduiSample

/// Feeds the assessed units and the inspectors to the spot-check draw.
enum SpotCheckDraw {
    static func rows(assessed: [Assessment], inspectors: [Inspector], seed: String, policy: PolicyTable, asOf: Day) -> [SpotCheckRow] {
        let units = assessed.map { a in
            SamplingUnit(
                unitID: a.unit.unitID, regionCode: a.unit.regionCode, status: a.status.rawValue,
                monthlyIncome: a.measures.monthlyIncome, members: a.unit.members.count,
                standard: a.standard, lowIncomeLine: a.lowIncomeLine, reasons: a.reasons.map(\.rawValue))
        }
        let available = inspectors.map { InspectorInfo(inspectorID: $0.inspectorID, homeRegion: $0.homeRegion, capacity: $0.capacity) }
        var parameters: [RegionCode: SamplingParameters] = [:]
        for unit in units where parameters[unit.regionCode] == nil {
            let p = policy.effective(for: unit.regionCode, on: asOf).parameters.spotCheck
            parameters[unit.regionCode] = SamplingParameters(
                rateUnits: p.rate.units, rateScale: p.rate.scale, minPerStratum: p.minPerStratum,
                bandUnits: p.borderlineBand.units, bandScale: p.borderlineBand.scale, riskWeight: p.riskWeight)
        }
        return SpotCheck.draw(units: units, inspectors: available, seed: seed) { parameters[$0] ?? .specDefaults }
    }
}
