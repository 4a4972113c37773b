import Foundation
import HeduiModel
import Testing

@testable import HeduiIngest

/// The compact path (`RecordDecoder.decodeCompact`, what `hedui run` uses) must accept exactly
/// the records the reference path (`decode` → `ExchangeRecord`) accepts, with the same values.
@Suite("Compact records: the String-free ingest path agrees with the reference path")
struct CompactRecordTests {
    /// Takes accepted records as compact bytes; refused ones arrive through `accept`.
    struct CompactSink: RecordSink {
        var records: [(bytes: [UInt8], origin: RecordOrigin, foreign: Bool)] = []
        var refused: [DecodedRecord] = []
        static var takesCompactRecords: Bool { true }
        mutating func accept(_ record: DecodedRecord) { refused.append(record) }
        mutating func acceptCompact(_ record: CompactRecordView) {
            records.append((Array(record.bytes), record.origin, record.isForeignCurrency))
        }
    }

    static func bothPaths(_ inbox: Inbox) -> [(FileIngestReport, CollectingSink?, FileIngestReport, CompactSink?)] {
        let ingestor = FileIngestor()
        return inbox.files.filter { SourceKind.verificationSources.contains($0.kind) }.map { file in
            let (r1, s1) = ingestor.ingest(file) { CollectingSink() }
            let (r2, s2) = ingestor.ingest(file) { CompactSink() }
            return (r1, s1, r2, s2)
        }
    }

    static func check(_ results: [(FileIngestReport, CollectingSink?, FileIngestReport, CompactSink?)]) throws {
        for (reference, collected, compact, sink) in results {
            let name = reference.file.name
            #expect(reference.recordsRead == compact.recordsRead, "\(name)")
            #expect(reference.accepted == compact.accepted, "\(name)")
            #expect(reference.quarantine.map(\.location) == compact.quarantine.map(\.location), "\(name)")
            #expect(reference.quarantine.map(\.code) == compact.quarantine.map(\.code), "\(name)")
            let expected = try #require(collected).exchange
            let got = try #require(sink).records
            #expect(expected.count == got.count, "\(name)")
            var writer = CompactRecordWriter()
            for (record, (bytes, origin, foreign)) in zip(expected, got) {
                CompactRecord.encode(record, into: &writer)
                #expect(writer.bytes == bytes, "\(name) \(record.origin.position)")
                #expect(record.origin == origin)
                let isForeign = if case .bank(let b) = record.facts { b.currency != "CNY" } else { false }
                #expect(isForeign == foreign)
                let decoded = bytes.withUnsafeBytes { CompactRecord.decode($0, origin: origin) }
                #expect(decoded.holder == record.holder && decoded.holderName == record.holderName && decoded.facts == record.facts)
            }
        }
    }

