import Foundation

/// A one-file HTML report: the run's settings, verdict, throughput and latency over time as inline SVG charts,
/// and the tables of the text summary. No scripts, no fonts, nothing fetched.
enum HTMLReport {
    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    static func render(_ report: Report) -> String {
        let seconds = report.timeline.map(\.elapsedSeconds)
        let throughput = chart(
            title: "Throughput per second", unit: "per s", seconds: seconds,
            series: [
                Series(name: "requests/s", color: "#1f77b4", values: report.timeline.map { Double($0.requests) }),
                Series(name: "bookings/s", color: "#2ca02c", values: report.timeline.map { Double($0.bookings) }),
            ])
        let latency = chart(
            title: "Latency per second (ms)", unit: "ms", seconds: seconds,
            series: [
                Series(name: "p50", color: "#9467bd", values: report.timeline.map(\.p50Milliseconds)),
                Series(name: "p99", color: "#d62728", values: report.timeline.map(\.p99Milliseconds)),
                Series(name: "max", color: "#7f7f7f", values: report.timeline.map(\.maxMilliseconds)),
            ])
        let verdictColor = report.verdict == "pass" ? "#2ca02c" : "#d62728"
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>slotload: \(escape(report.scenario))</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; max-width: 960px; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
            th { background: #f3f3f3; } td.name { text-align: left; }
            .verdict { font-size: 1.4em; font-weight: bold; color: \(verdictColor); }
            </style></head><body>
            <h1>slotload — \(escape(report.scenario))</h1>
            <p class="verdict">verdict: \(report.verdict) (\(report.verdictScope))</p>

            """
        if !report.verdictReasons.isEmpty {
            html += "<ul>" + report.verdictReasons.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        html += String(
            format: "<p>%d requests (batch %d: requests per line) in %.2f s: <b>%.0f requests/s</b>, "
                + "<b>%.0f confirmed bookings/s</b>.</p>\n",
            report.requests, report.batch, report.durationSeconds, report.requestsPerSecond, report.bookingsPerSecond)
        html += String(format: "<p>The connections were all opened first, in %.0f ms.", report.connectSeconds * 1_000)
        if let journal = report.journal {
            html += String(
                format: " The server's journal made %d commits for %d entries (%.1f per commit).", journal.commits,
                journal.entries, journal.entriesPerCommit)
        }
        html += "</p>\n" + throughput + latency
        html += "<h2>Latency per operation (ms)</h2>\n<table><tr><th>op</th><th>count</th><th>p50</th><th>p90</th>"
        html += "<th>p99</th><th>p99.9</th><th>max</th></tr>\n"
        for (op, value) in report.latency {
            let cells = [value.p50, value.p90, value.p99, value.p999, value.max].map { String(format: "%.2f", $0) }
            html += "<tr><td class=\"name\">\(op)</td><td>\(value.count)</td>"
            html += cells.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n<h2>Outcomes</h2>\n<table><tr><th>code</th><th>replies</th></tr>\n"
        for (code, count) in report.outcomes.sorted(by: { $0.key < $1.key }) {
            html += "<tr><td class=\"name\">\(escape(code))</td><td>\(count)</td></tr>\n"
        }
        html += "</table>\n<h2>Settings</h2>\n<table>\n"
        for (name, value) in report.settings {
            html += "<tr><td class=\"name\">\(escape(name))</td><td class=\"name\">\(escape(value))</td></tr>\n"
        }
        return html + "</table>\n</body></html>\n"
    }

    /// A line chart of per-second values with axes, gridlines and a legend.
    static func chart(title: String, unit: String, seconds: [Int], series: [Series]) -> String {
        let (width, height, left, bottom, top, right) = (880.0, 280.0, 70.0, 40.0, 30.0, 20.0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maxX = Double(max(seconds.last ?? 1, 1))
        let maxY = niceCeiling(series.flatMap(\.values).max() ?? 1)
        func x(_ second: Int) -> Double { left + Double(second) / maxX * plotWidth }
        func y(_ value: Double) -> Double { top + plotHeight - value / maxY * plotHeight }
        var svg = "<h2>\(escape(title))</h2>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "font-size=\"11\" font-family=\"sans-serif\">\n"
        for step in 0...4 {
            let value = maxY * Double(step) / 4
            let lineY = y(value)
            svg += String(
                format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, lineY,
                width - right, lineY)
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 6, lineY + 4,
                label(value))
        }
        let tickEvery = max(1, Int(maxX) / 10)
        for second in stride(from: 0, through: Int(maxX), by: tickEvery) {
            svg += String(
                format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ds</text>\n", x(second),
                height - bottom + 16, second)
        }
        svg += String(
            format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">elapsed (s)</text>\n", left + plotWidth / 2,
            height - 6)
        svg += String(format: "<text x=\"12\" y=\"%.1f\">%@</text>\n", top - 10, unit)
        for (index, line) in series.enumerated() {
            let points = zip(seconds, line.values).map { String(format: "%.1f,%.1f", x($0), y($1)) }
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\" "
            svg += "points=\"\(points.joined(separator: " "))\"/>\n"
            let legendX = left + 10 + Double(index) * 130
            svg += String(
                format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%@\"/>", legendX, top - 14,
                line.color)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n", legendX + 20, top - 10, line.name)
        }
        return svg + "</svg>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `value`: round numbers for the axis.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }

    static func label(_ value: Double) -> String {
        guard value >= 1_000 else { return String(format: value < 10 ? "%.2g" : "%.0f", value) }
        let thousands = value / 1_000
        return String(format: thousands == thousands.rounded() ? "%.0fk" : "%.1fk", thousands)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
