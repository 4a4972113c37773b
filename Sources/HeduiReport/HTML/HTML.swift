/// Building blocks of the HTML reports: escaping, the page shell with its inline CSS (A4 print), tables.
enum HTML {
    /// Escapes text for element content and attribute values (`<`, `>`, `&`, `"`, `'`).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A complete, self-contained page: inline CSS only, no script, no external asset.
    static func page(title: String, language: ReportLanguage, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language == .zh ? "zh-CN" : "en")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A table: header cells and rows of already-escaped HTML cells; `numeric` columns are right-aligned.
    static func table(header: [String], rows: [[String]], numeric: Set<Int> = [], cssClass: String = "") -> String {
        var out = "<table\(cssClass.isEmpty ? "" : " class=\"\(cssClass)\"")><thead><tr>"
        for (i, h) in header.enumerated() { out += "<th\(numeric.contains(i) ? " class=\"num\"" : "")>\(escape(h))</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() { out += "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(cell)</td>" }
            out += "</tr>"
        }
        return out + "</tbody></table>"
    }

    static let css = """
        @page { size: A4; margin: 14mm 12mm; }
        * { box-sizing: border-box; }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
               font-size: 10.5pt; color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 8mm 0; line-height: 1.45; }
        h1 { font-size: 17pt; margin: 0 0 2mm; }
        h2 { font-size: 12.5pt; margin: 5mm 0 2mm; border-bottom: 1.5px solid #345; padding-bottom: 1mm; color: #234; }
        h3 { font-size: 11pt; margin: 3mm 0 1mm; }
        .meta { color: #444; font-size: 9.5pt; margin-bottom: 3mm; }
        table { border-collapse: collapse; width: 100%; margin: 1.5mm 0 3mm; font-size: 9.5pt; }
        th, td { border: 1px solid #9aa5b1; padding: 1.2mm 1.8mm; text-align: left; vertical-align: top; }
        th { background: #e4e9f0; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.kv th { width: 28%; }
        .unit { page-break-after: always; break-after: page; }
        .unit:last-child { page-break-after: auto; break-after: auto; }
        .conclusion { border: 2px solid #345; padding: 2mm 3mm; margin: 2mm 0; background: #f5f7fa; }
        .flag { display: inline-block; padding: 0.3mm 2mm; border-radius: 1mm; color: #fff; font-weight: 600; }
        .flag-exit_recommended { background: #b3261e; }
        .flag-reject_recommended { background: #c0561a; }
        .flag-review { background: #8a6d00; }
        .flag-level_change { background: #2e5d8a; }
        .reason { border-left: 4px solid #345; padding: 0.5mm 0 0.5mm 3mm; margin: 3mm 0; break-inside: avoid-page; }
        .reason.disqualifying { border-color: #b3261e; }
        .reason.level { border-color: #2e5d8a; }
        .reason.review { border-color: #8a6d00; }
        .reason.informational { border-color: #888; }
        .code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; color: #666; }
        .cmp { font-size: 11pt; margin: 1mm 0; }
        .cmp .op { font-weight: 700; padding: 0 1.5mm; }
        .cmp-total { font-size: 9pt; color: #555; }
        .probable { background: #fff7e0; }
        mark { background: #ffd24d; color: #000; padding: 0 0.3mm; font-weight: 700; }
        .note { color: #333; }
        .muted { color: #777; }
        .warning { border: 1.5px solid #b3261e; padding: 2mm 3mm; color: #b3261e; }
        .charts { display: flex; flex-wrap: wrap; gap: 4mm; }
        .chart { break-inside: avoid-page; }
        footer { color: #888; font-size: 8pt; margin-top: 4mm; }
        @media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
        """
}
