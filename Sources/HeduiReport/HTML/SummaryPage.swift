import HeduiAssess

/// The summary page: units, flags and reasons per region and status, the quarantine per file, inline SVG charts.
struct SummaryPage {
    let catalog: Catalog
    let run: RunFolder
    let regions: [String]
    /// Per region, the report files written (relative links).
    let links: [String: [(Catalog.Key, String)]]

    static let statusColors = ["#2e7d32", "#5b8def", "#b3261e", "#c9a000"]
    static let flagColors = ["#b3261e", "#c0561a", "#c9a000", "#2e5d8a"]

    private func t(_ key: Catalog.Key) -> String { HTML.escape(catalog.text(key)) }

    func regionLabel(_ code: String) -> String {
        let name = run.regionName(code)
        return name.isEmpty ? code : "\(code) \(name)"
    }

    func render() -> String {
        var body = "<h1>\(t(.summaryTitle))</h1>"
        body += "<div class=\"meta\">\(t(.runID)) \(HTML.escape(run.manifest.runID)) · \(t(.asOfDate)) \(HTML.escape(run.manifest.asOf))"
        body += " · \(t(.summaryEngine)) \(HTML.escape(run.manifest.engineVersion))</div>"
        if !run.hasHouseholdsFile { body += "<p class=\"warning\">\(t(.noHouseholdsFile))</p>" }

        // Units by region and status
        let statuses = AssessmentStatus.allCases
        body += "<h2>\(t(.summaryUnitsByStatus))</h2>"
        var statusRows: [(label: String, values: [Int])] = []
        for region in regions {
            let units = run.assessments.filter { $0.regionCode == region }
            statusRows.append((regionLabel(region), statuses.map { s in units.filter { $0.status == s.rawValue }.count }))
        }
        body += table(first: catalog.text(.region), columns: statuses.map(catalog.status), rows: statusRows)
        body += SVGChart.stackedBars(
            title: catalog.text(.summaryUnitsByStatus), rows: statusRows,
            series: zip(statuses, Self.statusColors).map { SVGChart.Series(name: catalog.status($0), color: $1) })

        // Flags by region
        let flags = FlaggedList.priority
        body += "<h2>\(t(.summaryFlagsByRegion))</h2>"
        var flagRows: [(label: String, values: [Int])] = []
        for region in regions {
            let units = run.assessments.filter { $0.regionCode == region }
            flagRows.append((regionLabel(region), flags.map { f in units.filter { $0.flag == f.rawValue }.count }))
        }
        body += table(first: catalog.text(.region), columns: flags.map(catalog.flag), rows: flagRows)
        body += SVGChart.stackedBars(
            title: catalog.text(.summaryFlagsByRegion), rows: flagRows,
            series: zip(flags, Self.flagColors).map { SVGChart.Series(name: catalog.flag($0), color: $1) })

        // Reasons by region
        body += "<h2>\(t(.summaryReasons))</h2>"
        let used = AssessmentReason.allCases.filter { r in run.assessments.contains { $0.reasons.contains(r.rawValue) } }
        var reasonRows: [[String]] = []
        var reasonBars: [(label: String, values: [Int])] = []
        for reason in used {
            let perRegion = regions.map { region in
                run.assessments.filter { $0.regionCode == region && $0.reasons.contains(reason.rawValue) }.count
            }
            let total = perRegion.reduce(0, +)
            reasonRows.append(
                [HTML.escape(catalog.reasonTitle(reason)) + " <span class=\"code\">\(reason.rawValue)</span>"]
                    + perRegion.map(String.init) + [String(total)])
            reasonBars.append((catalog.reasonTitle(reason), [total]))
        }
        body += HTML.table(
            header: [catalog.text(.reason)] + regions.map(regionLabel) + [catalog.text(.summaryTotal)],
            rows: reasonRows, numeric: Set(1...(regions.count + 1)))
        body += SVGChart.stackedBars(
            title: catalog.text(.summaryReasons), rows: reasonBars,
            series: [SVGChart.Series(name: catalog.text(.count), color: "#345")], width: 760)

        body += changesSection()

        // Quarantine per file
        body += "<h2>\(t(.summaryQuarantine))</h2>"
        if run.quarantine.isEmpty && !run.manifest.files.contains(where: \.rejected) {
            body += "<p>\(t(.quarantineNone))</p>"
        }
        let fileRows = run.manifest.files.map { f in
            [
                HTML.escape(f.name), HTML.escape(catalog.word(f.kind)), String(f.recordsRead), String(f.accepted),
                String(f.quarantined), String(f.duplicate), String(f.unrelated),
                HTML.escape(catalog.text(f.rejected ? .yes : .no)) + (f.rejection.isEmpty ? "" : " " + HTML.escape(f.rejection)),
            ]
        }
        body += HTML.table(
            header: [
                catalog.text(.fileName), catalog.text(.fileKind), catalog.text(.recordsRead),
                catalog.text(.accepted), catalog.text(.quarantined), catalog.text(.duplicate),
                catalog.text(.unrelated), catalog.text(.rejected),
            ],
            rows: fileRows, numeric: [2, 3, 4, 5, 6])
        var perFile: [(label: String, values: [Int])] = []
        for name in Set(run.quarantine.map(\.file)).sorted() {
            perFile.append((name, [run.quarantine.filter { $0.file == name }.count]))
        }
        if !perFile.isEmpty {
            body += SVGChart.stackedBars(
                title: catalog.text(.summaryQuarantine), rows: perFile,
                series: [SVGChart.Series(name: catalog.text(.quarantined), color: "#b3261e")])
            body += HTML.table(
                header: [
                    catalog.text(.fileName), catalog.text(.quarantineLocation), catalog.text(.quarantineField),
                    catalog.text(.quarantineCode), catalog.text(.quarantineMessage),
                ],
                rows: run.quarantine.map { q in
                    [HTML.escape(q.file), HTML.escape(q.location), HTML.escape(q.field), HTML.escape(q.code), HTML.escape(q.message)]
                })
        }

        // Links
        body += "<h2>\(t(.summaryRegionFiles))</h2><ul>"
        for region in regions {
            body += "<li><b>\(HTML.escape(regionLabel(region)))</b>："
            body +=
                (links[region] ?? []).map { key, path in
                    "<a href=\"\(HTML.escape(path))\">\(t(key))</a>"
                }.joined(separator: " · ") + "</li>"
        }
        body += "</ul><footer>\(t(.generatedBy)) \(HTML.escape(run.manifest.engineVersion))</footer>"
        return HTML.page(title: catalog.text(.summaryTitle), language: catalog.language, body: body)
    }