    @Test("Every source file of SampleData: same counts, same quarantine, byte-equal records")
    func sampleData() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SampleData/inbox").standardized
            .path
        let results = Self.bothPaths(try Inbox(directory: root))
        #expect(results.count == 7)  // bank ×3, tax ×2, vehicle, property
        try Self.check(results)
    }

    @Test("Messy values: full-width digits, spaces, name forms, currencies, empty optional fields, long text")
    func messyValues() throws {
        let a = Fixture.alice
        let fullWidthA = String(
            a.unicodeScalars.map { $0.value >= 0x30 && $0.value <= 0x39 ? Character(UnicodeScalar($0.value + 0xFEE0)!) : Character($0) })
        let inbox = try TestInbox()
        defer { inbox.remove() }
        try inbox.write(
            "bank-messy.csv",
            Fixture.bankHeader
                + "\(a),张三,102,6222000000001234,demand,100.00,,2024-05-01\n"
                + "\(fullWidthA), 张　三 ,１０２, 6222000000001235 ,DEMAND,\"1,234.50\",usd,20240501\n"
                + "\(a.lowercased()),阿卜杜•热合曼,102,6222000000001236,time,-5.00,cny,2024年5月1日\n"
                + "\(a),,102,6222000000001237,time,5.00,,2024-05-01\n"
                + "330902198001011230,张三,102,6222000000001238,time,5.00,,2024-05-01\n"
                + "\(a),张三,102,6222000000001239,time,5.00,EU,2024-05-01\n")
        let longAddress = String(repeating: "浙江省舟山市定海区", count: 12)
        try inbox.write(
            "property-messy.csv",
            "id_number,name,cert_no,property_type,floor_area,share,registered_on,status,address\n"
                + "\(a),张三,C1,residential,80.5,,2020-01-01,valid,\n"
                + "\(a),张三,C2,residential,80.5,0.5,2020-01-01,valid,\"\(longAddress)\"\n"
                + "\(a),张三,C3,shop,80.5,0.5,2020-01-01,valid,\n")
        try inbox.write(
            "tax-messy.csv",
            "id_number,name,period,income_type,gross_income,tax_paid,social_contrib,withholder\n"
                + "\(a),张三,2024-03,wage,5000.00,,,\n"
                + "\(a),张三,202403,wage,5000.00,12.5,300,某某有限公司\n")
        try inbox.write(
            "vehicle-messy.csv",
            "id_number,name,plate,vehicle_type,registered_on,assessed_value,status\n"
                + "\(a),张三,浙L12345,car,2019-01-01,,normal\n"
                + "\(a),张三,浙L12346,car,2019-01-01,50000,scrapped\n")
        let results = Self.bothPaths(try Inbox(directory: inbox.path))
        #expect(results.count == 4)
        try Self.check(results)
        let bank = try #require(results.first { $0.0.file.name == "bank-messy.csv" })
        #expect(bank.0.accepted == 3)
        #expect(bank.3?.records.map(\.foreign) == [false, true, false])
    }

    @Test("Encode and decode: every source, optional values, a checksum-failed holder, text over 255 bytes")
    func roundTrip() throws {
        let id = IDNumber(body: 33090219800101123)
        let long = String(repeating: "地址", count: 100)
        let records: [ExchangeRecord] = [
            ExchangeRecord(
                holder: .valid(id), holderName: "张三",
                facts: .bank(
                    BankBalance(
                        bankCode: "102", accountNumber: "6222000000001234", accountType: .time, balance: Fen(-5), currency: "USD",
                        asOf: Day(year: 2024, month: 5, day: 1)!)), origin: RecordOrigin(file: 1, position: 2)),
            ExchangeRecord(
                holder: .checksumFailed(ChecksumFailedID(digits: [3, 3, 0, 9, 0, 2, 1, 9, 8, 0, 0, 1, 0, 1, 1, 2, 3, 10])),
                holderName: "",
                facts: .tax(
                    TaxIncome(
                        period: Month(year: 2024, month: 3)!, incomeType: .pension, grossIncome: Fen(500_000), taxPaid: .zero,
                        socialContribution: Fen(1), withholder: long)), origin: RecordOrigin(file: 3, position: 4)),
            ExchangeRecord(
                holder: .valid(id), holderName: "阿卜杜·热合曼",
                facts: .vehicle(
                    VehicleRegistration(
                        plate: "浙L12345", vehicleType: .agricultural, registeredOn: Day(year: 2019, month: 1, day: 1)!, assessedValue: nil,
                        status: .seized)), origin: RecordOrigin(file: 0, position: 9)),
            ExchangeRecord(
                holder: .valid(id), holderName: "李四",
                facts: .property(
                    PropertyRegistration(
                        certificateNumber: "浙(2023)定海区不动产权第0012345号", propertyType: .other, floorArea: 8050, share: 3333,
                        registeredOn: Day(year: 2020, month: 1, day: 1)!, status: .cancelled, address: long)),
                origin: RecordOrigin(file: 5, position: 6)),
        ]
        var writer = CompactRecordWriter()
        for record in records {
            CompactRecord.encode(record, into: &writer)
            let bytes = writer.bytes
            let decoded = bytes.withUnsafeBytes { CompactRecord.decode($0, origin: record.origin) }
            #expect(decoded.holder == record.holder)
            #expect(decoded.holderName == record.holderName)
            #expect(decoded.facts == record.facts)
            #expect(decoded.origin == record.origin)
            bytes.withUnsafeBytes { raw in
                #expect(String(decoding: CompactRecord.holderName(raw), as: UTF8.self) == record.holderName)
                if case .valid(let v) = record.holder {
                    #expect(CompactRecord.validHolderBody(raw) == v.body)
                } else {
                    #expect(CompactRecord.validHolderBody(raw) == nil)
                }
            }
        }
    }
}
