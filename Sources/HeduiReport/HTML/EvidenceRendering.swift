import HeduiAssess

/// How each reason code's evidence is shown: the figures against their thresholds, the note, the members
/// concerned and the evidence rows. The words come from `Catalog`; this file only chooses what to compare.
struct EvidenceRendering {
    /// One comparison line, `lhs op rhs`, e.g. 月人均收入 1,245.00 元 > 低保标准 1,133.33 元.
    struct Comparison: Equatable {
        enum Operand: Equatable {
            /// A figure of the reason (fen, count or m2e-6 as evidence.jsonl gives it).
            case figure(String)
            /// A figure divided by the unit's n (per person), shown under `label`.
            case perCapita(String, label: String)
            /// The unit's S or L (fen).
            case standard, lowIncomeLine
            /// A fixed count (e.g. 0 vehicles allowed).
            case count(Int64, label: String)
        }

        var lhs: Operand
        var op: String
        var rhs: Operand
        /// A line of totals (smaller, under the per-person line).
        var isTotal = false
    }

    /// The comparisons shown for a reason code. Exhaustive: a new code of rules.md fails to compile here.
    static func comparisons(for reason: AssessmentReason) -> [Comparison] {
        switch reason {
        case .incomeOverLowIncome:
            [
                Comparison(lhs: .perCapita("monthly_income", label: "per_capita_monthly_income"), op: ">", rhs: .lowIncomeLine),
                Comparison(lhs: .figure("monthly_income"), op: ">", rhs: .figure("threshold_low_income_line_x_n"), isTotal: true),
            ]
        case .incomeOverDibao:
            [
                Comparison(lhs: .perCapita("monthly_income", label: "per_capita_monthly_income"), op: "≥", rhs: .standard),
                Comparison(lhs: .figure("monthly_income"), op: "≥", rhs: .figure("threshold_standard_x_n"), isTotal: true),
            ]
        case .assetsOverLowIncomeLimit:
            [
                Comparison(
                    lhs: .perCapita("financial_assets", label: "per_capita_financial_assets"), op: ">",
                    rhs: .perCapita("threshold_assets_low_income", label: "per_capita_threshold_assets_low_income")),
                Comparison(lhs: .figure("financial_assets"), op: ">", rhs: .figure("threshold_assets_low_income"), isTotal: true),
            ]
        case .assetsOverDibaoLimit:
            [
                Comparison(
                    lhs: .perCapita("financial_assets", label: "per_capita_financial_assets"), op: ">",
                    rhs: .perCapita("threshold_assets_dibao", label: "per_capita_threshold_assets_dibao")),
                Comparison(lhs: .figure("financial_assets"), op: ">", rhs: .figure("threshold_assets_dibao"), isTotal: true),
            ]
        case .vehicleOwned:
            [Comparison(lhs: .figure("vehicles"), op: ">", rhs: .count(0, label: "allowed_vehicles"))]
        case .propertyOverLimit:
            [Comparison(lhs: .figure("homes"), op: ">", rhs: .figure("max_homes"))]
        case .nonResidentialProperty:
            [Comparison(lhs: .figure("non_residential"), op: ">", rhs: .count(0, label: "allowed_non_residential"))]
        case .housingAreaOverLimit:
            [
                Comparison(
                    lhs: .perCapita("housing_area", label: "per_capita_housing_area"), op: ">",
                    rhs: .perCapita("threshold_housing_area", label: "per_capita_threshold_housing_area")),
                Comparison(lhs: .figure("housing_area"), op: ">", rhs: .figure("threshold_housing_area"), isTotal: true),
            ]
        case .declaredIncomeUnderstated:
            [Comparison(lhs: .figure("declared_monthly_income"), op: "<", rhs: .figure("verified_monthly_income"))]
        case .probableMatch, .probableMatchNoEffect:
            [Comparison(lhs: .figure("outcome_certain"), op: "→", rhs: .figure("outcome_with_probable"))]
        case .duplicateMembership, .memberIDInvalid, .separateHouseholdInvalid, .sourceMissingBank, .sourceMissingTax,
            .sourceMissingVehicle, .sourceMissingProperty, .sourceIncompleteBank, .sourceIncompleteTax,
            .sourceIncompleteVehicle, .sourceIncompleteProperty, .recordRejected, .policyMissing:
            []
        }
    }

