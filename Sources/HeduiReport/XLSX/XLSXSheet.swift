/// A worksheet to write: a header row and typed cells (the reports' side; no C here).
struct XLSXSheet: Sendable {
    enum Cell: Sendable, Equatable {
        case text(String)
        /// An amount in fen, written as a number of yuan with 2 decimals (`#,##0.00`).
        case yuan(Int64)
        /// Hundredths (an area in m²), written as a number with 2 decimals.
        case hundredths(Int64)
        case integer(Int64)
        case empty
    }

    var name: String
    /// A title line above the header (e.g. the public notice's heading); nil for a plain table.
    var title: String?
    var header: [String]
    var rows: [[Cell]]
    /// Lines below the table (notes).
    var footer: [String] = []
    var freezeHeader = true
    var autofilter = true
    var landscape = true

    /// Column widths in Excel's character units: the widest cell (CJK characters count 2), 6...48.
    var columnWidths: [Double] {
        header.indices.map { column in
            var widest = Self.displayWidth(header[column])
            for row in rows where column < row.count {
                let text: String
                switch row[column] {
                case .text(let t): text = t
                case .yuan(let f): text = Formatting.yuan(f)
                case .hundredths(let h): text = Formatting.yuan(h)
                case .integer(let i): text = String(i)
                case .empty: text = ""
                }
                widest = max(widest, Self.displayWidth(text))
            }
            return Double(min(48, max(6, widest + 2)))
        }
    }

    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) }
    }
}
