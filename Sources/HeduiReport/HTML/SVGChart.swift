/// Inline SVG bar charts (no script, no external asset: verification centers run offline).
enum SVGChart {
    struct Series { var name: String; var color: String }

    /// Horizontal stacked bars: one bar per row, one segment per series, with a legend and the totals.
    static func stackedBars(
        title: String, rows: [(label: String, values: [Int])], series: [Series],
        width: Int = 680
    ) -> String {
        let labelWidth = 150, barHeight = 20, gap = 8, top = series.count > 1 ? 30 : 8
        let maxTotal = max(1, rows.map { $0.values.reduce(0, +) }.max() ?? 1)
        let plotWidth = width - labelWidth - 60
        let height = top + rows.count * (barHeight + gap) + 8
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\" font-size=\"12\">"
        svg += "<title>\(HTML.escape(title))</title>"
        if series.count > 1 {
            var x = labelWidth
            for s in series {
                svg += "<rect x=\"\(x)\" y=\"6\" width=\"12\" height=\"12\" fill=\"\(s.color)\"/>"
                svg += "<text x=\"\(x + 16)\" y=\"16\">\(HTML.escape(s.name))</text>"
                x += 24 + SVGChart.textWidth(s.name)
            }
        }
        for (i, row) in rows.enumerated() {
            let y = top + i * (barHeight + gap)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 14)\" text-anchor=\"end\">\(HTML.escape(row.label))</text>"
            var x = Double(labelWidth)
            for (j, value) in row.values.enumerated() where value > 0 {
                let w = Double(plotWidth) * Double(value) / Double(maxTotal)
                let color = j < series.count ? series[j].color : "#888"
                svg +=
                    "<rect x=\"\(fmt(x))\" y=\"\(y)\" width=\"\(fmt(max(w, 1)))\" height=\"\(barHeight)\" fill=\"\(color)\"><title>\(HTML.escape(j < series.count ? series[j].name : "")): \(value)</title></rect>"
                x += w
            }
            svg += "<text x=\"\(fmt(x + 4))\" y=\"\(y + 14)\">\(row.values.reduce(0, +))</text>"
        }
        return "<figure class=\"chart\">" + svg + "</svg><figcaption>\(HTML.escape(title))</figcaption></figure>"
    }

    static func textWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 12 : 7) }
    }

    private static func fmt(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
