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
    /// The slowest ping an attack may cause. The attacks these tests guard against held others up for tens of
    /// seconds (36 s for one `availability`) or for good; 3 s still catches them, and leaves room for a debug build
    /// sharing two cores with the whole parallel test run, where a ping once took 1.03 s behind a harmless flood.
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
