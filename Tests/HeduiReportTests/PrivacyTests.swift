import Foundation
import Testing

@testable import HeduiReport

/// No full name or unmasked ID number of the roster in the public-notice files; accounts by last 4 only.
@Suite struct PrivacyTests {
    /// Every public-notice file (HTML, and every XML part of the XLSX) grepped against every roster member.
    @Test func publicNoticeHasNoFullNameOrID() throws {
        let runPath = try Support.reportsZH.get()
        let run = try RunFolder(path: runPath)
        let members = run.households.values.flatMap(\.members)
        #expect(members.count > 300)
        #expect(members.contains { $0.name.contains("·") })
        var texts: [(String, String)] = []
        for region in Set(run.assessments.map(\.regionCode)) {
            let folder = "\(runPath)/reports/\(region)"
            texts.append(("\(region)/public-notice.html", try String(contentsOfFile: "\(folder)/public-notice.html", encoding: .utf8)))
            for (part, text) in try Support.zipEntries("\(folder)/public-notice.xlsx") {
                texts.append(("\(region)/public-notice.xlsx:\(part)", text))
            }
        }
        var shown = 0
        for (file, text) in texts {
            for m in members {
                if m.name.count >= 2 { #expect(!text.contains(m.name), "\(file) holds a full name") }
                if m.idNumber.count >= 15 {
                    #expect(!text.contains(m.idNumber), "\(file) holds a full ID number")
                    #expect(!text.contains(String(m.idNumber.dropFirst(6).prefix(8))), "\(file) holds an ID's birth date")
                }
                if text.contains(Masking.name(m.name)) { shown += 1 }
            }
        }
        #expect(shown > 0, "masked names are there")
    }

    /// A name with markup characters is escaped, and masking applies to it too.
    @Test func namesAreEscaped() throws {
        let run = try RunFolder(path: Support.fixtureRun)
        var copy = run
        let unit = try #require(run.assessments.first { $0.flag == "exit_recommended" })
        copy.households[unit.unitID]?.members[0].name = "<b>王</b>&"
        let html = VerificationReport(catalog: Catalog(.zh), run: copy).render(region: unit.regionCode)
        #expect(html.contains("&lt;b&gt;王&lt;/b&gt;&amp;"))
        #expect(!html.contains("<b>王</b>"))
    }

    /// Account numbers appear by their last 4 characters only in every report.
    @Test func accountsAreMaskedEverywhere() throws {
        let runPath = try Support.reportsZH.get()
        let html = try String(contentsOfFile: "\(runPath)/reports/330902/verification.html", encoding: .utf8)
        #expect(html.contains("…"))
        // No run of 8 or more digits other than ID numbers (18 characters) in the report.
        let run = try RunFolder(path: runPath)
        let ids = Set(run.households.values.flatMap(\.members).map(\.idNumber))
            .union(run.households.values.flatMap(\.probable).map(\.holderID))
        var digits = ""
        var runs: [String] = []
        for c in html + " " {
            if c.isASCII && (c.isNumber || c == "X") {
                digits.append(c)
            } else {
                if digits.count >= 8 { runs.append(digits) }
                digits = ""
            }
        }
        for r in runs { #expect(ids.contains { $0.contains(r) } || r.count < 12, "digits \(r)") }
    }

    @Test func filesAndFoldersAreOwnerOnly() throws {
        let runPath = try Support.reportsZH.get()
        let fm = FileManager.default
        let root = "\(runPath)/reports"
        #expect((try fm.attributesOfItem(atPath: root)[.posixPermissions] as? Int) == 0o700)
        for path in try fm.subpathsOfDirectory(atPath: root) {
            var isDir: ObjCBool = false
            fm.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDir)
            let mode = try fm.attributesOfItem(atPath: "\(root)/\(path)")[.posixPermissions] as? Int
            #expect(mode == (isDir.boolValue ? 0o700 : 0o600), "\(path)")
        }
    }
}
