import Foundation

/// Reads a filled worksheet back: a CSV file (UTF-8, with or without a BOM) or the XLSX worksheet
/// (`<inspector>.xlsx` as `hedui report` wrote it, edited in Excel, WPS or LibreOffice).
///
/// The result is the header row and the data rows, each with its line (CSV: the physical line it starts
/// on; XLSX: the spreadsheet row number), so that messages can point a person at the row. The header
/// is the first row whose cells include `unit_id` (an XLSX worksheet has a title row above it).
///
/// XLSX is read minimally: `unzip -p` (Debian's `unzip`) extracts `xl/sharedStrings.xml` and the first
/// worksheet `xl/worksheets/sheet1.xml`; cells are shared strings (`t="s"`), inline strings
/// (`t="inlineStr"`), or plain values (numbers: a date typed into a cell is a day serial, which the
/// importer converts). Formulas' cached values are read as values.
public enum WorksheetTable {
    public struct Row: Sendable, Equatable {
        /// CSV: the line the record starts on; XLSX: the row number.
        public var line: Int
        public var cells: [String]
    }

    public struct Table: Sendable, Equatable {
        public var header: [String]
        public var rows: [Row]

        /// The cell of `column` (a header name) in `row`, trimmed; "" when the row is shorter.
        public func value(_ row: Row, _ column: String) -> String {
            guard let i = header.firstIndex(of: column), i < row.cells.count else { return "" }
            return row.cells[i].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// Reads `path`: XLSX when the file starts with a zip signature (`PK`), CSV otherwise.
    public static func read(path: String) throws -> Table {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(message: "\(path): cannot be read")
        }
        let bytes = Array(data)
        let rows: [Row]
        if bytes.starts(with: [0x50, 0x4B]) {
            rows = try xlsxRows(path: path)
        } else {
            guard
                let text = String(
                    validating: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes,
                    as: UTF8.self)
            else {
                throw ReadError(message: "\(path): not UTF-8 text (save the CSV as UTF-8)")
            }
            rows = csvRows(text)
        }
        guard let headerIndex = rows.firstIndex(where: { $0.cells.contains { $0.trimmingCharacters(in: .whitespaces) == "unit_id" } })
        else {
            throw ReadError(message: "\(path): no header row with a unit_id column")
        }
        let header = rows[headerIndex].cells.map { $0.trimmingCharacters(in: .whitespaces) }
        return Table(header: header, rows: Array(rows[(headerIndex + 1)...]))
    }

    // MARK: - CSV

    /// RFC 4180 records (LF or CRLF), each with the physical line it starts on.
    static func csvRows(_ text: String) -> [Row] {
        var rows: [Row] = []
        var cells: [String] = []
        var field = ""
        var quoted = false
        var line = 1, start = 1
        var atStart = true
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if atStart { start = line; atStart = false }
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                cells.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                cells.append(field); field = ""
                rows.append(Row(line: start, cells: cells))
                cells = []
                line += 1
                atStart = true
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if !atStart { cells.append(field); rows.append(Row(line: start, cells: cells)) }
        return rows
    }

    // MARK: - XLSX

    static func xlsxRows(path: String) throws -> [Row] {
        let shared = try unzip(path, entry: "xl/sharedStrings.xml", required: false).map(sharedStrings) ?? []
        guard let sheet = try unzip(path, entry: "xl/worksheets/sheet1.xml", required: true) else { return [] }
        return sheetRows(sheet, shared: shared)
    }

