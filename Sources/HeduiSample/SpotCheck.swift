import HeduiModel

/// One unit as the sampler sees it (from the assessment, or a row of `assessments.csv`).
public struct SamplingUnit: Sendable, Hashable {
    public var unitID: String
    public var regionCode: RegionCode
    /// `eligible_dibao`, `eligible_low_income`, `ineligible` or `needs_review`.
    public var status: String
    /// Unit monthly income.
    public var monthlyIncome: Fen
    /// n.
    public var members: Int
    /// S, the dibao standard per person for the unit (nil: `POLICY_MISSING`).
    public var standard: Fen?
    /// L = round_half_up(S × low_income_multiplier) (nil: `POLICY_MISSING`).
    public var lowIncomeLine: Fen?
    /// Reason codes.
    public var reasons: [String]

    public init(
        unitID: String, regionCode: RegionCode, status: String, monthlyIncome: Fen, members: Int,
        standard: Fen?, lowIncomeLine: Fen?, reasons: [String]
    ) {
        self.unitID = unitID
        self.regionCode = regionCode
        self.status = status
        self.monthlyIncome = monthlyIncome
        self.members = members
        self.standard = standard
        self.lowIncomeLine = lowIncomeLine
        self.reasons = reasons
    }
}

/// A region's `spot_check` parameters, as exact decimals (value = units / 10^scale).
public struct SamplingParameters: Sendable, Hashable {
    /// `rate` = rateUnits / 10^rateScale, in [0, 1].
    public var rateUnits: Int64
    public var rateScale: Int
    public var minPerStratum: Int
    /// `borderline_band` = bandUnits / 10^bandScale, in [0, 1].
    public var bandUnits: Int64
    public var bandScale: Int
    /// The draw weight of a risky unit (others weigh 1), ≥ 1.
    public var riskWeight: Int

    public init(rateUnits: Int64, rateScale: Int, minPerStratum: Int, bandUnits: Int64, bandScale: Int, riskWeight: Int) {
        self.rateUnits = rateUnits
        self.rateScale = rateScale
        self.minPerStratum = minPerStratum
        self.bandUnits = bandUnits
        self.bandScale = bandScale
        self.riskWeight = riskWeight
    }

    /// rules.md's example `{ rate: 0.05, min_per_stratum: 1, borderline_band: 0.10, risk_weight: 3 }`.
    public static let specDefaults = SamplingParameters(
        rateUnits: 5, rateScale: 2, minPerStratum: 1, bandUnits: 1, bandScale: 1, riskWeight: 3)
}

/// An inspector as the assignment sees them.
public struct InspectorInfo: Sendable, Hashable {
    public var inspectorID: String
    public var homeRegion: RegionCode
    /// The most units this inspector takes in one batch; nil: unlimited.
    public var capacity: Int?

    public init(inspectorID: String, homeRegion: RegionCode, capacity: Int?) {
        self.inspectorID = inspectorID
        self.homeRegion = homeRegion
        self.capacity = capacity
    }
}

/// One row of `spotcheck.csv`.
public struct SpotCheckRow: Sendable, Hashable {
    public var unitID: String
    public var regionCode: RegionCode
    public var status: String
    /// `"<region>/<status>"`.
    public var stratum: String
    /// The draw weight (1, or `risk_weight`).
    public var weight: Int
    /// nil: no inspector could take the unit (the note says why).
    public var inspectorID: String?
    /// The risk factors (`risk: BORDERLINE_DIBAO, …`), then why the unit is unassigned, joined with `; `.
    public var note: String

    public init(
        unitID: String, regionCode: RegionCode, status: String, stratum: String, weight: Int,
        inspectorID: String?, note: String
    ) {
        self.unitID = unitID
        self.regionCode = regionCode
        self.status = status
        self.stratum = stratum
        self.weight = weight
        self.inspectorID = inspectorID
        self.note = note
    }
}

/// Whether a published `spotcheck.csv` is what the inputs and the seed give.
public enum VerificationResult: Sendable, Hashable {
    /// Byte for byte the re-derived file.
    case identical(rows: Int)
    /// The first difference; `line` is the published file's line (1 = header).
    case different(line: Int, message: String)

