import Foundation
import HeduiIngest
import Testing

// MARK: - Helpers

private struct Rec: Equatable, CustomStringConvertible {
    var index: Int
    var line: Int
    var unknown: Int
    var values: [String?]
    var description: String { "#\(index)@\(line) u\(unknown) \(values)" }
}

private final class Collector {
    var records: [Rec] = []
    var rawValues: [[[UInt8]?]] = []
}

private struct ParseResult {
    var records: [Rec]
    var rawValues: [[[UInt8]?]]
    var rootAttributes: [String: String]
    var recordCount: Int
}

/// Parses `bytes`, handed to the reader in pieces of `chunk` bytes.
private func parse(_ layout: XMLRecordLayout, _ bytes: [UInt8], chunk: Int = Int.max) throws -> ParseResult {
    let c = Collector()
    let reader = XMLRecordReader(layout: layout) { r in
        var values: [String?] = []
        var raw: [[UInt8]?] = []
        for i in 0..<layout.fields.count {
            let v = r.value(i)
            values.append(v.map { String(decoding: $0, as: UTF8.self) })
            raw.append(v.map { Array($0) })
        }
        c.records.append(Rec(index: r.index, line: r.line, unknown: r.unknownChildren, values: values))
        c.rawValues.append(raw)
    }
    try reader.parse(bytes, pieceSize: chunk)
    return ParseResult(
        records: c.records, rawValues: c.rawValues,
        rootAttributes: reader.rootAttributeValues, recordCount: reader.recordCount)
}

private func parse(_ layout: XMLRecordLayout, _ text: String, chunk: Int = Int.max) throws -> ParseResult {
    try parse(layout, Array(text.utf8), chunk: chunk)
}

/// The XMLError thrown by parsing, or nil if parsing succeeded.
private func xmlError(_ layout: XMLRecordLayout, _ bytes: [UInt8], chunk: Int = Int.max) -> XMLError? {
    do {
        _ = try parse(layout, bytes, chunk: chunk)
        return nil
    } catch let e as XMLError {
        return e
    } catch {
        Issue.record("unexpected error type \(error)")
        return nil
    }
}

private func xmlError(_ layout: XMLRecordLayout, _ text: String, chunk: Int = Int.max) -> XMLError? {
    xmlError(layout, Array(text.utf8), chunk: chunk)
}

private let accountFields = ["idNumber", "name", "bankCode", "accountNumber", "memo", "asOf", "balance"]

private let accountsLayout = XMLRecordLayout(
    rootElement: "accounts", recordElement: "account",
    fields: accountFields.map { XMLFieldSpec(element: $0, origin: .childElement) })

private let rosterLayout = XMLRecordLayout(
    rootElement: "roster", parentElement: "household", recordElement: "member",
    fields: [
        XMLFieldSpec(element: "id", origin: .parentAttribute),  // 0
        XMLFieldSpec(element: "regionCode", origin: .parentAttribute),  // 1
        XMLFieldSpec(element: "address", origin: .parentAttribute),  // 2
        XMLFieldSpec(element: "idNumber", origin: .attribute),  // 3
        XMLFieldSpec(element: "name", origin: .attribute),  // 4
        XMLFieldSpec(element: "disabilityGrade", origin: .attribute),  // 5
        XMLFieldSpec(element: "employment", origin: .attribute),  // 6
        XMLFieldSpec(element: "declaredMonthlyIncome", origin: .childElement),  // 7
        XMLFieldSpec(element: "rigidExpenseAnnual", origin: .childElement),  // 8
    ],
    rootAttributes: ["asOf", "missing"])

private let flatDoc = """
    <?xml version="1.0" encoding="UTF-8"?>
    <accounts>
      <account>
        <idNumber>800101-1234567</idNumber>
        <name>Kim &amp; Lee &lt;x&gt; &quot;&apos; &#x5F20;&#19977;</name>
        <bankCode/>
        <accountNumber><![CDATA[12<>&]]>34</accountNumber>
        <memo>  two
     lines\t</memo>
        <extra>ignored <b>x</b></extra><another/>
        <!-- comment --><?pi data?>
        <asOf>2024-05-31</asOf>
      </account>
      <account><idNumber>2</idNumber><name></name></account>
    </accounts>

    """

