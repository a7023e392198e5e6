import Benchmark

/// How far a run may drift before package-benchmark calls it a regression. Allocation counts are exact and must hold
/// within 2 % of the thresholds committed in Thresholds/<toolchain>/, which hold allocation counts only: this shared
/// 2-core machine runs the same build's times several times apart on different days, so committed times would fail the
/// check either way (docs/decisions/0015-benchmark-allocations-not-times.md). Times get a wide band for comparing two
/// baselines taken one after the other (`baseline update` / `baseline check`).
/// Benchmark names use no spaces or slashes: `thresholds update` writes such a name with `_` in its file name,
/// and `thresholds check` looks for the name as it is, so it finds no thresholds and fails (ordo-one/benchmark#373,
/// open in 1.38.1).
public enum Thresholds {
    public static var standard: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .mallocCountTotal: .init(relative: [.p90: 2.0]),
            .wallClock: .init(relative: [.p90: 50.0]),
            .throughput: .init(relative: [.p90: 50.0]),
        ]
    }
}
