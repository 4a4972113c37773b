import HeduiAssess

/// The flagged units of a region, in priority order, as rows for the XLSX and the CSV.
struct FlaggedList {
    /// Priority of the flags (issue 6): exit, reject, review, level change.
    static let priority: [ReliefFlag] = [.exitRecommended, .rejectRecommended, .review, .levelChange]

    static func rank(_ flag: String) -> Int { priority.firstIndex { $0.rawValue == flag } ?? priority.count }

    /// The flagged units of `region` (all regions when nil), sorted by priority then unit id.
    static func units(_ run: RunFolder, region: String?) -> [RunFolder.Assessment] {
        run.assessments
            .filter { !$0.flag.isEmpty && (region == nil || $0.regionCode == region) }
            .sorted { a, b in
                let (ra, rb) = (rank(a.flag), rank(b.flag))
                return ra != rb ? ra < rb : a.unitID.utf8.lexicographicallyPrecedes(b.unitID.utf8)
            }
    }

    let catalog: Catalog
    let run: RunFolder

    var header: [String] {
        [
            .colPriority, .colFlag, .colUnit, .colHousehold, .colRegionCode, .colRegionName, .colAreaType, .colApplicant,
            .colStatus, .colReasons, .colReasonCodes, .colMembers, .colMonthlyIncome, .colFinancialAssets, .colVehicles,
            .colHomes, .colHousingArea, .colStandard, .colSuggestedBenefit,
        ].map(catalog.text)
    }

    func cells(_ a: RunFolder.Assessment) -> [XLSXSheet.Cell] {
        let household = run.households[a.unitID]
        let applicant = household?.members.first { $0.relation == "self" } ?? household?.members.first
        return [
            .integer(Int64(Self.rank(a.flag) + 1)),
            .text(catalog.flag(code: a.flag)),
            .text(a.unitID),
            .text(a.householdID),
            .text(a.regionCode),
            .text(run.regionName(a.regionCode)),
            .text(catalog.word(a.areaType)),
            .text(applicant?.name ?? ""),
            .text(catalog.status(code: a.status)),
            .text(a.reasons.map { catalog.reasonTitle(code: $0) }.joined(separator: catalog.language == .zh ? "；" : "; ")),
            .text(a.reasons.joined(separator: ";")),
            .integer(Int64(a.members)),
            a.monthlyIncome.map(XLSXSheet.Cell.yuan) ?? .empty,
            a.financialAssets.map(XLSXSheet.Cell.yuan) ?? .empty,
            .integer(Int64(a.vehicles)),
            .integer(Int64(a.homes)),
            a.housingArea.map(XLSXSheet.Cell.hundredths) ?? .empty,
            a.standard.map(XLSXSheet.Cell.yuan) ?? .empty,
            .integer(a.suggestedBenefit),
        ]
    }

    func sheet(region: String) -> XLSXSheet {
        XLSXSheet(
            name: catalog.text(.flaggedSheet), title: nil, header: header,
            rows: Self.units(run, region: region).map(cells))
    }

    /// The CSV form (UTF-8 with BOM): the same columns, yuan with 2 decimals.
    func csv(region: String) -> [UInt8] {
        var rows = [header]
        for a in Self.units(run, region: region) {
            rows.append(
                cells(a).map { cell in
                    switch cell {
                    case .text(let t): t
                    case .yuan(let f), .hundredths(let f): Formatting.fen(f)
                    case .integer(let i): String(i)
                    case .empty: ""
                    }
                })
        }
        return CSVTable.render(rows)
    }
}

extension Formatting {
    /// Fen as plain yuan with 2 decimals and no separators (`123456` → `1234.56`), as assessments.csv writes it.
    static func fen(_ fen: Int64) -> String { yuan(fen).replacingOccurrences(of: ",", with: "") }
}
