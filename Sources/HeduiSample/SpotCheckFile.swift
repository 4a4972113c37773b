import HeduiModel

extension SpotCheck {
    /// The columns of `spotcheck.csv` (outputs.md).
    public static let header = ["unit_id", "region_code", "status", "stratum", "weight", "inspector_id", "note"]

    /// `spotcheck.csv`: UTF-8, RFC 4180 quoting (only fields holding `,` `"` CR or LF are quoted),
    /// LF line ends, header first, rows sorted by unit_id (UTF-8 bytes).
    public static func render(_ rows: [SpotCheckRow]) -> [UInt8] {
        var out: [UInt8] = []
        appendRecord(header, to: &out)
        for row in sortedRows(rows) { appendRecord(fields(row), to: &out) }
        return out
    }

    /// Re-derives the sample from the same inputs and seed and compares it with a published `spotcheck.csv`.
    ///
    /// - Returns: `.identical` when the published bytes are the re-derived file's; otherwise the first
    ///   difference, naming the line and column (ID numbers inside unit ids masked).
    public static func verify(
        published: [UInt8], units: [SamplingUnit], inspectors: [InspectorInfo], seed: String,
        parameters: (RegionCode) -> SamplingParameters
    ) -> VerificationResult {
        let rows = draw(units: units, inspectors: inspectors, seed: seed, parameters: parameters)
        let expected = render(rows)
        if expected == published { return .identical(rows: rows.count) }

        let want = [header] + sortedRows(rows).map(fields)
        guard let have = parseCSV(published) else {
            return .different(line: 0, message: "spotcheck.csv: not well-formed CSV (an unclosed quote)")
        }
        for index in 0..<max(want.count, have.count) {
            let line = have.indices.contains(index) ? have[index].line : (have.last.map { $0.line + 1 } ?? 1)
            guard index < have.count else {
                return .different(
                    line: line,
                    message: "spotcheck.csv: ends after \(max(0, have.count - 1)) rows; "
                        + "the re-derived sample has \(want.count - 1) (next: unit \(maskedUnitID(want[index][0])))")
            }
            guard index < want.count else {
                return .different(
                    line: line,
                    message: "spotcheck.csv line \(line): unit \(maskedUnitID(have[index].fields.first ?? "")) "
                        + "is not in the re-derived sample (\(want.count - 1) rows)")
            }
            let a = have[index].fields, b = want[index]
            if a == b { continue }
            if index == 0 {
                return .different(
                    line: line, message: "spotcheck.csv line 1: header is \(a.joined(separator: ",")), expected \(b.joined(separator: ","))"
                )
            }
            if a.count != b.count {
                return .different(line: line, message: "spotcheck.csv line \(line): \(a.count) fields, expected \(b.count)")
            }
            let column = a.indices.first { a[$0] != b[$0] }!
            let unit = maskedUnitID(b[0])
            let shownA = column == 0 ? maskedUnitID(a[0]) : a[column]
            let shownB = column == 0 ? unit : b[column]
            return .different(
                line: line,
                message: "spotcheck.csv line \(line) (unit \(unit)): \(header[column]) is "
                    + "\"\(shownA)\", re-derived \"\(shownB)\"")
        }
        let common = min(expected.count, published.count)
        let offset = (0..<common).first { expected[$0] != published[$0] } ?? common
        return .different(
            line: 0,
            message: "spotcheck.csv: same rows, but the bytes differ from the canonical form at byte \(offset) "
                + "(quoting, line ends or a byte-order mark)")
    }

    /// A unit id with the ID number of a separate unit masked (`HH001/330902********1234`), for messages.
    public static func maskedUnitID(_ unitID: String) -> String {
        guard let slash = unitID.firstIndex(of: "/") else { return unitID }
        let id = Array(unitID[unitID.index(after: slash)...])
        guard id.count > 10 else { return unitID }
        return String(unitID[...slash]) + String(id.prefix(6)) + String(repeating: "*", count: id.count - 10) + String(id.suffix(4))
    }

    // MARK: - CSV

    /// By unit_id bytes; rows with equal ids keep their order (explicitly stable).
    static func sortedRows(_ rows: [SpotCheckRow]) -> [SpotCheckRow] {
        rows.indices.sorted { i, j in
            if !utf8Equal(rows[i].unitID, rows[j].unitID) { return utf8Less(rows[i].unitID, rows[j].unitID) }
            return i < j
        }.map { rows[$0] }
    }

    static func fields(_ row: SpotCheckRow) -> [String] {
        [row.unitID, row.regionCode.description, row.status, row.stratum, String(row.weight), row.inspectorID ?? "", row.note]
    }

    static func appendRecord(_ fields: [String], to out: inout [UInt8]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let bytes = Array(field.utf8)
            if bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                out.append(0x22)
                for b in bytes {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            } else {
                out += bytes
            }
        }
        out.append(0x0A)
    }

    /// RFC 4180 records with the physical line each starts on; LF or CRLF; nil for an unclosed quote.
    static func parseCSV(_ bytes: [UInt8]) -> [(line: Int, fields: [String])]? {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, start = 1
        var i = 0
        var inQuotes = false
        var atRecordStart = true
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field = [] }
        while i < bytes.count {
            let b = bytes[i]
            if atRecordStart { start = line; atRecordStart = false }
            if inQuotes {
                if b == 0x22 {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 1 } else { inQuotes = false }
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
            } else if b == 0x22 && field.isEmpty {
                inQuotes = true
            } else if b == 0x2C {
                endField()
            } else if b == 0x0A || b == 0x0D {
                if b == 0x0D, i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                endField()
                records.append((start, fields))
                fields = []
                line += 1
                atRecordStart = true
            } else {
                field.append(b)
            }
            i += 1
        }
        if inQuotes { return nil }
        if !atRecordStart { endField(); records.append((start, fields)) }
        return records
    }
}
