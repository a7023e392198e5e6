// swift-tools-version: 6.1
import PackageDescription

// The benchmarks live in their own package so that ordo-one/benchmark (and its malloc interposer) never enter
// slotd's own build. Run from this folder: `swift package benchmark` (README.md, "Performance").
let package = Package(
    name: "slotd-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the checkout's folder name (a CI clone's, a worktree's) does not matter.
        .package(name: "slotd", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "BenchmarkSupport", dependencies: [.product(name: "Benchmark", package: "benchmark")]),
        suite("DomainBenchmarks", .product(name: "SlotDomain", package: "slotd")),
        suite("WireBenchmarks", .product(name: "SlotWire", package: "slotd")),
        suite("JournalBenchmarks", .product(name: "SlotJournal", package: "slotd")),
        suite(
            "EndToEndBenchmarks", .product(name: "SlotServer", package: "slotd"),
            .product(name: "SlotClient", package: "slotd"), .product(name: "SlotTesting", package: "slotd")),
    ],
    swiftLanguageModes: [.v6]
)

/// One benchmark suite: an executable under Benchmarks/<name>, run by the benchmark plugin.
func suite(_ name: String, _ dependencies: Target.Dependency...) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchmarkSupport", .product(name: "Benchmark", package: "benchmark")] + dependencies,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