private let rosterDoc = """
    <?xml version="1.0"?>
    <roster asOf="2024-05-31">
    <household id="H1" regionCode="11" areaType="urban" applicationType="new" currentStatus="active" address="Seoul &amp; Busan &#38; &lt;1&gt;">
      <member idNumber="A1" name="Kim &#x5F20;" relation="head" disabilityGrade="" employment="employed" separateHousehold="N">
        <declaredMonthlyIncome>1000000</declaredMonthlyIncome>
        <rigidExpenseAnnual>50000</rigidExpenseAnnual>
      </member>
      <member idNumber="A2" name="Lee" relation="spouse"/>
    </household>
    <household id="H2" regionCode="26">
      <member idNumber="B1" name="Park"><declaredMonthlyIncome> 7 </declaredMonthlyIncome></member>
    </household>
    </roster>
    """

/// A synthetic bank document with `count` records and varied content (multi-byte, entities, CDATA).
private func bankDoc(_ count: Int, trailing: String = "\n") -> String {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<accounts>\n"
    for i in 1...count {
        s += "  <account>\n    <idNumber>\(800000 + i)-\(i % 7)</idNumber>\n"
        s += "    <name>홍길동 \(i) &amp; 張三 &#x1F600;</name>\n"
        s += i % 3 == 0 ? "    <bankCode/>\n" : "    <bankCode>0\(i % 90)</bankCode>\n"
        s += "    <accountNumber><![CDATA[\(i)<&>]]></accountNumber>\n"
        if i % 4 != 0 { s += "    <memo> m\(i) </memo>\n" }
        s += "    <asOf>2024-05-31</asOf>\n  </account>\n"
    }
    return s + "</accounts>" + trailing
}

// MARK: - Flat layout

@Test func flatLayoutValues() throws {
    let r = try parse(accountsLayout, flatDoc)
    #expect(r.recordCount == 2)
    #expect(r.records.count == 2)
    let a = r.records[0]
    #expect(a.index == 1)
    #expect(a.line == 3)
    #expect(a.unknown == 2)
    #expect(a.values[0] == "800101-1234567")
    #expect(a.values[1] == "Kim & Lee <x> \"' 张三")
    #expect(a.values[2] == "")  // present but empty
    #expect(a.values[3] == "12<>&34")  // CDATA + text
    #expect(a.values[4] == "  two\n lines\t")  // whitespace preserved, not trimmed
    #expect(a.values[5] == "2024-05-31")
    #expect(a.values[6] == nil)  // absent
    let b = r.records[1]
    #expect(b.index == 2)
    #expect(b.line == 14)
    #expect(b.unknown == 0)
    #expect(b.values == ["2", "", nil, nil, nil, nil, nil])
    #expect(r.rootAttributes.isEmpty)
}

@Test func emptyValueHasNonNilBuffer() throws {
    let layout = XMLRecordLayout(
        rootElement: "accounts", recordElement: "account",
        fields: [XMLFieldSpec(element: "bankCode", origin: .childElement)])
    var sawEmpty = false
    let reader = XMLRecordReader(layout: layout) { r in
        if let v = r.value(0), v.count == 0 { sawEmpty = true }
    }
    try reader.parse(Array("<accounts><account><bankCode></bankCode></account></accounts>".utf8))
    #expect(sawEmpty)
}

@Test func repeatedFieldLastWinsAndRecordTextIgnored() throws {
    let r = try parse(accountsLayout, "<accounts><account>stray<name>a</name>text<name>b</name></account></accounts>")
    #expect(r.records.map(\.values[1]) == ["b"])
}

@Test func headerElementsOutsideRecordsAreSkipped() throws {
    let doc = "<accounts><header><name>not a record</name></header><account><name>x</name></account><trailer/></accounts>"
    let r = try parse(accountsLayout, doc)
    #expect(r.records.map(\.values[1]) == ["x"])
}

@Test func namespacedDocumentMatchesLocalNames() throws {
    let doc = "<b:accounts xmlns:b=\"urn:x\"><b:account><b:name>x</b:name></b:account></b:accounts>"
    let r = try parse(accountsLayout, doc)
    #expect(r.records.map(\.values[1]) == ["x"])
}

// MARK: - Nested roster

