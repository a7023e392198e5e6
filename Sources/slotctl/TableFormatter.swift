/// A text table for people: a header row, then one row per item, columns two spaces apart. Widths count
/// characters, which lines up the ids, times, numbers and states shown here; names in wide scripts may drift.
struct TextTable {
    enum Alignment {
        case left
        case right
    }

    struct Column {
        var title: String
        var alignment: Alignment

        init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    let columns: [Column]
    private(set) var rows: [[String]] = []

    init(_ columns: [Column]) {
        self.columns = columns
    }

    /// One row; missing cells are blank, extra cells are a programming error.
    mutating func append(_ cells: [String]) {
        precondition(cells.count <= columns.count, "a row has more cells than the table has columns")
        rows.append(cells + Array(repeating: "", count: columns.count - cells.count))
    }

    func render() -> String {
        var widths = columns.map(\.title.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let lines = ([columns.map(\.title)] + rows).map { cells in
            var line = ""
            for (index, cell) in cells.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                line += columns[index].alignment == .left ? cell + padding : padding + cell
            }
            return line.trimmingTrailingSpaces()
        }
        return lines.joined(separator: "\n")
    }
}

/// `label  value` lines with the values lined up; a value may span several lines (they are indented to match).
struct FieldList {
    private(set) var fields: [(label: String, value: String)] = []

    mutating func add(_ label: String, _ value: String) {
        fields.append((label, value))
    }

    func render() -> String {
        let width = fields.map(\.label.count).max() ?? 0
        var lines: [String] = []
        for (label, value) in fields {
            let valueLines = value.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, valueLine) in valueLines.enumerated() {
                let head = index == 0 ? label : ""
                let line = head + String(repeating: " ", count: width - head.count + 2) + valueLine
                lines.append(line.trimmingTrailingSpaces())
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Numbers and amounts as people read them.
enum Amounts {
    /// `1234567` → `1,234,567`. Fixed grouping rather than the locale's, so output is the same everywhere.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `12,345 bytes (12.1 KiB)`.
    static func bytes(_ count: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(count)
        var unit: String?
        for candidate in units where scaled >= 1_024 {
            scaled /= 1_024
            unit = candidate
        }
        guard let unit else { return "\(grouped(count)) bytes" }
        return "\(grouped(count)) bytes (\((scaled * 10).rounded() / 10) \(unit))"
    }

    /// `3725` → `1h 2m 5s`; whole days above a day (`2d 3h`), as ages and uptimes are read.
    static func duration(seconds: Int) -> String {
        guard seconds >= 0 else { return "-" + duration(seconds: -seconds) }
        let (days, hours, minutes, rest) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60, seconds % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m \(rest)s" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return "\(rest)s"
    }

    /// Milliseconds with at most three decimals, as the server reports them.
    static func milliseconds(_ value: Double) -> String {
        "\((value * 1_000).rounded() / 1_000) ms"
    }
}
