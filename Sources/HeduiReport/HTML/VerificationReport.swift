import HeduiAssess

/// 核对报告: one self-contained HTML file per region, one flagged unit per printed A4 page.
///
/// Each unit: household and members (ID numbers in full: the file is for the authorized relief office),
/// the conclusion, declared vs verified income, and every reason in plain words with its figures against
/// their thresholds and its evidence rows.
struct VerificationReport {
    let catalog: Catalog
    let run: RunFolder

    func render(region: String) -> String {
        let units = FlaggedList.units(run, region: region)
        let regionTitle = [region, run.regionName(region)].filter { !$0.isEmpty }.joined(separator: " ")
        let title = "\(catalog.text(.verificationReportTitle)) · \(regionTitle)"
        var body = ""
        if !run.hasHouseholdsFile { body += "<p class=\"warning\">\(HTML.escape(catalog.text(.noHouseholdsFile)))</p>" }
        for (index, unit) in units.enumerated() {
            body += self.unit(unit, index: index + 1, count: units.count, regionTitle: regionTitle)
        }
        return HTML.page(title: title, language: catalog.language, body: body)
    }

    private func t(_ key: Catalog.Key) -> String { HTML.escape(catalog.text(key)) }

    func unit(_ a: RunFolder.Assessment, index: Int, count: Int, regionTitle: String) -> String {
        let household = run.households[a.unitID]
        let evidence = run.evidence[a.unitID]
        let rendering = EvidenceRendering(
            catalog: catalog, run: run, evidence: evidence, household: household,
            members: a.members)
        var out = "<article class=\"unit\" id=\"unit-\(HTML.escape(a.unitID))\">"
        out += "<h1>\(t(.verificationReportTitle))</h1>"
        out += "<div class=\"meta\">\(t(.unitID)) <b>\(HTML.escape(a.unitID))</b> · \(HTML.escape(regionTitle))"
        out += " · \(t(.asOfDate)) \(HTML.escape(run.manifest.asOf)) · \(t(.runID)) \(HTML.escape(run.manifest.runID))"
        out += " · \(HTML.escape(catalog.text(.pageOf).replacingOccurrences(of: "{}", with: "\(index) / \(count)")))</div>"

        // Conclusion
        out += "<div class=\"conclusion\"><b>\(t(.conclusionStatus))：</b>\(HTML.escape(catalog.status(code: a.status)))"
        out +=
            " &nbsp; <b>\(t(.conclusionFlag))：</b><span class=\"flag flag-\(HTML.escape(a.flag))\">\(HTML.escape(catalog.flag(code: a.flag)))</span>"
        if a.suggestedBenefit > 0 {
            out += " &nbsp; <b>\(t(.conclusionBenefit))：</b>\(Formatting.wholeYuan(a.suggestedBenefit)) \(t(.yuan))"
        }
        out += "</div>"

        // Household
        out += "<h2>\(t(.sectionHousehold))</h2>"
        var kv: [(String, String)] = [
            (catalog.text(.colHousehold), a.householdID),
            (catalog.text(.region), regionTitle),
            (catalog.text(.areaType), catalog.word(a.areaType)),
        ]
        if let household {
            kv.append((catalog.text(.applicationType), catalog.word(household.applicationType)))
            kv.append((catalog.text(.currentStatus), catalog.word(household.currentStatus)))
            kv.append((catalog.text(.address), household.address))
        }
        if let s = a.standard { kv.append((catalog.text(.colStandard), Formatting.yuan(s))) }
        if let window = evidence?.incomeWindow, !window.isEmpty { kv.append((catalog.text(.incomeWindow), window)) }
        out += "<table class=\"kv\"><tbody>"
        for (k, v) in kv { out += "<tr><th>\(HTML.escape(k))</th><td>\(HTML.escape(v))</td></tr>" }
        out += "</tbody></table>"

        // Members
        out += "<h2>\(t(.sectionMembers))</h2>"
        out += members(a, household: household, evidence: evidence)

        // Findings
        out += "<h2>\(t(.sectionReasons))</h2>"
        let reasons = orderedReasons(a, evidence: evidence)
        if reasons.isEmpty {
            out += "<p>\(t(a.flag == ReliefFlag.levelChange.rawValue ? .levelChangeOnly : .noReasons))</p>"
        }
        for reason in reasons { out += rendering.render(reason) }
        out += "<footer>\(t(.generatedBy)) \(HTML.escape(run.manifest.engineVersion))</footer>"
        return out + "</article>\n"
    }