    /// 动态监测: newly ineligible units (eligible before), newly eligible units (not eligible or absent
    /// before), and level changes (dibao ↔ low income), from the run's `changes.csv`.
    private func changesSection() -> String {
        guard let changes = run.changes else { return "" }
        var html = "<h2>\(t(.summaryChanges))</h2>"
        guard let since = changes.first?.sinceRun else {
            return html + "<p>\(t(.changesNone))</p>"
        }
        let eligible: Set<String> = ["eligible_dibao", "eligible_low_income"]
        let groups: [(Catalog.Key, [RunFolder.ChangeRow])] = [
            (.changesNewlyIneligible, changes.filter { eligible.contains($0.previousStatus) && $0.status == "ineligible" }),
            (.changesNewlyEligible, changes.filter { !eligible.contains($0.previousStatus) && eligible.contains($0.status) }),
            (
                .changesLevelChanged,
                changes.filter {
                    eligible.contains($0.previousStatus) && eligible.contains($0.status) && $0.previousStatus != $0.status
                }
            ),
        ]
        html += "<div class=\"meta\">\(t(.changesSince)) \(HTML.escape(since))</div>"
        html += HTML.table(
            header: [catalog.text(.summaryChanges), catalog.text(.count)],
            rows: groups.map { [HTML.escape(catalog.text($0.0)), String($0.1.count)] }, numeric: [1])
        let region = Dictionary(run.assessments.map { ($0.unitID, $0.regionCode) }, uniquingKeysWith: { a, _ in a })
        for (key, rows) in groups where !rows.isEmpty {
            html += "<h3>\(t(key))</h3>"
            html += HTML.table(
                header: [catalog.text(.unitID), catalog.text(.region), catalog.text(.previousStatus), catalog.text(.statusNow)],
                rows: rows.map { r in
                    [
                        HTML.escape(r.unitID), HTML.escape(regionLabel(region[r.unitID] ?? "")),
                        HTML.escape(r.previousStatus.isEmpty ? "—" : catalog.status(code: r.previousStatus)),
                        HTML.escape(r.status.isEmpty ? "—" : catalog.status(code: r.status)),
                    ]
                })
        }
        return html
    }

    private func table(first: String, columns: [String], rows: [(label: String, values: [Int])]) -> String {
        var htmlRows = rows.map { [HTML.escape($0.label)] + $0.values.map(String.init) + [String($0.values.reduce(0, +))] }
        let totals = columns.indices.map { c in rows.reduce(0) { $0 + $1.values[c] } }
        htmlRows.append(["<b>\(t(.summaryTotal))</b>"] + totals.map { "<b>\($0)</b>" } + ["<b>\(totals.reduce(0, +))</b>"])
        return HTML.table(
            header: [first] + columns + [catalog.text(.summaryTotal)], rows: htmlRows,
            numeric: Set(1...(columns.count + 1)))
    }
}
