import CXLSXWriter

/// Every call into libxlsxwriter (one small file per C library, STYLE.md). Writes `XLSXSheet`s to a file.
enum XLSXLibrary {
    /// The library's version (e.g. "1.1.4").
    static var version: String { String(cString: hedui_xlsx_version()) }

    /// Writes a workbook with the given sheets to `path`.
    ///
    /// - Throws: `ReportError(.xlsx)` with libxlsxwriter's message (never cell contents).
    static func write(_ sheets: [XLSXSheet], to path: String) throws {
        let workbook = try Workbook(path: path)
        for sheet in sheets { try workbook.add(sheet) }
        try workbook.close()
    }

    /// Owns an `lxw_workbook`; `close()` writes and frees it, `deinit` frees it if `close()` was not reached.
    private final class Workbook {
        private var handle: UnsafeMutablePointer<lxw_workbook>?
        private let header: UnsafeMutablePointer<lxw_format>
        private let title: UnsafeMutablePointer<lxw_format>
        private let text: UnsafeMutablePointer<lxw_format>
        private let yuan: UnsafeMutablePointer<lxw_format>
        private let integer: UnsafeMutablePointer<lxw_format>

        init(path: String) throws {
            guard let handle = workbook_new(path) else {
                throw ReportError(.xlsx, "cannot create the workbook \(path.split(separator: "/").last ?? "")")
            }
            self.handle = handle
            guard let header = workbook_add_format(handle), let title = workbook_add_format(handle),
                let text = workbook_add_format(handle), let yuan = workbook_add_format(handle),
                let integer = workbook_add_format(handle)
            else { throw ReportError(.xlsx, "cannot add a cell format") }
            format_set_bold(header)
            format_set_bg_color(header, 0xDDE4EE)
            format_set_border(header, UInt8(LXW_BORDER_THIN.rawValue))
            format_set_text_wrap(header)
            format_set_align(header, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue))
            format_set_bold(title)
            format_set_font_size(title, 14)
            format_set_align(text, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            format_set_num_format(yuan, "#,##0.00")
            format_set_align(yuan, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            format_set_num_format(integer, "0")
            format_set_align(integer, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
            self.header = header
            self.title = title
            self.text = text
            self.yuan = yuan
            self.integer = integer
        }

        func add(_ sheet: XLSXSheet) throws {
            guard let handle, let ws = workbook_add_worksheet(handle, String(sheet.name.prefix(31))) else {
                throw ReportError(.xlsx, "cannot add a worksheet")
            }
            var row: UInt32 = 0
            if let heading = sheet.title {
                try check(worksheet_write_string(ws, row, 0, heading, title))
                row += 2
            }
            let headerRow = row
            for (column, name) in sheet.header.enumerated() {
                try check(worksheet_write_string(ws, row, UInt16(column), name, header))
            }
            row += 1
            for cells in sheet.rows {
                for (column, cell) in cells.enumerated() {
                    let c = UInt16(column)
                    switch cell {
                    case .text(let value): try check(worksheet_write_string(ws, row, c, value, text))
                    case .yuan(let fen): try check(worksheet_write_number(ws, row, c, Double(fen) / 100, yuan))
                    case .hundredths(let h): try check(worksheet_write_number(ws, row, c, Double(h) / 100, yuan))
                    case .integer(let i): try check(worksheet_write_number(ws, row, c, Double(i), integer))
                    case .empty: try check(worksheet_write_blank(ws, row, c, text))
                    }
                }
                row += 1
            }
            let lastRow = max(headerRow, row - 1)
            row += 1
            for line in sheet.footer {
                try check(worksheet_write_string(ws, row, 0, line, nil))
                row += 1
            }
            for (column, width) in sheet.columnWidths.enumerated() {
                try check(worksheet_set_column(ws, UInt16(column), UInt16(column), width, nil))
            }
            try check(worksheet_set_row(ws, headerRow, 30, nil))
            if sheet.freezeHeader { worksheet_freeze_panes(ws, headerRow + 1, 0) }
            if sheet.autofilter, !sheet.header.isEmpty {
                try check(worksheet_autofilter(ws, headerRow, 0, lastRow, UInt16(sheet.header.count - 1)))
            }
            // Print: A4, landscape for wide lists, the header row on every page, fit to the page width.
            worksheet_set_paper(ws, 9)
            if sheet.landscape { worksheet_set_landscape(ws) }
            try check(worksheet_repeat_rows(ws, headerRow, headerRow))
            worksheet_fit_to_pages(ws, 1, 0)
        }

        func close() throws {
            guard let handle else { return }
            self.handle = nil
            try check(workbook_close(handle))
        }

        deinit {
            // Not closed (an error on the way): free without writing is not offered by the C API; closing
            // writes the partial file into the staging folder, which the caller discards.
            if let handle { workbook_close(handle) }
        }

        private func check(_ error: lxw_error) throws {
            guard error != LXW_NO_ERROR else { return }
            throw ReportError(.xlsx, String(cString: lxw_strerror(error)))
        }
    }
}