    /// Reasons grouped as rules.md's tables: disqualifying, level, review, informational; codes of
    /// assessments.csv without evidence get an empty entry so that none is left out.
    func orderedReasons(_ a: RunFolder.Assessment, evidence: RunFolder.Evidence?) -> [RunFolder.Reason] {
        var reasons = evidence?.reasons ?? []
        for code in a.reasons where !reasons.contains(where: { $0.code == code }) {
            reasons.append(RunFolder.Reason(code: code, figures: [], members: [], note: nil, records: []))
        }
        func rank(_ r: RunFolder.Reason) -> Int {
            guard let code = AssessmentReason(rawValue: r.code) else { return 99 }
            let kinds: [AssessmentReason.Kind] = [.disqualifying, .level, .review, .informational]
            return (kinds.firstIndex(of: code.kind) ?? 4) * 100 + (AssessmentReason.allCases.firstIndex(of: code) ?? 0)
        }
        return reasons.sorted { rank($0) < rank($1) }
    }

    func members(_ a: RunFolder.Assessment, household: HouseholdsFile.Line?, evidence: RunFolder.Evidence?) -> String {
        let header = [
            catalog.text(.memberIndex), catalog.text(.memberName), catalog.text(.memberID),
            catalog.text(.memberRelation), catalog.text(.memberDisability), catalog.text(.memberEmployment),
            catalog.text(.memberDeclared), catalog.text(.memberVerified), catalog.text(.memberRigidExpense),
        ]
        var rows: [[String]] = []
        let count = max(a.members, household?.members.count ?? 0)
        for i in 0..<count {
            let m = household?.members.indices.contains(i) == true ? household?.members[i] : nil
            let declared = evidence?.declaredIncome.indices.contains(i) == true ? evidence?.declaredIncome[i] : m?.declaredMonthlyIncome
            let verified = evidence?.verifiedIncome.indices.contains(i) == true ? evidence?.verifiedIncome[i] : nil
            rows.append([
                String(i + 1),
                HTML.escape(m?.name ?? catalog.text(.empty)),
                HTML.escape(m?.idNumber ?? catalog.text(.empty)),
                HTML.escape(m.map { catalog.word($0.relation) } ?? ""),
                m.map { $0.disabilityGrade == 0 ? HTML.escape(catalog.text(.none)) : String($0.disabilityGrade) } ?? "",
                HTML.escape(m.map { catalog.word($0.employment) } ?? ""),
                declared.map(Formatting.yuan) ?? "",
                verified.map(Formatting.yuan) ?? "",
                m.map { Formatting.yuan($0.rigidExpenseAnnual) } ?? "",
            ])
        }
        var out = HTML.table(header: header, rows: rows, numeric: [6, 7, 8])
        if let evidence {
            let declared = evidence.declaredIncome.reduce(0, +), verified = evidence.verifiedIncome.reduce(0, +)
            let op = declared < verified ? "&lt;" : declared > verified ? "&gt;" : "="
            out += "<p class=\"cmp\"><b>\(t(.declaredVsVerified))：</b>\(t(.declaredTotal)) <b>\(Formatting.yuan(declared))</b> \(t(.yuan))"
            out += "<span class=\"op\">\(op)</span>\(t(.verifiedTotal)) <b>\(Formatting.yuan(verified))</b> \(t(.yuan))"
            if let income = a.monthlyIncome {
                out += "；\(HTML.escape(catalog.figure("monthly_income"))) <b>\(Formatting.yuan(income))</b> \(t(.yuan))"
            }
            out += "</p>"
        }
        return out
    }
}
