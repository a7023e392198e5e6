import ArgumentParser
import Foundation
import SlotClient

/// TLS and token flags, as slotctl has them (an executable cannot share a target with another). The token's value is never printed: `--help` names only the
/// environment variable it defaults to.
struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Speak TLS to the server (implied by --tls-ca, --tls-cert, --tls-key).")
    var tls = false

    @Option(help: "PEM CA certificates the server's certificate must chain to (default: the system's).")
    var tlsCa: String?

    @Option(help: "PEM client certificate, for a server started with --tls-client-ca.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Token secret to authenticate with (default: the SLOTD_TOKEN environment variable).")
    var token: String?

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    /// For the report's settings, which say whether TLS and a token were used, never which.
    var usesTLS: Bool { tls || tlsCa != nil || tlsCert != nil || tlsKey != nil }
    var hasToken: Bool {
        !(token ?? ProcessInfo.processInfo.environment[SlotEndpoint.tokenEnvironmentVariable] ?? "").isEmpty
    }

    func endpoint(host: String, port: Int) throws -> SlotEndpoint {
        try SlotEndpoint.fromFlags(
            host: host, port: port, tls: tls, caFile: tlsCa, certificateFile: tlsCert, keyFile: tlsKey, token: token)
    }
}