    let catalog: Catalog
    let run: RunFolder
    let evidence: RunFolder.Evidence?
    let household: HouseholdsFile.Line?
    let members: Int

    /// The HTML of one reason: title, explanation, comparisons, other figures, note, members, evidence rows.
    func render(_ reason: RunFolder.Reason) -> String {
        let code = AssessmentReason(rawValue: reason.code)
        let kind = code?.kind.rawValue ?? "review"
        var out = "<section class=\"reason \(kind)\">"
        out += "<h3>\(HTML.escape(catalog.reasonTitle(code: reason.code))) <span class=\"code\">\(HTML.escape(reason.code))</span></h3>"
        if let code { out += "<p>\(HTML.escape(catalog.reasonExplanation(code)))</p>" }
        var used: Set<String> = []
        for comparison in code.map(Self.comparisons) ?? [] {
            guard let line = render(comparison, reason, used: &used) else { continue }
            out +=
                "<p class=\"cmp\(comparison.isTotal ? " cmp-total" : "")\">\(comparison.isTotal ? HTML.escape(catalog.text(.totalLine)) + "：" : "")\(line)</p>"
        }
        let others = reason.figures.filter { !used.contains($0.name) }
        if !others.isEmpty {
            out += "<p class=\"muted\">\(HTML.escape(catalog.text(.otherFigures)))："
            out += others.map { "\(HTML.escape(catalog.figure($0.name))) \(value($0))" }.joined(separator: "；")
            out += "</p>"
        }
        if let note = reason.note, !note.isEmpty {
            out += "<p class=\"note\"><b>\(HTML.escape(catalog.text(.note)))：</b>\(HTML.escape(catalog.note(note)))</p>"
        }
        if !reason.members.isEmpty {
            out += "<p><b>\(HTML.escape(catalog.text(.membersConcerned)))：</b>"
            out += reason.members.map { HTML.escape(memberName($0)) }.joined(separator: "、") + "</p>"
        }
        if !reason.records.isEmpty { out += records(reason.records) }
        return out + "</section>"
    }

    private func render(_ c: Comparison, _ reason: RunFolder.Reason, used: inout Set<String>) -> String? {
        guard let lhs = operand(c.lhs, reason, used: &used), let rhs = operand(c.rhs, reason, used: &used) else {
            return nil
        }
        return "\(lhs)<span class=\"op\">\(HTML.escape(c.op))</span>\(rhs)"
    }

    private func operand(_ o: Comparison.Operand, _ reason: RunFolder.Reason, used: inout Set<String>) -> String? {
        switch o {
        case .figure(let name):
            guard let f = reason.figures.first(where: { $0.name == name }) else { return nil }
            used.insert(name)
            return "\(HTML.escape(catalog.figure(name))) \(value(f))"
        case .perCapita(let name, let label):
            guard let f = reason.figures.first(where: { $0.name == name }), let v = f.value, members > 0 else { return nil }
            var perCapita = f
            perCapita.value = Formatting.divideRounded(v, by: Int64(members))
            return "\(HTML.escape(catalog.figure(label))) \(value(perCapita))"
        case .standard:
            guard let s = evidence?.standard else { return nil }
            return "\(HTML.escape(catalog.figure("standard"))) \(yuan(s))"
        case .lowIncomeLine:
            guard let l = evidence?.lowIncomeLine else { return nil }
            return "\(HTML.escape(catalog.figure("low_income_line"))) \(yuan(l))"
        case .count(let n, let label):
            return "\(HTML.escape(catalog.figure(label))) \(n)"
        }
    }

