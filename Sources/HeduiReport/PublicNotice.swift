import HeduiAssess

/// 公示名单: the eligible units of a region with masked name and ID, household size, level and suggested
/// benefit. Nothing else of the household (no address, no amounts but the benefit) leaves the office.
struct PublicNotice {
    struct Entry: Equatable {
        var maskedName: String
        var maskedID: String
        var size: Int
        var level: String
        /// Whole yuan; 0 for low-income units (no dibao benefit).
        var benefit: Int64
    }

    let catalog: Catalog
    let run: RunFolder

    /// Eligible units (dibao first, then low income), by unit id; the applicant (`self`, else the first member).
    func entries(region: String) -> [Entry] {
        let levels: [AssessmentStatus] = [.eligibleDibao, .eligibleLowIncome]
        return levels.flatMap { level in
            run.assessments.filter { $0.regionCode == region && $0.status == level.rawValue }.map { a in
                let household = run.households[a.unitID]
                let applicant = household?.members.first { $0.relation == "self" } ?? household?.members.first
                return Entry(
                    maskedName: Masking.name(applicant?.name ?? ""),
                    maskedID: Masking.idNumber(applicant?.idNumber ?? ""),
                    size: a.members, level: catalog.status(level), benefit: a.suggestedBenefit)
            }
        }
    }

    var header: [String] {
        [.colSerial, .colMaskedName, .colMaskedID, .colHouseholdSize, .colLevel, .colSuggestedBenefit].map(catalog.text)
    }

    func title(region: String) -> String {
        let name = run.regionName(region)
        return "\(name.isEmpty ? region : name) \(catalog.text(.publicNoticeTitle))"
    }

    func sheet(region: String) -> XLSXSheet {
        let rows: [[XLSXSheet.Cell]] = entries(region: region).enumerated().map { i, e in
            [
                .integer(Int64(i + 1)), .text(e.maskedName), .text(e.maskedID), .integer(Int64(e.size)), .text(e.level),
                e.benefit > 0 ? .integer(e.benefit) : .text(catalog.text(.empty)),
            ]
        }
        return XLSXSheet(
            name: catalog.text(.publicNoticeSheet), title: title(region: region), header: header, rows: rows,
            footer: [catalog.text(.publicNoticeIntro), catalog.text(.publicNoticeFooter)],
            freezeHeader: true, autofilter: true, landscape: false)
    }

    func html(region: String) -> String {
        let rows = entries(region: region).enumerated().map { i, e in
            [
                String(i + 1), HTML.escape(e.maskedName), HTML.escape(e.maskedID), String(e.size), HTML.escape(e.level),
                e.benefit > 0 ? Formatting.wholeYuan(e.benefit) : HTML.escape(catalog.text(.empty)),
            ]
        }
        var body = "<h1>\(HTML.escape(title(region: region)))</h1>"
        body += "<div class=\"meta\">\(HTML.escape(catalog.text(.asOfDate))) \(HTML.escape(run.manifest.asOf))</div>"
        body += "<p>\(HTML.escape(catalog.text(.publicNoticeIntro)))</p>"
        body += HTML.table(header: header, rows: rows, numeric: [0, 3, 5])
        body += "<footer>\(HTML.escape(catalog.text(.publicNoticeFooter)))</footer>"
        return HTML.page(title: title(region: region), language: catalog.language, body: body)
    }
}
