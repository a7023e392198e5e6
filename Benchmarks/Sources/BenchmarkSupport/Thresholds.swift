import Benchmark

/// How far a run may drift from the committed thresholds (Thresholds/<toolchain>/) before
/// `swift package benchmark thresholds check` calls it a regression. Allocation counts are exact and must hold
/// within 2 %; times come from a shared 2-core machine, so they get a wide band and catch only real slow-downs.
public enum Thresholds {
    public static var standard: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .mallocCountTotal: .init(relative: [.p90: 2.0]),
            .wallClock: .init(relative: [.p90: 50.0]),
            .throughput: .init(relative: [.p90: 50.0]),
        ]
    }
}
