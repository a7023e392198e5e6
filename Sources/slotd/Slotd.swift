import ArgumentParser
import CoreMetrics
import Foundation
import Logging
import Prometheus
import SlotAuth
import SlotServer

/// `slotd`: the reservation server. Thin: it parses flags, sets up logging and runs the services.
@main
struct Slotd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotd",
        abstract: "A reservation server that never lies about availability.",
        discussion: "Speaks line-delimited JSON over TCP (docs/PROTOCOL.md). Operations: docs/OPERATIONS.md.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one (printed in the 'listening' line on stdout).")
    var port = ServerConfiguration.defaultPort

    @Option(help: "Address of the HTTP port (/health, /ready, /metrics, the operator page); default: --host.")
    var httpHost: String?

    @Option(help: "HTTP port for /health, /ready, /metrics and the operator page (/); 0 picks a free one; off: none.")
    var httpPort = String(ServerConfiguration.defaultHTTPPort)

    @Option(name: .customLong("data-dir"), help: "Folder of the SQLite journal.")
    var dataDirectory = "./data"

    @Option(name: .customLong("snapshot-dir"), help: "Folder of snapshots.")
    var snapshotDirectory = "./snapshots"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Flag(help: "Log each mutation served at info, once its reply is written, with its duration.")
    var logRequests = false

    @Option(
        help: "OTLP/HTTP collector (http://host:4318): one span per request goes to <URL>/v1/traces. Default: none.")
    var otlpEndpoint: String?

    @Option(help: "Most client connections at once.")
    var maxConnections = 1_024

    @Option(help: "Longest request line in bytes.")
    var maxLineBytes = 65_536

    @Option(help: "Most client connections at once from one IP address.")
    var maxConnectionsPerAddress = ServerConfiguration().connectionsPerAddressMax

    @Option(help: "Longest reply in bytes; a longer one is refused with reply_too_large.")
    var maxReplyBytes = ServerConfiguration().replyBytesMax

    @Option(help: "Close a connection idle this many seconds (idle_timeout; 0: never).")
    var idleTimeoutSeconds = ServerConfiguration().idleTimeoutSeconds

    @Option(help: "A request line must be complete this many seconds after its first byte (line_timeout; 0: no limit).")
    var lineCompletionSeconds = ServerConfiguration().lineCompletionSeconds

    @Option(help: "Server-wide budget in bytes for replies not yet sent; past it, connections behind stop being read.")
    var maxBufferedBytes = ServerConfiguration().bufferedBytesMax

    @Option(help: "Seconds the reply budget may stay used up before the connections furthest behind are closed.")
    var overloadGraceSeconds = ServerConfiguration().overloadGraceSeconds

    @Option(help: "On shutdown, seconds open connections get to take their replies before they are closed.")
    var shutdownDrainSeconds = 30

    @Option(help: "Take a snapshot every N minutes (0: not on a timer).")
    var snapshotEveryMinutes = 60

    @Option(help: "Take a snapshot after N journal entries (0: not by count).")
    var snapshotEveryEntries = 100_000

    @Option(help: "Snapshots kept; the journal is compacted up to the oldest kept one.")
    var snapshotsKept = 2

    @Option(help: "Requests a second of one client or reader token, all its connections; burst twice that (0: none).")
    var rateLimitPerToken = ServerConfiguration().rateLimits.perToken?.permits ?? 0

    @Option(help: "Requests a second from one address (IPv6: a /64; loopback not counted); burst twice that (0: none).")
    var rateLimitPerAddress = ServerConfiguration().rateLimits.perAddress?.permits ?? 0

    @Option(help: "Failed auth attempts one client address may make at once before auth from it is refused.")
    var authFailuresPerAddress = ServerConfiguration().rateLimits.authFailuresPerAddress.burst

    @Option(help: "Seconds until one more failed auth attempt is allowed to an address that used them all.")
    var authFailureRefillSeconds = ServerConfiguration().rateLimits.authFailuresPerAddress.seconds

    @Option(help: "Failed auth attempts on one connection before it is closed.")
    var authFailuresPerConnection = ServerConfiguration().rateLimits.authFailuresPerConnectionMax

    @OptionGroup(title: "Webhooks")
    var webhooks: WebhookOptions

    @Option(help: "Start from this snapshot file (point-in-time restore into an empty --data-dir).")
    var restore: String?

    @Option(
        help: """
            Whether connections must authenticate: auto (required unless --host is a loopback address), required, \
            off.
            """)
    var auth = "auto"

    @Option(help: "PEM certificate chain (server certificate first): with --tls-key, the port speaks TLS only.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM CA certificates: clients must then present a certificate signed by one of them.")
    var tlsClientCa: String?

    @Option(
        help: "With TLS, close a connection whose handshake is not done this many seconds after accept (0: no limit).")
    var tlsHandshakeSeconds = ServerConfiguration().tlsHandshakeSeconds

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard httpPort == "off" || Int(httpPort).map({ (0...65_535).contains($0) }) == true else {
            throw ValidationError("--http-port must be between 0 and 65535, or off")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard (1_024...(64 * 1_024 * 1_024)).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 1024 and 67108864")
        }
        guard maxConnectionsPerAddress >= 1 else {
            throw ValidationError("--max-connections-per-address must be at least 1")
        }
        // A reply must at least hold an error reply; a budget at least one largest reply.
        guard maxReplyBytes >= 4_096 else { throw ValidationError("--max-reply-bytes must be at least 4096") }
        guard maxBufferedBytes >= maxReplyBytes else {
            throw ValidationError("--max-buffered-bytes must be at least --max-reply-bytes")
        }
        guard idleTimeoutSeconds >= 0, lineCompletionSeconds >= 0, overloadGraceSeconds >= 0 else {
            throw ValidationError(
                "--idle-timeout-seconds, --line-completion-seconds and --overload-grace-seconds must not be negative")
        }
        guard shutdownDrainSeconds >= 0 else { throw ValidationError("--shutdown-drain-seconds must not be negative") }
        guard snapshotEveryMinutes >= 0, snapshotEveryEntries >= 0 else {
            throw ValidationError("--snapshot-every-minutes and --snapshot-every-entries must not be negative")
        }
        guard AuthMode(rawValue: auth) != nil else { throw ValidationError("--auth must be auto, required or off") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard tlsClientCa == nil || tlsCert != nil else {
            throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key")
        }
        guard tlsHandshakeSeconds >= 0 else { throw ValidationError("--tls-handshake-seconds must not be negative") }
        if let otlpEndpoint, TraceExport.tracesURL(otlpEndpoint) == nil {
            throw ValidationError("--otlp-endpoint must be an http:// or https:// URL with a host")
        }
        guard snapshotsKept >= 2 else {
            throw ValidationError("--snapshots-kept must be at least 2, so a damaged newest snapshot has a fallback")
        }
        try validateRateLimits()
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "slotd")
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.http.host = httpHost
        configuration.http.port = Int(httpPort)
        configuration.dataDirectory = URL(fileURLWithPath: dataDirectory)
        configuration.snapshotDirectory = URL(fileURLWithPath: snapshotDirectory)
        configuration.connectionsMax = maxConnections
        configuration.lineBytesMax = maxLineBytes
        configuration.connectionsPerAddressMax = maxConnectionsPerAddress
        configuration.replyBytesMax = maxReplyBytes
        configuration.idleTimeoutSeconds = idleTimeoutSeconds
        configuration.lineCompletionSeconds = lineCompletionSeconds
        configuration.bufferedBytesMax = maxBufferedBytes
        configuration.overloadGraceSeconds = overloadGraceSeconds
        configuration.shutdownDrainSeconds = shutdownDrainSeconds
        configuration.snapshotEveryMinutes = snapshotEveryMinutes
        configuration.snapshotEveryEntries = snapshotEveryEntries
        configuration.snapshotsKept = snapshotsKept
        configuration.rateLimits.perToken = rateLimitPerToken == 0 ? nil : .perSecond(rateLimitPerToken)
        configuration.rateLimits.perAddress = rateLimitPerAddress == 0 ? nil : .perSecond(rateLimitPerAddress)
        configuration.rateLimits.authFailuresPerAddress = .init(
            burst: authFailuresPerAddress, permits: 1, seconds: authFailureRefillSeconds)
        configuration.rateLimits.authFailuresPerConnectionMax = authFailuresPerConnection
        configuration.restoreSnapshot = restore.map { URL(fileURLWithPath: $0) }
        configuration.auth = AuthMode(rawValue: auth) ?? .automatic
        if let tlsCert, let tlsKey {
            configuration.tls = TLSFiles(
                certificateChain: URL(fileURLWithPath: tlsCert), privateKey: URL(fileURLWithPath: tlsKey),
                clientCA: tlsClientCa.map { URL(fileURLWithPath: $0) })
        }
        configuration.tlsHandshakeSeconds = tlsHandshakeSeconds
        configuration.logsRequests = logRequests
        webhooks.apply(to: &configuration)
        // Once per process, like the metrics below; before the runtime, whose connections take the tracer.
        let traceExport = try otlpEndpoint.map { try TraceExport.bootstrap(endpoint: $0, logger: logger) }
        configuration.tracesRequests = traceExport != nil
        // The HTTP port listens while the journal replays; the TCP port once it has replayed.
        let startup = SlotStartup(configuration: configuration, logger: logger) { address in
            // The one line on stdout: scripts and tests read the port from it.
            let http = address.httpPort.map { ",\"http_port\":\($0)" } ?? ""
            let line = "{\"event\":\"listening\",\"host\":\"\(address.host)\",\"port\":\(address.port)\(http)}\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        // Whatever reports through swift-metrics (a library, later code) lands in the same /metrics. Not in
        // SlotRuntime: the bootstrap is once per process, and tests run many servers in one.
        if let metrics = startup.metrics {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        }
        try await startup.makeServiceGroup(outer: traceExport.map { [$0] } ?? []).run()
    }
}

extension Slotd {
    private func validateRateLimits() throws {
        let rateMax = BucketRate.magnitudeMax / 2
        guard rateLimitPerToken <= rateMax, rateLimitPerAddress <= rateMax else {
            throw ValidationError("--rate-limit-per-token and --rate-limit-per-address must be at most \(rateMax)")
        }
        guard (1...BucketRate.magnitudeMax).contains(authFailureRefillSeconds) else {
            throw ValidationError("--auth-failure-refill-seconds must be between 1 and \(BucketRate.magnitudeMax)")
        }
        guard authFailuresPerAddress >= 1, authFailuresPerAddress <= BucketRate.magnitudeMax / authFailureRefillSeconds
        else {
            throw ValidationError(
                "--auth-failures-per-address must be at least 1, and times --auth-failure-refill-seconds at most "
                    + "\(BucketRate.magnitudeMax)")
        }
        guard authFailuresPerConnection >= 1 else {
            throw ValidationError("--auth-failures-per-connection must be at least 1")
        }
    }
}