    public var isIdentical: Bool {
        if case .identical = self { return true }
        return false
    }

    /// One line for a person: `spotcheck.csv: re-derived, identical (12 rows)`, or the first difference.
    public var message: String {
        switch self {
        case .identical(let rows): return "spotcheck.csv: re-derived, identical (\(rows) rows)"
        case .different(_, let message): return message
        }
    }
}

/// The spot check (复核抽查, 双随机): rules.md "Spot checks"; the algorithm is `docs/spot-checks.md`.
///
/// Pure values, no I/O, no floating point, no dependence on input order or thread count.
public enum SpotCheck {
    /// The reason codes that make a unit risky (weight `risk_weight`) whatever its income.
    public static let riskReasons: [String] = ["DECLARED_INCOME_UNDERSTATED", "PROBABLE_MATCH_NO_EFFECT"]
    /// The label of the inspector-assignment stream.
    public static let assignLabel = "assign"

    /// Draws the sample and assigns inspectors.
    ///
    /// 1. Units are put in strata `"<region>/<status>"`, each sorted by unit_id (UTF-8 bytes).
    /// 2. From a stratum of n units, k = min(n, max(min_per_stratum, ceil(rate × n))) units are drawn,
    ///    without replacement, by sequential weighted draws from the stratum's SHA-256 stream
    ///    (`SpotCheckStream`, label = the stratum); k = n takes all without reading the stream.
    /// 3. The drawn units, in unit_id order, get one inspector each from the `"assign"` stream:
    ///    uniformly among the inspectors outside the unit's region with capacity left who have the
    ///    fewest assignments so far.
    ///
    /// - Returns: The rows, sorted by unit_id.
    public static func draw(
        units: [SamplingUnit], inspectors: [InspectorInfo], seed: String,
        parameters: (RegionCode) -> SamplingParameters
    ) -> [SpotCheckRow] {
        // Strata, each in canonical order. Keyed by region and the status's bytes (Swift's String
        // keys would merge canonically equivalent texts); the label is made once per stratum.
        var strata: [StratumKey: Int] = [:]
        var groups: [(label: String, units: [Int])] = []
        for (i, unit) in units.enumerated() {
            let key = StratumKey(regionCode: unit.regionCode, status: unit.status)
            if let g = strata[key] {
                groups[g].units.append(i)
            } else {
                strata[key] = groups.count
                groups.append((stratumLabel(unit), [i]))
            }
        }
        groups.sort { utf8Less($0.label, $1.label) }

        // Units by their index in `units`: a stratum's order, the draw and its sort move integers, not
        // units with their strings (copying those was about a third of the draw's time at 200,000 units).
        var drawn: [(unit: Int, weight: Int, risk: [String])] = []
        for (label, group) in groups {
            let members = canonicalOrder(group, in: units)
            let p = parameters(units[members[0]].regionCode)
            let k = sampleSize(stratumSize: members.count, parameters: p)
            let risks = members.map { riskFactors(units[$0], parameters: p) }
            let weights = risks.map { $0.isEmpty ? 1 : max(1, p.riskWeight) }
            let picked: [Int]
            if k >= members.count {
                picked = Array(members.indices)
            } else {
                var stream = SpotCheckStream(seed: seed, label: label)
                picked = weightedDraw(weights: weights, count: k, stream: &stream)
            }
            for i in picked { drawn.append((members[i], weights[i], risks[i])) }
        }
        drawn.sort { canonicalLess(units[$0.unit], units[$1.unit]) }

        // Inspectors (双随机, 回避), load-balanced.
        let staff = canonicalInspectors(inspectors)
        var load = [Int](repeating: 0, count: staff.count)
        var assignStream = SpotCheckStream(seed: seed, label: assignLabel)
        var rows: [SpotCheckRow] = []
        rows.reserveCapacity(drawn.count)
        for (index, weight, risk) in drawn {
            let unit = units[index]
            var notes: [String] = risk.isEmpty ? [] : ["risk: " + risk.joined(separator: ", ")]
            var inspectorID: String?
            let eligible = staff.indices.filter { i in
                staff[i].homeRegion != unit.regionCode && (staff[i].capacity.map { load[i] < $0 } ?? true)
            }
            if staff.isEmpty {
                notes.append("no inspectors")
            } else if eligible.isEmpty {
                notes.append("no inspector outside region \(unit.regionCode) with capacity left")
            } else {
                let fewest = eligible.map { load[$0] }.min()!
                let candidates = eligible.filter { load[$0] == fewest }
                let chosen = candidates[Int(assignStream.uniform(below: UInt64(candidates.count)))]
                load[chosen] += 1
                inspectorID = staff[chosen].inspectorID
            }
            rows.append(
                SpotCheckRow(
                    unitID: unit.unitID, regionCode: unit.regionCode, status: unit.status, stratum: stratumLabel(unit),
                    weight: weight, inspectorID: inspectorID, note: notes.joined(separator: "; ")))
        }
        return rows
    }

