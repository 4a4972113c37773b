import Foundation
import HeduiModel
import Testing

@testable import HeduiSample

// MARK: - Helpers

func region(_ code: String) -> RegionCode { RegionCode(code)! }

/// A unit with a standard (or none) and L = round_half_up(S × multiplier).
func unit(
    _ id: String, _ regionCode: String = "330902", status: String = "eligible_dibao", income: Int64 = 50_000,
    members: Int = 1, standard: Int64? = 113_333, multiplier: (Int64, Int64) = (15, 10),
    reasons: [String] = []
) -> SamplingUnit {
    SamplingUnit(
        unitID: id, regionCode: region(regionCode), status: status, monthlyIncome: Fen(income), members: members,
        standard: standard.map { Fen($0) }, lowIncomeLine: standard.map { Fen($0.scaled(by: multiplier.0, dividedBy: multiplier.1)) },
        reasons: reasons)
}

func params(rate: (Int64, Int) = (5, 2), min: Int = 1, band: (Int64, Int) = (1, 1), riskWeight: Int = 3) -> SamplingParameters {
    SamplingParameters(
        rateUnits: rate.0, rateScale: rate.1, minPerStratum: min, bandUnits: band.0, bandScale: band.1,
        riskWeight: riskWeight)
}

/// A deterministic permutation (SplitMix64), so the order tests do not depend on the system generator.
func shuffled<T>(_ items: [T], seed: UInt64) -> [T] {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var out = items
    for i in stride(from: out.count - 1, to: 0, by: -1) {
        let j = Int(next() % UInt64(i + 1))
        out.swapAt(i, j)
    }
    return out
}

let statuses = ["eligible_dibao", "eligible_low_income", "ineligible", "needs_review"]

/// 600 units in 3 regions × 4 statuses, some borderline, some with risk reasons, one region without policy.
func population() -> [SamplingUnit] {
    (0..<600).map { i in
        let regionCode = ["330902", "330903", "320481"][i % 3]
        let members = 1 + i % 4
        let s: Int64? = regionCode == "320481" ? nil : 113_333
        let status = s == nil ? "needs_review" : statuses[(i / 3) % 4]
        // Income from 50 % to 200 % of S×n, in steps, so some are near S×n or L×n.
        let income = Int64(members) * 113_333 * Int64(50 + (i * 7) % 151) / 100
        let reasons = i % 17 == 0 ? ["PROBABLE_MATCH_NO_EFFECT"] : i % 23 == 0 ? ["DECLARED_INCOME_UNDERSTATED", "RECORD_REJECTED"] : []
        return unit(
            String(format: "HH%05d", i), regionCode, status: status, income: income, members: members, standard: s,
            multiplier: regionCode == "330903" ? (175, 100) : (15, 10),
            reasons: s == nil ? ["POLICY_MISSING"] + reasons : reasons)
    }
}

let staff = [
    InspectorInfo(inspectorID: "I01", homeRegion: region("330902"), capacity: 5),
    InspectorInfo(inspectorID: "I02", homeRegion: region("330903"), capacity: nil),
    InspectorInfo(inspectorID: "I03", homeRegion: region("320481"), capacity: 3),
    InspectorInfo(inspectorID: "I04", homeRegion: region("330902"), capacity: nil),
]

func regionParams(_ r: RegionCode) -> SamplingParameters {
    r == region("330903") ? params(rate: (25, 2), min: 2, riskWeight: 5) : params(rate: (5, 2), min: 2)
}

// MARK: - The random stream

@Suite struct StreamTests {
    /// Values computed independently with Python's hashlib (scripts/spotcheck-verify.py's Stream).
    @Test func matchesTheDocumentedConstruction() {
        var s = SpotCheckStream(seed: "2024-05-31", label: "330902/eligible_dibao")
        #expect(
            (0..<5).map { _ in s.nextWord() }
                == [0xd4fa_ddcf_68f4_3d2d, 0xe38b_4158_c22f_4989, 0x4994_933d_7f0b_e65f, 0x836d_8713_e49d_045d, 0xc189_789c_2d12_b636])
        var u = SpotCheckStream(seed: "2024-05-31", label: "330902/eligible_dibao")
        #expect((0..<6).map { _ in u.uniform(below: 30) } == [9, 25, 7, 21, 20, 13])
        var a = SpotCheckStream(seed: "2024-05-31", label: "assign")
        #expect((0..<6).map { _ in a.uniform(below: 3) } == [0, 1, 2, 2, 2, 1])
    }

    @Test func uniformStaysBelowTheBound() {
        var s = SpotCheckStream(seed: "x", label: "y")
        for bound: UInt64 in [1, 2, 3, 7, 1 << 63 + 1, UInt64.max] {
            for _ in 0..<50 { #expect(s.uniform(below: bound) < bound) }
        }
    }
}

