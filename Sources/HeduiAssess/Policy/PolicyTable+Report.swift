import HeduiModel

extension PolicyTable {
    /// A human-readable listing of the effective parameters per region on that date, for `hedui policy check FILE --as-of DATE` (Chinese region names, yuan with 2 decimals, S and L per area type, which keys are overridden). Deterministic (regions sorted).
    ///
    /// The defaults are listed once; each region then shows its standard in force (or that its
    /// households will get `POLICY_MISSING`), S and L per area type, and each overridden key with
    /// its value and the default it replaces. Every other parameter of a region is the default.
    public func report(on day: Day) -> String {
        var out: [String] = []
        out.append("Policy version \(version), as of \(day): \(regions.count) region\(regions.count == 1 ? "" : "s")")
        out.append("")
        out.append("Defaults:")
        for key in PolicyParameters.keys {
            out.append("  \(key): \(defaults.reportValue(of: key))")
        }
        for code in regions.keys.sorted() {
            let region = regions[code]!
            let effective = effective(for: code, on: day)
            out.append("")
            out.append("\(code) \(region.name.isEmpty ? "(no name)" : region.name)")
            if let standard = effective.standard {
                out.append("  standard from \(standard.from) (monthly, per person):")
                for area in [AreaType.urban, .rural] {
                    let s = effective.standard(for: area)!, l = effective.lowIncomeLine(for: area)!
                    out.append("    \(area.rawValue): S \(s) yuan, L \(l) yuan")
                }
            } else {
                let first = region.standards.first.map { "; the first is from \($0.from)" } ?? ""
                out.append("  no standard in force on \(day)\(first): households get POLICY_MISSING")
            }
            if region.overriddenKeys.isEmpty {
                out.append("  overrides: none")
            } else {
                out.append("  overrides:")
                for key in region.overriddenKeys {
                    out.append("    \(key): \(region.parameters.reportValue(of: key)) (default \(defaults.reportValue(of: key)))")
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}

extension PolicyParameters {
    /// The value of a YAML key (or `spot_check.rate`, `currency_rates.USD`) as the report shows it.
    func reportValue(of key: String) -> String {
        func list<C: ExchangeCode>(_ set: Set<C>) -> String {
            "[" + C.allCases.filter(set.contains).map(\.rawValue).joined(separator: ", ") + "]"
        }
        if key.hasPrefix("currency_rates.") {
            return currencyRates[String(key.dropFirst("currency_rates.".count))].map { "\($0) yuan" } ?? "none"
        }
        switch key {
        case "income_window_months": return String(incomeWindowMonths)
        case "low_income_multiplier": return lowIncomeMultiplier.description
        case "assets_months_dibao": return String(assetsMonthsDibao)
        case "assets_months_low_income": return String(assetsMonthsLowIncome)
        case "max_homes": return String(maxHomes)
        case "housing_area_per_capita_max":
            return housingAreaPerCapitaMax.map { Fen.format($0, fractionDigits: 2) + " m²" } ?? "no limit"
        case "vehicle_exempt_types": return list(vehicleExemptTypes)
        case "vehicle_value_exempt_below": return "\(vehicleValueExemptBelow) yuan"
        case "counted_income_types": return list(countedIncomeTypes)
        case "deduct_rigid_expense": return String(deductRigidExpense)
        case "min_benefit_per_person": return "\(minBenefitPerPerson) yuan"
        case "declared_income_tolerance": return declaredIncomeTolerance.description
        case "currency_rates":
            return "{" + currencyRates.keys.sorted().map { " \($0): \(currencyRates[$0]!)" }.joined(separator: ",") + " }"
        case "spot_check":
            return "{ rate: \(spotCheck.rate), min_per_stratum: \(spotCheck.minPerStratum), "
                + "borderline_band: \(spotCheck.borderlineBand), risk_weight: \(spotCheck.riskWeight) }"
        case "spot_check.rate": return spotCheck.rate.description
        case "spot_check.min_per_stratum": return String(spotCheck.minPerStratum)
        case "spot_check.borderline_band": return spotCheck.borderlineBand.description
        case "spot_check.risk_weight": return String(spotCheck.riskWeight)
        default: return "?"
        }
    }
}
