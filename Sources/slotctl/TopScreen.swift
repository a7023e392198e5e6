import Foundation
import SlotWire

/// What `slotctl top` shows of `LiveSample`s: a full screen on a terminal, one row per second otherwise.
enum TopScreen {
    /// Ops listed on the screen, busiest first: the few that make most of the traffic.
    static let opsShown = 8
    /// Seconds in the screen's history table, newest first.
    static let historySeconds = 10

    /// The full screen: the newest second in words, its busiest ops, and the last seconds as a table.
    static func screen(_ history: [LiveSample], endpoint: String) -> [String] {
        guard let latest = history.last else {
            return ["slotd \(endpoint)   waiting for the server's first sample…   Ctrl-C to quit"]
        }
        var lines = ["slotd \(endpoint)   \(RFC3339.format(latest.at))   Ctrl-C to quit", ""]
        var fields = FieldList()
        fields.add("requests", "\(Amounts.grouped(latest.requests))/s")
        fields.add("errors", "\(Amounts.grouped(latest.errors))/s\(errorShare(latest))")
        fields.add("latency", "p50 \(latency(latest.durationP50Seconds))   p99 \(latency(latest.durationP99Seconds))")
        fields.add(
            "journal",
            "queue \(Amounts.grouped(latest.journalQueueDepth))   commits \(Amounts.grouped(latest.journalCommits))/s"
                + "   \(entriesPerCommit(latest)) entries per commit")
        fields.add("connections", Amounts.grouped(latest.connections))
        lines += fields.render().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("")
        var ops = TextTable([.init("OP"), .init("REQ/S", .right), .init("SHARE", .right)])
        for (op, count) in busiest(latest).prefix(opsShown) {
            ops.append([op, Amounts.grouped(count), percent(count, of: latest.requests)])
        }
        lines += ops.render().split(separator: "\n").map(String.init)
        lines.append("")
        var table = TextTable(rowColumns)
        for sample in history.suffix(historySeconds).reversed() { table.append(row(sample)) }
        lines += table.render().split(separator: "\n").map(String.init)
        return lines
    }

    static let rowColumns: [TextTable.Column] = [
        .init("TIME"), .init("REQ/S", .right), .init("ERR/S", .right), .init("P50", .right), .init("P99", .right),
        .init("QUEUE", .right), .init("COMMITS/S", .right), .init("PER COMMIT", .right), .init("CONNS", .right),
        .init("BUSIEST OPS"),
    ]
    /// The widths of every column but the last, fixed so that rows printed one at a time line up.
    private static let rowWidths = [8, 7, 5, 9, 9, 5, 9, 10, 5]

    /// The header of the rows `rowText` prints, for output that is not a terminal.
    static var headerText: String { fixedWidth(rowColumns.map(\.title)) }

    /// One second as a row under `headerText`.
    static func rowText(_ sample: LiveSample) -> String { fixedWidth(row(sample)) }

    private static func fixedWidth(_ cells: [String]) -> String {
        var text = cells[0].padding(toLength: rowWidths[0], withPad: " ", startingAt: 0)
        for index in 1..<rowWidths.count {
            text += "  " + String(repeating: " ", count: max(0, rowWidths[index] - cells[index].count)) + cells[index]
        }
        return text + "  " + cells[rowWidths.count]
    }

    private static func row(_ sample: LiveSample) -> [String] {
        let time = String(RFC3339.format(sample.at).dropFirst(11).prefix(8))
        let busiestOps = busiest(sample).prefix(3).map { "\($0.op) \(Amounts.grouped($0.count))" }
        return [
            time, Amounts.grouped(sample.requests), Amounts.grouped(sample.errors),
            latency(sample.durationP50Seconds), latency(sample.durationP99Seconds),
            Amounts.grouped(sample.journalQueueDepth), Amounts.grouped(sample.journalCommits),
            entriesPerCommit(sample), Amounts.grouped(sample.connections), busiestOps.joined(separator: ", "),
        ]
    }

    /// Ops by requests, most first; ties by name, so the order does not flicker between redraws.
    static func busiest(_ sample: LiveSample) -> [(op: String, count: Int)] {
        sample.requestsByOp.map { (op: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.op < $1.op }
    }

    /// A duration in the unit that keeps it short: `0.125 ms`, `12.5 ms`, `1.25 s`; `-` for a second without
    /// requests.
    static func latency(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        let milliseconds = seconds * 1_000
        if milliseconds < 1 { return String(format: "%.3f ms", milliseconds) }
        if milliseconds < 100 { return String(format: "%.1f ms", milliseconds) }
        if milliseconds < 1_000 { return String(format: "%.0f ms", milliseconds) }
        return String(format: "%.2f s", seconds)
    }

    static func entriesPerCommit(_ sample: LiveSample) -> String {
        guard sample.journalCommits > 0 else { return "-" }
        return String(format: "%.1f", Double(sample.journalEntriesCommitted) / Double(sample.journalCommits))
    }

    private static func errorShare(_ sample: LiveSample) -> String {
        sample.requests > 0 ? " (\(percent(sample.errors, of: sample.requests)) of requests)" : ""
    }

    private static func percent(_ part: Int, of whole: Int) -> String {
        whole > 0 ? String(format: "%.1f %%", Double(part) * 100 / Double(whole)) : "-"
    }
}