// MARK: - The draw

@Suite struct DrawTests {
    @Test func sameSeedSameSampleWhateverTheInputOrder() {
        let units = population()
        let first = SpotCheck.draw(units: units, inspectors: staff, seed: "2024-05-31", parameters: regionParams)
        #expect(!first.isEmpty)
        for permutation: UInt64 in [1, 2, 3, 99] {
            let again = SpotCheck.draw(
                units: shuffled(units, seed: permutation), inspectors: shuffled(staff, seed: permutation),
                seed: "2024-05-31", parameters: regionParams)
            #expect(again == first)
            #expect(SpotCheck.render(again) == SpotCheck.render(first))
        }
        #expect(first.map(\.unitID) == first.map(\.unitID).sorted())
    }

    @Test func anotherSeedAnotherSample() {
        let units = population()
        let a = SpotCheck.draw(units: units, inspectors: staff, seed: "2024-05-31", parameters: regionParams)
        let b = SpotCheck.draw(units: units, inspectors: staff, seed: "2024-06-30", parameters: regionParams)
        #expect(a.map(\.unitID) != b.map(\.unitID))
        #expect(a.count == b.count)  // the sizes depend on the strata only
    }

    /// n, rate, min_per_stratum → k.
    @Test(arguments: [
        (20, (Int64(5), 2), 1, 1),  // ceil(1.0) = 1
        (21, (Int64(5), 2), 1, 2),  // ceil(1.05) = 2
        (100, (Int64(5), 2), 1, 5),
        (101, (Int64(5), 2), 1, 6),  // ceil(5.05)
        (10, (Int64(5), 2), 3, 3),  // min_per_stratum wins
        (2, (Int64(5), 2), 3, 2),  // all if smaller
        (1, (Int64(0), 0), 1, 1),
        (7, (Int64(0), 0), 0, 0),  // rate 0 and min 0: none
        (7, (Int64(1), 0), 1, 7),  // rate 1: all
        (3, (Int64(333_333_333), 9), 0, 1),  // ceil(0.999999999) = 1
        (1000, (Int64(1), 3), 0, 1),  // exactly 1: no rounding up
        (1001, (Int64(1), 3), 0, 2),
    ])
    func sampleSize(n: Int, rate: (Int64, Int), min: Int, expected: Int) {
        #expect(SpotCheck.sampleSize(stratumSize: n, parameters: params(rate: rate, min: min)) == expected)
    }

    @Test func perStratumCountsFollowTheFormula() {
        let units = population()
        let rows = SpotCheck.draw(units: units, inspectors: staff, seed: "s", parameters: regionParams)
        let sizes = Dictionary(grouping: units, by: SpotCheck.stratumLabel).mapValues(\.count)
        let drawn = Dictionary(grouping: rows, by: \.stratum).mapValues(\.count)
        #expect(Set(sizes.keys) == Set(drawn.keys))
        for (label, n) in sizes {
            let p = regionParams(region(String(label.prefix(6))))
            #expect(drawn[label] == SpotCheck.sampleSize(stratumSize: n, parameters: p), "\(label)")
        }
        #expect(Set(rows.map(\.unitID)).count == rows.count)  // without replacement
    }