@Test func nestedRoster() throws {
    let r = try parse(rosterLayout, rosterDoc)
    #expect(r.rootAttributes == ["asOf": "2024-05-31"])
    #expect(r.records.count == 3)
    let m1 = r.records[0]
    #expect(m1.index == 1 && m1.line == 4)
    #expect(m1.values == ["H1", "11", "Seoul & Busan & <1>", "A1", "Kim 张", "", "employed", "1000000", "50000"])
    let m2 = r.records[1]
    #expect(m2.index == 2 && m2.line == 8)
    #expect(m2.values == ["H1", "11", "Seoul & Busan & <1>", "A2", "Lee", nil, nil, nil, nil])
    let m3 = r.records[2]
    #expect(m3.index == 3 && m3.line == 11)
    #expect(m3.values == ["H2", "26", nil, "B1", "Park", nil, nil, " 7 ", nil])
}

@Test func attributeAmpersandEscapesDecodeExactly() throws {
    // "&amp;#38;" must become the literal text "&#38;", not "&".
    let doc = "<roster><household id=\"a&amp;#38;b&#x26;c&amp;amp;\"><member name=\"&#38;#38;\"/></household></roster>"
    let r = try parse(rosterLayout, doc)
    #expect(r.records.first?.values[0] == "a&#38;b&c&amp;")
    #expect(r.records.first?.values[4] == "&#38;")
}

@Test func flatLayoutParentAttributeReadsRoot() throws {
    let layout = XMLRecordLayout(
        rootElement: "accounts", recordElement: "account",
        fields: [
            XMLFieldSpec(element: "asOf", origin: .parentAttribute),
            XMLFieldSpec(element: "name", origin: .childElement),
        ],
        rootAttributes: ["asOf"])
    let r = try parse(layout, "<accounts asOf=\"2024-01-31\"><account><name>n</name></account></accounts>")
    #expect(r.rootAttributes == ["asOf": "2024-01-31"])
    #expect(r.records.first?.values == ["2024-01-31", "n"])
}

// MARK: - Chunking

@Test(arguments: [1, 3, 64, 4096, Int.max])
func chunkedFeedGivesSameRecords(chunk: Int) throws {
    let doc = bankDoc(40)
    let whole = try parse(accountsLayout, doc)
    #expect(whole.records.count == 40)
    let chunked = try parse(accountsLayout, doc, chunk: chunk)
    #expect(chunked.records == whole.records)
    let roster1 = try parse(rosterLayout, rosterDoc)
    let roster2 = try parse(rosterLayout, rosterDoc, chunk: chunk)
    #expect(roster1.records == roster2.records)
    #expect(roster2.rootAttributes == ["asOf": "2024-05-31"])
}

// MARK: - Encodings

private func gb18030Doc() -> [UInt8] {
    let zhangSan: [UInt8] = [213, 197, 200, 253]  // 张三
    let liSi: [UInt8] = [192, 238, 203, 196]  // 李四
    let eAcute: [UInt8] = [168, 166]  // é
    let extB: [UInt8] = [149, 50, 130, 54]  // U+20000 (4-byte GB18030)
    var d = Array("<?xml version=\"1.0\" encoding=\"GB18030\"?>\n<accounts>\n<account><idNumber>1</idNumber><name>".utf8)
    d += zhangSan + Array("</name></account>\n<account><idNumber>2</idNumber><name>".utf8)
    d += liSi + eAcute + extB + Array(" &amp;</name><memo>".utf8) + zhangSan
    d += Array("</memo></account>\n</accounts>\n".utf8)
    return d
}

@Test(arguments: [1, 3, 64, Int.max])
func gb18030Decoded(chunk: Int) throws {
    let r = try parse(accountsLayout, gb18030Doc(), chunk: chunk)
    #expect(r.records.count == 2)
    #expect(r.rawValues[0][1] == Array("张三".utf8))
    #expect(r.rawValues[1][1] == Array("李四é\u{20000} &".utf8))
    #expect(r.rawValues[1][4] == Array("张三".utf8))
    #expect(r.records[1].line == 4)
}

