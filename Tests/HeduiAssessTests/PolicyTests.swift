import Foundation
import HeduiAssess
import HeduiModel
import Testing

// MARK: - Helpers

/// `SampleData/policy.yaml` of the package, found from this file (Tests/HeduiAssessTests/PolicyTests.swift).
private let samplePolicyPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("SampleData/policy.yaml").path

private func day(_ text: String) -> Day {
    let p = text.split(separator: "-").map { Int($0)! }
    return Day(year: p[0], month: p[1], day: p[2])!
}

private func region(_ code: String) -> RegionCode { RegionCode(code)! }

/// A small valid policy; line numbers matter to the error tests built from it.
private let basePolicy = """
    version: 1
    defaults:
      low_income_multiplier: 1.5
      currency_rates: { USD: 7.10, HKD: 0.91 }
    regions:
      "330902":
        name: 定海区
        standards:
          - { from: 2023-07-01, urban: 1083, rural: 1083 }
          - { from: 2024-01-01, urban: 1133.33, rural: 1133.33 }
      330903:
        standards:
          - { from: 2024-01-01, urban: 1133.335, rural: 900 }
        overrides:
          max_homes: 2
          spot_check: { rate: 0.1 }
          currency_rates: { usd: 7.2 }

    """

private func table(_ yaml: String) throws -> PolicyTable {
    try PolicyTable(yaml: yaml, fileName: "policy.yaml")
}

/// The error a policy text raises, or nil when it loads.
private func failure(_ yaml: String) -> PolicyError? {
    do {
        _ = try PolicyTable(yaml: yaml, fileName: "policy.yaml")
        return nil
    } catch {
        return error
    }
}

// MARK: - The sample policy

@Suite("Sample policy file")
struct SamplePolicyTests {
    @Test func parses() throws {
        let policy = try PolicyTable.load(contentsOf: samplePolicyPath)
        #expect(policy.version == 1)
        #expect(Set(policy.regions.keys) == Set(["330902", "330903", "320481", "370102"].map(region)))
        #expect(policy.defaults.housingAreaPerCapitaMax == 6000)
        #expect(policy.defaults.currencyRates == ["USD": PolicyDecimal("7.1")!, "HKD": PolicyDecimal("0.91")!])
        #expect(policy.defaults.vehicleExemptTypes == [.motorcycle, .disability, .agricultural])
        #expect(policy.defaults.countedIncomeTypes == Set(IncomeType.allCases))
        #expect(policy.defaults.spotCheck == .specDefaults)
    }

    @Test(
        "standards in force on 2024-06-30",
        arguments: [
            ("330902", "定海区", Int64(113_333), Int64(113_333)),
            ("330903", "普陀区", 113_333, 113_333),
            ("320481", "溧阳市", 86_000, 86_000),
        ])
    func standards(code: String, name: String, urban: Int64, rural: Int64) throws {
        let policy = try PolicyTable.load(contentsOf: samplePolicyPath)
        let e = policy.effective(for: region(code), on: day("2024-06-30"))
        #expect(e.regionName == name)
        #expect(e.standard(for: .urban) == Fen(urban))
        #expect(e.standard(for: .rural) == Fen(rural))
    }

    @Test func jinanUrbanAndRuralDiffer() throws {
        let policy = try PolicyTable.load(contentsOf: samplePolicyPath)
        let e = policy.effective(for: region("370102"), on: day("2024-06-30"))
        #expect(e.regionName == "历下区")
        let urban = try #require(e.standard(for: .urban))
        let rural = try #require(e.standard(for: .rural))
        #expect(urban != rural)
    }

    @Test func overridesOnlyInTheirRegion() throws {
        let policy = try PolicyTable.load(contentsOf: samplePolicyPath)
        let putuo = policy.effective(for: region("330903"), on: day("2024-06-30")).parameters
        let dinghai = policy.effective(for: region("330902"), on: day("2024-06-30")).parameters
        #expect(putuo.maxHomes == 2)
        #expect(putuo.vehicleValueExemptBelow == Fen(yuan: 50_000))
        #expect(putuo.assetsMonthsDibao == 30)
        #expect(dinghai == policy.defaults)
        #expect(
            policy.regions[region("330903")]!.overriddenKeys
                == ["assets_months_dibao", "max_homes", "vehicle_value_exempt_below"])
    }

    @Test func reportIsDeterministicAndComplete() throws {
        let policy = try PolicyTable.load(contentsOf: samplePolicyPath)
        let text = policy.report(on: day("2024-06-30"))
        #expect(text == policy.report(on: day("2024-06-30")))
        #expect(text.contains("330902 定海区"))
        #expect(text.contains("urban: S 1133.33 yuan, L 1700.00 yuan"))
        #expect(text.contains("max_homes: 2 (default 1)"))
        // Regions appear in code order.
        let order = ["320481", "330902", "330903", "370102"].map { text.range(of: "\n\($0) ")!.lowerBound }
        #expect(order == order.sorted())
        // Before a region's first standard the report says its households get POLICY_MISSING.
        let early = policy.report(on: day("2020-06-30"))
        #expect(early.contains("no standard in force on 2020-06-30; the first is from 2023-07-01: households get POLICY_MISSING"))
    }
}

