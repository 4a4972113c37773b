import Foundation
import Testing

@testable import HeduiReport

@Suite("Recheck worksheets (复核工作表): one HTML + XLSX per inspector of spotcheck.csv")
struct WorksheetTests {
    static func assigned() throws -> [String: String] {
        let text = try String(contentsOfFile: Support.fixtureRun + "/spotcheck.csv", encoding: .utf8)
        var out: [String: String] = [:]
        for row in CSVTable.records(text) where !(row["inspector_id"] ?? "").isEmpty { out[row["unit_id"]!] = row["inspector_id"]! }
        return out
    }

    @Test("hedui report writes one HTML and one XLSX per assigned inspector; each unit is in its inspector's files only")
    func perInspector() throws {
        let run = try Support.reportsZH.get()
        let assigned = try Self.assigned()
        let inspectors = Set(assigned.values)
        let folder = run + "/reports/worksheets"
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(files == Set(inspectors.flatMap { [$0 + ".html", $0 + ".xlsx"] }))
        for inspector in inspectors {
            let html = try String(contentsOfFile: "\(folder)/\(inspector).html", encoding: .utf8)
            let sheet = try WorksheetTable.read(path: "\(folder)/\(inspector).xlsx")
            #expect(sheet.header == WorksheetWriter.columns)
            let sheetUnits = sheet.rows.map { sheet.value($0, "unit_id") }
            let mine = assigned.filter { $0.value == inspector }.keys.sorted()
            #expect(sheetUnits.sorted() == mine, "\(inspector)")
            #expect(
                sheet.rows.allSatisfy {
                    sheet.value($0, "inspector_id") == inspector && sheet.value($0, "date").isEmpty
                        && sheet.value($0, "outcome").isEmpty
                })
            for (unit, owner) in assigned {
                #expect(html.contains(">\(unit)<") == (owner == inspector), "\(unit) in \(inspector).html")
            }
            #expect(html.components(separatedBy: "<section class=\"unit\">").count - 1 == mine.count)
        }
    }

    @Test("The checklist of a VEHICLE_OWNED unit names its plate; a unit's members are shown in full")
    func checklist() throws {
        let run = try RunFolder(path: Support.fixtureRun)
        let writer = WorksheetWriter(catalog: Catalog(.zh), run: run)
        let text = try String(contentsOfFile: Support.fixtureRun + "/spotcheck.csv", encoding: .utf8)
        let entries = writer.entries(spotcheckCSV: text).values.flatMap { $0 }
        let vehicle = try #require(entries.first { $0.unitID == "DH0009" })
        #expect(vehicle.reasons.contains("VEHICLE_OWNED"))
        #expect(vehicle.checklist.contains("核实车辆 浙L22513 是否仍在使用"))
        let html = writer.html(inspector: vehicle.inspectorID, units: [vehicle])
        for member in try #require(vehicle.household).members {
            #expect(html.contains(HTML.escape(member.name)))
            #expect(html.contains(member.idNumber))
        }
        // Other reasons, and a unit with none.
        let en = WorksheetWriter(catalog: Catalog(.en), run: run)
        #expect(en.checklist(reasons: [], evidence: nil) == ["Check that the members, income and property are as applied for"])
        #expect(
            writer.checklist(reasons: ["DUPLICATE_MEMBERSHIP", "DECLARED_INCOME_UNDERSTATED"], evidence: nil)
                == ["核实是否在其他家庭重复享受", "核实申报收入"])
        let assets = try #require(run.evidence.values.first { $0.reasons.contains { $0.code == "ASSETS_OVER_DIBAO_LIMIT" } })
        let lines = writer.checklist(reasons: ["ASSETS_OVER_DIBAO_LIMIT"], evidence: assets)
        #expect(lines.allSatisfy { $0.hasPrefix("核实存款余额（") && $0.contains("…") })
    }

    @Test("XLSX reading: shared strings, inline strings, entities and column letters")
    func xlsxPieces() {
        #expect(WorksheetTable.columnIndex("A1") == 0)
        #expect(WorksheetTable.columnIndex("AB12") == 27)
        #expect(WorksheetTable.unescape("a&lt;b&amp;&#x4E2D;&#25991;") == "a<b&中文")
        let rows = WorksheetTable.sheetRows(
            """
            <sheetData><row r="3"><c r="A3" t="s"><v>1</v></c><c r="C3" t="inlineStr"><is><t>x</t></is></c><c r="D3"><v>45450</v></c></row></sheetData>
            """, shared: ["zero", "one"])
        #expect(rows == [WorksheetTable.Row(line: 3, cells: ["one", "", "x", "45450"])])
        #expect(
            WorksheetTable.csvRows("\u{FEFF}a,b\r\n\"x\ny\",2\n") == [
                WorksheetTable.Row(line: 1, cells: ["a", "b"]), WorksheetTable.Row(line: 2, cells: ["x\ny", "2"]),
            ])
    }
}