@Test(arguments: [1, 2, 3, Int.max])
func utf8WithBOM(chunk: Int) throws {
    let doc: [UInt8] =
        [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><accounts><account><name>张三</name></account></accounts>".utf8)
    let r = try parse(accountsLayout, doc, chunk: chunk)
    #expect(r.records.map(\.values[1]) == ["张三"])
    let noDecl: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<accounts><account><name>é</name></account></accounts>".utf8)
    #expect(try parse(accountsLayout, noDecl, chunk: chunk).records.map(\.values[1]) == ["é"])
}

@Test func invalidUTF8IsEncodingError() throws {
    var doc = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<accounts>\n<account><name>ab".utf8)
    doc += [0xFF, 0xFE, 0x41]
    doc += Array("</name></account></accounts>".utf8)
    let e = try #require(xmlError(accountsLayout, doc))
    #expect(e.code == .encoding)
    #expect(e.line == 3)
    #expect(!e.message.contains("0xFF"))  // raw input bytes are not echoed
    #expect(!e.message.contains("\n"))
}

@Test func unknownEncodingIsEncodingError() throws {
    let e = try #require(xmlError(accountsLayout, "<?xml version=\"1.0\" encoding=\"X-NO-SUCH-ENCODING\"?><accounts/>"))
    #expect(e.code == .encoding)
}

@Test func undecodableGB18030IsRejected() throws {
    var doc = Array("<?xml version=\"1.0\" encoding=\"GB18030\"?>\n<accounts><account><name>".utf8)
    doc += [0x81, 0x20, 0x81, 0x20, 0xFF]
    doc += Array("</name></account></accounts>".utf8)
    for chunk in [1, 64, Int.max] {
        let e = try #require(xmlError(accountsLayout, doc, chunk: chunk))
        #expect(e.code == .encoding || e.code == .malformed, "\(e)")
        #expect(!e.message.contains("0x81") && !e.message.contains("\n"), "\(e)")
    }
}

// MARK: - Well-formedness, structure

@Test func malformedReportsLine() throws {
    let mismatch = "<accounts>\n<account>\n<idNumber>1</idNumber>\n<name>Kim</nam>\n</account>\n</accounts>"
    let e1 = try #require(xmlError(accountsLayout, mismatch))
    #expect(e1.code == .malformed)
    #expect(e1.line == 4)
    #expect(e1.message.hasPrefix("line 4: XML not well-formed"))
    #expect(!e1.message.contains("Kim"))

    let unclosedStartTag = "<accounts>\n<account>\n<idNumber>1</idNumber>\n\n<bankCode\n<name/></account></accounts>"
    let e2 = try #require(xmlError(accountsLayout, unclosedStartTag))
    #expect(e2.code == .malformed)
    #expect(e2.line == 5 || e2.line == 6, "\(e2)")

    for chunk in [1, 7] {
        let e = try #require(xmlError(accountsLayout, mismatch, chunk: chunk))
        #expect(e.code == .malformed && e.line == 4)
    }
}

@Test func wrongRoot() throws {
    let e = try #require(xmlError(accountsLayout, "<?xml version=\"1.0\"?>\n<vehicles><vehicle/></vehicles>"))
    #expect(e.code == .wrongRoot)
    #expect(e.line == 2)
    #expect(e.message.contains("expected <accounts> as the document element, found <vehicles>"))
}

@Test func misplacedRecordsAreMalformed() throws {
    let nestedInRecord = "<accounts><account><account/></account></accounts>"
    #expect(xmlError(accountsLayout, nestedInRecord)?.code == .malformed)
    let insideUnknown = "<accounts><archive><account/></archive></accounts>"
    #expect(xmlError(accountsLayout, insideUnknown)?.code == .malformed)
    let memberUnderRoot = "<roster><member idNumber=\"x\"/></roster>"
    #expect(xmlError(rosterLayout, memberUnderRoot)?.code == .malformed)
    let householdInMember = "<roster><household><member><household/></member></household></roster>"
    #expect(xmlError(rosterLayout, householdInMember)?.code == .malformed)
}

@Test func emptyAndGarbageInput() throws {
    let empty = try #require(xmlError(accountsLayout, ""))
    #expect(empty.code == .malformed && empty.message.contains("premature end of document"), "\(empty)")
    let truncated = try #require(xmlError(accountsLayout, "<accounts><account><name>secret"))
    #expect(truncated.code == .malformed && truncated.message.contains("before </accounts>"), "\(truncated)")
    #expect(!truncated.message.contains("secret"))
    #expect(xmlError(accountsLayout, "   \n")?.code == .malformed)
    #expect(xmlError(accountsLayout, "not xml at all")?.code == .malformed)
    #expect(xmlError(accountsLayout, "<accounts/><accounts/>")?.code == .malformed)
    #expect(xmlError(accountsLayout, [0x00, 0x00, 0x00, 0x00, 0x01]) != nil)
}

@Test func nulBytesAreRejected() throws {
    // libxml2's pull parser stops at a NUL byte as at the end of its buffer: a NUL after the
    // document element must not hide what follows, nor end a document early.
    for tail in ["\0", "\0junk", "\n\0<accounts/>", "\0" + String(repeating: "x", count: 10_000)] {
        let e = try #require(xmlError(accountsLayout, "<accounts><account><name>x</name></account></accounts>" + tail), "\(tail.count)")
        #expect(e.code == .malformed)
        #expect(e.message == "line \(e.line): XML not well-formed: Extra content at the end of the document (libxml2 error 5)")
    }
    let inText = try #require(xmlError(accountsLayout, "<accounts>\n<account><name>a\0b</name></account></accounts>"))
    #expect(inText.code == .malformed && inText.line == 2)
    #expect(inText.message == "line 2: XML not well-formed: Char 0x0 out of allowed range (libxml2 error 9)")
    let betweenRecords = try #require(xmlError(accountsLayout, "<accounts><account/>\0<account/></accounts>"))
    #expect(betweenRecords.code == .malformed)
}

@Test func nestingDeeperThan256IsRejected() throws {
    let ok = "<accounts>" + String(repeating: "<a>", count: 250) + String(repeating: "</a>", count: 250) + "</accounts>"
    #expect(xmlError(accountsLayout, ok) == nil)
    let deep = "<accounts>" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</accounts>"
    #expect(xmlError(accountsLayout, deep)?.code == .malformed)
}

@Test func truncatedAtEveryOffsetThrows() throws {
    let doc = Array(bankDoc(9, trailing: "\n  \n").utf8)
    #expect(doc.count > 1500 && doc.count < 3000)
    let endTag = Array("</accounts>".utf8)
    var endOfRoot = 0
    for i in stride(from: doc.count - endTag.count, through: 0, by: -1) where Array(doc[i..<(i + endTag.count)]) == endTag {
        endOfRoot = i + endTag.count
        break
    }
    #expect(endOfRoot > 0)
    for cut in 0...doc.count {
        let prefix = Array(doc[0..<cut])
        for chunk in [Int.max, 5] {
            let e = xmlError(accountsLayout, prefix, chunk: chunk)
            if cut >= endOfRoot {
                #expect(e == nil, "cut \(cut) after the end tag must succeed: \(String(describing: e))")
            } else {
                #expect(e != nil, "cut \(cut) of \(doc.count) must fail")
                if let e { #expect(e.code == .malformed || e.code == .encoding, "cut \(cut): \(e)") }
            }
        }
    }
}

// MARK: - DTD / entities

@Test func billionLaughsRejectedQuickly() throws {
    let doc = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
         <!ENTITY lol "lol">
         <!ELEMENT lolz (#PCDATA)>
         <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
         <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
         <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
         <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
         <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
         <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
         <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
         <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
         <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <accounts><account><name>&lol9;</name></account></accounts>
        """
    for chunk in [1, 64, Int.max] {
        let clock = ContinuousClock()
        var err: XMLError?
        let elapsed = clock.measure { err = xmlError(accountsLayout, doc, chunk: chunk) }
        let e = try #require(err)
        #expect(e.code == .dtdForbidden)
        #expect(e.line == 2)
        #expect(elapsed < .seconds(1))
    }
}

@Test func externalEntityRejectedWithoutReadingFile() throws {
    let doc = """
        <?xml version="1.0"?>
        <!DOCTYPE accounts [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <accounts><account><name>&xxe;</name></account></accounts>
        """
    var delivered = 0
    let reader = XMLRecordReader(layout: accountsLayout) { _ in delivered += 1 }
    #expect {
        try reader.parse(Array(doc.utf8))
    } throws: { ($0 as? XMLError)?.code == .dtdForbidden }
    #expect(delivered == 0)

    let externalDTD = "<?xml version=\"1.0\"?>\n<!DOCTYPE accounts SYSTEM \"http://127.0.0.1:9/x.dtd\">\n<accounts/>"
    #expect(xmlError(accountsLayout, externalDTD)?.code == .dtdForbidden)
    let parameterEntity = "<!DOCTYPE accounts [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><accounts/>"
    #expect(xmlError(accountsLayout, parameterEntity)?.code == .dtdForbidden)
}

@Test func undeclaredEntityReferenceIsForbidden() throws {
    let inText = "<accounts><account><name>a &foo; b</name></account></accounts>"
    let e1 = try #require(xmlError(accountsLayout, inText))
    #expect(e1.code == .dtdForbidden)
    #expect(e1.message.contains("&foo;"))
    let inAttribute = "<roster><household id=\"&foo;\"><member/></household></roster>"
    #expect(xmlError(rosterLayout, inAttribute)?.code == .dtdForbidden)
    for chunk in [1, 3] {
        #expect(xmlError(accountsLayout, inText, chunk: chunk)?.code == .dtdForbidden)
    }
}

// MARK: - Consumer errors, state

private struct StopHere: Error, Equatable { var at: Int }

@Test(arguments: [1, Int.max])
func errorFromOnRecordPropagates(chunk: Int) throws {
    let doc = Array(bankDoc(10).utf8)
    var seen: [Int] = []
    let reader = XMLRecordReader(layout: accountsLayout) { r in
        seen.append(r.index)
        if r.index == 3 { throw StopHere(at: r.index) }
    }
    var thrown: (any Error)?
    do {
        try reader.parse(doc, pieceSize: chunk)
    } catch {
        thrown = error
    }
    #expect(thrown as? StopHere == StopHere(at: 3))
    #expect(seen == [1, 2, 3])
    #expect(reader.recordCount == 3)
    // Sticky: later calls rethrow the same error.
    #expect(throws: StopHere(at: 3)) { try reader.parse(Array("<x/>".utf8)) }
    #expect(throws: StopHere(at: 3)) { try reader.parse(Array("<x/>".utf8)) }
}

@Test func aReaderParsesOneDocument() throws {
    let reader = XMLRecordReader(layout: accountsLayout) { _ in }
    try reader.parse(Array("<accounts><account/></accounts>".utf8))
    #expect(reader.recordCount == 1)
    #expect(throws: XMLError.self) { try reader.parse(Array("<accounts><account/></accounts>".utf8)) }
    #expect(throws: XMLError.self) { try reader.parse(Array(" ".utf8)) }
    #expect(reader.recordCount == 1)
}

@Test func concurrentReadersOnDifferentThreads() async throws {
    let good = Array(bankDoc(200).utf8)
    let bad = Array((bankDoc(50).replacingOccurrences(of: "<memo> m17 </memo>", with: "<memo> m17 </mem>")).utf8)
    let results = await withTaskGroup(of: (Bool, Int, XMLError.Code?).self) { group in
        for i in 0..<16 {
            group.addTask {
                let doc = i % 2 == 0 ? good : bad
                var count = 0
                let reader = XMLRecordReader(layout: accountsLayout) { _ in count += 1 }
                do {
                    try reader.parse(doc, pieceSize: 777)
                    return (i % 2 == 0, count, nil)
                } catch let e as XMLError {
                    return (i % 2 == 0, count, e.code)
                } catch {
                    return (i % 2 == 0, count, nil)
                }
            }
        }
        var all: [(Bool, Int, XMLError.Code?)] = []
        for await r in group { all.append(r) }
        return all
    }
    #expect(results.count == 16)
    for (isGood, count, code) in results {
        if isGood {
            #expect(count == 200 && code == nil)
        } else {
            #expect(code == .malformed && count == 16)
        }
    }
}

// MARK: - Pulling input

private struct InputFailed: Error, Equatable {}

/// Hands out `doc[0..<end]` in pieces of `piece` bytes, each followed by an empty piece; then nil,
/// or throws `InputFailed` when `failing`. Counts the calls made after it threw or ended.
private final class PieceSource {
    let doc: UnsafeMutableRawBufferPointer
    let end: Int
    let piece: Int
    let failing: Bool
    var offset = 0
    var emptyNext = false
    var done = false
    var callsAfterDone = 0
    var calls = 0

    init(_ doc: [UInt8], end: Int? = nil, piece: Int, failing: Bool = false) {
        self.doc = .allocate(byteCount: doc.count, alignment: 1)
        self.doc.copyBytes(from: doc)
        self.end = end ?? doc.count
        self.piece = piece
        self.failing = failing
    }

    deinit { doc.deallocate() }

    func next() throws -> UnsafeRawBufferPointer? {
        calls += 1
        if done {
            callsAfterDone += 1
            return nil
        }
        if emptyNext {
            emptyNext = false
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        if offset >= end {
            done = true
            if failing { throw InputFailed() }
            return nil
        }
        let n = min(piece, end - offset)
        defer { offset += n }
        emptyNext = true
        return UnsafeRawBufferPointer(rebasing: doc[offset..<(offset + n)])
    }
}

private func parsePulling(_ layout: XMLRecordLayout, _ source: PieceSource) -> (records: [Rec], error: (any Error)?) {
    var records: [Rec] = []
    let reader = XMLRecordReader(layout: layout) { r in
        records.append(
            Rec(
                index: r.index, line: r.line, unknown: r.unknownChildren,
                values: (0..<layout.fields.count).map { i in r.value(i).map { String(decoding: $0, as: UTF8.self) } }))
    }
    do {
        try reader.parse { try source.next() }
        return (records, nil)
    } catch {
        return (records, error)
    }
}

@Test(arguments: [1, 5, 4096, Int.max])
func piecesAndEmptyPiecesGiveSameRecords(piece: Int) throws {
    let doc = Array(bankDoc(40).utf8)
    let whole = try parse(accountsLayout, doc)
    let source = PieceSource(doc, piece: piece)
    let pulled = parsePulling(accountsLayout, source)
    #expect(pulled.error == nil)
    #expect(pulled.records == whole.records)
    #expect(source.callsAfterDone == 0)
}

@Test func inputErrorIsThrownUnchangedWherever() throws {
    // A well-formed document whose input fails after any prefix: the input's error, never an
    // XML error, even after the whole document (e.g. a gzip error after the last member);
    // the records delivered are those complete in the prefix (as the push parser delivered
    // those of every chunk fed before a failing one); nothing is pulled after the error.
    let doc = Array(bankDoc(12, trailing: "\n  \n").utf8)
    let whole = try parse(accountsLayout, doc)
    let endTag = Array("</account>".utf8)
    for end in Array(0...doc.count) {
        var complete = 0
        var i = 0
        while i + endTag.count <= end {
            if Array(doc[i..<(i + endTag.count)]) == endTag { complete += 1 }
            i += 1
        }
        for piece in [7, Int.max] {
            let source = PieceSource(doc, end: end, piece: piece, failing: true)
            let pulled = parsePulling(accountsLayout, source)
            #expect(pulled.error is InputFailed, "end \(end), piece \(piece): \(String(describing: pulled.error))")
            #expect(pulled.records == Array(whole.records.prefix(complete)), "end \(end), piece \(piece)")
            #expect(source.callsAfterDone == 0, "end \(end)")
        }
    }
}

@Test func nothingIsPulledAfterAnError() throws {
    let body = String(repeating: "<account><name>x</name></account>\n", count: 30_000)  // ~1 MB
    let cases: [(String, XMLRecordLayout)] = [
        ("<vehicles>\n" + body + "</vehicles>", accountsLayout),  // wrong root (hard stop)
        ("<accounts>\n<account><name>&foo;</name></account>\n" + body + "</accounts>", accountsLayout),  // soft stop
        ("<accounts>\n<account><name>x</nam></account>\n" + body + "</accounts>", accountsLayout),  // libxml2 error
        ("<accounts>\n<archive><account/></archive>\n" + body + "</accounts>", accountsLayout),  // misplaced
    ]
    for (text, layout) in cases {
        let source = PieceSource(Array(text.utf8), piece: 1000)
        let pulled = parsePulling(layout, source)
        #expect(pulled.error is XMLError)
        #expect(source.calls < 20, "pulled \(source.calls) pieces after an error at the start")
    }
    // An error from onRecord stops the reading too.
    let source = PieceSource(Array(("<accounts>\n" + body + "</accounts>").utf8), piece: 1000)
    let reader = XMLRecordReader(layout: accountsLayout) { r in if r.index == 2 { throw StopHere(at: 2) } }
    #expect(throws: StopHere(at: 2)) { try reader.parse { try source.next() } }
    #expect(source.calls < 20)
}
