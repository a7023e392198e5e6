import ArgumentParser
import Foundation
import SlotClient

/// TLS and token flags of the tools that talk to a server (slotctl's server commands, slotload). The token's value
/// is never printed: `--help` names only the environment variable it defaults to.
public struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Speak TLS to the server (implied by --tls-ca, --tls-cert, --tls-key).")
    public var tls = false

    @Option(help: "PEM CA certificates the server's certificate must chain to (default: the system's).")
    public var tlsCa: String?

    @Option(help: "PEM client certificate, for a server started with --tls-client-ca.")
    public var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    public var tlsKey: String?

    @Option(help: "Token secret to authenticate with (default: the SLOTD_TOKEN environment variable).")
    public var token: String?

    public init() {}

    public func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    public func endpoint(host: String, port: Int) throws -> SlotEndpoint {
        try SlotEndpoint.fromFlags(
            host: host, port: port, tls: tls, caFile: tlsCa, certificateFile: tlsCert, keyFile: tlsKey, token: token)
    }

    /// For a report's settings, which say whether TLS and a token were used, never which.
    public var usesTLS: Bool { tls || tlsCa != nil || tlsCert != nil || tlsKey != nil }
    public var hasToken: Bool {
        !(token ?? ProcessInfo.processInfo.environment[SlotEndpoint.tokenEnvironmentVariable] ?? "").isEmpty
    }
}
