import Foundation

/// Recheck worksheets (复核工作表), one per inspector who has units in a run's `spotcheck.csv`:
/// `<run>/reports/worksheets/<inspector_id>.html` (print-ready, A4, one unit per page) and `.xlsx`
/// (one row per unit, the findings columns blank, to be filled and imported back with `hedui recheck import`).
///
/// Inspectors visit the families, so names and ID numbers are shown in full; account numbers stay masked
/// as evidence.jsonl has them (`105 …2700`). Units without an inspector are in no worksheet.
public struct WorksheetWriter: Sendable {
    /// The XLSX columns, in order: the importer reads them back by these names.
    public static let columns = [
        "unit_id", "inspector_id", "region_code", "address", "members", "checklist",
        "date", "outcome", "corrected_status", "note",
    ]

    public let catalog: Catalog
    public let run: RunFolder

    public init(catalog: Catalog, run: RunFolder) {
        self.catalog = catalog
        self.run = run
    }

    /// One unit of a worksheet.
    public struct Entry: Sendable, Equatable {
        public var unitID: String
        public var regionCode: String
        public var status: String
        public var inspectorID: String
        public var reasons: [String]
        public var checklist: [String]
        public var household: HouseholdsFile.Line?
    }

    /// Reads `<runPath>` and writes the worksheets into `folder` (created, 0700; files 0600).
    ///
    /// - Returns: the file names written (`JC001.html`, `JC001.xlsx`, …), or none when the run has no
    ///   `spotcheck.csv` or no assigned unit (then no folder is created).
    public static func write(runPath: String, into folder: String, language: ReportLanguage = .zh) throws -> [String] {
        try WorksheetWriter(catalog: Catalog(language), run: try RunFolder(path: runPath)).write(runPath: runPath, into: folder)
    }