    /// The text of one zip entry, or nil when the entry is absent and not required.
    static func unzip(_ path: String, entry: String, required: Bool) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        process.arguments = ["-p", path, entry]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ReadError(message: "\(path): cannot run /usr/bin/unzip to read the XLSX file (apt-get install unzip)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !data.isEmpty else {
            if required { throw ReadError(message: "\(path): not an XLSX workbook (no \(entry))") }
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `<si>` items: the concatenated text of their `<t>` elements (rich-text runs included).
    static func sharedStrings(_ xml: String) -> [String] {
        elements(xml, "si").map { item in elements(item, "t").map(unescape).joined() }
    }

    static func sheetRows(_ xml: String, shared: [String]) -> [Row] {
        var rows: [Row] = []
        for (attributes, body) in elementsWithAttributes(xml, "row") {
            let number = attribute(attributes, "r").flatMap { Int($0) } ?? (rows.last.map { $0.line + 1 } ?? 1)
            var cells: [String] = []
            for (cellAttributes, cellBody) in elementsWithAttributes(body, "c") {
                let column = attribute(cellAttributes, "r").map(columnIndex) ?? cells.count
                let type = attribute(cellAttributes, "t") ?? ""
                var value: String
                switch type {
                case "s":
                    let index = elements(cellBody, "v").first.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? -1
                    value = shared.indices.contains(index) ? shared[index] : ""
                case "inlineStr":
                    value = elements(cellBody, "t").map(unescape).joined()
                default:
                    value = elements(cellBody, "v").first.map(unescape) ?? ""
                }
                if value.isEmpty && cellBody.isEmpty { value = "" }
                while cells.count < column { cells.append("") }
                if column < cells.count { cells[column] = value } else { cells.append(value) }
            }
            rows.append(Row(line: number, cells: cells))
        }
        return rows
    }

    /// `B12` → 1 (0-based column of the letters).
    static func columnIndex(_ reference: String) -> Int {
        var n = 0
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            n = n * 26 + Int(scalar.value - 64)
        }
        return max(0, n - 1)
    }

    /// The bodies of the elements `<name …>body</name>` (self-closing ones give ""), in order, not nested.
    static func elements(_ xml: String, _ name: String) -> [String] { elementsWithAttributes(xml, name).map(\.1) }

    static func elementsWithAttributes(_ xml: String, _ name: String) -> [(String, String)] {
        var out: [(String, String)] = []
        var rest = xml[...]
        let open = "<\(name)", close = "</\(name)>"
        while let start = rest.range(of: open) {
            let afterName = rest[start.upperBound...]
            // `<c` must not match `<cols`: the next character ends the name.
            guard let next = afterName.first else { break }
            if !(next == ">" || next == "/" || next == " " || next == "\t" || next == "\n" || next == "\r") {
                rest = afterName
                continue
            }
            guard let tagEnd = afterName.firstIndex(of: ">") else { break }
            let attributes = String(afterName[..<tagEnd])
            if attributes.hasSuffix("/") {
                out.append((String(attributes.dropLast()), ""))
                rest = afterName[afterName.index(after: tagEnd)...]
                continue
            }
            let bodyStart = afterName.index(after: tagEnd)
            guard let end = afterName[bodyStart...].range(of: close) else { break }
            out.append((attributes, String(afterName[bodyStart..<end.lowerBound])))
            rest = afterName[end.upperBound...]
        }
        return out
    }

    /// The value of `name="…"` in a tag's attribute text.
    static func attribute(_ attributes: String, _ name: String) -> String? {
        for quote in ["\"", "'"] {
            var rest = attributes[...]
            while let r = rest.range(of: "\(name)=\(quote)") {
                let before = r.lowerBound == attributes.startIndex ? " " : attributes[attributes.index(before: r.lowerBound)]
                let valueStart = r.upperBound
                guard let end = attributes[valueStart...].firstIndex(of: Character(quote)) else { return nil }
                if before == " " || before == "\t" || before == "\n" { return unescape(String(attributes[valueStart..<end])) }
                rest = attributes[end...]
            }
        }
        return nil
    }

    /// XML entities: the five named ones and numeric `&#N;` / `&#xH;`.
    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            var replacement: String?
            switch entity {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let replacement {
                out += replacement
                rest = rest[rest.index(after: semi)...]
            } else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        return out + rest
    }
}
