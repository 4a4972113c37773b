import Foundation
import HeduiModel
import Testing

@testable import HeduiIngest

/// Every row of the bad-input table of exchange-formats.md, with the exact code and location.
@Suite("Ingestion: bad input is quarantined or rejected with a clear reason")
struct IngestionTests {
    let a = Fixture.alice
    let b = Fixture.bob

    @Test(
        "A field failing its type or rule quarantines the record with file, line, field and code; the rest goes on",
        arguments: [
            ("330902198001011230", "张三", "102", "6222000000001234", "demand", "100.00", "", "2024-05-01", "id_number", "ID_CHECKSUM"),
            ("33090219800101", "张三", "102", "6222000000001234", "demand", "100.00", "", "2024-05-01", "id_number", "ID_FORMAT"),
            ("330902198002301230", "张三", "102", "6222000000001234", "demand", "100.00", "", "2024-05-01", "id_number", "ID_BIRTHDATE"),
            ("A", "", "102", "6222000000001234", "demand", "100.00", "", "2024-05-01", "name", "MISSING_FIELD"),
            ("A", "张三", "102", "6222000000001234", "savings", "100.00", "", "2024-05-01", "account_type", "BAD_CODE"),
            ("A", "张三", "102", "6222000000001234", "demand", "12.345", "", "2024-05-01", "balance", "BAD_AMOUNT"),
            ("A", "张三", "102", "6222000000001234", "demand", "100.00", "", "2024-02-30", "as_of", "BAD_DATE"),
            ("A", "张三", "102", "6222000000001234", "demand", "100.00", "US", "2024-05-01", "currency", "BAD_CODE"),
            ("A", "张三", "", "6222000000001234", "demand", "100.00", "", "2024-05-01", "bank_code", "MISSING_FIELD"),
        ])
    func fieldFailures(
        id: String, name: String, bank: String, account: String, type: String, balance: String,
        currency: String, asOf: String, field: String, code: String
    ) throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let theID = id == "A" ? a : id
        let text =
            Fixture.bankHeader
            + "\(b),李四,102,6222000000009999,time,5.00,,2024-05-01\n"
            + "\(theID),\(name),\(bank),\(account),\(type),\(balance),\(currency),\(asOf)\n"
            + "\(b),李四,103,6222000000008888,time,7.00,CNY,2024-05-01\n"
        try inbox.write("bank-test.csv", text)
        let (report, sink) = try inbox.ingest("bank-test.csv")
        #expect(report.rejection == nil)
        #expect(report.recordsRead == 3)
        #expect(report.accepted == 2)
        #expect(report.quarantined == 1)
        let entry = try #require(report.quarantine.first)
        #expect(entry.location == .line(3))
        #expect(entry.field == field)
        #expect(entry.code.rawValue == code)
        #expect(entry.message.hasPrefix(field + ":"))
        #expect(sink?.exchange.count == 2)
    }

    @Test("Property: negative area and a share outside (0, 1] are out of range; the default share is 1")
    func propertyRules() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let header = "id_number,name,cert_no,property_type,floor_area,share,registered_on,status,address\n"
        try inbox.write(
            "property.csv",
            header
                + "\(a),张三,C1,residential,-80.5,,2020-01-01,valid,\n"
                + "\(a),张三,C2,residential,80.5,1.5,2020-01-01,valid,\n"
                + "\(a),张三,C3,residential,80.5,0,2020-01-01,valid,\n"
                + "\(a),张三,C4,residential,80.555,0.5,2020-01-01,valid,\n"
                + "\(a),张三,C5,residential,80.5,0.3333,20200101,valid,\"杭州市, 西湖区\"\n"
                + "\(a),张三,C6,residential,80.5,,2020年1月1日,valid,\n")
        let (report, sink) = try inbox.ingest("property.csv")
        #expect(report.quarantine.map(\.code) == [.outOfRange, .outOfRange, .outOfRange, .badNumber])
        #expect(report.quarantine.map(\.field) == ["floor_area", "share", "share", "floor_area"])
        #expect(report.quarantine.map(\.location) == [.line(2), .line(3), .line(4), .line(5)])
        let records = try #require(sink?.exchange)
        guard case .property(let p5) = records[0].facts, case .property(let p6) = records[1].facts else {
            Issue.record("not property records"); return
        }
        #expect(p5.share == 3333 && p5.floorArea == 8050 && p5.address == "杭州市, 西湖区")
        #expect(p6.share == 10_000 && p6.registeredOn == Day(year: 2020, month: 1, day: 1))
    }

    @Test("Every value form of the spec is accepted and normalized")
    func messyButValid() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let fullWidthID = String(
            a.unicodeScalars.map { $0.value >= 0x30 && $0.value <= 0x39 ? Character(UnicodeScalar($0.value + 0xFEE0)!) : Character($0) })
        try inbox.write(
            "bank-messy.csv",
            "\u{FEFF}ID_Number , Name,BANK_CODE,account_no,account_type,balance,currency,as_of,extra\r\n"
                + "\(fullWidthID), 张　三 ,１０２,6222000000001234,DEMAND,\"¥1,234.50\",usd,2024年5月31日,x\r\n"
                + "\(a.lowercased()),张三,102,6222000000001235,Time,１２３４．５元,,20240531,y\r\n"
                + "\(a),张三,102,6222000000001236,wealth,-5.00,CNY,2024/5/31,z")
        let (report, sink) = try inbox.ingest("bank-messy.csv")
        #expect(report.quarantine.isEmpty, "\(report.quarantine.map(\.oneLine))")
        let records = try #require(sink?.exchange)
        #expect(records.count == 3)
        for record in records {
            #expect(record.holder == .valid(try IDNumber.parse(a).get()))
            #expect(record.holderName == "张三")
        }
        guard case .bank(let first) = records[0].facts, case .bank(let second) = records[1].facts,
            case .bank(let third) = records[2].facts
        else { Issue.record("not bank"); return }
        #expect(first.balance == Fen(123_450) && first.currency == "USD" && first.bankCode == "102")
        #expect(second.balance == Fen(123_450) && second.currency == "CNY" && second.accountType == .time)
        #expect(third.balance == Fen(-500))
        #expect(records.map(\.origin.position) == [2, 3, 4])
    }

    @Test("A CSV header lacking a required column rejects the file")
    func missingColumn() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        try inbox.write("tax-2024.csv", "id_number,name,period,income_type\n\(a),张三,2024-01,wage\n")
        let (report, sink) = try inbox.ingest("tax-2024.csv")
        #expect(sink == nil)
        #expect(report.rejection?.code == .csvMissingColumn)
        #expect(report.rejection?.message.contains("gross_income") == true)
        #expect(report.quarantine.map(\.location) == [.file])
    }

    @Test("A row with more or fewer fields than the header is quarantined")
    func fieldCount() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        try inbox.write(
            "vehicle.csv",
            "id_number,name,plate,vehicle_type,registered_on,assessed_value,status\n"
                + "\(a),张三,浙L12345,car,2020-01-01,,normal,extra\n\(a),张三,浙L12346,car,2020-01-01,normal\n"
                + "\(a),张三,浙L12347,car,2020-01-01,,normal\n")
        let (report, _) = try inbox.ingest("vehicle.csv")
        #expect(report.quarantine.map(\.code) == [.csvFieldCount, .csvFieldCount])
        #expect(report.recordsRead == 3 && report.accepted == 1)
    }

    @Test("A .gz file that is not gzip, or is cut off, or has a CRC error, is rejected whole")
    func brokenGzip() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let text = Array((Fixture.bankHeader + "\(a),张三,102,6222000000001234,demand,100.00,,2024-05-01\n").utf8)
        try inbox.write("bank-plain.csv.gz", text)
        var compressed = try gzip(text)
        try inbox.write("bank-cut.csv.gz", Array(compressed[0..<(compressed.count - 5)]))
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        try inbox.write("bank-crc.csv.gz", compressed)
        let results = try inbox.ingest()
        let codes = Dictionary(uniqueKeysWithValues: results.map { ($0.0.file.name, $0.0.rejection?.code) })
        #expect(codes["bank-plain.csv.gz"] == .notGzip)
        #expect(codes["bank-cut.csv.gz"] == .gzipTruncated)
        #expect(codes["bank-crc.csv.gz"] == .gzipCorrupt)
        #expect(results.allSatisfy { $0.1 == nil && $0.0.accepted == 0 })
    }

    @Test("A control file whose count or SHA-256 disagrees rejects the file; a matching one accepts it")
    func controlTotals() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let text =
            Fixture.bankHeader + "\(a),张三,102,6222000000001234,demand,100.00,,2024-05-01\n\n"
            + "\(b),李四,102,6222000000001235,demand,100.00,,2024-05-01\n"
        let compressed = try gzip(Array(text.utf8))
        try inbox.write("bank-good.csv.gz", compressed)
        try inbox.write("bank-count.csv.gz", compressed)
        try inbox.write("bank-sha.csv.gz", compressed)
        let sha = sha256Hex(compressed)
        try inbox.write("bank-good.csv.gz.chk", "records=2\nsha256=\(sha)\n")
        try inbox.write("bank-count.csv.gz.chk", "records=3\nsha256=\(sha)\n")
        try inbox.write("bank-sha.csv.gz.chk", "records=2\nsha256=\(String(repeating: "0", count: 64))\n")
        let results = try inbox.ingest()
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.0.file.name, $0.0) })
        #expect(byName["bank-good.csv.gz"]?.rejection == nil)
        #expect(byName["bank-good.csv.gz"]?.accepted == 2)
        #expect(byName["bank-count.csv.gz"]?.rejection?.code == .controlMismatch)
        #expect(byName["bank-sha.csv.gz"]?.rejection?.code == .controlMismatch)
    }

    @Test("A CSV file that is not UTF-8 is read as GB18030")
    func gb18030() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        let text = Fixture.bankHeader + "\(a),张三,102,6222000000001234,demand,100.00,,2024-05-01\n"
        let encoded = try convert(Array(text.utf8), to: "GB18030")
        #expect(encoded != Array(text.utf8))
        try inbox.write("bank-gbk.csv", encoded)
        let (report, sink) = try inbox.ingest("bank-gbk.csv")
        #expect(report.encoding == "GB18030")
        #expect(sink?.exchange.first?.holderName == "张三")
    }

    @Test("Bytes that are neither UTF-8 nor GB18030 reject the file")
    func undecodable() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        var bytes = Array((Fixture.bankHeader + "\(a),").utf8)
        bytes += [0x81, 0x20, 0xFF, 0xFF]
        bytes += Array(",102,6222000000001234,demand,100.00,,2024-05-01\n".utf8)
        try inbox.write("bank-bad.csv", bytes)
        let (report, _) = try inbox.ingest("bank-bad.csv")
        #expect(report.rejection?.code == .encodingInvalid)
    }

    @Test("XML: records validated by index; a well-formedness error rejects the file and names the line")
    func xml() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        try inbox.write(
            "vehicle-a.xml",
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <vehicles>
              <vehicle><idNumber>\(a)</idNumber><name>张三</name><plate>浙L12345</plate><vehicleType>car</vehicleType><registeredOn>2020-01-01</registeredOn><status>normal</status></vehicle>
              <vehicle><idNumber>\(a)</idNumber><name>张三</name><plate>浙L12346</plate><vehicleType>bus</vehicleType><registeredOn>2020-01-01</registeredOn><status>normal</status></vehicle>
            </vehicles>
            """)
        try inbox.write("vehicle-b.xml", "<vehicles>\n<vehicle>\n<idNumber>1</idNumber>\n</vehicles>\n")
        let results = try inbox.ingest()
        let good = try #require(results.first { $0.0.file.name == "vehicle-a.xml" })
        #expect(good.0.accepted == 1)
        #expect(good.0.quarantine.map(\.location) == [.record(2)])
        #expect(good.0.quarantine.map(\.field) == ["vehicle_type"])
        let bad = try #require(results.first { $0.0.file.name == "vehicle-b.xml" })
        #expect(bad.0.rejection?.code == .xmlMalformed)
        #expect(bad.0.rejection?.message.contains("line 4") == true)
    }

    @Test("A gzipped CSV and XML file cut at many offsets is rejected with a message, never half-accepted")
    func truncatedEverywhere() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        var csv = Fixture.bankHeader
        var xml = "<?xml version=\"1.0\"?>\n<accounts>\n"
        for i in 0..<200 {
            csv += "\(a),张三,102,62220000\(10_000 + i),demand,\(i).50,,2024-05-01\n"
            xml +=
                "<account><idNumber>\(a)</idNumber><name>张三</name><bankCode>102</bankCode><accountNo>62220000\(10_000 + i)</accountNo><accountType>demand</accountType><balance>\(i).50</balance><asOf>2024-05-01</asOf></account>\n"
        }
        xml += "</accounts>\n"
        for (name, text) in [("bank-t.csv.gz", csv), ("bank-t.xml.gz", xml)] {
            let compressed = try gzip(Array(text.utf8))
            for cut in stride(from: 0, to: compressed.count, by: max(1, compressed.count / 60)) {
                try inbox.write(name, Array(compressed[0..<cut]))
                let (report, sink) = try inbox.ingest(name)
                #expect(sink == nil, "\(name) cut at \(cut) was accepted")
                #expect(report.rejection != nil)
                #expect(!(report.rejection?.message.isEmpty ?? true))
            }
            try FileManager.default.removeItem(atPath: inbox.path + "/" + name)
        }
    }

    @Test("XML: a gzip error inside or after the document rejects the file with that error, not as XML; the SHA-256 is of the bytes read")
    func xmlGzipErrors() throws {
        let inbox = try TestInbox()
        defer { inbox.remove() }
        var xml = "<?xml version=\"1.0\"?>\n<accounts>\n"
        for i in 0..<400 {
            xml +=
                "<account><idNumber>\(a)</idNumber><name>张三</name><bankCode>102</bankCode><accountNo>62220000\(10_000 + i)</accountNo><accountType>demand</accountType><balance>\((i * 7919) % 100_000).50</balance><asOf>2024-05-01</asOf></account>\n"
        }
        xml += "</accounts>\n"
        let content = Array(xml.utf8)
        let half = content.count / 2
        let whole = try gzip(content)
        let first = try gzip(Array(content[0..<half]))
        let second = try gzip(Array(content[half...]))
        // Many content chunks and several reads of the file at the smaller chunk sizes.
        #expect(content.count > 16 * 4096 && whole.count > 2 * 1024)
        let cases: [(String, [UInt8], QuarantineCode?)] = [
            ("good", whole, nil),
            ("members", first + second, nil),
            ("cut-late", Array(whole.dropLast(3)), .gzipTruncated),
            ("cut-mid", Array(whole.prefix(whole.count / 2)), .gzipTruncated),
            ("cut-second", first + second.prefix(second.count / 2), .gzipTruncated),
            ("junk-after", whole + Array("junk".utf8), .gzipCorrupt),
            ("junk-between", first + [0, 0, 0, 0] + second, .gzipCorrupt),
            (
                "crc-second", first + second.enumerated().map { $0.offset == second.count - 6 ? $0.element ^ 0xFF : $0.element },
                .gzipCorrupt
            ),
            ("plain", content, .notGzip),
        ]
        for (name, bytes, code) in cases {
            let path = try inbox.write("bank-\(name).xml.gz", bytes)
            for chunkSize in [1024, 4096, 256 * 1024] {
                // The error ByteSource itself gives for the file, and the bytes it read until then.
                var expected: DecompressionError?
                var raw: [UInt8] = []
                do {
                    try ByteSource(path: path, compressed: true, chunkSize: chunkSize).forEachChunk(raw: { raw += $0 }) { _ in }
                } catch let error as DecompressionError {
                    expected = error
                }
                #expect(expected.map { QuarantineCode(rawValue: $0.code.rawValue) } == code, "\(name)")
                let file = try #require(try Inbox(directory: inbox.path).files.first { $0.name == "bank-\(name).xml.gz" })
                let (report, sink) = FileIngestor(chunkSize: chunkSize).ingest(file) { CollectingSink() }
                #expect(report.rejection?.code == code, "\(name), chunk \(chunkSize): \(String(describing: report.rejection))")
                #expect(report.rejection?.message == expected?.message, "\(name), chunk \(chunkSize)")
                #expect(report.sha256 == sha256Hex(raw), "\(name), chunk \(chunkSize)")
                if code == nil || code == .gzipTruncated { #expect(raw == bytes, "\(name)") }
                if code == nil {
                    #expect(report.recordsRead == 400 && sink != nil && report.contentBytes == content.count)
                } else {
                    #expect(sink == nil)
                }
            }
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test("Files are classified by name; unmatched names are ignored, never guessed")
    func classification() {
        #expect(Inbox.classify("bank-icbc.csv.gz")?.0 == .bank)
        #expect(Inbox.classify("roster-2024.xml")?.0 == .roster)
        #expect(Inbox.classify("inspectors.csv")?.0 == .inspectors)
        #expect(Inbox.classify("inspectors-2.csv") == nil)
        #expect(Inbox.classify("readme.txt") == nil)
        #expect(Inbox.classify("banks.txt.gz") == nil)
        #expect(Inbox.classify("property.xml.gz")?.2 == true)
        #expect(Inbox.classify("mybank.csv") == nil)
    }

    @Test("The built-in layouts are exactly the files of Schemas/")
    func builtinSchemasMatchRepository() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try LayoutCatalog.load(directory: root.path + "/Schemas")
        for kind in SourceKind.allCases {
            #expect(onDisk[kind].fields.map(\.name) == LayoutCatalog.builtin[kind].fields.map(\.name))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path + "/Schemas").filter { $0.hasSuffix(".json") }
        for name in names {
            let text = try String(contentsOfFile: root.path + "/Schemas/" + name, encoding: .utf8)
            #expect(BuiltinSchemas.json[name] == text.trimmingCharacters(in: .newlines), "\(name): run scripts/gen-layouts")
        }
    }
}

/// Runs `command` with `bytes` on standard input and returns its standard output.
func pipe(_ bytes: [UInt8], through command: String, _ arguments: [String]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command)
    process.arguments = arguments
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}

func convert(_ utf8: [UInt8], to encoding: String) throws -> [UInt8] {
    try pipe(utf8, through: "/usr/bin/iconv", ["-f", "UTF-8", "-t", encoding])
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try? process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
