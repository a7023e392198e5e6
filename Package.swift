// swift-tools-version: 6.1
import PackageDescription

// Dependencies point one way:
// SlotDomain <- SlotWire    <- SlotAuth   <- SlotServer <- slotd
// SlotDomain <- SlotJournal <- SlotServer
// SlotJournal <- SlotOutbox  <- SlotServer (webhook endpoints, deliveries and their HTTP sender)
// SlotDomain <- SlotCalendarSync (the CalDAV client: requests to calendar servers and their bounded parsing)
// SlotJSON   <- SlotWire, SlotJournal
// SlotDomain <- SlotCalendar (iCalendar text: busy times read, booking events written; no I/O)
//               SlotWire    <- SlotClient <- slotload
//               SlotAuth    <- slotctl (offline token creation)
// SlotServer, SlotClient <- SlotTesting (the test kit, beside the tests; used by Tests/ and Benchmarks/)
let package = Package(
    name: "slotd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "slotd", targets: ["slotd"]),
        .executable(name: "slotload", targets: ["slotload"]),
        .executable(name: "slotctl", targets: ["slotctl"]),
        .library(name: "SlotClient", targets: ["SlotClient"]),
        .library(name: "SlotServer", targets: ["SlotServer"]),
        // The test server kit, for Tests/ and Benchmarks/ alike.
        .library(name: "SlotTesting", targets: ["SlotTesting"]),
        // For Benchmarks/, which can only use products.
        .library(name: "SlotDomain", targets: ["SlotDomain"]),
        .library(name: "SlotWire", targets: ["SlotWire"]),
        .library(name: "SlotJournal", targets: ["SlotJournal"]),
        .library(name: "SlotAuth", targets: ["SlotAuth"]),
        .library(name: "SlotCalendar", targets: ["SlotCalendar"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the default traits add the gRPC exporter, which pulls gRPC and triples the added build time.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // zlib's CRC-32 (same polynomial as before, several times faster than ours): snapshots are checksummed
        // whole, twice (written, then read back), and a million bookings make 150 MB.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "SlotDomain"),
        .target(name: "SlotJSON"),
        // iCalendar (RFC 5545) text: busy intervals read out of a calendar, events written for bookings. No I/O.
        .target(name: "SlotCalendar", dependencies: ["SlotDomain"]),
        .target(name: "SlotWire", dependencies: ["SlotDomain", "SlotJSON"]),
        .target(name: "SlotJournal", dependencies: ["SlotDomain", "SlotJSON", "CSQLite", "CZlib"]),
        // Who may do what: token secrets and their hashes, the role matrix, rate limits. No I/O.
        .target(
            name: "SlotAuth",
            dependencies: ["SlotDomain", "SlotWire", .product(name: "Crypto", package: "swift-crypto")]),
        // Webhooks: endpoints, durable deliveries, retries, the circuit breaker, signing and the HTTP sender.
        .target(
            name: "SlotOutbox",
            dependencies: [
                "SlotDomain", "SlotJSON", "SlotJournal",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Calendar servers: the CalDAV and plain ICS client, every answer parsed within named limits.
        .target(
            name: "SlotCalendarSync",
            dependencies: [
                "SlotDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .target(
            name: "SlotServer",
            dependencies: [
                "SlotDomain", "SlotWire", "SlotJournal", "SlotAuth", "SlotOutbox",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "SlotClient",
            dependencies: [
                "SlotWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ]
        ),
        .target(
            name: "SlotTesting",
            dependencies: [
                "SlotServer", "SlotClient", "SlotDomain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "slotd",
            dependencies: [
                "SlotServer", "SlotAuth", "SlotOutbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        // The tools' TLS and token flags, shared by slotctl and slotload.
        .target(
            name: "SlotToolOptions",
            dependencies: ["SlotClient", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "slotload",
            dependencies: [
                "SlotClient", "SlotToolOptions", "SlotWire", "SlotDomain",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "slotctl",
            dependencies: [
                "SlotClient", "SlotToolOptions", "SlotJournal", "SlotWire", "SlotDomain", "SlotAuth", "SlotServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SlotDomainTests", dependencies: ["SlotDomain"]),
        .testTarget(name: "SlotJSONTests", dependencies: ["SlotJSON"]),
        .testTarget(name: "SlotCalendarTests", dependencies: ["SlotCalendar", "SlotDomain"]),
        .testTarget(name: "SlotWireTests", dependencies: ["SlotWire"]),
        .testTarget(name: "SlotJournalTests", dependencies: ["SlotJournal"]),
        .testTarget(name: "SlotOutboxTests", dependencies: ["SlotOutbox", "SlotJournal", "SlotDomain", "SlotTesting"]),
        .testTarget(
            name: "SlotCalendarSyncTests",
            dependencies: [
                "SlotCalendarSync", "SlotDomain", "SlotTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .testTarget(name: "SlotAuthTests", dependencies: ["SlotAuth", "SlotWire", "SlotDomain"]),
        .testTarget(
            name: "SlotServerTests",
            dependencies: [
                "SlotServer", "SlotClient", "SlotJournal", "SlotAuth", "SlotOutbox", "SlotTesting", "slotd", "slotctl",
                "slotload",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