// MARK: - Dates, standards, lines

@Suite("Effective policy")
struct EffectivePolicyTests {
    @Test(
        "dated selection",
        arguments: [
            ("2023-06-30", nil as Int64?),  // the day before the first `from`
            ("2023-07-01", 108_300),  // exactly on `from`
            ("2023-12-31", 108_300),  // between
            ("2024-01-01", 113_333),
            ("2030-01-01", 113_333),
        ])
    func datedSelection(date: String, urban: Int64?) throws {
        let e = try table(basePolicy).effective(for: region("330902"), on: day(date))
        #expect(e.standard(for: .urban) == urban.map { Fen($0) })
        let expectMissing: Bool = urban == nil
        #expect(e.isMissing == expectMissing)
        // Parameters still apply when no standard is in force (rules.md, point 6).
        #expect(e.parameters.lowIncomeMultiplier == PolicyDecimal(units: 15, scale: 1))
    }

    @Test func regionNotInPolicyGetsDefaults() throws {
        let policy = try table(basePolicy)
        let e = policy.effective(for: region("110101"), on: day("2024-06-30"))
        #expect(e.standard == nil && e.regionName == nil)
        #expect(e.parameters == policy.defaults)
        #expect(e.lowIncomeLine(for: .urban) == nil)
    }

    @Test func regionBeforeItsFirstStandardKeepsOverrides() throws {
        let e = try table(basePolicy).effective(for: region("330903"), on: day("2023-12-31"))
        #expect(e.standard == nil)
        #expect(e.parameters.maxHomes == 2)
    }

    @Test func standardsAndLowIncomeLine() throws {
        let policy = try table(basePolicy)
        let dinghai = policy.effective(for: region("330902"), on: day("2024-01-01"))
        #expect(dinghai.standard(for: .urban) == Fen(113_333))
        #expect(dinghai.lowIncomeLine(for: .urban) == Fen(170_000))  // round_half_up(113333 × 1.5) = 169999.5 → 170000
        let putuo = policy.effective(for: region("330903"), on: day("2024-01-01"))
        #expect(putuo.standard(for: .urban) == Fen(113_334))  // 1133.335 yuan → 113333.5 fen → 113334
        #expect(putuo.standard(for: .rural) == Fen(90_000))
        #expect(putuo.lowIncomeLine(for: .rural) == Fen(135_000))
    }

    @Test func quotedAndPlainRegionKeysBothWork() throws {
        let policy = try table(basePolicy)
        #expect(policy.regions[region("330902")]?.name == "定海区")
        #expect(policy.regions[region("330903")]?.name == "")
    }

    @Test func overridesMergeSpotCheckAndCurrencyRates() throws {
        let policy = try table(basePolicy)
        let putuo = try #require(policy.regions[region("330903")])
        #expect(putuo.parameters.spotCheck.rate == PolicyDecimal("0.1")!)
        #expect(putuo.parameters.spotCheck.minPerStratum == 1)
        #expect(putuo.parameters.spotCheck.riskWeight == 3)
        #expect(putuo.parameters.currencyRates == ["USD": PolicyDecimal("7.2")!, "HKD": PolicyDecimal("0.91")!])
        #expect(putuo.parameters.currencyRate(for: "usd") == PolicyDecimal("7.2")!)
        #expect(putuo.overriddenKeys == ["max_homes", "currency_rates.USD", "spot_check.rate"])
        #expect(policy.regions[region("330902")]!.parameters == policy.defaults)
    }

    @Test func missingDefaultsUseTheSpecExample() throws {
        let policy = try table(
            """
            version: 1
            regions:
              "320481": { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }
            """)
        #expect(policy.defaults == PolicyParameters.specDefaults)
        #expect(policy.defaults.housingAreaPerCapitaMax == nil)
        #expect(policy.defaults.incomeWindowMonths == 12)
        #expect(policy.defaults.assetsMonthsLowIncome == 36)
    }

    @Test func standardsAreSortedWhateverTheFileOrder() throws {
        let policy = try table(
            """
            version: 1
            regions:
              "320481":
                standards:
                  - { from: 2024-01-01, urban: 2, rural: 2 }
                  - { from: 2019-07-01, urban: 1, rural: 1 }
            """)
        #expect(policy.regions[region("320481")]!.standards.map(\.from) == [day("2019-07-01"), day("2024-01-01")])
        #expect(policy.effective(for: region("320481"), on: day("2020-01-01")).standard(for: .rural) == Fen(100))
    }
}