    // MARK: - The pieces, public so that tests and the docs can show them

    /// `"<region>/<status>"`.
    public static func stratumLabel(_ unit: SamplingUnit) -> String { "\(unit.regionCode)/\(unit.status)" }

    /// k = min(n, max(min_per_stratum, ceil(rateUnits × n / 10^rateScale))), exactly.
    public static func sampleSize(stratumSize n: Int, parameters p: SamplingParameters) -> Int {
        guard n > 0 else { return 0 }
        let units = UInt64(max(0, p.rateUnits))
        let divisor = powerOfTen(p.rateScale)
        let product = units.multipliedFullWidth(by: UInt64(n))
        var byRate: Int
        if product.high >= divisor {
            byRate = n  // rate > 1 would give more than n; capped below anyway
        } else {
            let (q, r) = divisor.dividingFullWidth(product)
            byRate = q >= UInt64(n) ? n : Int(q) + (r > 0 ? 1 : 0)
        }
        byRate = max(byRate, max(0, p.minPerStratum))
        return min(byRate, n)
    }

    /// Why a unit is risky, in this order: `BORDERLINE_DIBAO` (|income − S×n| ≤ band × S×n),
    /// `BORDERLINE_LOW_INCOME` (the same with L×n), then the reasons of `riskReasons` it has.
    /// Exact: |income − S×n| × 10^bandScale ≤ bandUnits × S×n. No standard (`POLICY_MISSING`): never borderline.
    public static func riskFactors(_ unit: SamplingUnit, parameters p: SamplingParameters) -> [String] {
        var factors: [String] = []
        if let s = unit.standard, isBorderline(income: unit.monthlyIncome, line: s, members: unit.members, parameters: p) {
            factors.append("BORDERLINE_DIBAO")
        }
        if let l = unit.lowIncomeLine, isBorderline(income: unit.monthlyIncome, line: l, members: unit.members, parameters: p) {
            factors.append("BORDERLINE_LOW_INCOME")
        }
        for reason in riskReasons where unit.reasons.contains(reason) { factors.append(reason) }
        return factors
    }

    /// |income − line×n| × 10^bandScale ≤ bandUnits × line×n, in 128-bit integers.
    static func isBorderline(income: Fen, line: Fen, members: Int, parameters p: SamplingParameters) -> Bool {
        let (total, overflow) = line.value.multipliedReportingOverflow(by: Int64(members))
        guard !overflow, total >= 0 else { return false }
        let distance = income.value > total ? UInt64(income.value - total) : UInt64(total - income.value)
        let left = distance.multipliedFullWidth(by: powerOfTen(p.bandScale))
        let right = UInt64(max(0, p.bandUnits)).multipliedFullWidth(by: UInt64(total))
        return left.high != right.high ? left.high < right.high : left.low <= right.low
    }

