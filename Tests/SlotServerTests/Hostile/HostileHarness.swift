import Foundation
import SlotClient
import Testing

/// What a hostile client's attack cost a real `slotd` process, read from /proc as an operator would.
struct ProcessCost: Sendable {
    /// Resident set size, in bytes (`VmRSS`).
    var residentBytes: Int
    /// Peak resident set size so far, in bytes (`VmHWM`).
    var peakResidentBytes: Int
    /// User plus system CPU time so far, in seconds.
    var cpuSeconds: Double

    /// Reads `/proc/<pid>/status` and `/proc/<pid>/stat`; nil when the process is gone.
    static func of(pid: Int32) -> ProcessCost? {
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
    var cost: ProcessCost? { ProcessCost.of(pid: process.processIdentifier) }
}

/// An unrelated, well-behaved client that pings the server over its own connection while an attack runs, and
/// remembers its slowest round trip. The attack is harmless to others when that stays small.
actor PingProbe {
    private(set) var slowestMilliseconds = 0.0
    private(set) var pings = 0
    private(set) var failures: [String] = []

    /// Pings every `intervalMilliseconds` until `body` returns, then returns what `body` returned.
    static func whilePinging<Result: Sendable>(
        port: Int, intervalMilliseconds: Int = 20, _ body: @Sendable () async throws -> Result
    ) async throws -> (result: Result, probe: PingProbe) {
        let probe = PingProbe()
        let result = try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                do {
                    try await SlotConnection.withConnection(port: port) { client in
                        // Bounded: at most ten minutes of pings; the attack's end cancels it long before.
                        for _ in 0..<(600_000 / intervalMilliseconds) {
                            let start = ContinuousClock.now
                            let reply = try await client.call(["id": 1, "op": "ping"])
                            await probe.record(start.duration(to: .now), ok: reply.ok)
                            try await Task.sleep(for: .milliseconds(intervalMilliseconds))
                        }
                    }
                } catch is CancellationError {
                } catch {
                    if !Task.isCancelled { await probe.fail("\(error)") }
                }
                return nil
            }
            let result = try await body()
            group.cancelAll()
            return result
        }
        return (result, probe)
    }

    private func record(_ elapsed: Duration, ok: Bool) {
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3
        slowestMilliseconds = max(slowestMilliseconds, milliseconds)
        pings += 1
        if !ok { failures.append("ping refused") }
    }

    private func fail(_ reason: String) { failures.append(reason) }
}

extension ProcessCost {
    /// Expects the attack since `before` to have cost at most `cpuSecondsMax` of the server's CPU and grown its
    /// resident set by at most `residentBytesGrowthMax`.
    func expectGrowth(
        since before: ProcessCost, cpuSecondsMax: Double, residentBytesGrowthMax: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let cpuSeconds = cpuSeconds - before.cpuSeconds
        let grownBytes = residentBytes - before.residentBytes
        #expect(cpuSeconds < cpuSecondsMax, "\(cpuSeconds) s of CPU", sourceLocation: sourceLocation)
        #expect(grownBytes < residentBytesGrowthMax, "RSS grew \(grownBytes) bytes", sourceLocation: sourceLocation)
    }
}

extension PingProbe {
    /// The slowest ping an attack may cause. An unbounded attack holds others up for tens of seconds or for good;
    /// 3 s still catches that, and leaves room for a debug build sharing two cores with the whole parallel test
    /// run, where a ping can take over a second behind a harmless flood.
    static let slowestMillisecondsBound = 3_000.0

    /// Expects every ping to have been answered, the slowest within `slowestMillisecondsMax`.
    func expectServed(
        slowestMillisecondsMax: Double = PingProbe.slowestMillisecondsBound,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(failures.isEmpty, "\(failures)", sourceLocation: sourceLocation)
        #expect(
            slowestMilliseconds < slowestMillisecondsMax, "slowest ping \(slowestMilliseconds) ms",
            sourceLocation: sourceLocation)
    }
}
