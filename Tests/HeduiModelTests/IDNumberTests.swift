import HeduiModel
import Testing

/// Builds a valid ID from its first 17 digits.
func validID(_ body17: String) -> String {
    let id = IDNumber(body: UInt64(body17)!)
    return id.description
}

@Suite("ID numbers (GB 11643-1999)")
struct IDNumberTests {
    @Test func checkCharacter() throws {
        // Published example: 11010519491231002X.
        let id = try IDNumber.parse("11010519491231002X").get()
        #expect(id.description == "11010519491231002X")
        #expect(id.birthDate == Day(year: 1949, month: 12, day: 31))
        #expect(id.regionPrefix == 110105)
        #expect(try IDNumber.parse("11010519491231002x").get() == id)
    }

    @Test func fullWidthAndSpaces() throws {
        let id = try IDNumber.parse("11010519491231002X").get()
        #expect(try IDNumber.parse("１１０１０５１９４９１２３１００２ｘ").get() == id)
        #expect(try IDNumber.parse("  11010519491231002X ").get() == id)
    }

    @Test("A 15-digit legacy number gets 19 before the year and a computed check character")
    func legacy() throws {
        let legacy = try IDNumber.parse("110105491231002").get()
        #expect(legacy.description == "11010519491231002X")
    }

    @Test(arguments: ["11010519491231002", "1101051949123100211", "11010519491231002Y", "A1010519491231002X", "", "11010549123100"])
    func format(text: String) {
        guard case .failure(let error) = IDNumber.parse(text) else { Issue.record("accepted"); return }
        #expect(error.problem == .format)
    }

    @Test(arguments: ["110105194902300021", "110105491330002"])
    func birthDate(text: String) {
        guard case .failure(let error) = IDNumber.parse(text) else { Issue.record("accepted"); return }
        #expect(error.problem == .birthDate)
    }

    @Test func checksumFailureKeepsDigits() {
        guard case .failure(let error) = IDNumber.parse("110105194912310021"),
            case .checksum(let failed) = error.problem
        else { Issue.record("not a checksum failure"); return }
        #expect(failed.description == "110105194912310021")
        // The correct ID is one substitution of the check character away.
        #expect(failed.neighbours().map(\.description).contains("11010519491231002X"))
    }

    @Test("One substituted digit or one adjacent swap of a valid ID is found among the neighbours")
    func neighbours() throws {
        let original = try IDNumber.parse(validID("33090219800101123")).get()
        var chars = original.characters
        chars[10] = chars[10] == UInt8(ascii: "9") ? UInt8(ascii: "8") : chars[10] + 1
        let substituted = String(decoding: chars, as: UTF8.self)
        guard case .failure(let e1) = IDNumber.parse(substituted), case .checksum(let failed1) = e1.problem else {
            Issue.record("a substituted digit must break the check character"); return
        }
        #expect(failed1.neighbours().contains(original))
        var swapped = original.characters
        swapped.swapAt(12, 13)
        try #require(swapped != original.characters)
        guard case .failure(let e2) = IDNumber.parse(String(decoding: swapped, as: UTF8.self)),
            case .checksum(let failed2) = e2.problem
        else {
            Issue.record("an adjacent swap must break the check character"); return
        }
        #expect(failed2.neighbours().contains(original))
        // Two substitutions are not one edit away.
        var twice = original.characters
        twice[3] = twice[3] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        twice[12] = twice[12] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        if case .failure(let e3) = IDNumber.parse(String(decoding: twice, as: UTF8.self)), case .checksum(let failed3) = e3.problem {
            #expect(!failed3.neighbours().contains(original))
        }
    }
}
