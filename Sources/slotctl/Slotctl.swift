import ArgumentParser
import Foundation
import SlotClient
import SlotToolOptions

/// `slotctl`: the operator's tool. Talks to a running slotd over its protocol, or inspects files offline.
@main
struct Slotctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotctl", abstract: "Operate a slotd server and inspect its files.",
        discussion: """
            Server commands talk to slotd over its protocol (--host, --port). `journal verify`, \
            `journal dump` and `snapshot inspect` read files and need no server; `token create` and `token list` \
            work on a stopped server's data folder. Every command prints text for people, or JSON with \
            --json. `top` watches the server second by second. On a terminal, commands that may take a while \
            (snapshot, journal verify, token create and list) show a progress line on stderr while they work; \
            elsewhere they print nothing more. Operations guide: docs/OPERATIONS.md.

            Exit status: 0 done; 1 the server (or, offline, the data folder) refused the request, or a check found \
            damage; 2 cannot talk to the server (nothing listening, connection lost, no reply in time); 3 a file \
            or folder cannot be read; 64 bad usage.
            """,
        subcommands: [
            StatusCommand.self, SnapshotCommand.self, ResourcesCommand.self, BookingsCommand.self,
            BookingCommand.self, TopCommand.self, JournalCommand.self, TokenCommand.self,
        ])

    /// ArgumentParser's own `main`, except that a `SlotctlFailure` becomes one line on stderr and its own exit
    /// status, so scripts can tell "refused" from "unreachable" from "unreadable".
    static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as SlotctlFailure {
            FileHandle.standardError.write(Data("Error: \(failure.message)\n".utf8))
            exit(withError: failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// Where the server is, and how long to wait for it: shared by every server command.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address of the slotd server.")
    var host = "127.0.0.1"

    @Option(help: "Port of the slotd server.")
    var port = 7420

    @Option(help: "Give up when the whole exchange with the server takes longer than this.")
    var timeoutSeconds = 30

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard timeoutSeconds >= 1 else { throw ValidationError("--timeout-seconds must be at least 1") }
    }

    var endpoint: String { "\(host):\(port)" }

    /// Reads the TLS files; throws `SlotClientError.tlsSetup` naming one that cannot be used.
    func slotEndpoint() throws -> SlotEndpoint {
        try connection.endpoint(host: host, port: port)
    }
}

/// `--json`, on every command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (one object on one line) instead of text.")
    var json = false
}

/// Writes text to stdout, unbuffered (unlike `print` into a pipe), so it is out before any error line that
/// follows on stderr, and before the process exits.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
