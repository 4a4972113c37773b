import Foundation
import HeduiModel
import HeduiSample
import Testing

@Suite("spotcheck-inputs.json: the draw's inputs written with the run, read back by hedui sample verify")
struct SpotCheckInputsTests {
    static let inputs = SpotCheckInputs(
        seed: "2024-05-31",
        parameters: [region("330902"): params(min: 2), region("320481"): params(rate: (10, 2), min: 1, riskWeight: 5)],
        units: [
            unit("HH0106", members: 2, standard: 113_333), unit("HH0101", income: 90_000),
            unit("HH0104", income: 150_000, members: 3, reasons: ["DECLARED_INCOME_UNDERSTATED"]),
            unit("HH0102", income: 210_000, members: 2), unit("HH0103", income: 40_000), unit("HH0105", income: 60_000),
            unit("P1", "320481", status: "needs_review", standard: nil, reasons: ["POLICY_MISSING", "PROBABLE_MATCH_NO_EFFECT"]),
            unit("Q\"1,\\x", "320481"),
        ],
        inspectors: [
            InspectorInfo(inspectorID: "I03", homeRegion: region("320481"), capacity: nil),
            InspectorInfo(inspectorID: "I01", homeRegion: region("330902"), capacity: nil),
            InspectorInfo(inspectorID: "I02", homeRegion: region("330903"), capacity: 1),
        ])

    @Test("Written and read back, the inputs give the same draw; the bytes do not depend on input order")
    func roundTrip() throws {
        let bytes = Self.inputs.render()
        let back = try SpotCheckInputs.parse(bytes)
        #expect(back.seed == Self.inputs.seed)
        #expect(back.parameters == Self.inputs.parameters)
        #expect(back.draw() == Self.inputs.draw())
        #expect(back.render() == bytes)
        var reordered = Self.inputs
        reordered.units.reverse()
        reordered.inspectors.reverse()
        #expect(reordered.render() == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"standard\":null"))
        #expect(text.contains("\"capacity\":1}"))
    }

    @Test("verify: the published file matches; a changed inspector is the first difference")
    func verify() throws {
        let published = SpotCheck.render(Self.inputs.draw())
        #expect(try SpotCheckInputs.parse(Self.inputs.render()).verify(published: published).isIdentical)
        var text = String(decoding: published, as: UTF8.self)
        let other = text.contains(",I02,") ? ",I03," : ",I02,"
        let mine = other == ",I03," ? ",I02," : ",I03,"
        text = text.replacingOccurrences(of: mine, with: other)
        let result = Self.inputs.verify(published: Array(text.utf8))
        #expect(!result.isIdentical)
        #expect(result.message.contains("inspector_id"))
    }

    @Test("Malformed files are refused with a message naming what is wrong")
    func malformed() {
        #expect(throws: SpotCheckInputs.FormatError.self) { try SpotCheckInputs.parse(Array("[]".utf8)) }
        let broken = String(decoding: Self.inputs.render(), as: UTF8.self).replacingOccurrences(
            of: "\"members\":1", with: "\"members\":\"1\"")
        do {
            _ = try SpotCheckInputs.parse(Array(broken.utf8))
            Issue.record("accepted a string as members")
        } catch {
            #expect("\(error)".contains("members is not an integer"))
        }
    }
}
