import Foundation
import SlotClient

/// A `slotd` started as a separate process from the built binary (`PackageExecutable`), as an operator would run
/// it: for what only a real process shows (kill -9, signals, exit status, its memory and CPU).
public final class SlotdProcess: RunningServer, Sendable {
    /// The server's process: tests send it signals and ask whether it still runs.
    public let process: ChildProcess
    /// The port the server reported in its `listening` line.
    public let port: Int
    /// The HTTP side port it reported there; nil when `extraArguments` turned it off.
    public let httpPort: Int?
    /// The file the server's stdout goes to (its `listening` line).
    public let stdoutURL: URL

    /// Starts `slotd --port 0 --http-port 0` on `dataDirectory` (`SlotdStart`) and returns once it listens.
    public convenience init(
        dataDirectory: URL, extraArguments: [String] = [], logLevel: String = "warning", stderr: URL? = nil
    ) async throws {
        try await self.init(
            waitingFor: try SlotdStart(
                dataDirectory: dataDirectory, extraArguments: extraArguments, logLevel: logLevel, stderr: stderr))
    }

    /// Waits up to `seconds` for the one `listening` line of `start` on its stdout; throws, and stops the process,
    /// when it ends first or none comes.
    public init(waitingFor start: SlotdStart, withinSeconds seconds: Int = 20) async throws {
        process = start.process
        stdoutURL = start.stdoutURL
        for _ in 0..<(seconds * 50) {
            if let (port, httpPort) = start.listeningLine() {
                self.port = port
                self.httpPort = httpPort
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let exitStatus = process.isRunning ? nil : process.terminationStatus
        process.terminate()
        throw SlotTestingError.notListening(exitStatus: exitStatus)
    }

    /// SIGKILL, as a crash would end it; returns once it has ended.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status (bounded wait).
    public func terminate() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await exitStatus(withinSeconds: 10) ?? process.terminationStatus
    }

    /// The exit status once the process has ended by itself; nil if it was still running after `seconds`, and
    /// then it is killed (so a failing test leaves no server behind).
    public func exitStatus(withinSeconds seconds: Int) async throws -> Int32? {
        try await process.exitStatus(withinSeconds: seconds)
    }
}
