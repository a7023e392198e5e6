import Foundation
import SlotCalendar
import SlotDomain
import Testing

/// Building calendar text and reading answers in tests.
enum Fixtures {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let utc = TimeZone(identifier: "GMT")!
    /// 2026-01-01T00:00:00Z ... 2028-01-01T00:00:00Z.
    static let wideWindow = instant("2026-01-01T00:00:00Z")..<instant("2028-01-01T00:00:00Z")

    /// `YYYY-MM-DDTHH:MM:SSZ` as an instant.
    static func instant(_ text: String) -> Instant {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else { preconditionFailure("bad test instant \(text)") }
        return Instant(secondsSinceEpoch: Int64(date.timeIntervalSince1970))
    }

    /// A VCALENDAR around `events`, each given as its property lines (BEGIN/END added), CRLF line ends.
    static func calendar(_ events: [[String]], extra: [String] = []) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"] + extra
        for event in events { lines += ["BEGIN:VEVENT"] + event + ["END:VEVENT"] }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func read(
        _ text: String, window: Range<Instant> = wideWindow, zone: TimeZone = berlin,
        isOwn: (String) -> Bool = { _ in false }, limits: ICalendarLimits = .standard
    ) throws -> BusyReading {
        try BusyTimes.busy(in: text, window: window, zone: zone, isOwn: isOwn, limits: limits).get()
    }

    /// Busy intervals as `start/end` text in UTC, for readable expectations.
    static func spans(_ reading: BusyReading) -> [String] {
        reading.busy.map { "\(utcText($0.start))/\(utcText($0.end))" }
    }

    static func utcText(_ instant: Instant) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(instant.secondsSinceEpoch)))
    }
}

/// Runs `scripts/ical-oracle.py` (the icalendar and recurring-ical-events packages) on a calendar text.
enum PythonOracle {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/ical-oracle.py")
    static let timeoutSeconds = 60.0

    static func run(_ arguments: [String], calendar: String) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slotcalendar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("calendar.ics")
        try Data(calendar.utf8).write(to: file)
        let output = folder.appendingPathComponent("out.json")
        let errors = folder.appendingPathComponent("err.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, arguments[0], file.path] + arguments.dropFirst()
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw OracleFailure(message: "ical-oracle.py ran longer than \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw OracleFailure(message: "ical-oracle.py failed: \(message.suffix(800))")
        }
        return try Data(contentsOf: output)
    }

    struct OracleFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