    func value(_ f: RunFolder.Figure) -> String {
        guard let v = f.value else { return HTML.escape(catalog.text(.empty)) }
        if f.name.hasPrefix("outcome_") { return "<b>\(HTML.escape(catalog.outcome(v)))</b>" }
        switch f.unit {
        case "fen": return yuan(v)
        case "m2e-6": return "<b>\(Formatting.area(micro: v))</b> \(HTML.escape(catalog.text(.squareMetres)))"
        default: return "<b>\(v)</b>"
        }
    }

    func yuan(_ fen: Int64) -> String { "<b>\(Formatting.yuan(fen))</b> \(HTML.escape(catalog.text(.yuan)))" }

    func memberName(_ index: Int) -> String {
        if let household, household.members.indices.contains(index) { return household.members[index].name }
        return catalog.text(.unknownMember).replacingOccurrences(of: "{}", with: String(index + 1))
    }

    /// The evidence rows: source, file, line/record, account/plate/certificate, date, amount, counted, member.
    /// A probable row also shows the holder's name and ID as the provider gave them, differing characters marked.
    func records(_ records: [RunFolder.EvidenceRecord]) -> String {
        let header = [
            catalog.text(.evSource), catalog.text(.evFile), catalog.text(.evPosition), catalog.text(.evLabel),
            catalog.text(.evDate), catalog.text(.evAmount), catalog.text(.evCounted), catalog.text(.evMember),
        ]
        var out = "<table class=\"evidence\"><thead><tr>"
        for (i, h) in header.enumerated() { out += "<th\(i == 5 ? " class=\"num\"" : "")>\(HTML.escape(h))</th>" }
        out += "</tr></thead><tbody>"
        for r in records {
            let fileName = run.fileName(r.file)
            let isXML = fileName.hasSuffix(".xml") || fileName.hasSuffix(".xml.gz")
            let position = catalog.text(isXML ? .recordN : .lineN).replacingOccurrences(of: "{}", with: String(r.position))
            var member = HTML.escape(memberName(r.member))
            if r.probable { member += " <span class=\"flag flag-review\">\(HTML.escape(catalog.text(.probableYes)))</span>" }
            out += "<tr\(r.probable ? " class=\"probable\"" : "")>"
            out += "<td>\(HTML.escape(catalog.word(r.source)))</td><td>\(HTML.escape(fileName))</td><td>\(HTML.escape(position))</td>"
            out += "<td>\(HTML.escape(catalog.label(r.label)))</td><td>\(HTML.escape(r.date))</td>"
            out += "<td class=\"num\">\(r.amount.map(Formatting.yuan) ?? "")</td>"
            out += "<td>\(HTML.escape(catalog.text(r.counted ? .counted : .notCounted)))</td><td>\(member)</td></tr>"
            if r.probable,
                let holder = household?.probable.first(where: {
                    $0.member == r.member && $0.file == r.file && $0.position == r.position
                })
            {
                let rosterMember = household?.members.indices.contains(r.member) == true ? household?.members[r.member] : nil
                out += "<tr class=\"probable\"><td colspan=\"8\">"
                out += "\(HTML.escape(catalog.text(.holderAsGiven)))：\(Self.marked(holder.holderName, against: rosterMember?.name ?? ""))"
                out += " / \(Self.marked(holder.holderID, against: rosterMember?.idNumber ?? ""))"
                out += "；\(HTML.escape(catalog.text(.rosterAsGiven)))：\(HTML.escape(rosterMember?.name ?? ""))"
                out += " / \(HTML.escape(rosterMember?.idNumber ?? ""))</td></tr>"
            }
        }
        return out + "</tbody></table>"
    }

    /// `text` escaped, with each character that differs from `reference` (by position) in `<mark>`.
    static func marked(_ text: String, against reference: String) -> String {
        let a = Array(text), b = Array(reference)
        var out = ""
        for (i, character) in a.enumerated() {
            let same = i < b.count && b[i] == character
            out += same ? HTML.escape(String(character)) : "<mark>\(HTML.escape(String(character)))</mark>"
        }
        return out
    }
}
