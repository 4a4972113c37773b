import Foundation
import HeduiModel

/// The policy file (rules.md, "The policy file"): defaults, and per region dated standards and overrides.
///
/// Load it with `PolicyTable.load(contentsOf:)`; ask what applies to a region on a date with
/// `effective(for:on:)`.
///
/// Choices where rules.md is silent:
/// - A `defaults` key that is left out takes rules.md's example value
///   (`PolicyParameters.specDefaults`), except `housing_area_per_capita_max`, where an omitted
///   key (or `null`) means no limit, as rules.md's comment says. `defaults` itself may be left out.
/// - `overrides` may hold any `defaults` key. `spot_check` and `currency_rates` merge per key
///   (a region overriding `spot_check: { rate: 0.1 }` keeps the other spot-check defaults, and one
///   giving `currency_rates: { USD: 7.2 }` keeps the default HKD rate); every other key replaces.
///   `housing_area_per_capita_max: null` in overrides lifts the limit for that region.
/// - `version` (1) and `regions` are required; each region needs a non-empty `standards` list;
///   `name` is optional. Standards are yuan per person and month with at most 4 decimals and
///   more than 0; the other yuan amounts are ≥ 0 with at most 4 decimals, rounded half-up to a fen.
/// - Dates are written `YYYY-MM-DD`. Currency codes are three letters, upper-cased on reading.
/// - Bounds: `income_window_months` 1…120, `assets_months_*` 0…1200, `max_homes` 0…1000,
///   `low_income_multiplier` ≥ 1, `declared_income_tolerance`, `spot_check.rate` and
///   `spot_check.borderline_band` in [0, 1], `spot_check.risk_weight` 1…1000, currency rates > 0.
public struct PolicyTable: Sendable {
    /// The file format version (1).
    public var version: Int
    /// `defaults`, with rules.md's example values for keys the file leaves out.
    public var defaults: PolicyParameters
    /// The regions, each with its overrides already applied.
    public var regions: [RegionCode: RegionPolicy]

    public init(version: Int = 1, defaults: PolicyParameters, regions: [RegionCode: RegionPolicy]) {
        self.version = version
        self.defaults = defaults
        self.regions = regions
    }

    /// Reads and checks a policy file.
    ///
    /// - Parameter path: The file; errors name it as given.
    /// - Throws: `PolicyError` naming the line and key path of the first problem.
    public static func load(contentsOf path: String) throws(PolicyError) -> PolicyTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PolicyError(file: path, line: nil, keyPath: "", message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PolicyError(file: path, line: nil, keyPath: "", message: "not UTF-8 text")
        }
        return try PolicyTable(yaml: text, fileName: path)
    }

    /// Checks the YAML text of a policy file.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - fileName: How errors name the file.
    /// - Throws: `PolicyError` naming the line and key path of the first problem.
    public init(yaml: String, fileName: String) throws(PolicyError) {
        self = try PolicyReader(file: fileName).table(yaml: yaml)
    }

    /// Region in the policy and a standard in force on `day` (the entry whose `from` is the latest on or before it): standard set; otherwise standard nil; parameters = defaults (+ the region's overrides if the region is in the policy) — rules.md point 6.
    public func effective(for region: RegionCode, on day: Day) -> EffectivePolicy {
        guard let policy = regions[region] else {
            return EffectivePolicy(region: region, regionName: nil, parameters: defaults, standard: nil)
        }
        return EffectivePolicy(
            region: region, regionName: policy.name.isEmpty ? nil : policy.name,
            parameters: policy.parameters, standard: policy.standard(on: day))
    }
}