    @Test func borderlineIsExactAndBothLinesCount() {
        let p = params(band: (1, 1))  // 10 %
        // S×n = 200 000 (n = 2); the band is 20 000.
        let s: Int64 = 100_000
        #expect(SpotCheck.riskFactors(unit("A", income: 180_000, members: 2, standard: s), parameters: p) == ["BORDERLINE_DIBAO"])
        #expect(SpotCheck.riskFactors(unit("A", income: 220_000, members: 2, standard: s), parameters: p) == ["BORDERLINE_DIBAO"])
        #expect(SpotCheck.riskFactors(unit("A", income: 179_999, members: 2, standard: s), parameters: p) == [])
        #expect(SpotCheck.riskFactors(unit("A", income: 220_001, members: 2, standard: s), parameters: p) == [])
        // L×n = 300 000: band 30 000.
        #expect(SpotCheck.riskFactors(unit("A", income: 270_000, members: 2, standard: s), parameters: p) == ["BORDERLINE_LOW_INCOME"])
        #expect(SpotCheck.riskFactors(unit("A", income: 269_999, members: 2, standard: s), parameters: p) == [])
        // A wide band reaches both lines.
        #expect(
            SpotCheck.riskFactors(unit("A", income: 250_000, members: 2, standard: s), parameters: params(band: (25, 2)))
                == ["BORDERLINE_DIBAO", "BORDERLINE_LOW_INCOME"])
        // POLICY_MISSING: never borderline by income, but the reasons still count.
        #expect(SpotCheck.riskFactors(unit("A", income: 0, members: 2, standard: nil, reasons: ["POLICY_MISSING"]), parameters: p) == [])
        #expect(
            SpotCheck.riskFactors(unit("A", standard: nil, reasons: ["POLICY_MISSING", "PROBABLE_MATCH_NO_EFFECT"]), parameters: p)
                == ["PROBABLE_MATCH_NO_EFFECT"])
        #expect(
            SpotCheck.riskFactors(
                unit(
                    "A", income: 200_000, members: 2, standard: s,
                    reasons: ["DECLARED_INCOME_UNDERSTATED", "PROBABLE_MATCH_NO_EFFECT"]), parameters: p)
                == ["BORDERLINE_DIBAO", "DECLARED_INCOME_UNDERSTATED", "PROBABLE_MATCH_NO_EFFECT"])
        #expect(SpotCheck.riskFactors(unit("A", reasons: ["PROBABLE_MATCH"]), parameters: p) == [])
    }

    @Test func weightAndNoteOfADrawnUnit() {
        let units = [unit("A", income: 113_333, reasons: ["PROBABLE_MATCH_NO_EFFECT"]), unit("B", income: 10)]
        let rows = SpotCheck.draw(units: units, inspectors: [], seed: "s", parameters: { _ in params(rate: (1, 0), riskWeight: 4) })
        #expect(rows.map(\.weight) == [4, 1])
        #expect(rows.map(\.note) == ["risk: BORDERLINE_DIBAO, PROBABLE_MATCH_NO_EFFECT; no inspectors", "no inspectors"])
        #expect(rows.map(\.stratum) == ["330902/eligible_dibao", "330902/eligible_dibao"])
    }

    /// 400 fixed seeds "s0"…"s399"; a stratum of 20 units, 5 of weight 3, k = 2.
    ///
    /// Exact inclusion probabilities of the sequential draw (total weight 30):
    /// weighted p_w = 3/30 + 4·(3/30)(3/27) + 15·(1/30)(3/29) ≈ 0.19617,
    /// unweighted p_u = 1/30 + 5·(3/30)(1/27) + 14·(1/30)(1/29) ≈ 0.06794 (5 p_w + 15 p_u = 2), ratio ≈ 2.89.
    /// C = weighted inclusions over the 400 seeds: per seed X ∈ {0, 1, 2}, E[X] = 5 p_w ≈ 0.98084,
    /// Var[X] ≈ 0.46324, so E[C] ≈ 392.3 and sd(C) ≈ 13.6. We assert |C − E[C]| ≤ 4 sd and that the
    /// observed frequency ratio f_w / f_u > 1.8 (that is C > 300, 6.8 sd below E[C]).
    @Test func weightedUnitsAreDrawnMoreOften() {
        let weightedIDs: Set<String> = ["U03", "U07", "U11", "U15", "U19"]
        let units = (0..<20).map { i -> SamplingUnit in
            let id = String(format: "U%02d", i)
            return unit(id, standard: nil, reasons: weightedIDs.contains(id) ? ["PROBABLE_MATCH_NO_EFFECT"] : [])
        }
        let p = params(rate: (1, 1), min: 1, riskWeight: 3)  // ceil(0.1 × 20) = 2
        var weightedHits = 0, unweightedHits = 0
        for s in 0..<400 {
            let rows = SpotCheck.draw(units: units, inspectors: [], seed: "s\(s)", parameters: { _ in p })
            #expect(rows.count == 2)
            for row in rows {
                if weightedIDs.contains(row.unitID) {
                    weightedHits += 1
                    #expect(row.weight == 3)
                } else {
                    unweightedHits += 1
                    #expect(row.weight == 1)
                }
            }
        }
        // Exact distribution of X (weighted units drawn in one seed), from the draw's definition.
        let weights = units.map { weightedIDs.contains($0.unitID) ? 3.0 : 1.0 }
        let total = weights.reduce(0, +)
        var pX = [0.0, 0.0, 0.0]
        for i in 0..<20 {
            for j in 0..<20 where j != i {
                let prob = weights[i] / total * weights[j] / (total - weights[i])
                pX[(weights[i] > 1 ? 1 : 0) + (weights[j] > 1 ? 1 : 0)] += prob
            }
        }
        let mean = pX[1] + 2 * pX[2]
        let variance = pX[1] + 4 * pX[2] - mean * mean
        let expected = 400 * mean, sd = (400 * variance).squareRoot()
        #expect(abs(mean - 0.980_842) < 1e-5)
        #expect(abs(Double(weightedHits) - expected) <= 4 * sd, "C = \(weightedHits), E = \(expected), sd = \(sd)")
        let fw = Double(weightedHits) / (400 * 5), fu = Double(unweightedHits) / (400 * 15)
        #expect(fw > fu * 1.8, "f_w = \(fw), f_u = \(fu)")
    }
}