    /// Sequential weighted draw without replacement: `count` times, r = uniform(total remaining weight),
    /// take the unit whose cumulative-weight interval [c_{i-1}, c_i) holds r (remaining units in their
    /// order), remove it. A Fenwick tree finds the unit in O(log n); the result is the plain definition's.
    ///
    /// - Returns: The indices taken, in draw order.
    static func weightedDraw(weights: [Int], count: Int, stream: inout SpotCheckStream) -> [Int] {
        let n = weights.count
        var tree = [UInt64](repeating: 0, count: n + 1)
        var total: UInt64 = 0
        for (i, w) in weights.enumerated() {
            total += UInt64(w)
            var j = i + 1
            while j <= n {
                tree[j] += UInt64(w)
                j += j & -j
            }
        }
        var topBit = 1
        while topBit * 2 <= n { topBit *= 2 }
        var taken: [Int] = []
        taken.reserveCapacity(count)
        for _ in 0..<count where total > 0 {
            var rest = stream.uniform(below: total)
            // The smallest index whose prefix sum exceeds r.
            var pos = 0
            var step = topBit
            while step > 0 {
                if pos + step <= n, tree[pos + step] <= rest {
                    pos += step
                    rest -= tree[pos]
                }
                step /= 2
            }
            let index = pos  // 0-based
            taken.append(index)
            let w = UInt64(weights[index])
            total -= w
            var j = index + 1
            while j <= n {
                tree[j] -= w
                j += j & -j
            }
        }
        return taken
    }

    /// Inspectors sorted by inspector_id (UTF-8 bytes); of entries with the same id, only the first
    /// in (inspector_id, home_region, capacity with unlimited last) order is kept.
    static func canonicalInspectors(_ inspectors: [InspectorInfo]) -> [InspectorInfo] {
        let sorted = inspectors.sorted { a, b in
            if !utf8Equal(a.inspectorID, b.inspectorID) { return utf8Less(a.inspectorID, b.inspectorID) }
            if a.homeRegion != b.homeRegion { return a.homeRegion < b.homeRegion }
            return (a.capacity ?? Int.max) < (b.capacity ?? Int.max)
        }
        var out: [InspectorInfo] = []
        for i in sorted where !(out.last.map { utf8Equal($0.inspectorID, i.inspectorID) } ?? false) { out.append(i) }
        return out
    }

    /// A stratum: region and status, the status compared by its bytes.
    struct StratumKey: Hashable {
        var regionCode: RegionCode
        var status: String

        static func == (a: StratumKey, b: StratumKey) -> Bool { a.regionCode == b.regionCode && utf8Equal(a.status, b.status) }

        func hash(into hasher: inout Hasher) {
            hasher.combine(regionCode)
            for byte in status.utf8 { hasher.combine(byte) }
        }
    }

    /// `indices` (into `units`) ordered by their units' `canonicalLess` (equal units in the order
    /// given), through the units' IDs' `BytePrefix`es.
    static func canonicalOrder(_ indices: [Int], in units: [SamplingUnit]) -> [Int] {
        BytePrefix.order(count: indices.count, key: { units[indices[$0]].unitID }) {
            canonicalLess(units[indices[$0]], units[indices[$1]])
        }
        .map { indices[$0] }
    }

    /// unit_id by UTF-8 bytes; (equal ids, which a run does not produce: by region, status, income, members).
    static func canonicalLess(_ a: SamplingUnit, _ b: SamplingUnit) -> Bool {
        if !utf8Equal(a.unitID, b.unitID) { return utf8Less(a.unitID, b.unitID) }
        if a.regionCode != b.regionCode { return a.regionCode < b.regionCode }
        if !utf8Equal(a.status, b.status) { return utf8Less(a.status, b.status) }
        if a.monthlyIncome != b.monthlyIncome { return a.monthlyIncome < b.monthlyIncome }
        return a.members < b.members
    }

    /// Byte order, not Swift's Unicode-canonical `<` (which Python and auditors' tools do not use).
    static func utf8Less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Byte equality, not Swift's canonical-equivalence `==`.
    static func utf8Equal(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    static func powerOfTen(_ n: Int) -> UInt64 {
        precondition((0...19).contains(n), "decimal scale out of range")
        var p: UInt64 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }
}
