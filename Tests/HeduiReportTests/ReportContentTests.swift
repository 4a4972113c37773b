import Foundation
import HeduiAssess
import Testing

@testable import HeduiReport

@Suite struct ReportContentTests {
    @Test func verificationReportShowsFiguresAgainstThresholds() throws {
        let run = try RunFolder(path: Support.fixtureRun)
        let html = VerificationReport(catalog: Catalog(.zh), run: run).render(region: "330902")
        // Every flagged unit of the region, one article (page) each.
        let flagged = run.assessments.filter { $0.regionCode == "330902" && !$0.flag.isEmpty }
        #expect(html.components(separatedBy: "<article class=\"unit\"").count - 1 == flagged.count)
        #expect(html.contains("月人均收入") || html.contains("人均金融资产"))
        #expect(html.contains("低保标准 <b>1,133.33</b> 元"))
        // Full ID numbers of members for the authorized office.
        let member = try #require(run.households[flagged[0].unitID]?.members.first)
        #expect(html.contains(member.idNumber))
        // Probable match: the differing character is highlighted (李伟 vs 李玮; ID digit swap for DHS32).
        #expect(html.contains("李<mark>伟</mark>"))
        #expect(html.contains("<mark>"))
        // Priority order: exit before reject before review before level change.
        let ranks = flagged.sorted { FlaggedList.rank($0.flag) < FlaggedList.rank($1.flag) }
        if let first = ranks.first { #expect(html.range(of: first.unitID) != nil) }
    }

    @Test func englishReportsUseTheEnglishCatalog() throws {
        let run = try Support.copyOfFixtureRun()
        _ = try ReportWriter(runPath: run, language: .en).write()
        let summary = try String(contentsOfFile: "\(run)/reports/summary.html", encoding: .utf8)
        #expect(summary.contains("Verification summary"))
        #expect(summary.contains("lang=\"en\""))
        let report = try String(contentsOfFile: "\(run)/reports/330902/verification.html", encoding: .utf8)
        #expect(report.contains("Household economic-status verification report"))
        #expect(!report.contains("核对报告"))
    }

    @Test func rewritingReplacesTheFolderAtomically() throws {
        let run = try Support.copyOfFixtureRun()
        _ = try ReportWriter(runPath: run).write()
        try "stale".write(toFile: "\(run)/reports/stale.txt", atomically: true, encoding: .utf8)
        let outcome = try ReportWriter(runPath: run).write()
        #expect(!FileManager.default.fileExists(atPath: "\(run)/reports/stale.txt"))
        #expect(outcome.regions == ["320481", "330902", "330903", "330921", "370102"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasPrefix(".reports") }
        #expect(leftovers.isEmpty)
    }

    @Test func withoutHouseholdsFileTheReportsSayWhatIsMissing() throws {
        let run = try Support.copyOfFixtureRun()
        try FileManager.default.removeItem(atPath: "\(run)/households.jsonl")
        let outcome = try ReportWriter(runPath: run).write()
        #expect(outcome.publicNotice == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(run)/reports/330902/public-notice.html"))
        let summary = try String(contentsOfFile: "\(run)/reports/summary.html", encoding: .utf8)
        #expect(summary.contains("households.jsonl"))
    }

    @Test("The summary shows what changed since the previous run: newly ineligible, newly eligible, level changes")
    func changesSinceThePreviousRun() throws {
        let run = try Support.copyOfFixtureRun()
        try """
        unit_id,previous_status,status,reasons_added,reasons_removed,since_run
        DHS01,eligible_dibao,eligible_low_income,INCOME_OVER_DIBAO,,2024-04-30-aaaaaaaaaaaa
        DHS04,eligible_low_income,ineligible,INCOME_OVER_LOW_INCOME,,2024-04-30-aaaaaaaaaaaa
        DHS09,eligible_dibao,ineligible,VEHICLE_OWNED,,2024-04-30-aaaaaaaaaaaa
        DHS02,,eligible_dibao,,,2024-04-30-aaaaaaaaaaaa
        DHS22,eligible_dibao,needs_review,DUPLICATE_MEMBERSHIP,,2024-04-30-aaaaaaaaaaaa

        """.write(toFile: "\(run)/changes.csv", atomically: true, encoding: .utf8)
        _ = try ReportWriter(runPath: run, language: .en).write()
        let summary = try String(contentsOfFile: "\(run)/reports/summary.html", encoding: .utf8)
        #expect(summary.contains("Since the previous run"))
        #expect(summary.contains("2024-04-30-aaaaaaaaaaaa"))
        // Counts: newly ineligible DHS04 and DHS09; newly eligible DHS02; level changed DHS01.
        #expect(summary.contains("<td>Newly ineligible</td><td class=\"num\">2</td>"))
        #expect(summary.contains("<td>Newly eligible</td><td class=\"num\">1</td>"))
        #expect(summary.contains("<td>Level changed</td><td class=\"num\">1</td>"))

        try "unit_id,previous_status,status,reasons_added,reasons_removed,since_run\n"
            .write(toFile: "\(run)/changes.csv", atomically: true, encoding: .utf8)
        _ = try ReportWriter(runPath: run, language: .en).write()
        let unchanged = try String(contentsOfFile: "\(run)/reports/summary.html", encoding: .utf8)
        #expect(unchanged.contains("Nothing changed since the previous run"))
    }

    @Test func aMissingRunFailsWithAMessage() {
        #expect(throws: ReportError.self) { try ReportWriter(runPath: "/nonexistent/run").write() }
    }

    @Test func householdsFileRoundTrips() throws {
        let line = HouseholdsFile.Line(
            unitID: "HH1/33090219720805501X", householdID: "HH1", regionCode: "330902", regionName: "定海区",
            areaType: "urban", applicationType: "dibao", currentStatus: "none", address: "文化路\"1\"号\n2幢",
            members: [
                .init(
                    name: "扎西·顿珠", idNumber: "33090219720805501X", relation: "self", disabilityGrade: 1,
                    employment: "none", declaredMonthlyIncome: 113_333, rigidExpenseAnnual: 0)
            ],
            probable: [.init(member: 0, file: 2, position: 3, holderName: "扎西·顿朱", holderID: "33090219720805501X")])
        let bytes = HouseholdsFile.render([line, line])
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\"unit_id\":\"HH1/33090219720805501X\",\"household_id\":\"HH1\",\"region_code\":\"330902\""))
        #expect(text.split(separator: "\n").count == 2)
        #expect(try HouseholdsFile.parse(bytes) == [line, line])
        // Foundation reads it as JSON too.
        let first = try #require(text.split(separator: "\n").first)
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect(object?["address"] as? String == "文化路\"1\"号\n2幢")
    }

    @Test("an evidence line's records are read from arrays of EvidenceJSON.recordColumns, and from objects as before")
    func evidenceRecordsAsArrays() throws {
        let head =
            #"{"unit_id":"HH1","status":"ineligible","members":1,"reasons":[{"code":"VEHICLE_OWNED","figures":[],"members":[0],"records":[1,0]}],"records":"#
        let arrays =
            head
            + #"[["bank",0,6,0,false,true,"2024-05-31",332315,"105 …2700 demand"],["vehicle",2,9,0,true,false,"2019-03-01",null,"浙L12345 car scrapped"]]}"#
        let objects =
            head
            + #"[{"amount":332315,"counted":true,"date":"2024-05-31","file":0,"label":"105 …2700 demand","member":0,"position":6,"probable":false,"source":"bank"},{"amount":null,"counted":false,"date":"2019-03-01","file":2,"label":"浙L12345 car scrapped","member":0,"position":9,"probable":true,"source":"vehicle"}]}"#
        let fromArrays = try #require(JSONValue.parse(Array(arrays.utf8)).flatMap(RunFolder.evidence))
        let fromObjects = try #require(JSONValue.parse(Array(objects.utf8)).flatMap(RunFolder.evidence))
        #expect(fromArrays == fromObjects)
        let records = try #require(fromArrays.reasons.first?.records)
        #expect(records.count == 2)
        #expect(
            records[0]
                == RunFolder.EvidenceRecord(
                    source: "vehicle", file: 2, position: 9, label: "浙L12345 car scrapped",
                    date: "2019-03-01", amount: nil, counted: false, probable: true, member: 0))
        #expect(records[1].amount == 332_315 && records[1].label == "105 …2700 demand" && records[1].counted)
    }

    @Test func summaryCountsMatchTheRun() throws {
        let run = try RunFolder(path: Support.fixtureRun)
        let html = SummaryPage(catalog: Catalog(.zh), run: run, regions: ["330902"], links: [:]).render()
        let units = run.assessments.filter { $0.regionCode == "330902" }.count
        #expect(html.contains("<b>\(units)</b>"))
        #expect(html.contains("bank-rcc.csv"))
        #expect(html.contains("<svg "))
    }
}