/// docs/spot-checks.md, "Worked example": the doc and the code must agree.
@Test func theDocumentedWorkedExample() {
    let data: [(String, Int, Int64, [String])] = [
        ("HH0101", 1, 90_000, []), ("HH0102", 2, 210_000, []), ("HH0103", 1, 40_000, []),
        ("HH0104", 3, 150_000, ["DECLARED_INCOME_UNDERSTATED"]), ("HH0105", 1, 60_000, []), ("HH0106", 2, 100_000, []),
    ]
    let units = data.map { unit($0.0, income: $0.2, members: $0.1, reasons: $0.3) }
    #expect(units[0].lowIncomeLine == Fen(170_000))
    let team = [
        InspectorInfo(inspectorID: "I01", homeRegion: region("330902"), capacity: nil),
        InspectorInfo(inspectorID: "I02", homeRegion: region("330903"), capacity: 1),
        InspectorInfo(inspectorID: "I03", homeRegion: region("320481"), capacity: nil),
    ]
    let rows = SpotCheck.draw(units: units, inspectors: team, seed: "2024-05-31", parameters: { _ in params(min: 2) })
    #expect(
        String(decoding: SpotCheck.render(rows), as: UTF8.self) == """
            unit_id,region_code,status,stratum,weight,inspector_id,note
            HH0104,330902,eligible_dibao,330902/eligible_dibao,3,I03,risk: DECLARED_INCOME_UNDERSTATED
            HH0106,330902,eligible_dibao,330902/eligible_dibao,1,I02,

            """)
    #expect(
        units.map { SpotCheck.riskFactors($0, parameters: params(min: 2)) }
            == [[], ["BORDERLINE_DIBAO"], [], ["DECLARED_INCOME_UNDERSTATED"], [], []])
}

// MARK: - Inspectors

