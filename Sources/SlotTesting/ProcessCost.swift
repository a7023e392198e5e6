import Foundation

/// What a process (a real `slotd`, under attack or load) has cost so far, read from /proc as an operator would.
public struct ProcessCost: Sendable {
    /// Resident set size, in bytes (`VmRSS`).
    public var residentBytes: Int
    /// Peak resident set size so far, in bytes (`VmHWM`).
    public var peakResidentBytes: Int
    /// User plus system CPU time so far, in seconds.
    public var cpuSeconds: Double

    /// Reads `/proc/<pid>/status` and `/proc/<pid>/stat`; nil when the process is gone.
    public static func of(pid: Int32) -> ProcessCost? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        else { return nil }
        func kibibytes(_ field: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else {
                return nil
            }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
        }
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let userTicks = Double(fields[11]), let systemTicks = Double(fields[12]),
            let resident = kibibytes("VmRSS"), let peak = kibibytes("VmHWM")
        else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessCost(
            residentBytes: resident * 1_024, peakResidentBytes: peak * 1_024,
            cpuSeconds: (userTicks + systemTicks) / ticksPerSecond)
    }
}

extension SlotdProcess {
    /// The server process's cost so far; nil once it has ended.
    public var cost: ProcessCost? { ProcessCost.of(pid: process.processIdentifier) }
}
