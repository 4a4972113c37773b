import Foundation
import HeduiAssess
import Testing

@testable import HeduiReport

/// The flagged lists and public notices as Excel sees them: opened with LibreOffice headless.
@Suite struct XLSXTests {
    static let regions = ["320481", "330902", "330903", "330921", "370102"]

    /// Each region's flagged.xlsx, converted to CSV by LibreOffice, has the cells of assessments.csv.
    @Test(arguments: regions)
    func flaggedListMatchesAssessments(_ region: String) throws {
        let runPath = try Support.reportsZH.get()
        let run = try RunFolder(path: runPath)
        let catalog = Catalog(.zh)
        let rows = try Support.sofficeCSV("\(runPath)/reports/\(region)/flagged.xlsx")
        let header = FlaggedList(catalog: catalog, run: run).header
        #expect(rows.first == header)
        let expected = run.assessments.filter { $0.regionCode == region && !$0.flag.isEmpty }
        let body = rows.dropFirst().filter { $0 != [""] && !$0.allSatisfy(\.isEmpty) }
        #expect(body.count == expected.count)
        #expect(body.count > 0)
        func column(_ key: Catalog.Key) -> Int { header.firstIndex(of: catalog.text(key))! }
        func number(_ text: String) -> String { text.replacingOccurrences(of: ",", with: "") }
        var lastRank = 0
        for row in body {
            let unit = row[column(.colUnit)]
            let a = try #require(run.assessments.first { $0.unitID == unit })
            #expect(row[column(.colFlag)] == catalog.flag(code: a.flag))
            #expect(row[column(.colStatus)] == catalog.status(code: a.status))
            #expect(row[column(.colHousehold)] == a.householdID)
            #expect(row[column(.colRegionCode)] == a.regionCode)
            #expect(row[column(.colReasonCodes)] == a.reasons.joined(separator: ";"))
            #expect(row[column(.colMembers)] == String(a.members))
            #expect(number(row[column(.colMonthlyIncome)]) == a.monthlyIncome.map(Formatting.fen) ?? "")
            #expect(number(row[column(.colFinancialAssets)]) == a.financialAssets.map(Formatting.fen) ?? "")
            #expect(row[column(.colVehicles)] == String(a.vehicles))
            #expect(row[column(.colHomes)] == String(a.homes))
            #expect(number(row[column(.colHousingArea)]) == a.housingArea.map(Formatting.fen) ?? "")
            #expect(number(row[column(.colStandard)]) == a.standard.map(Formatting.fen) ?? "")
            #expect(row[column(.colSuggestedBenefit)] == String(a.suggestedBenefit))
            let rank = FlaggedList.rank(a.flag)
            #expect(rank >= lastRank, "sorted by priority")
            lastRank = rank
        }
        // The raw assessments.csv row of each unit agrees too (yuan text as the run wrote it).
        let csv = CSVTable.records(try String(contentsOfFile: "\(runPath)/assessments.csv", encoding: .utf8))
        for row in body {
            let raw = try #require(csv.first { $0["unit_id"] == row[column(.colUnit)] })
            #expect(number(row[column(.colMonthlyIncome)]) == raw["monthly_income"])
            #expect(number(row[column(.colStandard)]) == raw["standard"])
            #expect(row[column(.colFlag)] == catalog.flag(code: raw["flag"] ?? ""))
        }
    }

    /// The sheet XML has a frozen header row, an autofilter over the table, column widths and the yuan format.
    @Test(arguments: ["flagged.xlsx", "public-notice.xlsx"])
    func frozenPaneAndAutofilter(_ file: String) throws {
        let runPath = try Support.reportsZH.get()
        let entries = try Support.zipEntries("\(runPath)/reports/330902/\(file)")
        let sheet = try #require(entries["xl/worksheets/sheet1.xml"])
        #expect(sheet.contains("<pane ") && sheet.contains("state=\"frozen\""))
        #expect(sheet.contains("<autoFilter ref=\""))
        #expect(sheet.contains("<col "))
        if file == "flagged.xlsx" {
            #expect(sheet.contains("topLeftCell=\"A2\""))
            #expect(entries["xl/styles.xml"]?.contains("#,##0.00") == true)
        }
    }

    /// The CSV twin opens right in Excel: UTF-8 BOM, the same header.
    @Test func flaggedCSVHasABOM() throws {
        let runPath = try Support.reportsZH.get()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(runPath)/reports/330902/flagged.csv")))
        #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
        let rows = CSVTable.parse(String(decoding: bytes, as: UTF8.self))
        #expect(rows.first?.first == "优先级")
    }

    /// The public notice opens in LibreOffice with masked names only.
    @Test func publicNoticeOpens() throws {
        let runPath = try Support.reportsZH.get()
        let rows = try Support.sofficeCSV("\(runPath)/reports/330902/public-notice.xlsx")
        let run = try RunFolder(path: runPath)
        let eligible = run.assessments.filter { $0.regionCode == "330902" && $0.status.hasPrefix("eligible") }
        #expect(rows.contains { $0.first == "序号" })
        let dataRows = rows.filter { Int($0.first ?? "") != nil }
        #expect(dataRows.count == eligible.count)
        for row in dataRows {
            #expect(row[1].dropFirst().allSatisfy { $0 == "*" || $0 == "·" } || row[1].count <= 1 || row[1].hasPrefix("欧阳"))
        }
    }
}