// MARK: - Decimals

@Suite("PolicyDecimal")
struct PolicyDecimalTests {
    @Test(
        "parses exactly",
        arguments: [
            ("1.5", Int64(15), 1), ("0.05", 5, 2), ("7.10", 71, 1), ("1133.333", 1_133_333, 3),
            ("860", 860, 0), ("0", 0, 0), ("007.50", 75, 1),
        ])
    func parses(text: String, units: Int64, scale: Int) throws {
        let d = try #require(PolicyDecimal(text))
        #expect(d.units == units && d.scale == scale)
    }

    @Test("rejects", arguments: ["", "-1", "1.", ".5", "1e3", "1,000", "abc", "1.2.3", "+1", "0.0000000001"])
    func rejects(text: String) {
        #expect(PolicyDecimal(text) == nil)
    }

    @Test(
        "applied rounds half up",
        arguments: [
            ("1.5", Int64(113_333), Int64(170_000)), ("100", 11, 1100), ("1133.335", 100, 113_334),
            ("1133.33", 100, 113_333), ("0.2", 5, 1), ("0.2", 2, 0), ("7.1", 1, 7),
        ])
    func applied(decimal: String, amount: Int64, expected: Int64) {
        #expect(PolicyDecimal(decimal)!.applied(to: amount) == expected)
    }

    @Test func ordersByValue() {
        #expect(PolicyDecimal("0.99")! < PolicyDecimal("1")!)
        #expect(PolicyDecimal("1.10")! == PolicyDecimal("1.1")!)
        #expect(PolicyDecimal("12.5")! > PolicyDecimal("9.999")!)
    }
}

// MARK: - Errors