    public func write(runPath: String, into folder: String) throws -> [String] {
        let path = (runPath as NSString).appendingPathComponent("spotcheck.csv")
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let byInspector = entries(spotcheckCSV: String(decoding: data, as: UTF8.self))
        guard !byInspector.isEmpty else { return [] }
        if !FileManager.default.fileExists(atPath: folder) {
            guard mkdir(folder, 0o700) == 0 else { throw ReportError(.writeFailed, "cannot create \(folder) (errno \(errno))") }
        }
        chmod(folder, 0o700)
        var written: [String] = []
        for inspector in byInspector.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let units = byInspector[inspector]!
            let base = Self.fileName(inspector)
            let html = (folder as NSString).appendingPathComponent(base + ".html")
            guard
                FileManager.default.createFile(
                    atPath: html, contents: Data(self.html(inspector: inspector, units: units).utf8),
                    attributes: [.posixPermissions: 0o600])
            else {
                throw ReportError(.writeFailed, "cannot write \(html)")
            }
            chmod(html, 0o600)
            let xlsx = (folder as NSString).appendingPathComponent(base + ".xlsx")
            try XLSXLibrary.write([sheet(inspector: inspector, units: units)], to: xlsx)
            guard chmod(xlsx, 0o600) == 0 else { throw ReportError(.writeFailed, "cannot set the mode of \(xlsx)") }
            written += [base + ".html", base + ".xlsx"]
        }
        return written
    }

    /// A file name for an inspector id: `/`, `\`, control characters and a leading `.` become `_`.
    static func fileName(_ inspector: String) -> String {
        var name = String(
            inspector.unicodeScalars.map { s -> Character in
                s == "/" || s == "\\" || s.value < 0x20 || s == ":" ? "_" : Character(s)
            })
        if name.hasPrefix(".") || name.isEmpty { name = "_" + name }
        return name
    }

    /// The assigned units of `spotcheck.csv`, per inspector, in unit_id order.
    public func entries(spotcheckCSV text: String) -> [String: [Entry]] {
        let assessments = Dictionary(run.assessments.map { ($0.unitID, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: [Entry]] = [:]
        for row in CSVTable.records(text) {
            guard let unit = row["unit_id"], let inspector = row["inspector_id"], !inspector.isEmpty else { continue }
            let evidence = run.evidence[unit]
            var reasons = evidence?.reasons.map(\.code) ?? []
            for code in assessments[unit]?.reasons ?? [] where !reasons.contains(code) { reasons.append(code) }
            out[inspector, default: []].append(
                Entry(
                    unitID: unit, regionCode: row["region_code"] ?? "", status: row["status"] ?? "", inspectorID: inspector,
                    reasons: reasons, checklist: checklist(reasons: reasons, evidence: evidence), household: run.households[unit]))
        }
        return out
    }

    // MARK: - The checklist

    /// What the inspector verifies, from the unit's reasons and their evidence records (counted ones):
    /// VEHICLE_OWNED → each plate, ASSETS_* → each account (bank code and masked number), INCOME_* → each
    /// withholder, PROPERTY_OVER_LIMIT / HOUSING_AREA_OVER_LIMIT → each certificate, NON_RESIDENTIAL_PROPERTY →
    /// each non-residential certificate, DUPLICATE_MEMBERSHIP, PROBABLE_MATCH* → each probable record's holder,
    /// DECLARED_INCOME_UNDERSTATED, MEMBER_ID_INVALID, SEPARATE_HOUSEHOLD_INVALID, RECORD_REJECTED; nothing
    /// specific → the general check. Lines are distinct, in reason order.
    public func checklist(reasons: [String], evidence: RunFolder.Evidence?) -> [String] {
        var lines: [String] = []
        func add(_ line: String) { if !lines.contains(line) { lines.append(line) } }
        func records(_ code: String) -> [RunFolder.EvidenceRecord] {
            evidence?.reasons.first { $0.code == code }?.records ?? []
        }
        for code in reasons {
            let counted = records(code).filter(\.counted)
            switch code {
            case "VEHICLE_OWNED":
                let plates = counted.filter { $0.source == "vehicle" }.map { Self.tokens($0.label).first ?? "" }
                for plate in plates.isEmpty ? [catalog.text(.empty)] : plates { add(catalog.text(.checkVehicle, plate)) }
            case let c where c.hasPrefix("ASSETS_"):
                let accounts = counted.filter { $0.source == "bank" }.map { Self.tokens($0.label).prefix(2).joined(separator: " ") }
                for account in accounts.isEmpty ? [catalog.text(.empty)] : accounts { add(catalog.text(.checkAssets, account)) }
            case let c where c.hasPrefix("INCOME_"):
                let payers = counted.filter { $0.source == "tax" }.map { Self.tokens($0.label).dropFirst().joined(separator: " ") }
                for payer in payers.isEmpty ? [catalog.text(.empty)] : payers { add(catalog.text(.checkIncome, payer)) }
            case "PROPERTY_OVER_LIMIT", "HOUSING_AREA_OVER_LIMIT":
                let certs = counted.filter { $0.source == "property" }.map { Self.tokens($0.label).first ?? "" }
                for cert in certs.isEmpty ? [catalog.text(.empty)] : certs { add(catalog.text(.checkProperty, cert)) }
            case "NON_RESIDENTIAL_PROPERTY":
                let certs = counted.filter { $0.source == "property" }.map { Self.tokens($0.label).first ?? "" }
                for cert in certs.isEmpty ? [catalog.text(.empty)] : certs { add(catalog.text(.checkNonResidential, cert)) }
            case "DUPLICATE_MEMBERSHIP":
                add(catalog.text(.checkDuplicate))
            case "PROBABLE_MATCH", "PROBABLE_MATCH_NO_EFFECT":
                let probable = records(code).filter(\.probable).map { Self.recordName($0) }
                for name in probable.isEmpty ? [catalog.text(.empty)] : probable { add(catalog.text(.checkProbable, name)) }
            case "DECLARED_INCOME_UNDERSTATED":
                add(catalog.text(.checkDeclaredIncome))
            case "MEMBER_ID_INVALID":
                add(catalog.text(.checkMemberIdentity))
            case "SEPARATE_HOUSEHOLD_INVALID":
                add(catalog.text(.checkSeparateHousehold))
            case "RECORD_REJECTED":
                add(catalog.text(.checkRejectedRecord))
            default:
                break
            }
        }
        if lines.isEmpty { add(catalog.text(.checkGeneral)) }
        return lines
    }

    static func tokens(_ label: String) -> [String] { label.split(separator: " ").map(String.init) }

    /// How a record is named on the checklist: a bank account by bank code and masked number, a tax
    /// record by its withholder, a vehicle or property by its plate or certificate.
    static func recordName(_ r: RunFolder.EvidenceRecord) -> String {
        let t = tokens(r.label)
        switch r.source {
        case "bank": return t.prefix(2).joined(separator: " ")
        case "tax": return t.count > 1 ? t.dropFirst().joined(separator: " ") : r.label
        default: return t.first ?? r.label
        }
    }

    // MARK: - HTML

    public func html(inspector: String, units: [Entry]) -> String {
        func t(_ key: Catalog.Key) -> String { HTML.escape(catalog.text(key)) }
        let blank = "<td style=\"height:9mm\"></td>"
        var body = ""
        for (index, e) in units.enumerated() {
            body += "<section class=\"unit\">"
            body += "<h1>\(t(.worksheetTitle))</h1>"
            body +=
                "<p class=\"meta\">\(t(.worksheetInspector)) <b>\(HTML.escape(inspector))</b> · \(t(.runID)) \(HTML.escape(run.manifest.runID))"
            body += " · \(index + 1) / \(units.count)</p>"
            body += "<p class=\"note\">\(t(.worksheetIntro))</p>"
            let h = e.household
            let regionName = h?.regionName.isEmpty == false ? " " + h!.regionName : ""
            body += "<table class=\"kv\"><tbody>"
            body += "<tr><th>\(t(.unitID))</th><td>\(HTML.escape(e.unitID))</td></tr>"
            body += "<tr><th>\(t(.region))</th><td>\(HTML.escape(e.regionCode + regionName))</td></tr>"
            body += "<tr><th>\(t(.address))</th><td>\(HTML.escape(h?.address ?? catalog.text(.empty)))</td></tr>"
            body += "<tr><th>\(t(.conclusionStatus))</th><td>\(HTML.escape(catalog.status(code: e.status)))</td></tr>"
            let reasonText =
                e.reasons.isEmpty ? catalog.text(.none) : e.reasons.map { catalog.reasonTitle(code: $0) }.joined(separator: "；")
            body += "<tr><th>\(t(.worksheetReasons))</th><td>\(HTML.escape(reasonText))</td></tr>"
            body += "</tbody></table>"
            body += "<h2>\(t(.sectionMembers))</h2>"
            if let h {
                body += HTML.table(
                    header: [
                        catalog.text(.memberIndex), catalog.text(.memberName), catalog.text(.memberID), catalog.text(.memberRelation),
                    ],
                    rows: h.members.enumerated().map { i, m in
                        [String(i + 1), HTML.escape(m.name), HTML.escape(m.idNumber), HTML.escape(catalog.word(m.relation))]
                    })
            } else {
                body += "<p class=\"muted\">\(t(.worksheetNoHousehold))</p>"
            }
            body += "<h2>\(t(.worksheetChecklist))</h2><table><tbody>"
            for line in e.checklist { body += "<tr><td style=\"width:8mm\">□</td><td>\(HTML.escape(line))</td></tr>" }
            body += "</tbody></table>"
            body += "<h2>\(t(.worksheetFindings))</h2><table class=\"kv\"><tbody>"
            body += "<tr><th>\(t(.worksheetDate))</th>\(blank)</tr>"
            body += "<tr><th>\(t(.worksheetOutcome))</th><td>\(t(.worksheetOutcomeChoices))</td></tr>"
            body += "<tr><th>\(t(.worksheetCorrectedStatus))</th><td>\(t(.worksheetStatusChoices))</td></tr>"
            body += "<tr><th>\(t(.worksheetNote))</th><td style=\"height:40mm\"></td></tr>"
            body += "<tr><th>\(t(.worksheetSignature))</th>\(blank)</tr>"
            body += "</tbody></table></section>\n"
        }
        return HTML.page(title: "\(catalog.text(.worksheetTitle)) \(inspector)", language: catalog.language, body: body)
    }

    // MARK: - XLSX

    func sheet(inspector: String, units: [Entry]) -> XLSXSheet {
        let rows: [[XLSXSheet.Cell]] = units.map { e in
            let h = e.household
            let members = h.map { $0.members.map { "\($0.name)（\(catalog.word($0.relation))）" }.joined(separator: "、") } ?? ""
            return [
                .text(e.unitID), .text(inspector), .text(e.regionCode), .text(h?.address ?? ""), .text(members),
                .text(e.checklist.joined(separator: "\n")), .empty, .empty, .empty, .empty,
            ]
        }
        return XLSXSheet(
            name: catalog.text(.worksheetTitle),
            title:
                "\(catalog.text(.worksheetTitle)) · \(catalog.text(.worksheetInspector)) \(inspector) · \(catalog.text(.worksheetUnits)) \(units.count)",
            header: Self.columns, rows: rows)
    }
}