@Suite struct InspectorTests {
    @Test func neverInTheirHomeRegionAndCapacityHolds() {
        let units = population()
        for seed in ["a", "b", "c", "2024-05-31"] {
            let rows = SpotCheck.draw(units: units, inspectors: staff, seed: seed, parameters: { _ in params(rate: (1, 0)) })
            #expect(rows.count == units.count)
            let home = Dictionary(uniqueKeysWithValues: staff.map { ($0.inspectorID, $0.homeRegion) })
            for row in rows {
                if let id = row.inspectorID { #expect(home[id] != row.regionCode, "\(row.unitID) → \(id)") }
            }
            let counts = Dictionary(grouping: rows.compactMap(\.inspectorID), by: { $0 }).mapValues(\.count)
            for i in staff {
                if let capacity = i.capacity { #expect((counts[i.inspectorID] ?? 0) <= capacity) }
            }
            #expect(counts["I01"] == 5 && counts["I03"] == 3)  // both filled before anyone is left out
        }
    }

    @Test func loadIsBalanced() {
        let units = (0..<103).map { unit(String(format: "H%03d", $0), status: statuses[$0 % 4]) }
        let team = (1...4).map { InspectorInfo(inspectorID: "X\($0)", homeRegion: region("110101"), capacity: nil) }
        let rows = SpotCheck.draw(units: units, inspectors: team, seed: "s", parameters: { _ in params(rate: (1, 0)) })
        let counts = Dictionary(grouping: rows.compactMap(\.inspectorID), by: { $0 }).mapValues(\.count)
        #expect(counts.values.sorted() == [25, 26, 26, 26])
    }

    @Test func unassignableUnitsAreListedWithTheReason() {
        let units = [unit("A", "330902"), unit("B", "330902"), unit("C", "330903"), unit("D", "330903")]
        let team = [InspectorInfo(inspectorID: "Z", homeRegion: region("330902"), capacity: 1)]
        let rows = SpotCheck.draw(units: units, inspectors: team, seed: "s", parameters: { _ in params(rate: (1, 0)) })
        #expect(rows.map(\.inspectorID) == [nil, nil, "Z", nil])
        #expect(
            rows.map(\.note) == [
                "no inspector outside region 330902 with capacity left", "no inspector outside region 330902 with capacity left",
                "", "no inspector outside region 330903 with capacity left",
            ])
        let none = SpotCheck.draw(units: units, inspectors: [], seed: "s", parameters: { _ in params(rate: (1, 0)) })
        #expect(none.allSatisfy { $0.inspectorID == nil && $0.note == "no inspectors" })
        // Capacity 0 takes nobody.
        let zero = SpotCheck.draw(
            units: units, inspectors: [InspectorInfo(inspectorID: "Q", homeRegion: region("110101"), capacity: 0)],
            seed: "s", parameters: { _ in params(rate: (1, 0)) })
        #expect(zero.allSatisfy { $0.inspectorID == nil })
    }

    @Test func duplicateInspectorIDsCountOnce() {
        let units = (0..<10).map { unit("H\($0)") }
        let twice = [
            InspectorInfo(inspectorID: "K", homeRegion: region("110101"), capacity: 2),
            InspectorInfo(inspectorID: "K", homeRegion: region("110101"), capacity: 2),
        ]
        let rows = SpotCheck.draw(units: units, inspectors: twice, seed: "s", parameters: { _ in params(rate: (1, 0)) })
        #expect(rows.compactMap(\.inspectorID).count == 2)
    }
}

// MARK: - The file and verification

@Suite struct FileTests {
    @Test func renderQuotesAndSorts() {
        let rows = [
            SpotCheckRow(
                unitID: "HH2", regionCode: region("330902"), status: "ineligible", stratum: "330902/ineligible", weight: 1,
                inspectorID: nil, note: "a, \"b\""),
            SpotCheckRow(
                unitID: "HH1", regionCode: region("330902"), status: "ineligible", stratum: "330902/ineligible", weight: 3,
                inspectorID: "I9", note: ""),
        ]
        #expect(
            String(decoding: SpotCheck.render(rows), as: UTF8.self) == """
                unit_id,region_code,status,stratum,weight,inspector_id,note
                HH1,330902,ineligible,330902/ineligible,3,I9,
                HH2,330902,ineligible,330902/ineligible,1,,"a, ""b\"\"\"

                """)
    }

    @Test func verifyAcceptsTheRunAndDetectsTampering() {
        let units = population()
        let rows = SpotCheck.draw(units: units, inspectors: staff, seed: "2024-05-31", parameters: regionParams)
        let published = SpotCheck.render(rows)
        let ok = SpotCheck.verify(
            published: published, units: shuffled(units, seed: 7), inspectors: staff, seed: "2024-05-31",
            parameters: regionParams)
        #expect(ok == .identical(rows: rows.count))
        #expect(ok.message == "spotcheck.csv: re-derived, identical (\(rows.count) rows)")

        // Another inspector on row 3.
        var tampered = rows
        let other = staff.first { $0.inspectorID != rows[2].inspectorID && $0.homeRegion != rows[2].regionCode }!
        tampered[2].inspectorID = other.inspectorID
        let r1 = SpotCheck.verify(
            published: SpotCheck.render(tampered), units: units, inspectors: staff, seed: "2024-05-31",
            parameters: regionParams)
        #expect(
            r1
                == .different(
                    line: 4,
                    message: "spotcheck.csv line 4 (unit \(rows[2].unitID)): inspector_id is "
                        + "\"\(other.inspectorID)\", re-derived \"\(rows[2].inspectorID ?? "")\""))