@Suite("Policy errors")
struct PolicyErrorTests {
    /// A policy text and the exact `description` of the error it raises.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let yaml: String
        let expected: String
        init(_ yaml: String, _ expected: String) {
            self.yaml = yaml
            self.expected = expected
        }
        var testDescription: String { expected }
    }

    static let errorCases: [ErrorCase] = [
        // Unknown top-level key.
        ErrorCase(
            "version: 1\nregion: {}\n",
            "policy.yaml:2: region: unknown key 'region' (did you mean 'regions'?); allowed keys: version, defaults, regions"),
        // Unknown defaults key (a typo is not ignored).
        ErrorCase(
            "version: 1\ndefaults:\n  max_homes: 1\n  assets_month_dibao: 24\nregions: {}\n",
            "policy.yaml:4: defaults.assets_month_dibao: unknown key 'assets_month_dibao' (did you mean 'assets_months_dibao'?); allowed keys: "
                + PolicyParameters.keys.joined(separator: ", ")),
        // A date that is not a date.
        ErrorCase(
            basePolicy.replacingOccurrences(of: "from: 2024-01-01, urban: 1133.33", with: "from: 2024-13-01, urban: 1133.33"),
            "policy.yaml:10: regions.330902.standards[1].from: not a date (use YYYY-MM-DD), found the text '2024-13-01'"),
        // Text where a number is expected.
        ErrorCase(
            basePolicy.replacingOccurrences(of: "max_homes: 2", with: "max_homes: two"),
            "policy.yaml:15: regions.330903.overrides.max_homes: not a number: the text 'two'"),
        // A missing standard value.
        ErrorCase(
            "version: 1\nregions:\n  \"320481\":\n    standards:\n      - { from: 2019-07-01, rural: 860 }\n",
            "policy.yaml:5: regions.320481.standards[0]: missing key 'urban'"),
        // The same region written quoted and plain.
        ErrorCase(
            "version: 1\nregions:\n  \"320481\": { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }\n"
                + "  320481: { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }\n",
            "policy.yaml:4: regions.320481: region 320481 appears twice (first on line 3)"),
        // The same key twice in one mapping (caught by the YAML composer).
        ErrorCase(
            "version: 1\nregions:\n  \"320481\": { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }\n"
                + "  \"320481\": { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }\n",
            "policy.yaml:3: duplicate key '320481' in one mapping"),
        // Duplicate `from` in one region.
        ErrorCase(
            "version: 1\nregions:\n  \"320481\":\n    standards:\n      - { from: 2019-07-01, urban: 860, rural: 860 }\n"
                + "      - { from: 2019-07-01, urban: 900, rural: 900 }\n",
            "policy.yaml:6: regions.320481.standards[1].from: 2019-07-01 is already the date of regions.320481.standards[0]; each date once"
        ),
        // A region code that is not 6 digits.
        ErrorCase(
            "version: 1\nregions:\n  \"33090\": { standards: [{ from: 2019-07-01, urban: 860, rural: 860 }] }\n",
            "policy.yaml:3: regions.33090: a region code has 6 digits (GB/T 2260, e.g. \"330902\"), found '33090'"),
        // A standard with more than 4 decimals.
        ErrorCase(
            "version: 1\nregions:\n  \"320481\": { standards: [{ from: 2019-07-01, urban: 860.12345, rural: 860 }] }\n",
            "policy.yaml:3: regions.320481.standards[0].urban: 860.12345 has more than 4 decimals"),
        // Version other than 1.
        ErrorCase("version: 2\nregions: {}\n", "policy.yaml:1: version: unsupported version 2; this hedui reads version 1"),
        // Missing version.
        ErrorCase("regions: {}\n", "policy.yaml:1: missing key 'version'"),
        // A multiplier below 1.
        ErrorCase(
            "version: 1\ndefaults: { low_income_multiplier: 0.9 }\nregions: {}\n",
            "policy.yaml:2: defaults.low_income_multiplier: 0.9 is out of range (at least 1)"),
        // A tolerance above 1.
        ErrorCase(
            "version: 1\ndefaults:\n  declared_income_tolerance: 1.2\nregions: {}\n",
            "policy.yaml:3: defaults.declared_income_tolerance: 1.2 is out of range (0…1)"),
        // A spot-check rate above 1.
        ErrorCase(
            "version: 1\ndefaults:\n  spot_check: { rate: 5 }\nregions: {}\n",
            "policy.yaml:3: defaults.spot_check.rate: 5 is out of range (0…1)"),
        // A negative count.
        ErrorCase(
            "version: 1\ndefaults:\n  assets_months_dibao: -3\nregions: {}\n",
            "policy.yaml:3: defaults.assets_months_dibao: must not be negative (allowed 0…1200), found -3"),
        // An unknown vehicle type.
        ErrorCase(
            "version: 1\ndefaults:\n  vehicle_exempt_types: [motorcycle, bus]\nregions: {}\n",
            "policy.yaml:3: defaults.vehicle_exempt_types[1]: unknown vehicle type 'bus'; allowed: " + VehicleType.codeList),
        // An unknown income type.
        ErrorCase(
            "version: 1\ndefaults:\n  counted_income_types:\n    - wage\n    - salary\nregions: {}\n",
            "policy.yaml:5: defaults.counted_income_types[1]: unknown income type 'salary'; allowed: " + IncomeType.codeList),
        // An override key that does not exist.
        ErrorCase(
            basePolicy.replacingOccurrences(of: "max_homes: 2", with: "max_home: 2"),
            "policy.yaml:15: regions.330903.overrides.max_home: unknown key 'max_home' (did you mean 'max_homes'?); allowed keys: "
                + PolicyParameters.keys.joined(separator: ", ")),
        // A bad currency code.
        ErrorCase(
            "version: 1\ndefaults:\n  currency_rates: { US: 7.1 }\nregions: {}\n",
            "policy.yaml:3: defaults.currency_rates.US: not an ISO 4217 currency code (three letters, e.g. USD)"),
        // Standards missing.
        ErrorCase(
            "version: 1\nregions:\n  \"320481\":\n    name: 溧阳市\n",
            "policy.yaml:4: regions.320481: missing key 'standards'"),
        // A boolean that is not one.
        ErrorCase(
            "version: 1\ndefaults:\n  deduct_rigid_expense: 1\nregions: {}\n",
            "policy.yaml:3: defaults.deduct_rigid_expense: expected true or false, found '1'"),
        // A YAML syntax error.
        ErrorCase(
            "version: 1\nregions: [\n",
            "policy.yaml:3: YAML syntax: did not find expected node content (while parsing a flow node on line 3)"),
        // An empty file.
        ErrorCase("", "policy.yaml: the policy file is empty"),
    ]

    @Test("precise errors", arguments: errorCases)
    func preciseErrors(_ c: ErrorCase) {
        let error = failure(c.yaml)
        #expect(error?.description == c.expected)
    }

    @Test func errorFieldsAreSeparate() throws {
        let error = try #require(failure("version: 1\ndefaults:\n  max_homes: 1\n  assets_month_dibao: 24\nregions: {}\n"))
        #expect(error.file == "policy.yaml")
        #expect(error.line == 4)
        #expect(error.keyPath == "defaults.assets_month_dibao")
    }

    @Test func unreadableFile() {
        #expect(throws: PolicyError(file: "/nonexistent/policy.yaml", line: nil, keyPath: "", message: "cannot read the file")) {
            try PolicyTable.load(contentsOf: "/nonexistent/policy.yaml")
        }
    }
}
