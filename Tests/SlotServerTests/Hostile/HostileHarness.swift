import SlotTesting
import Testing

// What a hostile test expects of the server's `ProcessCost` and of a `PingProbe` (both from SlotTesting).

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