        // A unit swapped for one that was not drawn.
        let notDrawn = units.map(\.unitID).first { id in !rows.contains { $0.unitID == id } }!
        var swapped = rows
        swapped[0].unitID = notDrawn
        let r2 = SpotCheck.verify(
            published: SpotCheck.render(swapped), units: units, inspectors: staff, seed: "2024-05-31",
            parameters: regionParams)
        #expect(!r2.isIdentical)

        // A row dropped; a different seed; CRLF line ends.
        let r3 = SpotCheck.verify(
            published: SpotCheck.render(Array(rows.dropLast())), units: units, inspectors: staff,
            seed: "2024-05-31", parameters: regionParams)
        #expect(r3.message.hasPrefix("spotcheck.csv: ends after \(rows.count - 1) rows"))
        #expect(
            !SpotCheck.verify(published: published, units: units, inspectors: staff, seed: "other", parameters: regionParams).isIdentical)
        let crlf = Array(String(decoding: published, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let r4 = SpotCheck.verify(published: crlf, units: units, inspectors: staff, seed: "2024-05-31", parameters: regionParams)
        #expect(r4.message.hasPrefix("spotcheck.csv: same rows, but the bytes differ"))
    }

    /// Canonically equivalent but different texts stay different and sort by bytes, as in Python.
    @Test func unitIDsAreBytes() {
        let units = [unit("\u{015B}"), unit("s\u{0301}"), unit("t")]
        let rows = SpotCheck.draw(units: units, inspectors: [], seed: "s", parameters: { _ in params(rate: (1, 0)) })
        #expect(rows.map { Array($0.unitID.utf8) } == [[0x73, 0xCC, 0x81], [0x74], [0xC5, 0x9B]])
    }

    @Test func messagesMaskIDNumbers() {
        #expect(SpotCheck.maskedUnitID("HH001/33091120060531045X") == "HH001/330911********045X")
        #expect(SpotCheck.maskedUnitID("HH001") == "HH001")
    }
}

@Suite struct CanonicalOrderTests {
    @Test("canonicalOrder orders as canonicalLess does, equal units in input order, for all units and for a stratum's")
    func canonicalOrderMatchesCanonicalLess() {
        var generator = SystemRandomNumberGenerator()
        let prefixes = ["", "HH00000000000001", "HH0000000000000", "HH00000001/", "HH00000001-A"]
        let tails: [String] = ["", "0", "1", "/3304", "\u{0}", "A", "z", "X"]
        var units: [SamplingUnit] = []
        for _ in 0..<3_000 {
            let id =
                prefixes.randomElement(using: &generator)! + tails.randomElement(using: &generator)!
                + (Bool.random(using: &generator) ? tails.randomElement(using: &generator)! : "")
            units.append(
                SamplingUnit(
                    unitID: id, regionCode: RegionCode([330_902, 330_903].randomElement(using: &generator)!)!,
                    status: ["ineligible", "needs_review"].randomElement(using: &generator)!,
                    monthlyIncome: Fen(Int64.random(in: 0..<3, using: &generator)), members: Int.random(in: 1...2, using: &generator),
                    standard: nil, lowIncomeLine: nil, reasons: []))
        }
        let expected = units.indices.sorted { a, b in
            if SpotCheck.canonicalLess(units[a], units[b]) { return true }
            if SpotCheck.canonicalLess(units[b], units[a]) { return false }
            return a < b
        }
        #expect(SpotCheck.canonicalOrder(Array(units.indices), in: units) == expected)
        // Some of the units (as a stratum is): the same order, restricted to them.
        let some = units.indices.filter { $0 % 3 == 1 }
        #expect(SpotCheck.canonicalOrder(some, in: units) == expected.filter { $0 % 3 == 1 })
    }
}
