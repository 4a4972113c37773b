/// RFC 4180 CSV, as the run writes it (UTF-8, `"` quoting, LF) and as the reports write it (with a BOM).
enum CSVTable {
    /// Parses CSV text into rows of fields. Quoted fields may hold commas, quotes (`""`) and line breaks.
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        if pending == "\u{FEFF}" { pending = iterator.next() }
        while let scalar = pending {
            pending = iterator.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" { field.unicodeScalars.append("\""); pending = iterator.next() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else {
                switch scalar {
                case "\"": quoted = true
                case ",": row.append(field); field = ""
                case "\r": continue
                case "\n":
                    row.append(field); field = ""
                    rows.append(row); row = []
                default: field.unicodeScalars.append(scalar)
                }
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// Parses CSV with a header line into dictionaries keyed by header name.
    static func records(_ text: String) -> [[String: String]] {
        let rows = parse(text)
        guard let header = rows.first else { return [] }
        return rows.dropFirst().filter { $0 != [""] }.map { row in
            var record: [String: String] = [:]
            for (index, name) in header.enumerated() { record[name] = index < row.count ? row[index] : "" }
            return record
        }
    }

    /// Writes rows as CSV with a UTF-8 BOM (so that Excel reads it as UTF-8), CRLF line ends (Excel's own).
    static func render(_ rows: [[String]]) -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        for row in rows {
            out.append(contentsOf: row.map(quote).joined(separator: ",").utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return out
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
