import HeduiModel
import Yams

/// Walks the composed YAML tree of a policy file, checking every key and value.
///
/// Numbers, dates and codes are read from each scalar's text (never through `Double`);
/// errors name the 1-based line of the offending node and its key path.
struct PolicyReader {
    let file: String

    // MARK: - Errors

    func error(_ node: Node?, _ path: String, _ message: String) -> PolicyError {
        PolicyError(file: file, line: node?.mark?.line, keyPath: path, message: message)
    }

    /// A Yams failure as a policy error (syntax errors carry a 1-based line).
    func error(fromYams failure: any Error) -> PolicyError {
        guard let yaml = failure as? YamlError else {
            return PolicyError(file: file, line: nil, keyPath: "", message: "not readable YAML: \(failure)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let extra = context.map { " (\($0.text) on line \($0.mark.line))" } ?? ""
            return PolicyError(file: file, line: mark.line, keyPath: "", message: "YAML syntax: \(problem)\(extra)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return PolicyError(
                file: file, line: context.mark.line, keyPath: "",
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        case let .reader(problem, offset, _, _):
            return PolicyError(
                file: file, line: nil, keyPath: "",
                message: "not readable text: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return PolicyError(file: file, line: nil, keyPath: "", message: "not readable YAML: \(yaml)")
        }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    static func quoted(_ text: String) -> String {
        let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "'" + short + "'"
    }

    // MARK: - Structure

    /// The entries of a mapping node, each key checked against `allowed` (nil: any key).
    func entries(_ node: Node, _ path: String, allowed: [String]?, what: String = "a mapping of keys")
        throws(PolicyError) -> [(key: String, keyNode: Node, value: Node)]
    {
        guard case .mapping(let mapping) = node else {
            throw error(node, path, "expected \(what), found \(Self.kind(node))")
        }
        var result: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error(keyNode, path, "a key must be plain text, found \(Self.kind(keyNode))")
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                var message = "unknown key \(Self.quoted(key))"
                if let guess = Self.closest(to: key, in: allowed) { message += " (did you mean '\(guess)'?)" }
                message += "; allowed keys: " + allowed.joined(separator: ", ")
                throw error(keyNode, Self.join(path, key), message)
            }
            result.append((key, keyNode, value))
        }
        return result
    }

    /// Throws when a required key is absent.
    func require(_ key: String, in entries: [(key: String, keyNode: Node, value: Node)], of node: Node, _ path: String)
        throws(PolicyError) -> Node
    {
        guard let entry = entries.first(where: { $0.key == key }) else {
            throw error(node, path, "missing key '\(key)'")
        }
        return entry.value
    }

    func sequence(_ node: Node, _ path: String, example: String) throws(PolicyError) -> [Node] {
        guard case .sequence(let seq) = node else {
            throw error(node, path, "expected a list such as \(example), found \(Self.kind(node))")
        }
        return Array(seq)
    }

    func text(_ node: Node, _ path: String, what: String) throws(PolicyError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, path, "expected \(what), found \(Self.kind(node))")
        }
        return scalar.string
    }

    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s):
            isNull(node) ? "nothing" : "the text \(quoted(s.string))"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The allowed key nearest to a misspelt one (edit distance ≤ 3), for "did you mean".
    static func closest(to key: String, in allowed: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var previous = row[0]
                row[0] = i + 1
                for (j, cb) in b.enumerated() {
                    let substitution = previous + (ca == cb ? 0 : 1)
                    previous = row[j + 1]
                    row[j + 1] = min(substitution, row[j] + 1, row[j + 1] + 1)
                }
            }
            return row[b.count]
        }
        let k = Array(key.lowercased())
        let best = allowed.map { ($0, distance(k, Array($0))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 3 else { return nil }
        return best.0
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node, s.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    // MARK: - Values

    /// A whole number in `range`.
    func integer(_ node: Node, _ path: String, _ range: ClosedRange<Int>) throws(PolicyError) -> Int {
        let raw = try text(node, path, what: "a whole number")
        switch PolicyDecimal.parse(raw) {
        case .value(let d) where d.scale == 0:
            guard d.units <= Int64(range.upperBound), d.units >= Int64(range.lowerBound) else {
                throw error(node, path, "\(raw) is out of range (allowed \(range.lowerBound)…\(range.upperBound))")
            }
            return Int(d.units)
        case .tooManyDigits:
            throw error(node, path, "\(raw) is out of range (allowed \(range.lowerBound)…\(range.upperBound))")
        case .value:
            throw error(node, path, "must be a whole number (allowed \(range.lowerBound)…\(range.upperBound)), found \(raw)")
        case .negative:
            throw error(node, path, "must not be negative (allowed \(range.lowerBound)…\(range.upperBound)), found \(raw)")
        case .notANumber:
            throw error(node, path, "not a number: \(Self.kind(node))")
        }
    }

    /// An exact decimal with at most `maxDecimals` digits after the point, in `[min, max]`.
    func decimal(
        _ node: Node, _ path: String, maxDecimals: Int = PolicyDecimal.maxScale,
        min: PolicyDecimal? = nil, max: PolicyDecimal? = nil, positive: Bool = false,
        rangeText: String
    ) throws(PolicyError) -> PolicyDecimal {
        let raw = try text(node, path, what: "a number")
        switch PolicyDecimal.parse(raw) {
        case .value(let d):
            guard d.scale <= maxDecimals else {
                throw error(node, path, "\(raw) has more than \(maxDecimals) decimals")
            }
            if let min, d < min { throw error(node, path, "\(raw) is out of range (\(rangeText))") }
            if let max, d > max { throw error(node, path, "\(raw) is out of range (\(rangeText))") }
            if positive, d.units == 0 { throw error(node, path, "must be greater than 0 (\(rangeText))") }
            return d
        case .negative:
            throw error(node, path, "must not be negative (\(rangeText)), found \(raw)")
        case .tooManyDigits:
            throw error(node, path, "\(raw) has too many digits (at most \(maxDecimals) decimals and \(PolicyDecimal.maxDigits) digits)")
        case .notANumber:
            throw error(node, path, "not a number: \(Self.kind(node))")
        }
    }

    /// Yuan (at most 4 decimals) as fen, rounded half-up (rules.md, point 5).
    func yuan(_ node: Node, _ path: String, positive: Bool) throws(PolicyError) -> Fen {
        let amount = try decimal(
            node, path, maxDecimals: 4, positive: positive,
            rangeText: positive ? "yuan, more than 0, at most 4 decimals" : "yuan, at most 4 decimals")
        return Fen(amount.applied(to: 100))
    }

    func bool(_ node: Node, _ path: String) throws(PolicyError) -> Bool {
        let raw = try text(node, path, what: "true or false")
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw error(node, path, "expected true or false, found \(Self.quoted(raw))")
        }
    }

    /// A date written `YYYY-MM-DD` (a YAML date is read from its text).
    func day(_ node: Node, _ path: String) throws(PolicyError) -> Day {
        let raw = try text(node, path, what: "a date (YYYY-MM-DD)")
        let b = Array(raw.utf8)
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
            let day = Day(year: y, month: m, day: d)
        else {
            throw error(node, path, "not a date (use YYYY-MM-DD), found \(Self.kind(node))")
        }
        return day
    }

    func codes<Code: ExchangeCode>(_ node: Node, _ path: String, _ type: Code.Type, what: String)
        throws(PolicyError) -> Set<Code>
    {
        let items = try sequence(node, path, example: "[\(Code.allCases.first!.rawValue)] (use [] for none)")
        var result = Set<Code>()
        for (i, item) in items.enumerated() {
            let itemPath = "\(path)[\(i)]"
            let raw = try text(item, itemPath, what: "a \(what)")
            guard let code = Code.parse(raw) else {
                throw error(item, itemPath, "unknown \(what) \(Self.quoted(raw)); allowed: \(Code.codeList)")
            }
            result.insert(code)
        }
        return result
    }

    // MARK: - Parameters

    /// Applies a `defaults` or `overrides` mapping to `parameters`.
    ///
    /// `spot_check` and `currency_rates` merge per key into what `parameters` already holds;
    /// every other key replaces the value. Returns the keys set, in `PolicyParameters.keys` order
    /// (merged entries as `spot_check.rate`, `currency_rates.USD`).
    func applyParameters(_ node: Node, _ path: String, to parameters: inout PolicyParameters)
        throws(PolicyError) -> [String]
    {
        if Self.isNull(node) { return [] }  // `overrides:` with nothing after it
        var set: [String: [String]] = [:]
        for (key, _, value) in try entries(node, path, allowed: PolicyParameters.keys) {
            let p = Self.join(path, key)
            set[key] = [key]
            switch key {
            case "income_window_months":
                parameters.incomeWindowMonths = try integer(value, p, 1...120)
            case "low_income_multiplier":
                parameters.lowIncomeMultiplier = try decimal(value, p, min: PolicyDecimal(1), rangeText: "at least 1")
            case "assets_months_dibao":
                parameters.assetsMonthsDibao = try integer(value, p, 0...1200)
            case "assets_months_low_income":
                parameters.assetsMonthsLowIncome = try integer(value, p, 0...1200)
            case "max_homes":
                parameters.maxHomes = try integer(value, p, 0...1000)
            case "housing_area_per_capita_max":
                if Self.isNull(value) {
                    parameters.housingAreaPerCapitaMax = nil
                } else {
                    let area = try decimal(
                        value, p, maxDecimals: 2, max: PolicyDecimal(100_000),
                        rangeText: "m², 0…100000, at most 2 decimals; omit for no limit")
                    parameters.housingAreaPerCapitaMax = area.applied(to: 100)
                }
            case "vehicle_exempt_types":
                parameters.vehicleExemptTypes = try codes(value, p, VehicleType.self, what: "vehicle type")
            case "vehicle_value_exempt_below":
                parameters.vehicleValueExemptBelow = try yuan(value, p, positive: false)
            case "counted_income_types":
                parameters.countedIncomeTypes = try codes(value, p, IncomeType.self, what: "income type")
            case "deduct_rigid_expense":
                parameters.deductRigidExpense = try bool(value, p)
            case "min_benefit_per_person":
                parameters.minBenefitPerPerson = try yuan(value, p, positive: false)
            case "declared_income_tolerance":
                parameters.declaredIncomeTolerance = try decimal(value, p, max: PolicyDecimal(1), rangeText: "0…1")
            case "currency_rates":
                var keys: [String] = []
                if !Self.isNull(value) {
                    for (code, keyNode, rate) in try entries(value, p, allowed: nil, what: "a mapping such as { USD: 7.10 }") {
                        let upper = code.uppercased()
                        let cp = Self.join(p, code)
                        guard upper.utf8.count == 3, upper.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                            throw error(keyNode, cp, "not an ISO 4217 currency code (three letters, e.g. USD)")
                        }
                        guard !keys.contains(upper) else {
                            throw error(keyNode, cp, "currency \(upper) is given twice")
                        }
                        parameters.currencyRates[upper] = try decimal(
                            rate, cp, positive: true,
                            rangeText: "yuan per unit, more than 0")
                        keys.append(upper)
                    }
                }
                set[key] = keys.sorted().map { "currency_rates.\($0)" }
            case "spot_check":
                var keys: [String] = []
                for (sub, _, v) in try entries(value, p, allowed: PolicyParameters.spotCheckKeys) {
                    let sp = Self.join(p, sub)
                    switch sub {
                    case "rate":
                        parameters.spotCheck.rate = try decimal(v, sp, max: PolicyDecimal(1), rangeText: "0…1")
                    case "min_per_stratum":
                        parameters.spotCheck.minPerStratum = try integer(v, sp, 0...1_000_000)
                    case "borderline_band":
                        parameters.spotCheck.borderlineBand = try decimal(v, sp, max: PolicyDecimal(1), rangeText: "0…1")
                    default:
                        parameters.spotCheck.riskWeight = try integer(v, sp, 1...1000)
                    }
                    keys.append(sub)
                }
                set[key] = PolicyParameters.spotCheckKeys.filter(keys.contains).map { "spot_check.\($0)" }
            default:
                preconditionFailure("key list and switch disagree")
            }
        }
        return PolicyParameters.keys.flatMap { set[$0] ?? [] }
    }

    // MARK: - Regions

    func standards(_ node: Node, _ path: String) throws(PolicyError) -> [DatedStandard] {
        let items = try sequence(node, path, example: "[{ from: 2024-01-01, urban: 1133.33, rural: 1133.33 }]")
        guard !items.isEmpty else { throw error(node, path, "needs at least one { from, urban, rural } entry") }
        var result: [DatedStandard] = []
        var seen: [Day: Int] = [:]
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            let e = try entries(item, p, allowed: ["from", "urban", "rural"], what: "a mapping { from, urban, rural }")
            let from = try day(require("from", in: e, of: item, p), Self.join(p, "from"))
            let urban = try yuan(require("urban", in: e, of: item, p), Self.join(p, "urban"), positive: true)
            let rural = try yuan(require("rural", in: e, of: item, p), Self.join(p, "rural"), positive: true)
            if let first = seen[from] {
                let fromNode = e.first { $0.key == "from" }!.value
                throw error(fromNode, Self.join(p, "from"), "\(from) is already the date of \(path)[\(first)]; each date once")
            }
            seen[from] = i
            result.append(DatedStandard(from: from, urban: urban, rural: rural))
        }
        return result.sorted { $0.from < $1.from }
    }

    func region(code: RegionCode, _ node: Node, _ path: String, defaults: PolicyParameters)
        throws(PolicyError) -> RegionPolicy
    {
        let e = try entries(
            node, path, allowed: ["name", "standards", "overrides"],
            what: "a mapping { name, standards, overrides }")
        var name = ""
        if let n = e.first(where: { $0.key == "name" }), !Self.isNull(n.value) {
            name = try text(n.value, Self.join(path, "name"), what: "a name")
        }
        let list = try standards(require("standards", in: e, of: node, path), Self.join(path, "standards"))
        var parameters = defaults
        var overridden: [String] = []
        if let o = e.first(where: { $0.key == "overrides" }) {
            overridden = try applyParameters(o.value, Self.join(path, "overrides"), to: &parameters)
        }
        return RegionPolicy(code: code, name: name, standards: list, parameters: parameters, overriddenKeys: overridden)
    }

    // MARK: - File

    func table(yaml: String) throws(PolicyError) -> PolicyTable {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: yaml)
        } catch {
            throw self.error(fromYams: error)
        }
        guard let root = composed, !Self.isNull(root) else {
            throw PolicyError(file: file, line: nil, keyPath: "", message: "the policy file is empty")
        }
        let top = try entries(root, "", allowed: ["version", "defaults", "regions"], what: "a mapping with version, defaults and regions")
        let versionNode = try require("version", in: top, of: root, "")
        let version = try integer(versionNode, "version", 0...Int(Int32.max))
        guard version == 1 else {
            throw error(versionNode, "version", "unsupported version \(version); this hedui reads version 1")
        }
        var defaults = PolicyParameters.specDefaults
        if let d = top.first(where: { $0.key == "defaults" }) {
            _ = try applyParameters(d.value, "defaults", to: &defaults)
        }
        let regionsNode = try require("regions", in: top, of: root, "")
        var regions: [RegionCode: RegionPolicy] = [:]
        var lines: [RegionCode: Int?] = [:]
        if !Self.isNull(regionsNode) {
            for (key, keyNode, value) in try entries(
                regionsNode, "regions", allowed: nil,
                what: "a mapping of 6-digit region codes")
            {
                let p = Self.join("regions", key)
                guard key.utf8.count == 6, key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                    let code = RegionCode(key)
                else {
                    throw error(keyNode, p, "a region code has 6 digits (GB/T 2260, e.g. \"330902\"), found \(Self.quoted(key))")
                }
                if let firstLine = lines[code] {
                    throw error(keyNode, p, "region \(key) appears twice" + (firstLine.map { " (first on line \($0))" } ?? ""))
                }
                lines[code] = keyNode.mark?.line
                regions[code] = try region(code: code, value, p, defaults: defaults)
            }
        }
        return PolicyTable(version: version, defaults: defaults, regions: regions)
    }
}
